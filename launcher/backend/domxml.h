/* domxml: renders a plan as libvirt domain XML through libxml2's
 * xmlTextWriter, never by pasting strings. */
#ifndef LB_DOMXML_H
#define LB_DOMXML_H

#include <libxml/xmlwriter.h>

#include "plan/plan.h"

/* What the connection asks for beyond the plan: who QEMU runs as.  The
 * plan's extra QEMU arguments go through <qemu:commandline>. */
struct domxml_extra {
	const char *dac_label;    /* "+UID:+GID": QEMU's user, nothing relabelled */
	int disk_norelabel;       /* the user's disks carry a DAC relabel='no' (only
				     where the connection has the DAC driver) */
	int channel_bind;         /* the channel's socket is QEMU's, where libvirt
				     puts it, and reached by virDomainOpenChannel:
				     a remote host cannot reach ours */
	const char *owner;        /* <description>: which launch the domain is (pool.h) */
	int fdgroups;             /* the user's disks by descriptor (diskfd.h), each
				     slot its fd group (domxml_fdgroup) */
};

/* The fd group libvirt knows descriptor slot K by. */
void domxml_fdgroup(int k, char *buf, size_t len);

/* Returns a malloc'd NUL-terminated document, or NULL after err_set(). */
char *domxml_render(const struct plan *p, const struct domxml_extra *extra);
/* The <disk> of P's hot-added disk N, as LUN N of the virtio-scsi
 * controller, for virDomainAttachDeviceFlags: a clone's disks (plan.h),
 * written by the renderer of the machine's own.  NORELABEL as
 * disk_norelabel, FDGROUPS as fdgroups.  Returns it malloc'd, or NULL
 * after err_set(). */
char *domxml_render_hot(const struct plan *p, size_t n, int norelabel, int fdgroups);

/* The writer's helpers, which volxml.c shares.  Each returns <0 on
 * failure, like the libxml2 calls; the caller ORs them so that one check
 * at the end covers the document. */
int domxml_start(xmlTextWriterPtr w, const char *name);
int domxml_end(xmlTextWriterPtr w);
int domxml_attr(xmlTextWriterPtr w, const char *name, const char *value);
int domxml_text(xmlTextWriterPtr w, const char *name, const char *text);
/* End the document W writes into BUF and release both: the text
 * malloc'd, or NULL after err_set() (R < 0: writing WHAT failed; WHAT
 * NULL: the caller has set the error already). */
char *domxml_finish(xmlBufferPtr buf, xmlTextWriterPtr w, int r, const char *what);

#endif
