/* proc: see proc.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/err.h"
#include "common/proc.h"
#include "common/util.h"

extern char **environ;

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

/* The tools' environment: ours, with ENV's entries in place of any of
 * the same name, and a PATH that goes on past the caller's to the system
 * directories.  An ordinary user's PATH on Debian has no sbin directory,
 * where modprobe and mke2fs live, and the depmod and ldconfig that
 * supermin runs.  Made before the fork: a child of a process with
 * libvirt's threads may not allocate. */
static char **tool_env(const char *const env[], char **path)
{
	const char *old = getenv("PATH");
	size_t n = 0, k = 0;
	char **e;

	*path = util_printf("PATH=%s%s/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			    old && *old ? old : "", old && *old ? ":" : "");
	while (environ[n])
		n++;
	for (size_t i = 0; env && env[i]; i++)
		n++;
	e = calloc(n + 2, sizeof *e);
	if (!e || !*path) {
		free(e);
		free(*path);
		return NULL;
	}
	for (char **v = environ; *v; v++) {
		size_t len = strcspn(*v, "=");
		int replaced = !strncmp(*v, "PATH=", 5);

		for (size_t i = 0; env && env[i] && !replaced; i++)
			replaced = !strncmp(*v, env[i], len) && env[i][len] == '=';
		if (!replaced)
			e[k++] = *v;
	}
	for (size_t i = 0; env && env[i]; i++)
		e[k++] = (char *)env[i];
	e[k] = *path;
	return e;
}

/* ARGV0 found in the directories of PATH ("PATH=dir:dir..."); malloc'd. */
static char *tool_find(const char *argv0, const char *path)
{
	const char *d = path + 5;

	if (strchr(argv0, '/'))
		return strdup(argv0);
	while (*d) {
		size_t len = strcspn(d, ":");
		char *f = util_printf("%.*s/%s", (int)len, d, argv0);

		if (f && len && access(f, X_OK) == 0)
			return f;
		free(f);
		d += len + (d[len] == ':');
	}
	return NULL;
}

int proc_run(const char *const argv[], const char *const env[], const char *log)
{
	struct last_line ll = { .n = 0 };
	char chunk[4096], *path = NULL, *exe = NULL, **envp;
	int status, p[2], logfd = -1;
	ssize_t n;
	pid_t pid;

	ll.last[0] = '\0';
	envp = tool_env(env, &path);
	if (!envp) {
		err_set(LB_EXIT_VM, "out of memory");
		return -1;
	}
	exe = tool_find(argv[0], path);
	if (!exe) {
		err_set(LB_EXIT_VM, "%s: not found in %s", argv[0], path + 5);
		goto fail;
	}
	if (pipe2(p, O_CLOEXEC) < 0) {
		err_set(LB_EXIT_VM, "pipe: %s", strerror(errno));
		goto fail;
	}
	pid = fork();
	if (pid < 0) {
		err_set(LB_EXIT_VM, "fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		goto fail;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (null < 0 || dup2(null, 0) < 0 || dup2(p[1], 1) < 0 || dup2(p[1], 2) < 0)
			_exit(127);
		execve(exe, (char *const *)argv, envp);
		dprintf(2, "%s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	free(envp);
	free(path);
	free(exe);
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
fail:
	free(envp);
	free(path);
	free(exe);
	return -1;
}

int proc_overlay(const char *base, const char *base_fmt, const char *path, const char *log)
{
	const char *img[] = { "qemu-img", "create", "-q", "-f", "qcow2", "-b", base, "-F", base_fmt, path, NULL };

	return proc_run(img, NULL, log);
}
