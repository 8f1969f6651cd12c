/* proc: runs the host tools leanboot drives (supermin, qemu-img, tar)
 * and waits for them, keeping their chatter in a log for the error. */
#ifndef LB_PROC_H
#define LB_PROC_H

#include <stddef.h>

#define PROC_LINE_MAX 512     /* bytes of a last line kept for an error */

/* Run ARGV, with ENV ("NAME=value" entries, NULL-terminated, may be NULL)
 * added to the environment.  Output goes to LOG (appended) or /dev/null.
 * Returns 0 when it exits 0; otherwise -1 with the last line it printed. */
int proc_run(const char *const argv[], const char *const env[], const char *log);
/* An empty qcow2 at PATH over BASE, whose format is BASE_FMT, made by
 * qemu-img; its output goes to LOG as proc_run()'s does. */
int proc_overlay(const char *base, const char *base_fmt, const char *path, const char *log);
/* The last non-empty line of the file LOG ("" if none). */
void proc_log_last_line(const char *log, char *buf, size_t len);

#endif
