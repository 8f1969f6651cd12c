/* fs: what is on a block device (blkid), and mounting it
 * read-only without replaying any log: through the kernel's driver, or
 * for NTFS through ntfs-3g (FUSE), since Debian's kernel has no ntfs3.
 * Modules are loaded when a filesystem first asks for them. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <blkid/blkid.h>

#include "inspect.h"

static int nmounts, serial;    /* filesystems mounted now; mountpoints made */

/* Read-only, and nothing on it runs or opens a device. */
#define MOUNT_FLAGS (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME)

static int kernel_has_fs(const char *type)
{
	char line[128];
	int found = 0;
	FILE *f = fopen("/proc/filesystems", "re");

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof line, f)) {
		char *t = strrchr(line, '\t');

		t = t ? t + 1 : line;
		t[strcspn(t, "\n")] = '\0';
		found = !strcmp(t, type);
	}
	fclose(f);
	return found;
}

/* How a filesystem type is mounted: the kernel driver (or FUSE, for a
 * HELPER program), its module, options that keep the device unwritten. */
struct fsmount {
	const char *type, *driver, *module, *options;
	const char *extra;     /* modules the driver asks for when mounting */
	const char *helper;    /* a FUSE filesystem's program */
	const char *retry;     /* options to try if OPTIONS fail */
};

static const struct fsmount fsmounts[] = {
	/* ext2 and ext3 go through the ext4 driver, already loaded. */
	{ .type = "ext2", .driver = "ext4", .options = "noload" },
	{ .type = "ext3", .driver = "ext4", .options = "noload" },
	{ .type = "ext4", .driver = "ext4", .options = "noload" },
	{ .type = "xfs", .driver = "xfs", .module = "xfs", .options = "norecovery" },
	/* A btrfs with a dirty log is mounted without replaying it. */
	{ .type = "btrfs", .driver = "btrfs", .module = "btrfs", .options = "rescue=nologreplay" },
	/* vfat wants its code page and character set (ascii by default). */
	{ .type = "vfat", .driver = "vfat", .module = "vfat", .extra = "nls_cp437 nls_ascii" },
	{ .type = "iso9660", .driver = "iso9660", .module = "isofs" },
	{ .type = "udf", .driver = "udf", .module = "udf" },
	{ .type = "squashfs", .driver = "squashfs", .module = "squashfs" },
	/* UFS says not which flavour it is: FreeBSD's UFS2, else the
	 * 4.4BSD UFS1 of NetBSD and OpenBSD, as virt-inspector tries them. */
	{ .type = "ufs", .driver = "ufs", .module = "ufs", .options = "ufstype=ufs2", .retry = "ufstype=44bsd" },
	/* ntfs-3g, read-only: it mounts a hibernated Windows (fast
	 * startup) too, without touching the hibernation file. */
	{ .type = "ntfs", .driver = "fuse", .module = "fuse", .helper = "/usr/bin/ntfs-3g",
	  .options = "ro,noatime,nodev,nosuid,noexec" },
};

static const struct fsmount *fsmount_find(const char *type)
{
	for (size_t i = 0; i < sizeof fsmounts / sizeof fsmounts[0]; i++)
		if (!strcmp(fsmounts[i].type, type))
			return &fsmounts[i];
	return NULL;
}

int insp_mountable(const char *type)
{
	return fsmount_find(type) != NULL;
}

static int load_driver(const struct fsmount *m)
{
	if (m->module && !kernel_has_fs(m->driver)) {
		insp_modprobe(m->module);
		if (m->extra) {
			char extra[64], *save = NULL;

			snprintf(extra, sizeof extra, "%s", m->extra);
			for (char *t = strtok_r(extra, " ", &save); t; t = strtok_r(NULL, " ", &save))
				insp_modprobe(t);
		}
	}
	return kernel_has_fs(m->driver) ? 0 : -1;
}

/* Whether F could be mounted is said once: it is mounted again for a
 * subvolume, a /usr or a /boot, and the report takes one value. */
