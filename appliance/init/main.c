/* init: the appliance's PID 1.  Static, no shell, no udev: it mounts what
 * it needs, loads the modules it is told to, prints the ready marker with
 * the guest's uptime, runs its job and powers off with reboot(2).
 *
 * The console carries the kernel's log, the ready frame and early
 * failures; the job and its streams travel on the virtio-serial channel,
 * which job.c serves.  launcher/wire.h defines both wires, for this side
 * and the launcher's.
 *
 * It runs in one of two places.  With a root disk, the kernel starts it
 * first from the small initrd (stage 1), where it loads the modules that
 * reach the root, mounts the root and starts itself again from there
 * (stage 2).  With the initramfs-only appliance it starts in stage 2. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "wire.h"
#include "init.h"

#define MAX_MODULE_DEPTH 16
#define MAX_ARGS 256

static char cmdline[4096];

void init_say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs(WIRE_INIT_PREFIX, stdout);
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
		init_say("mount %s: %s", dst, strerror(errno));
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

const char *init_cmdline_get(const char *name, char *buf, size_t len)
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

/* Whether the module at REL is in the kernel already (or built in):
 * finit_module would find out only after reading and checking the whole
 * file, tens of milliseconds under TCG. */
static int loaded(const char *rel)
{
	const char *base = strrchr(rel, '/');
	char name[128], path[160];
	size_t i;

	base = base ? base + 1 : rel;
	for (i = 0; base[i] && base[i] != '.' && i < sizeof name - 1; i++)
		name[i] = base[i] == '-' ? '_' : base[i];
	name[i] = '\0';
	snprintf(path, sizeof path, "/sys/module/%s", name);
	return access(path, F_OK) == 0;
}

