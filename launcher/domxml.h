/* domxml: renders a plan as libvirt domain XML through libxml2's
 * xmlTextWriter, never by pasting strings. */
#ifndef LB_DOMXML_H
#define LB_DOMXML_H

#include "plan.h"

/* Optional QEMU arguments passed through <qemu:commandline>. */
struct dx_extra {
	const char *const *qemu_args;
	size_t nqemu_args;
	const char *dac_label;    /* "+UID:+GID": QEMU's user, nothing relabelled */
	int disk_norelabel;       /* the user's disks carry a DAC relabel='no' (only
				     where the connection has the DAC driver) */
};

/* Returns a malloc'd NUL-terminated document, or NULL after err_set(). */
char *dx_render(const struct plan *p, const struct dx_extra *extra);

#endif
