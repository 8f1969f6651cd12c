/* peak: what a launch costs the host.  The peak resident set (VmHWM) of
 * QEMU, read when the command has exited and QEMU is still there, and of
 * the launcher itself, which a flood of output must not grow; and the CPU
 * time of each, read at every stage's mark. */
#ifndef LB_LAUNCH_PEAK_H
#define LB_LAUNCH_PEAK_H

#include <sys/types.h>

/* PID's peak in KiB; 0 when PID is not positive or not ours to see. */
long peak_pid_kib(pid_t pid);
/* Our own peak in KiB; 0 when unknown. */
long peak_self_kib(void);
/* PID's CPU time so far, user and system, all its threads, in seconds
 * (in the kernel's clock ticks, 10 ms here); NAN when PID is not positive
 * or gone. */
double peak_pid_cpu(pid_t pid);
/* Ours, likewise (to the microsecond); libvirt's embedded driver and its
 * threads included. */
double peak_self_cpu(void);

#endif