static int load_path(const char *rel, int depth)
{
	char path[768];
	int fd, r;

	if (depth > MAX_MODULE_DEPTH)
		return -1;
	if (loaded(rel))
		return 0;
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

void init_load_module(const char *mod)
{
	char path[512], line[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s/modules.dep", moddir);
	f = fopen(path, "re");
	if (!f) {
		init_say("%s: %s", path, strerror(errno));
		return;
	}
	while (fgets(line, sizeof line, f)) {
		char *colon = strchr(line, ':');

		if (!colon)
			continue;
		*colon = '\0';
		if (same_name(line, mod)) {
			fclose(f);
			/* ENODEV: hardware this CPU lacks (crc32c-intel under
			 * TCG); another module does the job. */
			if (load_path(line, 0) < 0 && errno != ENODEV)
				init_say("module %s: %s", mod, strerror(errno));
			return;
		}
	}
	fclose(f);
	/* Not a module: it may be built in, which is fine. */
}

static void set_moddir(void)
{
	struct utsname u;

	uname(&u);
	snprintf(moddir, sizeof moddir, "/lib/modules/%s", u.release);
}

/* Whether the machine has a PCI bus with devices on it (q35, pc) or only
 * virtio-mmio (microvm). */
static int have_pci(void)
{
	DIR *d = opendir("/sys/bus/pci/devices");
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n > 0;
}

int init_sysfs_line(const char *dir, const char *entry, const char *file, char *buf, size_t len)
{
	char path[300];
	FILE *f;
	int r = -1;

	snprintf(path, sizeof path, "%s/%s/%s", dir, entry, file);
	if ((f = fopen(path, "re"))) {
		if (fgets(buf, (int)len, f)) {
			buf[strcspn(buf, "\n")] = '\0';
			r = 0;
		}
		fclose(f);
	}
	return r;
}

int init_scan(const char *dir, int (*ok)(const char *, const char *, void *), void *arg)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = 0;

	while (d && !found && (e = readdir(d)))
		found = e->d_name[0] != '.' && ok(dir, e->d_name, arg);
	if (d)
		closedir(d);
	return found;
}

static int is_virtio_type(const char *dir, const char *entry, void *id)
{
	char type[16];

	return init_sysfs_line(dir, entry, "device", type, sizeof type) == 0 &&
	       strtoul(type, NULL, 16) == *(unsigned *)id;
}

int init_virtio_present(unsigned id)
{
	return init_scan("/sys/bus/virtio/devices", is_virtio_type, &id);
}

/* The files nearly every command maps: the dynamic loader, libc, and the
 * shells.  A template reads them before ready, so that they are in the
 * page cache every clone of it starts with, and no clone reads them from
 * its disk again (virtio-blk under TCG, at every clone's expense). */
static const char *const common_files[] = {
	"/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
	"/usr/lib/x86_64-linux-gnu/libc.so.6",
	"/usr/bin/dash",
	"/usr/bin/bash",
	"/usr/lib/x86_64-linux-gnu/libtinfo.so.6",
	"/usr/bin/true",
};

static void cache_common_files(void)
{
	static char buf[65536];

	for (size_t i = 0; i < sizeof common_files / sizeof *common_files; i++) {
		int fd = open(common_files[i], O_RDONLY | O_CLOEXEC);

		while (fd >= 0 && read(fd, buf, sizeof buf) > 0)
			;
		if (fd >= 0)
			close(fd);
	}
}

/* Stage 2: the virtio transport, which the channel and the user's disks
 * need (with a root disk, stage 1 has loaded it already); virtio_blk
 * waits for the job to say there are disks.  A virtio-scsi controller
 * is there only in a VM made to be a template (launch.h): its driver
 * and sd load now, before ready, so that no clone of it pays for them
 * when its disks arrive.  Then whatever leanboot.modules asks. */
static void load_modules(void)
{
	char list[1024], *save, *m;

	init_load_module(have_pci() ? "virtio_pci" : "virtio_mmio");
	if (init_virtio_present(INIT_VIRTIO_SCSI)) {
		init_load_module("virtio_scsi");
		init_load_module("sd_mod");
		cache_common_files();
	}
	if (!init_cmdline_get("leanboot.modules", list, sizeof list))
		return;
	for (m = strtok_r(list, ",", &save); m; m = strtok_r(NULL, ",", &save))
		init_load_module(m);
}

int init_wait(int (*ok)(void *), void *arg, int ms)
{
	double end;
	struct timespec ts;
	int fd, r = -1;

	if (ok(arg))
		return 0;
	fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (fd < 0 || inotify_add_watch(fd, "/dev", IN_CREATE | IN_MOVED_TO) < 0)
		goto out;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	end = ts.tv_sec * 1e3 + ts.tv_nsec / 1e6 + ms;
	for (;;) {
		char buf[4096];
		struct pollfd p = { fd, POLLIN, 0 };
		double now;

		/* Checked after the watch is in place: no creation is missed. */
		if (ok(arg)) {
			r = 0;
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &ts);
		now = ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
		if (now >= end || poll(&p, 1, (int)(end - now) + 1) < 0)
			break;
		while (read(fd, buf, sizeof buf) > 0)
			;
	}
out:
	if (fd >= 0)
		close(fd);
	return r;
}

static int exists(void *path)
{
	return access(path, F_OK) == 0;
}

int init_wait_dev(const char *path, int ms)
{
	return init_wait(exists, (void *)path, ms);
}

/* --- frames to the host ---------------------------------------------- */

/* One frame, one write(2): the host sees it whole or not at all. */
void init_frame(char type, const void *data, size_t len)
{
	static unsigned char buf[WIRE_MAX_FRAME + 32];
	unsigned char t = (unsigned char)type;
	uint32_t crc;
	size_t n, off = 0;

	if (len > WIRE_MAX_FRAME)
		len = WIRE_MAX_FRAME;
	crc = wire_crc32(wire_crc32(0, &t, 1), data, len);
	n = (size_t)snprintf((char *)buf, sizeof buf, "%cLB%c%08zx", WIRE_SOH, type, len);
	memcpy(buf + n, data, len);
	n += len;
	n += (size_t)snprintf((char *)buf + n, sizeof buf - n, "%08x%c", crc, WIRE_EOT);
	while (off < n) {
		ssize_t w = write(1, buf + off, n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		off += (size_t)w;
	}
}

static void vfailf(const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof msg, fmt, ap);
	init_frame(WIRE_FAIL, msg, strlen(msg));
}

void init_failf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfailf(fmt, ap);
	va_end(ap);
}

