/* proc: see proc.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "err.h"
#include "proc.h"

/* Keep the last non-empty line of a stream fed in chunks. */
struct last_line {
	char cur[PROC_LINE_MAX], last[PROC_LINE_MAX];
	size_t n;
};

static void ll_feed(struct last_line *ll, const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n') {
			if (ll->n) {
				ll->cur[ll->n] = '\0';
				memcpy(ll->last, ll->cur, ll->n + 1);
			}
			ll->n = 0;
		} else if (ll->n < sizeof ll->cur - 1) {
			ll->cur[ll->n++] = buf[i];
		}
	}
}

static const char *ll_get(struct last_line *ll)
{
	if (ll->n) {
		ll->cur[ll->n] = '\0';
		return ll->cur;
	}
	return ll->last;
}

void proc_log_last_line(const char *log, char *buf, size_t len)
{
	struct last_line ll = { .n = 0 };
	char chunk[4096];
	ssize_t n;
	int fd = log ? open(log, O_RDONLY | O_CLOEXEC) : -1;

	buf[0] = '\0';
	ll.last[0] = '\0';
	if (fd < 0)
		return;
	while ((n = read(fd, chunk, sizeof chunk)) > 0)
		ll_feed(&ll, chunk, (size_t)n);
	close(fd);
	snprintf(buf, len, "%s", ll_get(&ll));
}

int proc_run(const char *const argv[], const char *const env[], const char *log)
{
	struct last_line ll = { .n = 0 };
	char chunk[4096];
	int status, p[2], logfd = -1;
	ssize_t n;
	pid_t pid;

	ll.last[0] = '\0';
	if (pipe2(p, O_CLOEXEC) < 0) {
		err_set(LB_EXIT_VM, "pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		err_set(LB_EXIT_VM, "fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (null < 0 || dup2(null, 0) < 0 || dup2(p[1], 1) < 0 || dup2(p[1], 2) < 0)
			_exit(127);
		for (size_t i = 0; env && env[i]; i++)
			putenv((char *)env[i]);
		execvp(argv[0], (char *const *)argv);
		dprintf(2, "%s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(p[1]);
	/* The output goes through us, so that its last line is known even
	 * when the log cannot be written (no space left, for one). */
	if (log)
		logfd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	while ((n = read(p[0], chunk, sizeof chunk)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		ll_feed(&ll, chunk, (size_t)n);
		if (logfd >= 0 && write(logfd, chunk, (size_t)n) != n) {
			close(logfd);
			logfd = -1;
		}
	}
	close(p[0]);
	if (logfd >= 0)
		close(logfd);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			err_set(LB_EXIT_VM, "waitpid: %s", strerror(errno));
			return -1;
		}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFSIGNALED(status))
		err_set(LB_EXIT_VM, "%s killed by signal %d%s%s", argv[0], WTERMSIG(status),
			*ll_get(&ll) ? ": " : "", ll_get(&ll));
	else
		err_set(LB_EXIT_VM, "%s failed with status %d%s%s", argv[0], WEXITSTATUS(status),
			*ll_get(&ll) ? ": " : "", ll_get(&ll));
	return -1;
}
