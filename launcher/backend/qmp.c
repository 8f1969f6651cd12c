/* qmp: see qmp.h.  QEMU writes one JSON object a line; this reads lines
 * into a bounded buffer, hands each to json-c, and sorts them into the
 * greeting, answers ("return" or "error") and events. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "drain.h"
#include "common/err.h"
#include "backend/qmp.h"
#include "common/util.h"

struct qmp {
	int fd;
	void (*on_event)(void *ctx, const char *name, json_object *data);
	void *ctx;
	size_t len;
	char buf[QMP_LINE_MAX];
};

/* Wait for the next whole line and parse it.  Returns the object, or
 * NULL after err_set(). */
static json_object *qmp_next(struct qmp *q, double deadline)
{
	for (;;) {
		char *nl = memchr(q->buf, '\n', q->len);

		if (nl) {
			size_t n = (size_t)(nl - q->buf) + 1;
			json_object *o;

			*nl = '\0';
			o = json_tokener_parse(q->buf);
			memmove(q->buf, q->buf + n, q->len - n);
			q->len -= n;
			if (!o || !json_object_is_type(o, json_type_object)) {
				json_object_put(o);
				err_set(LB_EXIT_VM, "QEMU's monitor sent something that is not a JSON object");
				return NULL;
			}
			return o;
		}
		if (q->len == sizeof q->buf) {
			err_set(LB_EXIT_VM, "QEMU's monitor sent a line longer than %u bytes", QMP_LINE_MAX);
			return NULL;
		}
		{
			struct pollfd p = { q->fd, POLLIN, 0 };
			double left = deadline - util_now();
			ssize_t r;

			if (left <= 0) {
				err_set(LB_EXIT_VM, "QEMU's monitor did not answer in time");
				return NULL;
			}
			if (poll(&p, 1, (int)(left * 1000) + 1) < 0 && errno != EINTR) {
				err_set(LB_EXIT_VM, "poll: %s", strerror(errno));
				return NULL;
			}
			if (!p.revents)
				continue;
			r = read(q->fd, q->buf + q->len, sizeof q->buf - q->len);
			if (r < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (r <= 0) {
				err_set(LB_EXIT_VM, "QEMU closed its monitor%s%s", r < 0 ? ": " : "",
					r < 0 ? strerror(errno) : "");
				return NULL;
			}
			q->len += (size_t)r;
		}
	}
}

/* An event goes to the caller; returns 1 if O was one. */
static int qmp_event(struct qmp *q, json_object *o)
{
	json_object *name, *data = NULL;

	if (!json_object_object_get_ex(o, "event", &name))
		return 0;
	json_object_object_get_ex(o, "data", &data);
	if (q->on_event && json_object_is_type(name, json_type_string))
		q->on_event(q->ctx, json_object_get_string(name), data);
	return 1;
}

/* Send the first bytes of LINE with FD attached (SCM_RIGHTS), as QEMU's
 * getfd takes it; returns how many were sent, or -1. */
static ssize_t qmp_send_fd(struct qmp *q, const char *line, size_t len, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { (void *)line, len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			    .msg_controllen = sizeof cbuf };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	ssize_t n;

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof fd);
	while ((n = sendmsg(q->fd, &m, MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	return n;
}

static int qmp_send(struct qmp *q, const char *cmd, json_object *args, int fd)
{
	json_object *m = json_object_new_object();
	char *line = NULL;
	size_t len = 0, off = 0;
	int r = -1;

	if (!m) {
		json_object_put(args);
		err_set(LB_EXIT_VM, "out of memory");
		return -1;
	}
	json_object_object_add(m, "execute", json_object_new_string(cmd));
	if (args)
		json_object_object_add(m, "arguments", args);
	/* One write with its newline: QEMU acts on a command as soon as it
	 * has parsed it, and after "quit" there is nobody to take the rest. */
	line = util_printf("%s\n", json_object_to_json_string_ext(m, JSON_C_TO_STRING_PLAIN));
	if (line)
		len = strlen(line);
	if (line && fd >= 0) {
		ssize_t n = qmp_send_fd(q, line, len, fd);

		if (n <= 0) {
			err_set(LB_EXIT_VM, "QEMU's monitor: %s", n < 0 ? strerror(errno) : "closed");
			goto out;
		}
		off = (size_t)n;
		len -= (size_t)n;
	}
	/* The monitor's socket is blocking: drain() writes the whole line or
	 * fails. */
	if (line && drain(drain_write_fd, &q->fd, line, &off, &len) != DRAIN_DONE) {
		err_set(LB_EXIT_VM, "QEMU's monitor: %s", errno ? strerror(errno) : "closed");
		goto out;
	}
	r = line ? 0 : -1;
out:
	free(line);
	json_object_put(m);
	return r;
}

struct qmp *qmp_open(int fd, double deadline,
		     void (*on_event)(void *ctx, const char *name, json_object *data), void *ctx)
{
	struct qmp *q = calloc(1, sizeof *q);
	json_object *greeting;

	if (!q) {
		close(fd);
		err_set(LB_EXIT_VM, "out of memory");
		return NULL;
	}
	q->fd = fd;
	q->on_event = on_event;
	q->ctx = ctx;
	greeting = qmp_next(q, deadline);
	if (!greeting || !json_object_object_get_ex(greeting, "QMP", NULL)) {
		if (greeting)
			err_set(LB_EXIT_VM, "QEMU's monitor did not greet as QMP does");
		json_object_put(greeting);
		qmp_close(q);
		return NULL;
	}
	json_object_put(greeting);
	if (qmp_call(q, "qmp_capabilities", NULL, deadline) < 0) {
		qmp_close(q);
		return NULL;
	}
	return q;
}

int qmp_call(struct qmp *q, const char *cmd, json_object *args, double deadline)
{
	return qmp_call_fd(q, cmd, args, -1, deadline);
}

int qmp_call_fd(struct qmp *q, const char *cmd, json_object *args, int fd, double deadline)
{
	if (qmp_send(q, cmd, args, fd) < 0)
		return -1;
	for (;;) {
		json_object *o = qmp_next(q, deadline), *e, *desc;

		if (!o)
			return -1;
		if (qmp_event(q, o)) {
			json_object_put(o);
			continue;
		}
		if (json_object_object_get_ex(o, "return", NULL)) {
			json_object_put(o);
			return 0;
		}
		if (json_object_object_get_ex(o, "error", &e) &&
		    json_object_object_get_ex(e, "desc", &desc) &&
		    json_object_is_type(desc, json_type_string))
			err_set(LB_EXIT_VM, "%s: %.300s", cmd, json_object_get_string(desc));
		else
			err_set(LB_EXIT_VM, "%s: QEMU's monitor answered neither return nor error", cmd);
		json_object_put(o);
		return -1;
	}
}

int qmp_wait(struct qmp *q, int (*done)(void *ctx), void *ctx, double deadline)
{
	while (!done(ctx)) {
		json_object *o = qmp_next(q, deadline);

		if (!o)
			return -1;
		qmp_event(q, o);
		json_object_put(o);
	}
	return 0;
}

void qmp_close(struct qmp *q)
{
	if (!q)
		return;
	close(q->fd);
	free(q);
}
