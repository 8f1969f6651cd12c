/* chan: see chan.h.  One connection, four event handles (the listening
 * or connected socket, stdin, stdout, stderr), and update() deciding
 * after every step what each of them waits for.  Nothing here blocks:
 * a pipe or terminal is written PIPE_BUF bytes at a time, and only when
 * poll(2) says it has room, so that a reader that stops reading cannot
 * stop the event loop, the deadline or ^C. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libvirt/libvirt.h>

#include "drain.h"
#include "launch/chan.h"
#include "common/err.h"
#include "common/util.h"

struct outq {
	int fd, watch;
	int chunked;              /* a pipe, socket or terminal: PIPE_BUF at a time */
	int closed;               /* its reader has gone: the rest is dropped */
	char type;                /* WIRE_STDOUT or WIRE_STDERR */
	char *buf;                /* CHAN_OUTQ bytes, once needed */
	size_t off, len;
};

struct chan {
	struct proto_sink sink;
	struct proto_chan parser;
	int listen_fd, listen_watch, conn_fd, conn_watch;
	int conn_events;
	int in_fd, in_watch, in_open;
	struct outq out[2];
	unsigned char *sendq;     /* frames to the guest, not yet written */
	size_t send_off, send_len, send_cap;
	int job_sent, exited, bye_queued, conn_gone;
};

static void update(struct chan *c);

static int queue_frame(struct chan *c, char type, const void *data, size_t len)
{
	size_t need = c->send_len + WIRE_CHAN_HDR + len;

	if (c->send_off && c->send_off + need > c->send_cap) {
		memmove(c->sendq, c->sendq + c->send_off, c->send_len);
		c->send_off = 0;
	}
	if (c->send_off + need > c->send_cap) {
		unsigned char *b = realloc(c->sendq, c->send_off + need);

		if (!b) {
			err_set(LB_EXIT_VM, "out of memory");
			return -1;
		}
		c->sendq = b;
		c->send_cap = c->send_off + need;
	}
	wire_chan_header(c->sendq + c->send_off + c->send_len, type, (uint32_t)len);
	if (len)
		memcpy(c->sendq + c->send_off + c->send_len + WIRE_CHAN_HDR, data, len);
	c->send_len += WIRE_CHAN_HDR + len;
	return 0;
}

/* --- output: the guest's stdout and stderr to ours ---------------------- */

static void outq_init(struct outq *q, int fd, char type)
{
	struct stat st;

	q->fd = fd;
	q->watch = -1;
	q->type = type;
	/* A stream closed before we started (">&-") has nobody to read it. */
	if (fd >= 0 && fcntl(fd, F_GETFD) < 0)
		q->closed = 1;
	/* A file or block device takes any write at once; anything else may
	 * make a large write wait for its reader. */
	q->chunked = fd >= 0 && !(fstat(fd, &st) == 0 && (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode)));
}

static int outq_room(const struct outq *q, size_t n)
{
	return q->fd < 0 || q->closed || q->len + n <= CHAN_OUTQ;
}

/* Whether the channel may be read: one read of WIRE_CHAN_MAX bytes can
 * complete the frame the parser holds in part (up to WIRE_CHAN_MAX of
 * payload already received) and bring as much again, all of it for one
 * stream. */
static int can_read(const struct chan *c)
{
	return outq_room(&c->out[0], 2 * WIRE_CHAN_MAX) && outq_room(&c->out[1], 2 * WIRE_CHAN_MAX);
}

/* The writer for drain().  An output that is not a file may be blocking
 * (it is the user's), so it is written only when poll(2) says it has
 * room, and then PIPE_BUF bytes at most, which that room takes without
 * waiting.  An EINTR (0 from drain_write_fd()) comes back here, to poll
 * again before the next write. */
static ssize_t outq_write(void *ctx, const void *buf, size_t n)
{
	struct outq *q = ctx;

	if (q->chunked) {
		struct pollfd p = { q->fd, POLLOUT, 0 };

		if (poll(&p, 1, 0) <= 0)
			return DRAIN_AGAIN;
		if (n > PIPE_BUF)
			n = PIPE_BUF;
	}
	return drain_write_fd(&q->fd, buf, n);
}

