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

static void proc_last_line(const char *log, char *buf, size_t len)
{
	char line[512];
	FILE *f = log ? fopen(log, "re") : NULL;

	buf[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof line, f))
		if (line[0] != '\n')
			snprintf(buf, len, "%s", line);
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
}

int proc_run(const char *const argv[], const char *const env[], const char *log)
{
	char last[512];
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0) {
		err_set(LB_EXIT_VM, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		int fd = open(log ? log : "/dev/null", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (fd < 0 || null < 0 || dup2(null, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(127);
		for (size_t i = 0; env && env[i]; i++)
			putenv((char *)env[i]);
		execvp(argv[0], (char *const *)argv);
		dprintf(2, "%s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			err_set(LB_EXIT_VM, "waitpid: %s", strerror(errno));
			return -1;
		}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	proc_last_line(log, last, sizeof last);
	if (WIFSIGNALED(status))
		err_set(LB_EXIT_VM, "%s killed by signal %d%s%s", argv[0], WTERMSIG(status),
			last[0] ? ": " : "", last);
	else
		err_set(LB_EXIT_VM, "%s failed with status %d%s%s", argv[0], WEXITSTATUS(status),
			last[0] ? ": " : "", last);
	return -1;
}
