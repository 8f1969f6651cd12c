/* util: small helpers every module needs: checked number parsing,
 * formatted allocation, files and directories, the clocks. */
#ifndef LB_UTIL_H
#define LB_UTIL_H

#include <stdarg.h>
#include <stddef.h>

/* A formatted, malloc'd string, or NULL after err_set(). */
char *util_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *util_vprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* The index of S in NAMES (N of them), or -1: enum values from their
 * names, with the same table giving the names back. */
int util_name_index(const char *s, const char *const *names, size_t n);
#define UTIL_NAME_INDEX(s, names) util_name_index((s), (names), sizeof(names) / sizeof *(names))

/* Parse a whole decimal string into [lo, hi]; -1 on anything else. */
int util_parse_long(const char *s, long lo, long hi, long *out);

/* mkdir -p with mode 0700 for the parts it creates. */
int util_mkdirs(const char *path);
/* Remove a directory tree we created; never follows symlinks. */
int util_rmtree(const char *path);

/* Copy SRC to DST (created with MODE, replaced if there). */
int util_copy_file(const char *src, const char *dst, unsigned mode);
/* The same, making DST's missing directories (mode 0755), as install -D
 * does: for files that go into an image. */
int util_install(const char *src, const char *dst, unsigned mode);

/* The host's TSC rate from /proc/cpuinfo, or 0. */
unsigned util_host_tsc_khz(void);

/* A UNIX socket listening at PATH (mode 0600, non-blocking, close-on-
 * exec) for the one connection QEMU makes to it; -1 after err_set(). */
int util_listen_unix(const char *path);
/* Seconds on the monotonic clock. */
double util_now(void);

/* Write TEXT to PATH, whole or not at all (a temporary name renamed).
 * Returns -1 after err_set(). */
int util_write_file(const char *path, const char *text);

/* Fault-injection tests name a point of the launch in LEANBOOT_STOP_AT
 * (planned, created, kernel, ready; restore: a clone's QEMU is up and
 * its state not yet loaded; upload: a remote upload has sent its first
 * bytes; adopted: the embedded driver's QEMU has become this process's
 * child, while libvirt still creates or restores the domain); the launcher stops itself there with SIGSTOP, so that the test
 * can do its damage (a signal, kill -9 of QEMU or a daemon, a deleted
 * disk) at a known stage and then send SIGCONT. */
void util_checkpoint(const char *point);

#endif
