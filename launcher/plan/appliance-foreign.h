/* appliance-foreign: the tree of an appliance for an architecture other
 * than the host's (aarch64 on x86_64), from Debian's archive.  supermin
 * cannot make one: it copies the host's installed packages, of the host's
 * architecture, and says it does not cross-build. */
#ifndef LB_APPLIANCE_FOREIGN_H
#define LB_APPLIANCE_FOREIGN_H

#include <stddef.h>

#include "common/strv.h"

/* PACKAGES (and the kernel's, linux-image-DEBARCH) for Debian's
 * architecture DEBARCH, unpacked: the userspace into TREE, the kernel
 * package into KDIR with its modules.dep made, and its version into KVER
 * (LEN bytes).  TMP holds apt's state and the .debs; LOG the tools'
 * output. */
int appl_foreign_tree(const char *debarch, const struct strv *packages, const char *tmp,
		      const char *tree, const char *kdir, char *kver, size_t len, const char *log);
/* Whether the host's apt has DEBARCH's package lists (dpkg
 * --add-architecture DEBARCH, then apt-get update). */
int appl_foreign_lists(const char *debarch);
/* Whether the host can build ARCH's appliance: DEBARCH's lists, and INIT
 * (the cross-built init) in the data directory; else a one-line error
 * saying what to install. */
int appl_foreign_check(const char *arch, const char *debarch, const char *init);

#endif
