/* check golden: check --golden DIR, every DIR/NAME.xml as CONN expands
 * it against the counts (NAME.counts) and PCI addresses (NAME.pci)
 * pinned beside it, or (--regen) those files written afresh. */
#ifndef LB_CHECK_GOLDEN_H
#define LB_CHECK_GOLDEN_H

#include <libvirt/libvirt.h>

#include "common/junit.h"

/* Print a verdict for each NAME.xml of DIR and a summary, and with J
 * (not NULL) add each as a test case, failed with its differences.
 * Returns the command's exit status: LB_EXIT_USAGE when a case could not
 * be checked, LB_EXIT_SHORT when one differs, LB_EXIT_OK; or -1 after
 * err_set() when DIR cannot be read.  VERBOSE: print each expansion to
 * stderr. */
int check_golden(const char *dir, int regen, virConnectPtr conn, int verbose, struct junit *j);

#endif
