/* qemuargv: renders a plan as a qemu command line (-nodefaults
 * -no-user-config), giving the guest the same devices libvirt would. */
#ifndef LB_QEMUARGV_H
#define LB_QEMUARGV_H

#include "plan/plan.h"
#include "common/strv.h"

/* The seccomp filter QEMU installs on itself: libvirt's set (its
 * qemu.conf's seccomp_sandbox), which also sets no_new_privs.  With
 * spawn=deny QEMU cannot run a program, so templates are saved and
 * restored through descriptors (direct.c). */
#define QEMUARGV_SANDBOX "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny"

/* The caller's disks reach QEMU as descriptors that leanboot opened as
 * the caller, so that QEMU's user need not be able to open them (jail.h)
 * and their owner, mode and ctime stay as they are.  The user's disks
 * (the machine's in order, then a clone's hot-added ones) and each one's
 * backing files take slots 0, 1, ...; slot K is descriptor
 * QEMUARGV_DISK_FD + K in QEMU, alone in fd set K + 1, which QEMU opens
 * as /dev/fdset/(K + 1). */
#define QEMUARGV_DISK_FD 10

/* The slot of disk D of P (its backing files take the next ones), or -1
 * for a disk that is not the user's (the root overlay, which QEMU opens
 * by name). */
int qemuargv_disk_index(const struct plan *p, const struct plan_dev *d);

/* The argv into AV (strv_free it), or -1 after err_set(). */
int qemuargv_render(const struct plan *p, struct strv *av);

#endif