/* Write what can be written now. */
static void outq_flush(struct chan *c, struct outq *q)
{
	if (q->closed || drain(outq_write, q, q->buf, &q->off, &q->len) != DRAIN_FAILED)
		return;
	/* EPIPE: nobody reads it any more.  The guest closes the command's
	 * end, and the command gets its SIGPIPE, as it would writing to a
	 * closed pipe here. */
	q->closed = 1;
	q->len = 0;
	q->off = 0;
	if (!c->exited)
		queue_frame(c, WIRE_CLOSE, &q->type, 1);
}

static void outq_add(struct chan *c, struct outq *q, const void *data, size_t len)
{
	if (q->closed)
		return;
	if (!q->buf && !(q->buf = malloc(CHAN_OUTQ))) {
		q->closed = 1;
		return;
	}
	if (q->off + q->len + len > CHAN_OUTQ) {
		memmove(q->buf, q->buf + q->off, q->len);
		q->off = 0;
	}
	/* can_read() keeps room for whatever one read can complete. */
	memcpy(q->buf + q->off + q->len, data, len);
	q->len += len;
	outq_flush(c, q);
}

static void on_out_writable(int watch, int fd, int events, void *opaque)
{
	struct chan *c = opaque;

	(void)fd;
	(void)events;
	for (int i = 0; i < 2; i++)
		if (c->out[i].watch == watch)
			outq_flush(c, &c->out[i]);
	update(c);
}

/* --- the guest's frames ------------------------------------------------- */

static void on_frame(void *ctx, char type, const uint8_t *data, size_t len)
{
	struct chan *c = ctx;
	struct outq *q = type == WIRE_STDOUT ? &c->out[0] : type == WIRE_STDERR ? &c->out[1] : NULL;

	if (q && q->fd >= 0) {
		outq_add(c, q, data, len);
		return;
	}
	if (type == WIRE_EXIT)
		c->exited = 1;
	if (c->sink.frame)
		c->sink.frame(c->sink.ctx, type, data, len);
}

/* --- the socket ----------------------------------------------------------- */

static void conn_gone(struct chan *c)
{
	if (c->conn_watch >= 0)
		virEventRemoveHandle(c->conn_watch);
	c->conn_watch = -1;
	c->conn_gone = 1;
}

static void conn_read(struct chan *c)
{
	/* A few reads a turn, so that the outputs and stdin get theirs. */
	for (int turn = 0; turn < 8; turn++) {
		unsigned char buf[WIRE_CHAN_MAX];
		ssize_t n;

		if (!can_read(c))
			return;
		n = read(c->conn_fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			/* QEMU has gone, and the VM with it. */
			conn_gone(c);
			return;
		}
		if (proto_chan_feed(&c->parser, buf, (size_t)n) < 0) {
			conn_gone(c);
			return;
		}
	}
}

static void conn_write(struct chan *c)
{
	if (drain(drain_write_fd, &c->conn_fd, c->sendq, &c->send_off, &c->send_len) == DRAIN_FAILED)
		conn_gone(c);
}

static void on_conn(int watch, int fd, int events, void *opaque)
{
	struct chan *c = opaque;

	(void)watch;
	(void)fd;
	if (events & VIR_EVENT_HANDLE_WRITABLE)
		conn_write(c);
	if (!c->conn_gone && (events & (VIR_EVENT_HANDLE_READABLE | VIR_EVENT_HANDLE_HANGUP |
					VIR_EVENT_HANDLE_ERROR)))
		conn_read(c);
	update(c);
}