static void mount_said(struct insp_fs *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void mount_said(struct insp_fs *f, const char *fmt, ...)
{
	char buf[WIRE_VALUE_MAX + 1];
	va_list ap;

	if (f->mount_said)
		return;
	f->mount_said = 1;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	insp_rec(IK_FS_MOUNT, f->id, buf);
}

static int helper_mount(const struct fsmount *m, struct insp_fs *f, const char *opts,
			const char *mp)
{
	char *const argv[] = { (char *)m->helper, "-o", (char *)opts, (char *)f->dev, (char *)mp, NULL };
	int st;

	if (access(m->helper, X_OK) != 0) {
		mount_said(f, "not mounted: the appliance has no %s", m->helper);
		return -1;
	}
	st = insp_run(argv, NULL, 0);
	if (st != 0) {
		mount_said(f, "not mounted: %s exited with status %d",
			  strrchr(m->helper, '/') + 1, st);
		return -1;
	}
	return 0;
}

int insp_mount(struct insp_fs *f, const char *options, char *mp, size_t mplen)
{
	const struct fsmount *m = fsmount_find(f->type);
	char opts[256];
	int fd;

	if (!m)
		return -1;
	if (nmounts >= INSP_MAX_MOUNTS) {
		mount_said(f, "not mounted: too many filesystems");
		return -1;
	}
	if (load_driver(m) < 0) {
		mount_said(f, "not mounted: the appliance's kernel has no %s driver",
			  m->driver);
		return -1;
	}
	snprintf(opts, sizeof opts, "%s%s%s", m->options ? m->options : "",
		 m->options && options ? "," : "", options ? options : "");
	snprintf(mp, mplen, "/tmp/inspect/%d", serial++);
	nmounts++;
	mkdir("/tmp/inspect", 0700);
	mkdir(mp, 0700);
	if (m->helper) {
		if (helper_mount(m, f, opts, mp) < 0) {
			rmdir(mp);
			nmounts--;
			return -1;
		}
	} else if (mount(f->dev, mp, m->driver, MOUNT_FLAGS, opts) < 0 &&
		   (!m->retry || mount(f->dev, mp, m->driver, MOUNT_FLAGS, m->retry) < 0)) {
		mount_said(f, "not mounted: %s", strerror(errno));
		rmdir(mp);
		nmounts--;
		return -1;
	}
	fd = open(mp, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		umount2(mp, MNT_DETACH);
		rmdir(mp);
		nmounts--;
		return -1;
	}
	mount_said(f, "ok");
	return fd;
}

void insp_unmount(const char *mp, int fd)
{
	close(fd);
	/* A FUSE daemon ends when its filesystem is unmounted. */
	umount2(mp, MNT_DETACH);
	rmdir(mp);
	nmounts--;
}

static void probe_value(blkid_probe pr, const char *name, char *out, size_t len)
{
	const char *v = NULL;
	size_t n = 0;

	out[0] = '\0';
	if (blkid_probe_lookup_value(pr, name, &v, &n) == 0 && v) {
		if (n && v[n - 1] == '\0')
			n--;
		if (n >= len)
			n = len - 1;
		memcpy(out, v, n);
		out[n] = '\0';
	}
}

void insp_probe(struct insp_fs *f)
{
	char usage[32], version[64];
	blkid_probe pr = blkid_new_probe_from_filename(f->dev);

	if (!pr)
		return;
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_UUID |
					  BLKID_SUBLKS_LABEL | BLKID_SUBLKS_USAGE |
					  BLKID_SUBLKS_VERSION);
	blkid_probe_enable_partitions(pr, 0);
	if (blkid_do_safeprobe(pr) == 0) {
		probe_value(pr, "TYPE", f->type, sizeof f->type);
		probe_value(pr, "UUID", f->uuid, sizeof f->uuid);
		probe_value(pr, "LABEL", f->label, sizeof f->label);
		probe_value(pr, "USAGE", usage, sizeof usage);
		probe_value(pr, "VERSION", version, sizeof version);
		if (f->type[0]) {
			insp_rec(IK_FS_TYPE, f->id, f->type);
			if (usage[0])
				insp_rec(IK_FS_USAGE, f->id, usage);
			if (f->uuid[0])
				insp_rec(IK_FS_UUID, f->id, f->uuid);
			if (f->label[0])
				insp_rec(IK_FS_LABEL, f->id, f->label);
			if (version[0])
				insp_rec(IK_FS_VERSION, f->id, version);
			/* LUKS and the like: reported, never opened. */
			if (!strcmp(usage, "crypto"))
				insp_rec(IK_FS_ENCRYPTED, f->id, "1");
			/* A filesystem nothing here reads says so. */
			else if (!strcmp(usage, "filesystem") && !fsmount_find(f->type))
				mount_said(f, "not mounted: leanboot reads no %s filesystems",
					  f->type);
		}
	}
	blkid_free_probe(pr);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void insp_top_names(int root, char *out, size_t len)
{
	enum { MAX_NAMES = 12 };
	char *names[MAX_NAMES];
	int n = 0, more = 0, fd = insp_open(root, ".", O_RDONLY | O_DIRECTORY);
	struct dirent *e;
	size_t o = 0;
	DIR *d;

	out[0] = '\0';
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		snprintf(out, len, "nothing readable");
		return;
	}
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, "lost+found"))
			continue;
		if (n < MAX_NAMES && (names[n] = strndup(e->d_name, 64)))
			n++;
		else
			more++;
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof names[0], cmp_str);
	for (int i = 0; i < n; i++) {
		if (o < len)
			o += (size_t)snprintf(out + o, len - o, "%s%s", i ? ", " : "", names[i]);
		free(names[i]);
	}
	if (!n)
		snprintf(out, len, "nothing");
	else if (more && o < len)
		snprintf(out + o, len - o, " and %d more", more);
}

