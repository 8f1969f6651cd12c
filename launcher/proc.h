/* proc: runs the host tools leanboot drives (supermin, qemu-img, tar)
 * and waits for them, keeping their chatter in a log for the error. */
#ifndef LB_PROC_H
#define LB_PROC_H

/* Run ARGV, with ENV ("NAME=value" entries, NULL-terminated, may be NULL)
 * added to the environment.  Output goes to LOG (appended) or /dev/null.
 * Returns 0 when it exits 0; otherwise -1 with the last line of the log. */
int proc_run(const char *const argv[], const char *const env[], const char *log);

#endif
