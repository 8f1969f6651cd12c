/* peak: the peak resident set (VmHWM) of QEMU, read when the command has
 * exited and QEMU is still there, and of the launcher itself, which a
 * flood of output must not grow. */
#ifndef LB_LAUNCH_PEAK_H
#define LB_LAUNCH_PEAK_H

#include <sys/types.h>

/* PID's peak in KiB; 0 when PID is not positive or not ours to see. */
long peak_pid_kib(pid_t pid);
/* Our own peak in KiB; 0 when unknown. */
long peak_self_kib(void);

#endif
