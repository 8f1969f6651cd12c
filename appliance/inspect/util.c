/* util: the inspector's records, its reads of files inside the
 * images, and the child processes it runs.  Bytes of a value below 0x20,
 * DEL and backslash go out as \xHH, so a value never holds a separator. */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "inspect.h"

/* --- records ---------------------------------------------------------- */

size_t insp_out_bytes;

void insp_value(const char *s, size_t n)
{
	if (n > WIRE_VALUE_MAX)
		n = WIRE_VALUE_MAX;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f || c == '\\') {
			printf("\\x%02x", c);
			insp_out_bytes += 4;
		} else {
			putchar(c);
			insp_out_bytes++;
		}
	}
}

void insp_rec_start(enum inspect_key key, const char *id)
{
	const struct inspect_vocab *v = &inspect_vocab[key];

	insp_out_bytes += (size_t)printf("%s\t%s\t%s", inspect_kind_names[v->kind], id, v->wire);
}

void insp_field(const char *value)
{
	putchar('\t');
	insp_out_bytes++;
	insp_value(value, strlen(value));
}

void insp_rec_end(void)
{
	putchar('\n');
	insp_out_bytes++;
}

void insp_rec(enum inspect_key key, const char *id, const char *value)
{
	insp_rec_start(key, id);
	insp_field(value);
	insp_rec_end();
}

void insp_recf(enum inspect_key key, const char *id, const char *fmt, ...)
{
	char buf[WIRE_VALUE_MAX + 1];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	insp_rec(key, id, buf);
}

/* --- files inside a mounted filesystem -------------------------------- */

int insp_open(int root, const char *path, int flags)
{
	/* openat2 refuses O_PATH with flags that do not apply to it;
	 * O_NONBLOCK keeps a FIFO from blocking the open. */
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC | (flags & O_PATH ? 0 : O_NOCTTY | O_NONBLOCK)),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};

	return (int)syscall(SYS_openat2, root, path, &how, sizeof how);
}