/* QEMU connects once, as it starts; nobody else may afterwards. */
static void on_accept(int watch, int fd, int events, void *opaque)
{
	struct chan *c = opaque;
	int s;

	(void)events;
	s = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (s < 0)
		return;
	(void)watch;
	virEventRemoveHandle(c->listen_watch);
	c->listen_watch = -1;
	close(c->listen_fd);
	c->listen_fd = -1;
	c->conn_fd = s;
	c->conn_events = VIR_EVENT_HANDLE_READABLE;
	c->conn_watch = virEventAddHandle(s, c->conn_events, on_conn, c, NULL);
	if (c->conn_watch < 0)
		conn_gone(c);
	update(c);
}

/* --- stdin ---------------------------------------------------------------- */

static void stdin_stop(struct chan *c)
{
	if (c->in_watch >= 0)
		virEventRemoveHandle(c->in_watch);
	c->in_watch = -1;
	c->in_open = 0;
}

static void on_stdin(int watch, int fd, int events, void *opaque)
{
	struct chan *c = opaque;
	unsigned char buf[WIRE_CHAN_MAX];
	ssize_t n;

	(void)watch;
	(void)events;
	if (!c->in_open || c->send_len)
		return;
	n = read(fd, buf, sizeof buf);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	/* End of file (an empty frame says so), or an error taken as one. */
	if (queue_frame(c, WIRE_STDIN, buf, n > 0 ? (size_t)n : 0) < 0 || n <= 0)
		stdin_stop(c);
	conn_write(c);
	update(c);
}

/* --- what each handle waits for ----------------------------------------- */

static void update(struct chan *c)
{
	int ev;

	/* After the exit status: once the output is out, say goodbye. */
	if (c->exited && !c->bye_queued && !c->out[0].len && !c->out[1].len) {
		c->bye_queued = 1;
		stdin_stop(c);
		queue_frame(c, WIRE_BYE, NULL, 0);
		if (c->conn_watch >= 0)
			conn_write(c);
	}
	if (c->conn_gone)
		stdin_stop(c);
	if (c->conn_watch >= 0) {
		ev = c->send_len ? VIR_EVENT_HANDLE_WRITABLE : 0;
		if (can_read(c))
			ev |= VIR_EVENT_HANDLE_READABLE;
		if (ev != c->conn_events)
			virEventUpdateHandle(c->conn_watch, ev);
		c->conn_events = ev;
	}
	if (c->in_watch >= 0)
		virEventUpdateHandle(c->in_watch, c->send_len ? 0 : VIR_EVENT_HANDLE_READABLE);
	for (int i = 0; i < 2; i++) {
		struct outq *q = &c->out[i];

		if (q->watch >= 0)
			virEventUpdateHandle(q->watch, q->len && !q->closed ? VIR_EVENT_HANDLE_WRITABLE : 0);
	}
}

/* --- the interface -------------------------------------------------------- */

struct chan *chan_open(const char *path, const struct chan_opts *o, const struct proto_sink *sink)
{
	struct chan *c = calloc(1, sizeof *c);
	const struct proto_sink mine = { NULL, on_frame, c };

	if (!c) {
		err_set(LB_EXIT_VM, "out of memory");
		return NULL;
	}
	c->sink = *sink;
	proto_chan_init(&c->parser, &mine);
	c->listen_fd = c->listen_watch = c->conn_fd = c->conn_watch = c->in_watch = -1;
	c->in_fd = o->in_fd;
	outq_init(&c->out[0], o->out_fd, WIRE_STDOUT);
	outq_init(&c->out[1], o->err_fd, WIRE_STDERR);
	c->listen_fd = util_listen_unix(path);
	if (c->listen_fd < 0)
		goto fail;
	c->listen_watch = virEventAddHandle(c->listen_fd, VIR_EVENT_HANDLE_READABLE, on_accept, c, NULL);
	if (c->listen_watch < 0) {
		err_set(LB_EXIT_VM, "cannot watch the channel's socket");
		goto fail;
	}
	for (int i = 0; i < 2; i++)
		if (c->out[i].fd >= 0 && !c->out[i].closed &&
		    (c->out[i].watch = virEventAddHandle(c->out[i].fd, 0, on_out_writable, c, NULL)) < 0) {
			err_set(LB_EXIT_VM, "cannot watch our output");
			goto fail;
		}
	return c;
fail:
	chan_close(c);
	return NULL;
}

