/* lv: the libvirt connection: the embedded driver by default (no daemon),
 * any URI by option; and defining a domain only to read back what libvirt
 * made of it. */
#ifndef LB_LV_H
#define LB_LV_H

#include <sys/types.h>

#include <libvirt/libvirt.h>

/* Before any other libvirt call: send libvirt's own log to
 * CACHE/libvirt.log, and with VERBOSE to stderr too. */
void lv_init(const char *cache, int verbose);
/* How many embedded roots concurrent launches may use. */
#define LV_EMBED_SLOTS 16
/* "qemu:///embed?root=CACHE/libvirt" (slot 0) or CACHE/libvirt-SLOT, with
 * the qemu.conf that root needs. */
char *lv_default_uri(const char *cache, unsigned slot);
/* Open URI (NULL: $LEANBOOT_CONNECT, then the embedded default). */
virConnectPtr lv_open(const char *uri, const char *cache, int verbose);
/* Define XML under a fresh name, read back the inactive XML libvirt
 * expanded it to, undefine.  Returns a malloc'd document. */
char *lv_expand(virConnectPtr conn, const char *xml);
/* Where libvirt keeps the pid of domain NAME's QEMU (an embedded root's
 * run directory, or the system daemon's, which only root can read), or
 * NULL when it cannot be known; *EMBEDDED says whether QEMU is this
 * process's own (the embedded driver's). */
char *lv_qemu_pidfile(virConnectPtr conn, const char *name, int *embedded);
/* The pid in PATH; 0 when there is none yet, or no PATH. */
pid_t lv_read_pidfile(const char *path);
/* Whether CONN's QEMU driver has libvirt's DAC security driver, the one
 * that chowns files (a privileged driver has it, an ordinary user's
 * embedded or session driver does not). */
int lv_has_dac(virConnectPtr conn);
/* libvirt's namespace for QEMU's own arguments, <qemu:commandline>. */
#define LV_QEMU_NS "http://libvirt.org/schemas/domain/qemu/1.0"
/* Whether the running domain DOM's <qemu:commandline> still holds the
 * N QEMU arguments ARGS, in order, and no others: a driver without QEMU's
 * namespace drops the element without a word.  1 yes, 0 no, -1 when its
 * XML cannot be read. */
int lv_kept_qemu_args(virDomainPtr dom, char *const *args, size_t n);
/* Drop CONN from the connections this process reuses: it is broken. */
void lv_forget(virConnectPtr conn);
/* libvirt's last error as text. */
const char *lv_error(void);

#endif
