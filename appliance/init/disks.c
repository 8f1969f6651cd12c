/* disks: the user's disks in the appliance, named /dev/disk/leanboot/N
 * (and N-partP for their partitions) whichever way they came: virtio-blk
 * devices after the root, or SCSI LUNs the host hot-adds to a clone.
 *
 * A disk is ready when the kernel has announced it (its "add" uevent),
 * which it does only once the partition table is read; its node in /dev
 * comes earlier.  With no udev here, the init listens to the kernel's
 * uevents itself, on a netlink socket it opens before ready: a clone
 * inherits the socket, with whatever was announced since, from its
 * template's memory. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/netlink.h>

#include "init.h"

#define MAX_SEEN 64               /* disks announced; more than WIRE_MAX_DISKS */

static int uevents = -1;
static char seen[MAX_SEEN][32];   /* the names of block disks announced */
static size_t nseen;

/* A whole disk (a partition has a "partition" file) in /sys/class/block. */
static int already_there(const char *dir, const char *entry, void *arg)
{
	char part[300];

	(void)arg;
	snprintf(part, sizeof part, "%s/%s/partition", dir, entry);
	if (access(part, F_OK) != 0 && nseen < MAX_SEEN)
		snprintf(seen[nseen++], sizeof seen[0], "%.31s", entry);
	return 0;   /* on to the next */
}

void init_uevents_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	int size = 1 << 20;

	uevents = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_KOBJECT_UEVENT);
	if (uevents < 0)
		return;
	/* Room for every event between now and the job's disks. */
	setsockopt(uevents, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size);
	if (bind(uevents, (struct sockaddr *)&sa, sizeof sa) < 0) {
		close(uevents);
		uevents = -1;
		return;
	}
	/* Disks stage 1 added (its modules probe them as they load) were
	 * announced before anyone listened: they are whole by now. */
	init_scan("/sys/class/block", already_there, NULL);
}

/* The value of KEY in a uevent's NUL-separated KEY=VALUE list. */
static const char *uevent_get(const char *msg, size_t len, const char *key)
{
	size_t kl = strlen(key);

	for (size_t off = 0; off < len; off += strnlen(msg + off, len - off) + 1)
		if (!strncmp(msg + off, key, kl) && msg[off + kl] == '=')
			return msg + off + kl + 1;
	return NULL;
}

/* Take every queued uevent, keeping the names of disks added. */
static void uevents_drain(void)
{
	char msg[8192];
	ssize_t n;

	while ((n = recv(uevents, msg, sizeof msg - 1, 0)) > 0) {
		const char *action, *sub, *type, *name;

		msg[n] = '\0';
		action = uevent_get(msg, (size_t)n, "ACTION");
		sub = uevent_get(msg, (size_t)n, "SUBSYSTEM");
		type = uevent_get(msg, (size_t)n, "DEVTYPE");
		name = uevent_get(msg, (size_t)n, "DEVNAME");
		if (action && sub && type && name && !strcmp(action, "add") && !strcmp(sub, "block") &&
		    !strcmp(type, "disk") && nseen < MAX_SEEN)
			snprintf(seen[nseen++], sizeof seen[0], "%.31s", name);
	}
}

static int announced(const char *name)
{
	for (size_t i = 0; i < nseen; i++)
		if (!strcmp(seen[i], name))
			return 1;
	return 0;
}

/* Wait up to MS milliseconds until OK(ARG), checked again at each
 * uevent.  Returns 0, or -1 at the end. */
static int wait_uevent(int (*ok)(void *), void *arg, int ms)
{
	struct timespec ts;
	double end;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	end = ts.tv_sec * 1e3 + ts.tv_nsec / 1e6 + ms;
	for (;;) {
		struct pollfd p = { uevents, POLLIN, 0 };
		double now;

		uevents_drain();
		if (ok(arg))
			return 0;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		now = ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
		if (now >= end || (poll(&p, 1, (int)(end - now) + 1) < 0 && errno != EINTR))
			return -1;
	}
}

/* One of the user's disks: the Nth, and its node once known. */
struct disk {
	long n;
	int scsi;
	char dev[32];             /* /dev/NAME */
};

static int is_block_of(const char *dir, const char *entry, void *arg)
{
	struct disk *d = arg;

	(void)dir;
	snprintf(d->dev, sizeof d->dev, "/dev/%.20s", entry);
	return 1;
}

/* The SCSI disk at LUN N of target 0: entries here are named H:C:T:L. */
static int is_lun(const char *dir, const char *entry, void *arg)
{
	struct disk *d = arg;
	unsigned host, channel, target;
	unsigned long lun;
	char blocks[300];
	int end = 0;

	if (sscanf(entry, "%u:%u:%u:%lu%n", &host, &channel, &target, &lun, &end) != 4 ||
	    entry[end] || channel || target || lun != (unsigned long)d->n)
		return 0;
	snprintf(blocks, sizeof blocks, "%s/%s/device/block", dir, entry);
	return init_scan(blocks, is_block_of, d);
}

/* Disk D is there and announced, its partitions with it. */
static int disk_ready(void *arg)
{
	struct disk *d = arg;

	if (d->scsi && !d->dev[0] && !init_scan("/sys/class/scsi_disk", is_lun, d))
		return 0;
	return announced(d->dev + 5) && access(d->dev, F_OK) == 0;
}

/* S as a whole decimal number: 0, or -1. */
static int whole_number(const char *s, long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	*out = strtol(s, &end, 10);
	return *end ? -1 : 0;
}

/* A partition of disk D has a sysfs entry under the disk's named after
 * it: NAME<P>. */
static int link_partition(const char *dir, const char *entry, void *arg)
{
	const struct disk *d = arg;
	const char *name = d->dev + 5;
	size_t nl = strlen(name);
	char dev[64], link[64];
	long num;

	(void)dir;
	if (strncmp(entry, name, nl) || whole_number(entry + nl, &num) < 0)
		return 0;
	snprintf(dev, sizeof dev, "/dev/%.40s", entry);
	snprintf(link, sizeof link, "/dev/disk/leanboot/%ld-part%ld", d->n, num);
	if (symlink(dev, link) < 0 && errno != EEXIST)
		init_say("%s: %s", link, strerror(errno));
	return 0;   /* on to the next */
}

void init_attach_disks(long n, int scsi)
{
	char buf[64], sys[80], link[64];
	char first = init_cmdline_get("root", buf, sizeof buf) ? 'b' : 'a';

	if (n <= 0)
		return;
	if (!scsi)
		init_load_module("virtio_blk");
	mkdir("/dev/disk", 0755);
	mkdir("/dev/disk/leanboot", 0755);
	for (long i = 0; i < n; i++) {
		struct disk d = { i, scsi, "" };
		int r;

		if (!scsi)
			snprintf(d.dev, sizeof d.dev, "/dev/vd%c", (char)(first + i));
		/* Give a late disk up to 5 s before going on without it.
		 * Without the uevent socket, the node in /dev has to do. */
		r = uevents >= 0 ? wait_uevent(disk_ready, &d, 5000) :
		    scsi ? -1 : init_wait_dev(d.dev, 5000);
		if (r < 0 || !d.dev[0]) {
			init_say("disk %ld did not appear", i);
			continue;
		}
		snprintf(link, sizeof link, "/dev/disk/leanboot/%ld", i);
		if (symlink(d.dev, link) < 0 && errno != EEXIST)
			init_say("%s: %s", link, strerror(errno));
		snprintf(sys, sizeof sys, "/sys/class/block/%.40s", d.dev + 5);
		init_scan(sys, link_partition, &d);
	}
}
