/* dev: what PID 1 finds about the machine with no udev and no shell:
 * the mounts it starts with, the kernel command line, sysfs, and waits
 * for a node devtmpfs makes in /dev. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "init.h"

static char cmdline[4096];

void init_mount_one(const char *src, const char *dst, const char *type)
{
	unsigned long flags = MS_NOSUID;

	/* Only /dev may hold device nodes. */
	if (strcmp(type, "devtmpfs"))
		flags |= MS_NOEXEC | MS_NODEV;
	mkdir(dst, 0755);
	if (mount(src, dst, type, flags, NULL) < 0 && errno != EBUSY)
		init_say("mount %s: %s", dst, strerror(errno));
}

void init_read_cmdline(void)
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

/* Whether the machine's virtio devices are on PCI (q35, pc, virt with a
 * PCI topology) rather than virtio-mmio (microvm, virt's mmio topology).
 * A PCI bus alone does not say: virt always has its PCIe host bridge,
 * with nothing behind it when every device is virtio-mmio.  So only
 * virtio's own vendor counts. */
int init_have_pci(void)
{
	DIR *d = opendir("/sys/bus/pci/devices");
	struct dirent *e;
	char vendor[16];
	int n = 0;

	while (d && !n && (e = readdir(d)))
		n = e->d_name[0] != '.' &&
		    init_sysfs_line("/sys/bus/pci/devices", e->d_name, "vendor", vendor, sizeof vendor) == 0 &&
		    strtoul(vendor, NULL, 16) == 0x1af4;
	if (d)
		closedir(d);
	return n;
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
		/* Not only creations in /dev: a virtio port's node comes
		 * before its name in sysfs, which changes nothing there, so
		 * the condition is looked at every 10 ms as well. */
		if (now >= end || poll(&p, 1, end - now < 10 ? (int)(end - now) + 1 : 10) < 0)
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