/* Whether FD was opened; closed if it was. */
static int opened(int fd)
{
	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

int insp_exists(int root, const char *path)
{
	return opened(insp_open(root, path, O_PATH));
}

int insp_is(int root, const char *path, mode_t type)
{
	struct stat st;
	int fd = insp_open(root, path, O_PATH | O_NOFOLLOW);
	int r = fd >= 0 && fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == type;

	if (fd >= 0)
		close(fd);
	return r;
}

/* A regular file, open for reading; -1 for anything else (a FIFO, a
 * device, a directory, nothing). */
static int regular_only(int fd)
{
	struct stat st;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	return fd;
}

int insp_open_file(int root, const char *path)
{
	return regular_only(insp_open(root, path, O_RDONLY));
}

/* FD's first CAP-1 bytes, NUL-terminated, and FD closed; -1 if FD is. */
static ssize_t read_fd(int fd, char *buf, size_t cap)
{
	size_t got = 0;

	if (fd < 0)
		return -1;
	while (got < cap - 1) {
		ssize_t n = read(fd, buf + got, cap - 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	/* A NUL inside ends the text there. */
	return (ssize_t)strlen(buf);
}

ssize_t insp_read(int root, const char *path, char *buf, size_t cap)
{
	return read_fd(insp_open_file(root, path), buf, cap);
}

/* NAME in the directory DIR: as given, or else the first entry equal to
 * it but for ASCII case.  Directories with more entries than anyone
 * keeps are not searched to their end. */
static int open_name_nocase(int dir, const char *name, int flags)
{
	int fd = insp_open(dir, name, flags), dfd;
	struct dirent *e;
	long seen = 0;
	DIR *d;

	if (fd >= 0 || errno != ENOENT)
		return fd;
	dfd = insp_open(dir, ".", O_RDONLY | O_DIRECTORY);
	if (dfd < 0 || !(d = fdopendir(dfd))) {
		if (dfd >= 0)
			close(dfd);
		return -1;
	}
	while ((e = readdir(d)) && seen++ < 200000)
		if (!strcasecmp(e->d_name, name)) {
			fd = insp_open(dir, e->d_name, flags);
			break;
		}
	closedir(d);
	if (fd < 0)
		errno = ENOENT;
	return fd;
}

int insp_open_nocase(int root, const char *path, int flags)
{
	char buf[1024], *save = NULL, *name, *next;
	int dir;

	if (strlen(path) >= sizeof buf) {
		errno = ENAMETOOLONG;
		return -1;
	}
	snprintf(buf, sizeof buf, "%s", path);
	dir = insp_open(root, ".", O_PATH | O_DIRECTORY);
	for (name = strtok_r(buf, "/", &save); name && dir >= 0; name = next) {
		int fd;

		next = strtok_r(NULL, "/", &save);
		fd = open_name_nocase(dir, name, next ? O_PATH | O_DIRECTORY : flags);
		close(dir);
		if (!next)
			return fd;
		dir = fd;
	}
	return dir;
}

/* /usr/X and /var/X of OS: on their own filesystems when they have them. */
int insp_os_open(const struct insp_os *os, const char *path, int flags)
{
	if (os->usr >= 0 && !strncmp(path, "usr/", 4))
		return insp_open(os->usr, path + 4, flags);
	if (os->var >= 0 && !strncmp(path, "var/", 4))
		return insp_open(os->var, path + 4, flags);
	return insp_open(os->root, path, flags);
}

int insp_os_open_file(const struct insp_os *os, const char *path)
{
	return regular_only(insp_os_open(os, path, O_RDONLY));
}

ssize_t insp_os_read(const struct insp_os *os, const char *path, char *buf, size_t cap)
{
	return read_fd(insp_os_open_file(os, path), buf, cap);
}

int insp_os_exists(const struct insp_os *os, const char *path)
{
	return opened(insp_os_open(os, path, O_PATH));
}

/* --- directories ------------------------------------------------------ */

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **insp_dir_names(int fd, size_t max, size_t *n, int *more)
{
	char **names = NULL;
	size_t cap = 0, seen = 0;
	struct dirent *e;
	DIR *d = fdopendir(fd);

	*n = 0;
	*more = 0;
	if (!d) {
		close(fd);
		return NULL;
	}
	while ((e = readdir(d))) {
		if (seen++ >= max) {
			*more = 1;
			break;
		}
		if (e->d_name[0] == '.')
			continue;
		if (*n == cap) {
			char **m = realloc(names, (cap = cap ? 2 * cap : 64) * sizeof *names);

			if (!m)
				break;
			names = m;
		}
		if (!(names[*n] = strdup(e->d_name)))
			break;
		++*n;
	}
	closedir(d);
	if (*n)
		qsort(names, *n, sizeof *names, cmp_name);
	return names;
}

void insp_dir_names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* --- libraries loaded on demand ----------------------------------------- */

void *insp_dlopen(const char *lib, const char **why)
{
	void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);

	if (!h)
		*why = dlerror();
	return h;
}

/* --- processes -------------------------------------------------------- */

/* PID's end: its exit status, 128+N for signal N, or -1. */
static int reap(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : -1;
}

/* Read FD to its end into OUT (CAP-1 bytes kept, the rest dropped);
 * how many bytes were kept, and in *OVER whether any were dropped. */
static size_t drain(int fd, char *out, size_t cap, int *over)
{
	size_t got = 0;

	*over = 0;
	for (;;) {
		char drop[4096];
		ssize_t n = got < cap - 1 ? read(fd, out + got, cap - 1 - got) : read(fd, drop, sizeof drop);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (got < cap - 1)
			got += (size_t)n;
		else
			*over = 1;
	}
	out[got] = '\0';
	return got;
}

#define HELPER_SECONDS 60

int insp_run_input(char *const argv[], const void *in, size_t inlen, char *out, size_t cap)
{
	int p[2] = { -1, -1 }, ip[2] = { -1, -1 }, over;
	pid_t pid;

	if (out) {
		out[0] = '\0';
		if (pipe2(p, O_CLOEXEC) < 0)
			return -1;
	}
	/* The input is small (a key): it fits the pipe, written before
	 * the child runs, so nobody waits on anybody. */
	if (in && (inlen > 65536 || pipe2(ip, O_CLOEXEC) < 0 || write(ip[1], in, inlen) != (ssize_t)inlen)) {
		for (int i = 0; i < 2; i++) {
			if (ip[i] >= 0)
				close(ip[i]);
			if (p[i] >= 0)
				close(p[i]);
		}
		return -1;
	}
	if (in)
		close(ip[1]);
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		if (out) {
			close(p[0]);
			close(p[1]);
		}
		if (in)
			close(ip[0]);
		return -1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		dup2(in ? ip[0] : null, 0);
		dup2(out ? p[1] : null, 1);
		dup2(null, 2);
		/* A deadline the program keeps across exec: a LUKS header can
		 * ask for any key derivation cost, a hostile array for any
		 * wait.  A daemon it forks (ntfs-3g) has none. */
		alarm(HELPER_SECONDS);
		execv(argv[0], argv);
		_exit(127);
	}
	if (in)
		close(ip[0]);
	if (out) {
		close(p[1]);
		drain(p[0], out, cap, &over);
		close(p[0]);
	}
	return reap(pid);
}

int insp_run(char *const argv[], char *out, size_t cap)
{
	return insp_run_input(argv, NULL, 0, out, cap);
}

int insp_modprobe(const char *mod)
{
	char *const argv[] = { "/sbin/modprobe", "-q", (char *)mod, NULL };

	return insp_run(argv, NULL, 0) == 0 ? 0 : -1;
}

#define ISOLATED_SECONDS 60
#define ISOLATED_MEMORY (1ul << 30)       /* address space of the child */
#define ISOLATED_OUTPUT (12u << 20)       /* the records it may print: an OS's applications */

int insp_isolated(void (*fn)(void *), void *arg, enum inspect_key note, const char *id, const char *what)
{
	static char out[ISOLATED_OUTPUT];
	int p[2], st, over;
	size_t got;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		struct rlimit as = { ISOLATED_MEMORY, ISOLATED_MEMORY };

		setrlimit(RLIMIT_AS, &as);
		alarm(ISOLATED_SECONDS);
		dup2(p[1], 1);
		fn(arg);
		fflush(stdout);
		_exit(ferror(stdout) ? 1 : 0);
	}
	close(p[1]);
	got = drain(p[0], out, sizeof out, &over);
	close(p[0]);
	st = reap(pid);
	if (st == 0 && !over && (!got || out[got - 1] == '\n')) {
		fwrite(out, 1, got, stdout);
		insp_out_bytes += got;
		return 0;
	}
	if (st == 128 + SIGALRM)
		insp_recf(note, id, "%s not read: the reader took over %d s", what, ISOLATED_SECONDS);
	else if (st > 128)
		insp_recf(note, id, "%s not read: the reader was killed by %s", what, strsignal(st - 128));
	else if (over)
		insp_recf(note, id, "%s not read: over %u KiB of records", what, ISOLATED_OUTPUT >> 10);
	else
		insp_recf(note, id, "%s not read: the reader failed (status %d)", what, st);
	return -1;
}