/* From here on only frames should reach the host: console printk is
 * limited to emergencies, and the tty stops turning \n into \r\n. */
static void quiet_console(void)
{
	struct termios t;

	klogctl(8 /* SYSLOG_ACTION_CONSOLE_LEVEL */, NULL, 1);
	if (tcgetattr(1, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(1, TCSANOW, &t);
	}
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
	printf("\n" WIRE_READY_MARKER " %s\n", up);
	fflush(stdout);
	init_frame(WIRE_READY, up, strlen(up));
}

/* --- stage 1: from the small initrd to the root disk ----------------- */

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfailf(fmt, ap);
	va_end(ap);
	reboot(RB_POWER_OFF);
	_exit(1);
}

/* Load what reaches the root (the modules.dep of the initrd resolves the
 * dependencies), mount it and start this program again from it.  Only
 * the transport this machine has: each module costs tens of
 * milliseconds under TCG. */
static void stage1(void)
{
	char root[64];

	init_load_module(have_pci() ? "virtio_pci" : "virtio_mmio");
	init_load_module("virtio_blk");
	/* ext4 asks the crypto API for crc32c when it mounts, even an ext2
	 * root; there is no modprobe here to answer, so load it first.  The
	 * generic one: the emulated CPU has no SSE4.2 for crc32c-intel. */
	init_load_module("crc32c_generic");
	init_load_module("ext4");
	if (!init_cmdline_get("root", root, sizeof root) || strncmp(root, "/dev/", 5))
		die("stage 1: no root=/dev/... on the kernel command line");
	if (init_wait_dev(root, 5000) < 0)
		die("stage 1: %s did not appear", root);
	mkdir("/sysroot", 0755);
	/* The root is ext2, through the ext4 driver; the launch's overlay
	 * takes the writes. */
	if (mount(root, "/sysroot", "ext4", 0, NULL) < 0)
		die("stage 1: mount %s: %s", root, strerror(errno));
	if (mount("/dev", "/sysroot/dev", NULL, MS_MOVE, NULL) < 0)
		die("stage 1: move /dev: %s", strerror(errno));
	umount("/proc");
	umount("/sys");
	if (chdir("/sysroot") < 0 || mount(".", "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0 ||
	    chdir("/") < 0)
		die("stage 1: switch to the root: %s", strerror(errno));
	execl("/init", "/init", (char *)NULL);
	die("stage 1: exec /init on the root: %s", strerror(errno));
}

int main(void)
{
	int ch;

	mount_one("proc", "/proc", "proc");
	mount_one("sysfs", "/sys", "sysfs");
	mount_one("devtmpfs", "/dev", "devtmpfs");
	read_cmdline();
	set_moddir();
	/* The small initrd has modules and this program, and no /usr/bin.
	 * The first line of ours tells the launcher the init has started. */
	if (access("/usr/bin", F_OK) != 0) {
		init_say("stage 1");
		stage1();
	}
	init_say("stage 2");
	init_uevents_open();
	mount_one("tmpfs", "/tmp", "tmpfs");
	/* POSIX shared memory, which programs expect to find. */
	mount_one("tmpfs", "/dev/shm", "tmpfs");
	/* A place for users to mount their disks. */
	mkdir("/mnt", 0755);
	load_modules();
	ch = job_channel();
	quiet_console();
	ready();
	if (ch >= 0)
		job_run(ch);
	else
		job_kernel_log();
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
