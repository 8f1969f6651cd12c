/* init: the appliance's PID 1.  Static, no shell, no udev: it mounts what
 * it needs, loads the modules it is told to, prints the ready marker with
 * the guest's uptime, runs its job and powers off with reboot(2).
 *
 * supermin's mini-initrd has already mounted the root and loaded the
 * virtio and ext4 modules it needed to find it. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#define READY_MARKER "LEANBOOT-READY"
#define MAX_MODULE_DEPTH 16

static char cmdline[4096];

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("leanboot-init: ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	fflush(stdout);
	va_end(ap);
}

static void mount_one(const char *src, const char *dst, const char *type)
{
	unsigned long flags = MS_NOSUID;

	/* Only /dev may hold device nodes. */
	if (strcmp(type, "devtmpfs"))
		flags |= MS_NOEXEC | MS_NODEV;
	mkdir(dst, 0755);
	if (mount(src, dst, type, flags, NULL) < 0 && errno != EBUSY)
		say("mount %s: %s", dst, strerror(errno));
}

static void read_cmdline(void)
{
	int fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, cmdline, sizeof cmdline - 1) : -1;

	cmdline[n > 0 ? n : 0] = '\0';
	cmdline[strcspn(cmdline, "\n")] = '\0';
	if (fd >= 0)
		close(fd);
}

/* The value of NAME= on the kernel command line, copied into BUF. */
static const char *cmdline_get(const char *name, char *buf, size_t len)
{
	size_t nl = strlen(name);

	for (const char *p = cmdline; *p; ) {
		size_t wl = strcspn(p, " ");

		if (wl > nl && !strncmp(p, name, nl) && p[nl] == '=') {
			snprintf(buf, len, "%.*s", (int)(wl - nl - 1), p + nl + 1);
			return buf;
		}
		p += wl;
		p += strspn(p, " ");
	}
	return NULL;
}

/* --- modules: modules.dep, resolved here, loaded with finit_module ---- */

static char moddir[256];

/* Find MOD's line in modules.dep; its dependencies are loaded first.
 * Names match with '-' and '_' taken as the same, as modprobe does. */
static int same_name(const char *path, const char *mod)
{
	const char *base = strrchr(path, '/');
	size_t i;

	base = base ? base + 1 : path;
	for (i = 0; mod[i]; i++) {
		char a = base[i] == '-' ? '_' : base[i];
		char b = mod[i] == '-' ? '_' : mod[i];

		if (a != b)
			return 0;
	}
	return !strncmp(base + i, ".ko", 3);
}

static int load_path(const char *rel, int depth);

static int load_deps_of(const char *rel, int depth)
{
	char path[512], line[4096];
	FILE *f;
	int r = -1;

	snprintf(path, sizeof path, "%s/modules.dep", moddir);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f)) {
		char *colon = strchr(line, ':'), *dep, *save;

		if (!colon)
			continue;
		*colon = '\0';
		if (strcmp(line, rel))
			continue;
		r = 0;
		for (dep = strtok_r(colon + 1, " \n", &save); dep; dep = strtok_r(NULL, " \n", &save))
			if (load_path(dep, depth + 1) < 0)
				r = -1;
		break;
	}
	fclose(f);
	return r;
}

static int load_path(const char *rel, int depth)
{
	char path[768];
	int fd, r;

	if (depth > MAX_MODULE_DEPTH)
		return -1;
	if (load_deps_of(rel, depth) < 0)
		return -1;
	snprintf(path, sizeof path, "%s/%s", moddir, rel);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = (int)syscall(SYS_finit_module, fd, "", 0);
	close(fd);
	return r < 0 && errno != EEXIST ? -1 : 0;
}

static void load_module(const char *mod)
{
	char path[512], line[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s/modules.dep", moddir);
	f = fopen(path, "re");
	if (!f) {
		say("%s: %s", path, strerror(errno));
		return;
	}
	while (fgets(line, sizeof line, f)) {
		char *colon = strchr(line, ':');

		if (!colon)
			continue;
		*colon = '\0';
		if (same_name(line, mod)) {
			fclose(f);
			if (load_path(line, 0) < 0)
				say("module %s: %s", mod, strerror(errno));
			return;
		}
	}
	fclose(f);
	/* Not a module: it may be built in, which is fine. */
}

static void load_modules(void)
{
	char list[1024], *save, *m;
	struct utsname u;

	uname(&u);
	snprintf(moddir, sizeof moddir, "/lib/modules/%s", u.release);
	/* virtio_blk carries the user's disks; supermin loaded it for the
	 * root, so this costs nothing unless that changes. */
	load_module("virtio_blk");
	if (!cmdline_get("leanboot.modules", list, sizeof list))
		return;
	for (m = strtok_r(list, ",", &save); m; m = strtok_r(NULL, ",", &save))
		load_module(m);
}

static void ready(void)
{
	char up[64] = "?";
	int fd = open("/proc/uptime", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, up, sizeof up - 1) : -1;

	if (n > 0) {
		up[n] = '\0';
		up[strcspn(up, " \n")] = '\0';
	}
	if (fd >= 0)
		close(fd);
	printf("\n" READY_MARKER " %s\n", up);
	fflush(stdout);
}

int main(void)
{
	mount_one("proc", "/proc", "proc");
	mount_one("sysfs", "/sys", "sysfs");
	mount_one("devtmpfs", "/dev", "devtmpfs");
	read_cmdline();
	load_modules();
	ready();
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
