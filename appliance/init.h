/* init: what the parts of the appliance's PID 1 share.  init.c boots (the
 * mounts, the modules, stage 1, the console and its frames); job.c serves
 * the channel (the job, its streams, the exit status). */
#ifndef LB_INIT_H
#define LB_INIT_H

#include <stddef.h>

/* A line of the init's own on the console, with WIRE_INIT_PREFIX. */
void init_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A frame on the console, and a failure as one. */
void init_frame(char type, const void *data, size_t len);
void init_failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Load module MOD and what it depends on; quiet when it is built in. */
void init_load_module(const char *mod);
/* Wait up to MS milliseconds until OK(ARG), checked again whenever a node
 * appears in /dev (inotify, not a timer).  Returns 0, or -1 at the end. */
int init_wait(int (*ok)(void *), void *arg, int ms);
/* The user's N disks: virtio_blk, then /dev/disk/leanboot/0..N-1. */
void init_attach_disks(long n);

/* job.c: the channel's port, open, or -1 when the machine has none. */
int job_channel(void);
/* Take the job from the channel CH, run it, send its streams and exit
 * status, and return once the host has said goodbye. */
void job_run(int ch);
/* With no channel: the kernel's log as output on the console, then exit
 * status 0 (bench times a machine without the channel device this way). */
void job_kernel_log(void);

#endif
