/* libvirt-reap: QEMU's pid under the libvirt backend, and its reaping.
 * The embedded driver's QEMU is adopted as our child (a subreaper) and a
 * thread reaps it the moment it exits; a local daemon's QEMU is only
 * noted, for the day the daemon is gone. */
#ifndef LB_LIBVIRT_REAP_H
#define LB_LIBVIRT_REAP_H

#include <sys/types.h>

struct lvb;

/* Before the domain is created: under the embedded driver, adopt QEMU
 * and start the thread that reaps it. */
void reap_start(struct lvb *l);
/* Stop that thread; harmless when none runs. */
void reap_stop(struct lvb *l);
/* Once the domain exists: read QEMU's pid from its pid file. */
void reap_note_qemu(struct lvb *l);
/* The backend's qemu_pid hook: QEMU's pid when it is ours to see, else 0. */
pid_t reap_qemu_pid(const void *data);

#endif
