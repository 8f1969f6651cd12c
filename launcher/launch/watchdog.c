/* watchdog: see watchdog.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "launch/watchdog.h"

/* Fixed-size messages: 'Q' with QEMU's pid, or 'D' for done. */
struct watchdog_msg {
	char tag;
	int32_t pid;
};

/* In the child of a threaded process: only async-signal-safe calls. */
static void watchdog_child(int rfd, const char *rundir)
{
	struct watchdog_msg m;
	pid_t qemu = 0;
	int null = open("/dev/null", O_RDWR);

	/* The terminal's ^C is the launcher's to handle, not ours. */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
	}
	dup2(rfd, 3);
	close_range(4, ~0U, 0);
	while (read(3, &m, sizeof m) == (ssize_t)sizeof m) {
		if (m.tag == 'D')
			_exit(0);
		if (m.tag == 'Q')
			qemu = (pid_t)m.pid;
	}
	if (qemu > 1)
		kill(qemu, SIGKILL);
	if (rundir[0])
		execl("/bin/rm", "rm", "-rf", "--", rundir, (char *)NULL);
	_exit(0);
}

void watchdog_start(struct watchdog *w, const char *rundir)
{
	int p[2];

	w->pid = 0;
	w->fd = -1;
	if (pipe2(p, O_CLOEXEC) < 0)
		return;
	w->pid = fork();
	if (w->pid == 0)
		watchdog_child(p[0], rundir);
	close(p[0]);
	if (w->pid < 0) {
		w->pid = 0;
		close(p[1]);
		return;
	}
	w->fd = p[1];
}

static void watchdog_send(struct watchdog *w, char tag, pid_t pid)
{
	struct watchdog_msg m;

	if (w->fd < 0)
		return;
	memset(&m, 0, sizeof m);
	m.tag = tag;
	m.pid = (int32_t)pid;
	(void)!write(w->fd, &m, sizeof m);
}

void watchdog_qemu(struct watchdog *w, pid_t qemu)
{
	if (qemu > 1)
		watchdog_send(w, 'Q', qemu);
}

void watchdog_done(struct watchdog *w)
{
	watchdog_send(w, 'D', 0);
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	while (w->pid > 0 && waitpid(w->pid, NULL, 0) < 0 && errno == EINTR)
		;
	w->pid = 0;
}
