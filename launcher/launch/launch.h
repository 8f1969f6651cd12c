/* launch: one throwaway VM from start to teardown, whatever the backend:
 * the per-launch directory and root overlay, the deadline, signals, the
 * guest protocol, and the verdict.  The backend (backend.h) only starts
 * and stops the VM and feeds its console bytes back.  This is the face
 * the commands see; the files behind it are:
 *   one.c      one launch: its run directory, plan, VM and event loop
 *   warm.c     templates and clones: when a launch starts warm
 *   sink.c     what the console, the channel and the backend report
 *   verdict.c  what a launch's end means: an exit status or why not
 *   rundir.c   the per-launch directory and the root overlay in it
 *   signals.c  SIGINT, SIGTERM and SIGHUP, through the event loop
 *   peak.c     peak memory (VmHWM), QEMU's and our own */
#ifndef LB_LAUNCH_H
#define LB_LAUNCH_H

#include "launch/opts.h"

/* Boot, run, tear down.  The job goes over the channel once the guest
 * is ready.  A plan with no channel (in.channel 0) takes no job: its
 * guest sends its kernel log as the output instead, which is what bench
 * asks of it (dmesg).  Returns the command's exit status (0 when there
 * is no command), or -1 after err_set() with the stage that failed (the
 * status 3, or 128+N after signal N). */
int launch_run(const struct launch_opts *o, struct launch_times *times);
/* Make the template O's warm launches restore, unless it is there.
 * Returns 0, or -1 after err_set(). */
int launch_prepare(const struct launch_opts *o);

#endif
