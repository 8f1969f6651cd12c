/* signals: see signals.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <libvirt/libvirt.h>

#include "common/err.h"
#include "launch/signals.h"

/* Signals are the process's, so their state is too: one launch_run()
 * may make several launches (a template, then its clone). */
static struct {
	int pipe[2];
	int watch;
	int signal;                  /* SIGINT/SIGTERM/SIGHUP received */
} signals_sig = { { -1, -1 }, -1, 0 };

static void signals_on_signal(int signo)
{
	unsigned char c = (unsigned char)signo;
	int saved = errno;

	if (signals_sig.pipe[1] >= 0 && write(signals_sig.pipe[1], &c, 1) < 0) {
		/* Nothing to do: the pipe is full, a signal is already queued. */
	}
	errno = saved;
}

static void signals_on_pipe(int watch, int fd, int events, void *opaque)
{
	unsigned char c;

	(void)watch;
	(void)events;
	(void)opaque;
	if (read(fd, &c, 1) == 1 && !signals_sig.signal)
		signals_sig.signal = c;
}

void signals_poll(void)
{
	signals_on_pipe(0, signals_sig.pipe[0], 0, NULL);
}

int signals_caught(void)
{
	return signals_sig.signal;
}

int signals_install(void)
{
	struct sigaction sa = { .sa_handler = signals_on_signal };

	signals_sig.signal = 0;
	if (pipe2(signals_sig.pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		err_set(LB_EXIT_VM, "pipe: %s", strerror(errno));
		signals_sig.pipe[0] = signals_sig.pipe[1] = -1;
		return -1;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	signals_sig.watch = virEventAddHandle(signals_sig.pipe[0], VIR_EVENT_HANDLE_READABLE,
					      signals_on_pipe, NULL, NULL);
	return 0;
}

void signals_restore(void)
{
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	if (signals_sig.watch > 0)
		virEventRemoveHandle(signals_sig.watch);
	signals_sig.watch = -1;
	for (int i = 0; i < 2; i++) {
		if (signals_sig.pipe[i] >= 0)
			close(signals_sig.pipe[i]);
		signals_sig.pipe[i] = -1;
	}
}
