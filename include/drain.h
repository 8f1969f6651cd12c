/* drain: write out a buffer through a writer, as far as it can go now.
 * One loop for every such queue on both sides: the caller's writer says
 * how a write is done (write(2) on an fd, virStreamSend on a stream,
 * poll(2) first for a reader that may stop), the loop keeps the offset
 * and what is left.  Static inline and dependent on nothing of ours, as
 * wire.h is, because the init is a static binary that links no launcher
 * code. */
#ifndef LB_DRAIN_H
#define LB_DRAIN_H

#include <errno.h>
#include <stddef.h>
#include <sys/types.h>
#include <unistd.h>

enum {
	DRAIN_DONE = 0,           /* all written */
	DRAIN_FAILED = -1,        /* the writer failed (an fd's: errno says why) */
	DRAIN_AGAIN = -2,         /* nothing can go now: wait to be writable */
};

/* A writer puts up to N bytes of BUF where CTX says, and returns how
 * many it took (fewer than N is fine; 0 has it called again at once, as
 * after EINTR), DRAIN_AGAIN or DRAIN_FAILED. */
typedef ssize_t drain_writer(void *ctx, const void *buf, size_t n);

/* Write the *LEN bytes at BUF + *OFF through W, moving *OFF on and *LEN
 * down as they go.  Returns DRAIN_DONE (and *OFF is 0 again), or what W
 * returned when it stopped: DRAIN_AGAIN or DRAIN_FAILED. */
static inline int drain(drain_writer *w, void *ctx, const void *buf, size_t *off, size_t *len)
{
	while (*len) {
		ssize_t n = w(ctx, (const char *)buf + *off, *len);

		if (n == DRAIN_AGAIN)
			return DRAIN_AGAIN;
		if (n < 0)
			return DRAIN_FAILED;
		*off += (size_t)n;
		*len -= (size_t)n;
	}
	*off = 0;
	return DRAIN_DONE;
}

/* The writer for the fd at CTX (an int *).  EAGAIN, which only a
 * non-blocking fd returns, is DRAIN_AGAIN, so drain() on a blocking fd
 * writes it all or fails.  A write that takes nothing counts as failed,
 * with errno 0: whoever read the fd has gone. */
static inline ssize_t drain_write_fd(void *ctx, const void *buf, size_t n)
{
	ssize_t w = write(*(const int *)ctx, buf, n);

	if (w > 0)
		return w;
	if (w == 0)
		errno = 0;
	else if (errno == EINTR)
		return 0;
	else if (errno == EAGAIN)
		return DRAIN_AGAIN;
	return DRAIN_FAILED;
}

#endif
