/* backend-direct: qemu run straight from the argv renderer.  Its stdout is
 * the serial console (-chardev stdio) on a pipe to us; its stderr goes to
 * RUNDIR/qemu.log, for the error message.  qemu gets its own process group
 * (a terminal's ^C reaches only us, and we tear down) and dies with us
 * (PR_SET_PDEATHSIG), so even a SIGKILLed leanboot leaks no qemu. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libvirt/libvirt.h>

#include "backend.h"
#include "err.h"
#include "proc.h"
#include "qemuargv.h"
#include "strv.h"

struct direct {
	struct backend_sink sink;
	pid_t pid;
	char log[PATH_MAX + 16];      /* QEMU's stderr */
	int out_fd, out_watch;
};

static void on_output(int watch, int fd, int events, void *opaque)
{
	struct direct *d = opaque;
	char buf[65536];
	ssize_t n;

	(void)watch;
	(void)events;
	n = read(fd, buf, sizeof buf);
	if (n > 0) {
		d->sink.input(d->sink.ctx, buf, (size_t)n);
		return;
	}
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	/* EOF: qemu has exited (or closed its stdout, which is the same). */
	virEventRemoveHandle(d->out_watch);
	d->out_watch = -1;
	d->sink.gone(d->sink.ctx);
}

static int direct_start(const struct backend_args *a, const struct backend_sink *s, void **data)
{
	struct direct *d = calloc(1, sizeof *d);
	struct strv av = { 0 };
	int out[2] = { -1, -1 }, r = -1;
	pid_t parent = getpid();

	*data = d;
	if (!d) {
		err_set(LB_EXIT_VM, "out of memory");
		return -1;
	}
	d->sink = *s;
	d->out_fd = d->out_watch = -1;
	if (qemuargv_render(a->plan, &av) < 0)
		return -1;
	s->step(s->ctx, BACKEND_RENDERED);
	snprintf(d->log, sizeof d->log, "%s/qemu.log", a->rundir);
	if (pipe2(out, O_CLOEXEC) < 0) {
		err_set(LB_EXIT_VM, "pipe: %s", strerror(errno));
		goto out;
	}
	d->pid = fork();
	if (d->pid < 0) {
		err_set(LB_EXIT_VM, "fork: %s", strerror(errno));
		d->pid = 0;
		goto out;
	}
	if (d->pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		int err = open(d->log, O_WRONLY | O_CREAT | O_APPEND, 0600);

		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		if (null < 0 || err < 0 || dup2(null, 0) < 0 || dup2(out[1], 1) < 0 ||
		    dup2(err, 2) < 0)
			_exit(127);
		execv(av.v[0], av.v);
		dprintf(2, "%s: %s\n", av.v[0], strerror(errno));
		_exit(127);
	}
	/* No -S: the guest runs from the exec on. */
	s->step(s->ctx, BACKEND_CREATED);
	s->step(s->ctx, BACKEND_RUNNING);
	close(out[1]);
	out[1] = -1;
	d->out_fd = out[0];
	out[0] = -1;
	fcntl(d->out_fd, F_SETFL, O_NONBLOCK);
	d->out_watch = virEventAddHandle(d->out_fd, VIR_EVENT_HANDLE_READABLE, on_output, d, NULL);
	if (d->out_watch < 0) {
		err_set(LB_EXIT_VM, "cannot watch qemu's output");
		goto out;
	}
	r = 0;
out:
	if (out[0] >= 0)
		close(out[0]);
	if (out[1] >= 0)
		close(out[1]);
	strv_free(&av);
	return r;
}

static void direct_stop(void *data)
{
	struct direct *d = data;

	if (!d)
		return;
	if (d->out_watch >= 0)
		virEventRemoveHandle(d->out_watch);
	if (d->pid > 0) {
		int st;

		kill(d->pid, SIGKILL);
		while (waitpid(d->pid, &st, 0) < 0 && errno == EINTR)
			;
	}
	if (d->out_fd >= 0)
		close(d->out_fd);
	free(d);
}

static pid_t direct_qemu_pid(const void *data)
{
	const struct direct *d = data;

	return d ? d->pid : 0;
}

static void direct_last_words(const void *data, char *buf, size_t len)
{
	const struct direct *d = data;

	buf[0] = '\0';
	if (d && d->log[0])
		proc_log_last_line(d->log, buf, len);
}

const struct backend_ops backend_direct_ops = {
	.name = "direct",
	.start = direct_start,
	.stop = direct_stop,
	.qemu_pid = direct_qemu_pid,
	.last_words = direct_last_words,
};
