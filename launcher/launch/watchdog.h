/* watchdog: what cleans up after a launcher killed with SIGKILL.  A small
 * child holds the read end of a pipe; when the launcher dies without
 * saying it is done, the pipe's end tells the child, which kills QEMU (the
 * embedded driver's QEMU outlives us otherwise) and removes the run
 * directory.  libvirt forgets the domain the next time it opens the root
 * and finds its QEMU gone. */
#ifndef LB_WATCHDOG_H
#define LB_WATCHDOG_H

#include <sys/types.h>

struct watchdog {
	pid_t pid;                /* the child, 0 if none */
	int fd;                   /* the write end, -1 if none */
};

/* Start the child for RUNDIR.  Without it a launch still works; only the
 * SIGKILL case goes uncovered, so failure is not an error. */
void watchdog_start(struct watchdog *w, const char *rundir);
/* Tell the child which QEMU to kill. */
void watchdog_qemu(struct watchdog *w, pid_t qemu);
/* The launch cleaned up after itself: the child exits doing nothing. */
void watchdog_done(struct watchdog *w);

#endif
