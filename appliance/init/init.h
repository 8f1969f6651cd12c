/* init: what the parts of the appliance's PID 1 share.  init.c boots (the
 * mounts, the modules, stage 1, the console and its frames); job.c serves
 * the channel (the job, its streams, the exit status); disks.c names the
 * user's disks as they come. */
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
/* The value of NAME= on the kernel command line, copied into BUF; NULL
 * if it has none. */
const char *init_cmdline_get(const char *name, char *buf, size_t len);
/* Wait up to MS milliseconds for PATH, a node devtmpfs makes in /dev:
 * 0, or -1. */
int init_wait_dev(const char *path, int ms);

/* disks.c: listen to the kernel's uevents from now on (before ready). */
void init_uevents_open(void);
/* The user's N disks as /dev/disk/leanboot/0..N-1, and N-partP for
 * their partitions: virtio-blk devices after the root, or with SCSI the
 * LUNs 0..N-1 the host hot-adds. */
void init_attach_disks(long n, int scsi);

/* The first line of DIR/ENTRY/FILE, without its newline, into BUF:
 * 0, or -1. */
int init_sysfs_line(const char *dir, const char *entry, const char *file, char *buf, size_t len);
/* Whether OK(DIR, ENTRY, ARG) holds for an entry of DIR: 1, or 0. */
int init_scan(const char *dir, int (*ok)(const char *, const char *, void *), void *arg);
/* Whether a virtio device of type ID is there (virtio's device ids). */
#define INIT_VIRTIO_CONSOLE 3
#define INIT_VIRTIO_SCSI 8
int init_virtio_present(unsigned id);

/* job.c: the channel's port, open, or -1 when the machine has none. */
int job_channel(void);
/* Take the job from the channel CH, run it, send its streams and exit
 * status, and return once the host has said goodbye. */
void job_run(int ch);
/* With no channel: the kernel's log as output on the console, then exit
 * status 0 (bench times a machine without the channel device this way). */
void job_kernel_log(void);

#endif
