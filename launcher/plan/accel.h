/* accel: --accel auto, decided by a tiny KVM boot under a short deadline
 * and remembered per host (name and kernel) and qemu binary. */
#ifndef LB_ACCEL_H
#define LB_ACCEL_H

#include "plan/plan.h"

/* What --accel asks for. */
enum acc_mode { ACC_AUTO, ACC_KVM, ACC_TCG };
extern const struct names acc_mode_names[];   /* names.h */
const char *acc_mode_name(enum acc_mode m);
int acc_parse_mode(const char *s);     /* -1 if unknown */

/* Resolve MODE.  For auto, *why says why TCG was chosen
 * (NULL when KVM works or was not asked about), and *fresh is 1 when the
 * answer was found now rather than remembered: the caller tells the user
 * once, not on every launch. */
int acc_resolve(enum acc_mode mode, const char *cache, const char *kernel,
		enum plan_accel *out, const char **why, int *fresh);

#endif
