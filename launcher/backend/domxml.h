/* domxml: renders a plan as libvirt domain XML through libxml2's
 * xmlTextWriter, never by pasting strings. */
#ifndef LB_DOMXML_H
#define LB_DOMXML_H

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
};

/* Returns a malloc'd NUL-terminated document, or NULL after err_set(). */
char *domxml_render(const struct plan *p, const struct domxml_extra *extra);
/* The <disk> of IN as LUN N of the virtio-scsi controller, for
 * virDomainAttachDeviceFlags: a clone's disks (plan.h).  NORELABEL as
 * disk_norelabel.  Returns it malloc'd, or NULL after err_set(). */
char *domxml_render_lun(const struct plan_disk_in *in, unsigned n, int norelabel);

/* A dir storage pool NAME in DIR, for virStoragePoolDefineXML.  Returns
 * it malloc'd, or NULL after err_set(). */
char *domxml_render_pool(const char *name, const char *dir);
/* A storage volume: NAME of CAPACITY bytes in FORMAT (a disk_format),
 * backed by BACKING in BACKING_FORMAT when that is not NULL; for
 * virStorageVolCreateXML.  Returns it malloc'd, or NULL after err_set(). */
char *domxml_render_volume(const char *name, unsigned long long capacity, int format,
			   const char *backing, int backing_format);

#endif
