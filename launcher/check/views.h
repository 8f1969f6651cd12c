/* check views: one domain as check sees it: its counts as written, as
 * libvirt expands it and as the guest enumerated it (--boot), the
 * expanded domain's PCI addresses, and the guest's disk names. */
#ifndef LB_CHECK_VIEWS_H
#define LB_CHECK_VIEWS_H

#include <json-c/json.h>
#include <libvirt/libvirt.h>

#include "check/addrs.h"
#include "check/counts.h"

struct check_views {
	struct counts w, x, s;    /* written, expanded, seen */
	int have_seen;
	struct addrs *ax;         /* the expanded domain's addresses */
	struct counts_disk disks[COUNTS_MAX_DISKS];
	int ndisks;
};

/* Count XML as written and as CONN expands it (printed to stderr with
 * VERBOSE), and collect the expansion's addresses.  Returns 0, or -1
 * after err_set().  Free with check_views_free(). */
int check_views_expand(virConnectPtr conn, const char *xml, struct check_views *v, int verbose);
void check_views_free(struct check_views *v);
/* Whether the guest's endpoints are libvirt's, by address. */
int check_endpoints_match(const struct check_views *v);
/* Whether the guest named each virtio disk as the expanded domain
 * targets it: the disk at a disk's address has the disk's name.  Each
 * disk goes to RECORDS when it is not NULL, and with PRINT to stdout. */
int check_disk_names_match(const struct check_views *v, json_object *records, int print);

#endif
