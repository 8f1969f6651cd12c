/* accel: --accel auto, decided by a tiny KVM boot under a short deadline
 * and remembered per host (name and kernel) and qemu binary. */
#ifndef LB_ACCEL_H
#define LB_ACCEL_H

#include "plan.h"

/* Resolve "auto", "kvm" or "tcg".  For auto, *why says why TCG was chosen
 * (NULL when KVM works or was not asked about). */
int acc_resolve(const char *accel, const char *cache, const char *kernel,
		enum plan_accel *out, const char **why);

#endif