/* The clock and the seed, as late as they can be taken. */
static int job_stamp(unsigned char *job)
{
	struct wire_job_header h;
	struct timespec ts;

	wire_job_get_header(job, &h);
	clock_gettime(CLOCK_REALTIME, &ts);
	h.sec = (uint64_t)ts.tv_sec;
	h.nsec = (uint32_t)ts.tv_nsec;
	if (getrandom(h.seed, WIRE_JOB_SEED, 0) != WIRE_JOB_SEED) {
		err_set(LB_EXIT_VM, "getrandom: %s", strerror(errno));
		return -1;
	}
	wire_job_put_header(job, &h);
	return 0;
}

int chan_send_job(struct chan *c, unsigned char *job, size_t len)
{
	if (c->job_sent)
		return 0;
	if (job_stamp(job) < 0)
		return -1;
	if (queue_frame(c, WIRE_JOB, job, len) < 0)
		return -1;
	c->job_sent = 1;
	if (c->in_fd >= 0) {
		c->in_open = 1;
		c->in_watch = virEventAddHandle(c->in_fd, 0, on_stdin, c, NULL);
	}
	if (c->conn_watch >= 0)
		conn_write(c);
	update(c);
	return 0;
}

int chan_done(const struct chan *c)
{
	return c && c->bye_queued;
}

size_t chan_unwritten(const struct chan *c)
{
	size_t n = 0;

	for (int i = 0; c && i < 2; i++)
		n += c->out[i].closed ? 0 : c->out[i].len;
	return n;
}

const char *chan_error(const struct chan *c)
{
	return c && c->parser.error[0] ? c->parser.error : NULL;
}

void chan_close(struct chan *c)
{
	if (!c)
		return;
	stdin_stop(c);
	for (int i = 0; i < 2; i++) {
		struct outq *q = &c->out[i];

		if (q->len)
			outq_flush(c, q);
		if (q->watch >= 0)
			virEventRemoveHandle(q->watch);
		free(q->buf);
	}
	if (c->conn_watch >= 0)
		virEventRemoveHandle(c->conn_watch);
	if (c->conn_fd >= 0)
		close(c->conn_fd);
	if (c->listen_watch >= 0)
		virEventRemoveHandle(c->listen_watch);
	if (c->listen_fd >= 0)
		close(c->listen_fd);
	free(c->sendq);
	free(c);
}

unsigned char *chan_job(char *const *argv, char *const *env, size_t ndisks, unsigned flags,
			size_t *len)
{
	size_t n = WIRE_JOB_FIXED, argc = 0, envc = 0;
	struct wire_job_header h = { 0 };
	unsigned char *job, *p;

	for (; argv && argv[argc]; argc++)
		n += strlen(argv[argc]) + 1;
	for (; env && env[envc]; envc++)
		n += strlen(env[envc]) + 1;
	if (n > WIRE_JOB_MAX) {
		err_set(LB_EXIT_USAGE, "the command and its environment take %zu bytes; a job holds at "
			"most %u", n, WIRE_JOB_MAX);
		return NULL;
	}
	if (!(job = malloc(n))) {
		err_set(LB_EXIT_VM, "out of memory");
		return NULL;
	}
	/* The clock and the seed wait for job_stamp(). */
	h.ndisks = (uint32_t)ndisks;
	h.flags = flags;
	h.argc = (uint32_t)argc;
	h.envc = (uint32_t)envc;
	wire_job_put_header(job, &h);
	p = job + WIRE_JOB_FIXED;
	for (size_t i = 0; i < argc; i++)
		p = (unsigned char *)stpcpy((char *)p, argv[i]) + 1;
	for (size_t i = 0; i < envc; i++)
		p = (unsigned char *)stpcpy((char *)p, env[i]) + 1;
	*len = n;
	return job;
}
