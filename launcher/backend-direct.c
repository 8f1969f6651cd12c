/* backend-direct: qemu run straight from the argv renderer.  Its stdout is
 * the serial console (-chardev stdio) on a pipe to us; its stderr goes to
 * RUNDIR/qemu.log, for the error message.  qemu gets its own process group
 * (a terminal's ^C reaches only us, and we tear down) and dies with us
 * (PR_SET_PDEATHSIG), so even a SIGKILLed leanboot leaks no qemu. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "err.h"
#include "launch.h"
#include "qemuargv.h"

static void on_output(int watch, int fd, int events, void *opaque)
{
	struct launch *l = opaque;
	char buf[65536];
	ssize_t n;

	(void)watch;
	(void)events;
	n = read(fd, buf, sizeof buf);
	if (n > 0) {
		launch_input(l, buf, (size_t)n);
		return;
	}
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	/* EOF: qemu has exited (or closed its stdout, which is the same). */
	virEventRemoveHandle(l->out_watch);
	l->out_watch = -1;
	launch_vm_gone(l);
}

static int direct_start(struct launch *l)
{
	struct strv av = { 0 };
	const char *log = l->qemu_log;
	int out[2] = { -1, -1 }, r = -1;
	pid_t parent = getpid();

	struct qa_opts qo = { .extra = (const char *const *)l->qemu_extra.v,
			      .nextra = l->qemu_extra.n };

	if (qa_render(&l->plan, &qo, &av) < 0)
		return -1;
	l->t.rendered = launch_now(l);
	snprintf(l->qemu_log, sizeof l->qemu_log, "%s/qemu.log", l->rundir);
	if (pipe2(out, O_CLOEXEC) < 0) {
		err_set(LB_EXIT_VM, "pipe: %s", strerror(errno));
		goto out;
	}
	l->pid = fork();
	if (l->pid < 0) {
		err_set(LB_EXIT_VM, "fork: %s", strerror(errno));
		l->pid = 0;
		goto out;
	}
	if (l->pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		int err = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);

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
	l->t.created = l->t.running = launch_now(l);
	close(out[1]);
	out[1] = -1;
	l->out_fd = out[0];
	out[0] = -1;
	fcntl(l->out_fd, F_SETFL, O_NONBLOCK);
	l->out_watch = virEventAddHandle(l->out_fd, VIR_EVENT_HANDLE_READABLE, on_output, l, NULL);
	if (l->out_watch < 0) {
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

static void direct_stop(struct launch *l)
{
	if (l->out_watch >= 0) {
		virEventRemoveHandle(l->out_watch);
		l->out_watch = -1;
	}
	if (l->pid > 0) {
		int st;

		kill(l->pid, SIGKILL);
		while (waitpid(l->pid, &st, 0) < 0 && errno == EINTR)
			;
		l->pid = 0;
	}
	if (l->out_fd >= 0) {
		close(l->out_fd);
		l->out_fd = -1;
	}
}

const struct backend backend_direct = { "direct", direct_start, direct_stop };