struct insp_fs *insp_find_id(const char *id)
{
	for (int i = 0; i < insp_nfs; i++)
		if (!strcmp(insp_fss[i].id, id))
			return &insp_fss[i];
	return NULL;
}

/* A guest's own device name, as virt-inspector resolves it: /dev/VG/LV
 * and /dev/mapper/VG-LV name a logical volume; /dev/sdXN, vdXN, hdXN
 * and xvdXN the Nth partition of the disk attached in the place X
 * gives (a is the first). */
static struct insp_fs *find_dev(const char *dev)
{
	const char *p = dev + 5, *slash;
	struct insp_fs *f;
	char id[300];

	/* md arrays: /dev/md/NAME as assembled here, /dev/mdN. */
	if (!strncmp(p, "md", 2) && (p[2] == '/' || (p[2] >= '0' && p[2] <= '9'))) {
		snprintf(id, sizeof id, "md:%s", p[2] == '/' ? p + 3 : p);
		return insp_find_id(id);
	}
	if (!strncmp(p, "mapper/", 7)) {
		char *o = id;

		/* A LUKS volume opened here, by the name it was given. */
		snprintf(id, sizeof id, "luks:%s", p + 7);
		if ((f = insp_find_id(id)))
			return f;
		/* VG-LV, each '-' of a name doubled. */
		for (p += 7; *p && o < id + sizeof id - 1; p++) {
			if (*p == '-' && p[1] == '-')
				*o++ = *p++;
			else
				*o++ = *p == '-' ? '/' : *p;
		}
		*o = '\0';
		return insp_find_id(id);
	}
	if (!strncmp(p, "xvd", 3))
		p += 3;
	else if ((p[0] == 's' || p[0] == 'v' || p[0] == 'h') && p[1] == 'd')
		p += 2;
	else if ((slash = strchr(p, '/')) && !strchr(slash + 1, '/')) {
		snprintf(id, sizeof id, "%s", p);
		return insp_find_id(id);
	} else
		return NULL;
	{
		long disk = 0;
		size_t letters = strspn(p, "abcdefghijklmnopqrstuvwxyz");

		if (!letters || letters > 2)
			return NULL;
		for (size_t i = 0; i < letters; i++)
			disk = disk * 26 + (p[i] - 'a' + 1);
		p += letters;
		if (*p && strspn(p, "0123456789") != strlen(p))
			return NULL;
		snprintf(id, sizeof id, *p ? "%ld.%s" : "%ld", disk - 1, p);
		return insp_find_id(id);
	}
}

struct insp_fs *insp_find_spec(const char *spec)
{
	if (!strncmp(spec, "/dev/", 5))
		return find_dev(spec);
	for (int i = 0; i < insp_nfs; i++) {
		struct insp_fs *b = &insp_fss[i];

		if ((!strncmp(spec, "UUID=", 5) && b->uuid[0] && !strcasecmp(spec + 5, b->uuid)) ||
		    (!strncmp(spec, "LABEL=", 6) && b->label[0] && !strcmp(spec + 6, b->label)) ||
		    (!strncmp(spec, "PARTUUID=", 9) && b->partuuid[0] && !strcasecmp(spec + 9, b->partuuid)) ||
		    (!strncmp(spec, "PARTLABEL=", 10) && b->partlabel[0] && !strcmp(spec + 10, b->partlabel)))
			return b;
	}
	return NULL;
}
