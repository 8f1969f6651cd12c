/* err: the one place an internal failure records why it failed.
 *
 * A helper returns -1 (or NULL) after err_set(STATUS, why).  STATUS is the
 * failure's class, and the helper records it because only it knows which
 * it was: bad input the user can fix (LB_EXIT_USAGE: a disk that is not
 * there) or a VM or host that failed (LB_EXIT_VM: out of memory, QEMU
 * gone).  Only the command layer prints, as "leanboot: what: why", and it
 * exits with the recorded class (err_report) unless it knows better and
 * records another.  The command layer's own checks of its arguments
 * print at once (err_usage, err_usage_fail). */
#ifndef LB_ERR_H
#define LB_ERR_H

/* Exit statuses of the command-line contract (docs/leanboot.1). */
enum {
	LB_EXIT_OK = 0,
	LB_EXIT_SHORT = 1,   /* the thing checked fell short */
	LB_EXIT_USAGE = 2,   /* bad usage or bad input */
	LB_EXIT_VM = 3,      /* the VM failed */
};

/* Record a message, made one line of printable text (text_clean), since
 * it may quote file names and guest output. */
void err_set(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void err_clear(void);
const char *err_msg(void);
int err_status(void);

/* Print "leanboot: WHAT: <recorded reason>" and return the recorded status. */
int err_report(const char *what);
/* Print "leanboot: <formatted>" for errors found at the command edge, and
 * return LB_EXIT_USAGE, the command's exit status. */
int err_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same for the command layer's helpers: returns -1. */
int err_usage_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
