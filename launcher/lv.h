/* lv: the libvirt connection: the embedded driver by default (no daemon),
 * any URI by option; and defining a domain only to read back what libvirt
 * made of it. */
#ifndef LB_LV_H
#define LB_LV_H

#include <sys/types.h>

#include <libvirt/libvirt.h>

/* Before any other libvirt call: send libvirt's own log to CACHE. */
void lv_init(const char *cache);
/* How many embedded roots concurrent launches may use. */
#define LV_EMBED_SLOTS 16
/* "qemu:///embed?root=CACHE/libvirt" (slot 0) or CACHE/libvirt-SLOT, with
 * the qemu.conf that root needs. */
char *lv_default_uri(const char *cache, unsigned slot);
/* Open URI (NULL: $LEANBOOT_CONNECT, then the embedded default). */
virConnectPtr lv_open(const char *uri, const char *cache);
/* Define XML under a fresh name, read back the inactive XML libvirt
 * expanded it to, undefine.  Returns a malloc'd document. */
char *lv_expand(virConnectPtr conn, const char *xml);
/* The pid of domain NAME's QEMU, from the pid file libvirt keeps (in an
 * embedded root, or the system daemon's when we are root); 0 when it
 * cannot be known. */
pid_t lv_qemu_pid(virConnectPtr conn, const char *name);
/* Drop CONN from the connections this process reuses: it is broken. */
void lv_forget(virConnectPtr conn);
/* libvirt's last error as text. */
const char *lv_error(void);

#endif
