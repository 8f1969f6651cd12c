/* qemuargv: renders a plan as a qemu command line (-nodefaults
 * -no-user-config), giving the guest the same devices libvirt would. */
#ifndef LB_QEMUARGV_H
#define LB_QEMUARGV_H

#include "plan.h"
#include "util.h"

struct qa_opts {
	const char *serial_chardev;   /* chardev backend for ttyS0; NULL: stdio */
	const char *const *extra;     /* appended as they are */
	size_t nextra;
};

int qa_render(const struct plan *p, const struct qa_opts *o, struct strv *argv);

#endif
