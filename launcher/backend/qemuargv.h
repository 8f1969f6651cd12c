/* qemuargv: renders a plan as a qemu command line (-nodefaults
 * -no-user-config), giving the guest the same devices libvirt would. */
#ifndef LB_QEMUARGV_H
#define LB_QEMUARGV_H

#include "plan/plan.h"
#include "common/strv.h"

/* The argv into AV (strv_free it), or -1 after err_set(). */
int qemuargv_render(const struct plan *p, struct strv *av);

#endif
