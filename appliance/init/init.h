/* init: what the parts of the appliance's PID 1 share, from the bottom
 * up: console.c writes the init's lines and frames; dev.c holds the
 * mounts, the kernel command line, sysfs and the waits for /dev;
 * modules.c loads modules; disks.c names the user's disks as they come;
 * job.c serves the channel (the job, its streams, the exit status);
 * main.c boots (stage 1, stage 2's steps, ready).  Each file uses only
 * those before it. */
#ifndef LB_INIT_H
#define LB_INIT_H

#include <stdarg.h>
#include <stddef.h>

/* console.c: a line of the init's own on the console, with
 * WIRE_INIT_PREFIX. */
void init_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A frame on the console, and a failure as one. */
void init_frame(char type, const void *data, size_t len);
void init_failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void init_vfailf(const char *fmt, va_list ap);

/* dev.c: mount a filesystem of TYPE on DST (made if need be), nosuid,
 * and noexec and nodev but for devtmpfs; a failure is said, not fatal. */
void init_mount_one(const char *src, const char *dst, const char *type);
/* Read /proc/cmdline, once, for init_cmdline_get. */
void init_read_cmdline(void);
/* The value of NAME= on the kernel command line, copied into BUF; NULL
 * if it has none. */
const char *init_cmdline_get(const char *name, char *buf, size_t len);
/* The first line of DIR/ENTRY/FILE, without its newline, into BUF:
 * 0, or -1. */
int init_sysfs_line(const char *dir, const char *entry, const char *file, char *buf, size_t len);
/* Whether OK(DIR, ENTRY, ARG) holds for an entry of DIR: 1, or 0. */
int init_scan(const char *dir, int (*ok)(const char *, const char *, void *), void *arg);
/* Whether the machine's virtio devices are on PCI, or on virtio-mmio
 * (microvm, virt's mmio topology). */
int init_have_pci(void);
/* Whether a virtio device of type ID is there (virtio's device ids). */
#define INIT_VIRTIO_CONSOLE 3
#define INIT_VIRTIO_SCSI 8
int init_virtio_present(unsigned id);
/* Wait up to MS milliseconds until OK(ARG), checked again whenever a node
 * appears in /dev (inotify, not a timer).  Returns 0, or -1 at the end. */
int init_wait(int (*ok)(void *), void *arg, int ms);
/* Wait up to MS milliseconds for PATH, a node devtmpfs makes in /dev:
 * 0, or -1. */
int init_wait_dev(const char *path, int ms);

/* modules.c: where the modules are, from uname; once, before loading. */
void init_set_moddir(void);
/* Load module MOD and what it depends on; quiet when it is built in. */
void init_load_module(const char *mod);

/* disks.c: listen to the kernel's uevents from now on (before ready). */
void init_uevents_open(void);
/* The user's N disks as /dev/disk/leanboot/0..N-1, and N-partP for
 * their partitions: virtio-blk devices after the root, or with SCSI the
 * LUNs 0..N-1 the host hot-adds. */
void init_attach_disks(long n, int scsi);

/* job.c: the channel's port, open, or -1 when the machine has none. */
int job_channel(void);
/* Take the job from the channel CH, run it, send its streams and exit
 * status, and return once the host has said goodbye. */
void job_run(int ch);
/* With no channel: the kernel's log as output on the console, then exit
 * status 0 (bench times a machine without the channel device this way). */
void job_kernel_log(void);

#endif
