/* relay: a libvirt stream to a local socket and back (relay.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "drain.h"
#include "common/err.h"
#include "backend/lv.h"
#include "backend/relay.h"

#define RELAY_BUF 65536

struct relay {
	virStreamPtr st;
	int fd, watch;
	int st_events, fd_events;
	char up[RELAY_BUF];        /* from the stream, for the socket */
	size_t up_len, up_off;
	char down[RELAY_BUF];      /* from the socket, for the stream */
	size_t down_len, down_off;
	int ended;
	void (*gone)(void *ctx);
	void *ctx;
};

static void end(struct relay *r)
{
	if (r->ended)
		return;
	r->ended = 1;
	if (r->watch >= 0)
		virEventRemoveHandle(r->watch);
	r->watch = -1;
	virStreamEventRemoveCallback(r->st);
	/* chan.c then sees its peer go, as when QEMU exits. */
	shutdown(r->fd, SHUT_RDWR);
	if (r->gone)
		r->gone(r->ctx);
}

/* Ask each side for what can move now: read a side only when its
 * buffer is empty, write it only when the other's has something. */
static void update(struct relay *r)
{
	int se = (r->up_len ? 0 : VIR_STREAM_EVENT_READABLE) | (r->down_len ? VIR_STREAM_EVENT_WRITABLE : 0);
	int fe = (r->down_len ? 0 : VIR_EVENT_HANDLE_READABLE) | (r->up_len ? VIR_EVENT_HANDLE_WRITABLE : 0);

	if (r->ended)
		return;
	if (se != r->st_events)
		virStreamEventUpdateCallback(r->st, r->st_events = se);
	if (fe != r->fd_events)
		virEventUpdateHandle(r->watch, r->fd_events = fe);
}

static void to_fd(struct relay *r)
{
	if (drain(drain_write_fd, &r->fd, r->up, &r->up_off, &r->up_len) == DRAIN_FAILED)
		end(r);
}

/* The stream's writer for drain(): on a non-blocking stream,
 * virStreamSend returns -2 when it can take nothing now. */
static ssize_t stream_write(void *ctx, const void *buf, size_t n)
{
	struct relay *r = ctx;
	int w = virStreamSend(r->st, buf, n);

	return w == -2 ? DRAIN_AGAIN : w < 0 ? DRAIN_FAILED : w;
}

static void to_stream(struct relay *r)
{
	if (drain(stream_write, r, r->down, &r->down_off, &r->down_len) == DRAIN_FAILED)
		end(r);
}

static void on_stream(virStreamPtr st, int events, void *opaque)
{
	struct relay *r = opaque;

	if ((events & VIR_STREAM_EVENT_WRITABLE) && r->down_len)
		to_stream(r);
	if (!r->ended && (events & VIR_STREAM_EVENT_READABLE) && !r->up_len) {
		int n = virStreamRecv(st, r->up, sizeof r->up);

		if (n > 0) {
			r->up_len = (size_t)n;
			to_fd(r);
		} else if (n != -2) {
			end(r);   /* the end of the stream, or its failure */
		}
	}
	if (!r->ended && (events & (VIR_STREAM_EVENT_HANGUP | VIR_STREAM_EVENT_ERROR)) &&
	    !(events & VIR_STREAM_EVENT_READABLE))
		end(r);
	update(r);
}

static void on_fd(int watch, int fd, int events, void *opaque)
{
	struct relay *r = opaque;

	(void)watch;
	if ((events & VIR_EVENT_HANDLE_WRITABLE) && r->up_len)
		to_fd(r);
	if (!r->ended && (events & (VIR_EVENT_HANDLE_READABLE | VIR_EVENT_HANDLE_HANGUP |
				    VIR_EVENT_HANDLE_ERROR)) && !r->down_len) {
		ssize_t n = read(fd, r->down, sizeof r->down);

		if (n > 0) {
			r->down_len = (size_t)n;
			to_stream(r);
		} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
			end(r);
		}
	}
	update(r);
}

struct relay *relay_open(virStreamPtr st, const char *path, void (*gone)(void *ctx), void *ctx)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct relay *r = calloc(1, sizeof *r);

	if (!r) {
		err_set(LB_EXIT_VM, "out of memory");
		return NULL;
	}
	r->st = st;
	r->watch = -1;
	r->gone = gone;
	r->ctx = ctx;
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	r->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (r->fd < 0 || connect(r->fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		err_set(LB_EXIT_VM, "%s: %s", path, strerror(errno));
		goto fail;
	}
	r->st_events = VIR_STREAM_EVENT_READABLE;
	r->fd_events = VIR_EVENT_HANDLE_READABLE;
	if (virStreamEventAddCallback(st, r->st_events, on_stream, r, NULL) < 0) {
		err_set(LB_EXIT_VM, "cannot watch the channel's stream: %s", lv_error());
		goto fail;
	}
	if ((r->watch = virEventAddHandle(r->fd, r->fd_events, on_fd, r, NULL)) < 0) {
		virStreamEventRemoveCallback(st);
		err_set(LB_EXIT_VM, "cannot watch the channel's socket");
		goto fail;
	}
	return r;
fail:
	if (r->fd >= 0)
		close(r->fd);
	free(r);
	return NULL;
}

void relay_close(struct relay *r)
{
	if (!r)
		return;
	if (!r->ended) {
		r->ended = 1;
		if (r->watch >= 0)
			virEventRemoveHandle(r->watch);
		virStreamEventRemoveCallback(r->st);
	}
	virStreamAbort(r->st);
	virStreamFree(r->st);
	close(r->fd);
	free(r);
}
