/* inspect: the appliance's side of `leanboot inspect`.  It runs as the
 * job of a launch, looks at the user's disks (/dev/disk/leanboot/N, all
 * attached read-only by the host) and prints what it finds as records:
 *
 *     KIND TAB ID TAB KEY TAB VALUE [TAB VALUE]... LF
 *
 * KIND is disk, part, fs or os.  ID is the disk's index N, or N.P for its
 * partition P; an fs or os record names the device it is on.  Bytes of a
 * value below 0x20, DEL and backslash go out as \xHH, so a value never
 * holds a separator.  The host (launcher/inspect-report.c) trusts none of
 * it: the disks belong to whoever made the image.
 *
 * Files inside a filesystem are opened with openat2(RESOLVE_IN_ROOT), so
 * an absolute or ../ symlink in the image resolves inside the image, never
 * in the appliance; only regular files are read, and only so far. */

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <blkid/blkid.h>
#include <sqlite3.h>

#include "../launcher/wire.h"

#define MAX_PARTS 256          /* the kernel's own limit per disk */
#define MAX_MOUNTS 64          /* filesystems mounted in one inspection */
#define MAX_KERNELS 64
#define MAX_FSTAB 128
#define SMALL_FILE (64 << 10)  /* os-release, hostname, fstab */
#define STATUS_MAX (256u << 20) /* dpkg's status file, read as a stream */

/* --- records ---------------------------------------------------------- */

static void put_value(const char *s, size_t n)
{
	if (n > WIRE_VALUE_MAX)
		n = WIRE_VALUE_MAX;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f || c == '\\')
			printf("\\x%02x", c);
		else
			putchar(c);
	}
}

static void rec(const char *kind, const char *id, const char *key, const char *value)
{
	printf("%s\t%s\t%s\t", kind, id, key);
	put_value(value, strlen(value));
	putchar('\n');
}

static void recf(const char *kind, const char *id, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void recf(const char *kind, const char *id, const char *key, const char *fmt, ...)
{
	char buf[WIRE_VALUE_MAX + 1];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	rec(kind, id, key, buf);
}

/* --- files inside a mounted filesystem -------------------------------- */

static int open_in(int root, const char *path, int flags)
{
	/* openat2 refuses O_PATH with flags that do not apply to it;
	 * O_NONBLOCK keeps a FIFO from blocking the open. */
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC | (flags & O_PATH ? 0 : O_NOCTTY | O_NONBLOCK)),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};

	return (int)syscall(SYS_openat2, root, path, &how, sizeof how);
}

static int exists_in(int root, const char *path)
{
	int fd = open_in(root, path, O_PATH);

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

/* A regular file inside the filesystem, open for reading; -1 for
 * anything else (a FIFO, a device, a directory, nothing). */
static int open_file_in(int root, const char *path)
{
	struct stat st;
	int fd = open_in(root, path, O_RDONLY);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A regular file's first CAP-1 bytes, NUL-terminated; -1 if there is no
 * regular file there. */
static ssize_t read_in(int root, const char *path, char *buf, size_t cap)
{
	size_t got = 0;
	int fd = open_file_in(root, path);

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

/* --- OS facts ---------------------------------------------------------- */

/* One os-release value: KEY=VALUE, VALUE maybe in single or double
 * quotes, with backslash escapes inside double quotes. */
static int osr_value(const char *line, const char *key, char *out, size_t len)
{
	size_t kl = strlen(key), o = 0;
	const char *p = line;
	char q = 0;

	if (strncmp(p, key, kl) || p[kl] != '=')
		return 0;
	p += kl + 1;
	if (*p == '"' || *p == '\'')
		q = *p++;
	for (; *p && *p != '\n' && o + 1 < len; p++) {
		if (q && *p == q)
			break;
		if (q == '"' && *p == '\\' && p[1] && p[1] != '\n')
			p++;
		out[o++] = *p;
	}
	out[o] = '\0';
	return 1;
}

static void os_release(int root, const char *id)
{
	static const char *const keys[][2] = {
		{ "ID", "id" }, { "VERSION_ID", "version_id" }, { "NAME", "name" },
		{ "PRETTY_NAME", "pretty_name" }, { "VERSION_CODENAME", "codename" },
		{ "ID_LIKE", "id_like" },
	};
	static char buf[SMALL_FILE];
	char val[WIRE_VALUE_MAX];

	if (read_in(root, "etc/os-release", buf, sizeof buf) < 0 &&
	    read_in(root, "usr/lib/os-release", buf, sizeof buf) < 0)
		return;
	for (char *line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
		for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
			if (osr_value(line, keys[k][0], val, sizeof val) && val[0])
				rec("os", id, keys[k][1], val);
}

static void hostname(int root, const char *id)
{
	/* systemd's, then SUSE's before it. */
	static const char *const files[] = { "etc/hostname", "etc/HOSTNAME" };
	static char buf[SMALL_FILE];
	char val[WIRE_VALUE_MAX];

	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
		if (read_in(root, files[i], buf, sizeof buf) >= 0) {
			buf[strcspn(buf, "\n")] = '\0';
			if (buf[0]) {
				rec("os", id, "hostname", buf);
				return;
			}
		}
	/* Red Hat before systemd. */
	if (read_in(root, "etc/sysconfig/network", buf, sizeof buf) >= 0)
		for (char *l = buf; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
			if (osr_value(l, "HOSTNAME", val, sizeof val) && val[0]) {
				rec("os", id, "hostname", val);
				return;
			}
}

/* The architecture the userland was built for, from an ELF header. */
static void arch(int root, const char *id)
{
	static const char *const bins[] = { "bin/sh", "usr/bin/ls", "bin/ls", "usr/bin/sh" };
	unsigned char h[20];

	for (size_t i = 0; i < sizeof bins / sizeof bins[0]; i++) {
		int fd = open_file_in(root, bins[i]);
		const char *a = NULL;
		unsigned mach;
		ssize_t n;

		if (fd < 0)
			continue;
		n = pread(fd, h, sizeof h, 0);
		close(fd);
		if (n != (ssize_t)sizeof h || memcmp(h, "\177ELF", 4))
			continue;
		mach = h[5] == 2 ? (unsigned)(h[18] << 8 | h[19]) : (unsigned)(h[19] << 8 | h[18]);
		switch (mach) {
		case 3: a = "i386"; break;
		case 62: a = "x86_64"; break;
		case 40: a = "arm"; break;
		case 183: a = "aarch64"; break;
		case 243: a = h[4] == 2 ? "riscv64" : "riscv32"; break;
		case 21: a = h[5] == 1 ? "ppc64le" : "ppc64"; break;
		case 20: a = "ppc"; break;
		case 22: a = h[4] == 2 ? "s390x" : "s390"; break;
		case 8: a = h[4] == 2 ? "mips64" : "mips"; break;
		case 258: a = "loongarch64"; break;
		}
		if (a)
			rec("os", id, "arch", a);
		else
			recf("os", id, "arch", "unknown-elf-machine-%u", mach);
		return;
	}
}

/* dpkg's status file: one stanza a package, and those whose Status is
 * "... installed" are installed. */
static int dpkg_installed(char *line)
{
	size_t l = strlen(line);

	if (strncmp(line, "Status:", 7))
		return 0;
	while (l && (line[l - 1] == '\n' || line[l - 1] == ' '))
		line[--l] = '\0';
	return l >= 10 && !strcmp(line + l - 10, " installed");
}

/* apk's installed database: a "P:" line names each package. */
static int apk_package(char *line)
{
	return !strncmp(line, "P:", 2);
}

/* The lines of a package database that IS_ONE counts, read as a stream
 * and at most STATUS_MAX bytes of it; -1 if there is no such file. */
static long count_lines(int root, const char *path, int (*is_one)(char *line))
{
	char line[4096];
	long count = 0;
	size_t total = 0;
	FILE *f;
	int fd = open_file_in(root, path);

	if (fd < 0)
		return -1;
	if (!(f = fdopen(fd, "r"))) {
		close(fd);
		return -1;
	}
	while (total < STATUS_MAX && fgets(line, sizeof line, f)) {
		total += strlen(line);
		count += is_one(line);
	}
	fclose(f);
	return count;
}

/* rpm 4.16 and later keep their database in SQLite.  Opened through our
 * own descriptor (so the path resolved inside the image), read-only and
 * immutable: a read-only mount has no room for a journal or a lock. */
static long rpm_sqlite_count(int root, const char *path)
{
	char uri[64];
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	long count = -1;
	int fd = open_file_in(root, path);

	if (fd < 0)
		return -1;
	snprintf(uri, sizeof uri, "file:/proc/self/fd/%d?immutable=1", fd);
	if (sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT count(*) FROM Packages", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		count = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	close(fd);
	return count;
}

static void packages(int root, const char *id)
{
	static const char *const rpmdbs[] = {
		"usr/lib/sysimage/rpm/rpmdb.sqlite", "var/lib/rpm/rpmdb.sqlite",
	};
	long n;

	if (exists_in(root, "var/lib/dpkg/status")) {
		rec("os", id, "package_format", "deb");
		if ((n = count_lines(root, "var/lib/dpkg/status", dpkg_installed)) >= 0)
			recf("os", id, "packages", "%ld", n);
		return;
	}
	for (size_t i = 0; i < sizeof rpmdbs / sizeof rpmdbs[0]; i++)
		if (exists_in(root, rpmdbs[i])) {
			rec("os", id, "package_format", "rpm");
			if ((n = rpm_sqlite_count(root, rpmdbs[i])) >= 0)
				recf("os", id, "packages", "%ld", n);
			return;
		}
	/* Berkeley DB (before rpm 4.16) or ndb: the format is known, the
	 * count is not, since nothing here reads those. */
	if (exists_in(root, "var/lib/rpm/Packages") || exists_in(root, "usr/lib/sysimage/rpm/Packages.db")) {
		rec("os", id, "package_format", "rpm");
		return;
	}
	if (exists_in(root, "lib/apk/db/installed")) {
		rec("os", id, "package_format", "apk");
		if ((n = count_lines(root, "lib/apk/db/installed", apk_package)) >= 0)
			recf("os", id, "packages", "%ld", n);
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* vmlinuz-* in DIR of the filesystem at ROOT, sorted; how many. */
static int kernels_in(int root, const char *dir, const char *id)
{
	char *names[MAX_KERNELS];
	int n = 0, fd = open_in(root, dir, O_RDONLY | O_DIRECTORY);
	struct dirent *e;
	DIR *d;

	if (fd < 0)
		return 0;
	if (!(d = fdopendir(fd))) {
		close(fd);
		return 0;
	}
	while ((e = readdir(d)) && n < MAX_KERNELS)
		if (!strncmp(e->d_name, "vmlinuz-", 8) && (names[n] = strdup(e->d_name)))
			n++;
	closedir(d);
	qsort(names, (size_t)n, sizeof names[0], cmp_str);
	for (int i = 0; i < n; i++) {
		rec("os", id, "kernel", names[i]);
		free(names[i]);
	}
	return n;
}

/* --- devices and filesystems ----------------------------------------- */

struct fsinfo {
	char id[256];             /* N, N.P, or VG/LV */
	char dev[32];
	char type[32];
	char uuid[64], label[WIRE_VALUE_MAX], partuuid[64], partlabel[WIRE_VALUE_MAX];
};

static struct fsinfo fss[WIRE_MAX_DISKS * (MAX_PARTS + 1) + WIRE_MAX_LVS];
static int nfs, nmounts;
static char boot_spec[WIRE_MAX_DISKS * (MAX_PARTS + 1) + WIRE_MAX_LVS][WIRE_VALUE_MAX];

/* Run ARGV with stdout into OUT (at most CAP-1 bytes, NUL-terminated) and
 * stderr to /dev/null; its exit status, or -1. */
static int run_capture(char *const argv[], char *out, size_t cap)
{
	size_t got = 0;
	int p[2], st;
	pid_t pid;

	out[0] = '\0';
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		dup2(null, 0);
		dup2(p[1], 1);
		dup2(null, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	for (;;) {
		char drop[4096];
		ssize_t n = got < cap - 1 ? read(p[0], out + got, cap - 1 - got) : read(p[0], drop, sizeof drop);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (got < cap - 1)
			got += (size_t)n;
	}
	out[got] = '\0';
	close(p[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int modprobe(const char *mod)
{
	char *const argv[] = { "/sbin/modprobe", "-q", (char *)mod, NULL };
	char out[64];

	return run_capture(argv, out, sizeof out) == 0 ? 0 : -1;
}

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

/* How a filesystem type is mounted read-only without replaying its log:
 * the driver, its module and its options.  NULL driver: not mounted. */
struct fsmount {
	const char *type, *driver, *module, *options;
	const char *extra;     /* a module the driver asks for when mounting */
};

static const struct fsmount fsmounts[] = {
	/* ext2 and ext3 go through the ext4 driver, already loaded. */
	{ .type = "ext2", .driver = "ext4", .options = "noload" },
	{ .type = "ext3", .driver = "ext4", .options = "noload" },
	{ .type = "ext4", .driver = "ext4", .options = "noload" },
	{ .type = "xfs", .driver = "xfs", .module = "xfs", .options = "norecovery" },
	{ .type = "btrfs", .driver = "btrfs", .module = "btrfs" },
	/* vfat wants its code page and character set (ascii by default). */
	{ .type = "vfat", .driver = "vfat", .module = "vfat", .extra = "nls_cp437 nls_ascii" },
	{ .type = "iso9660", .driver = "iso9660", .module = "isofs" },
	{ .type = "udf", .driver = "udf", .module = "udf" },
	{ .type = "squashfs", .driver = "squashfs", .module = "squashfs" },
	/* Debian's kernel has no ntfs3; it is named for kernels that do. */
	{ .type = "ntfs", .driver = "ntfs3", .module = "ntfs3" },
};

static const struct fsmount *fsmount_find(const char *type)
{
	for (size_t i = 0; i < sizeof fsmounts / sizeof fsmounts[0]; i++)
		if (!strcmp(fsmounts[i].type, type))
			return &fsmounts[i];
	return NULL;
}

/* Mount DEV read-only at a fresh directory; returns an O_PATH descriptor
 * of its root, or -1 with the reason recorded. */
static int fs_mount(const struct fsinfo *f, char *mp, size_t mplen)
{
	const struct fsmount *m = fsmount_find(f->type);
	int fd;

	if (!m)
		return -1;
	if (nmounts >= MAX_MOUNTS) {
		rec("fs", f->id, "mount", "not mounted: too many filesystems");
		return -1;
	}
	if (m->module && !kernel_has_fs(m->driver)) {
		modprobe(m->module);
		if (m->extra) {
			char extra[64], *save = NULL;

			snprintf(extra, sizeof extra, "%s", m->extra);
			for (char *t = strtok_r(extra, " ", &save); t; t = strtok_r(NULL, " ", &save))
				modprobe(t);
		}
	}
	if (!kernel_has_fs(m->driver)) {
		recf("fs", f->id, "mount", "not mounted: the appliance's kernel has no %s driver", m->driver);
		return -1;
	}
	snprintf(mp, mplen, "/tmp/inspect/%d", nmounts++);
	mkdir("/tmp/inspect", 0700);
	mkdir(mp, 0700);
	if (mount(f->dev, mp, m->driver, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME,
		  m->options) < 0) {
		recf("fs", f->id, "mount", "not mounted: %s", strerror(errno));
		rmdir(mp);
		return -1;
	}
	fd = open(mp, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		umount2(mp, MNT_DETACH);
		rmdir(mp);
	}
	return fd;
}

static void fs_unmount(const char *mp, int fd)
{
	close(fd);
	umount2(mp, MNT_DETACH);
	rmdir(mp);
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

/* What is on one device: a filesystem, swap, LUKS, an LVM PV... */
static void probe_fs(struct fsinfo *f)
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
			rec("fs", f->id, "type", f->type);
			if (usage[0])
				rec("fs", f->id, "usage", usage);
			if (f->uuid[0])
				rec("fs", f->id, "uuid", f->uuid);
			if (f->label[0])
				rec("fs", f->id, "label", f->label);
			if (version[0])
				rec("fs", f->id, "version", version);
			/* LUKS and the like: reported, never opened. */
			if (!strcmp(usage, "crypto"))
				rec("fs", f->id, "encrypted", "1");
		}
	}
	blkid_free_probe(pr);
}

static int is_os_root(int root)
{
	return exists_in(root, "etc/os-release") || exists_in(root, "usr/lib/os-release") ||
	       (exists_in(root, "etc/fstab") && (exists_in(root, "bin/sh") || exists_in(root, "usr/bin/ls")));
}

/* fstab's entries, and the spec of the filesystem it mounts at /boot. */
static void fstab(int root, const char *id, char *boot, size_t bootlen)
{
	static char buf[SMALL_FILE];
	int n = 0;

	boot[0] = '\0';
	if (read_in(root, "etc/fstab", buf, sizeof buf) < 0)
		return;
	for (char *l = strtok(buf, "\n"); l && n < MAX_FSTAB; l = strtok(NULL, "\n")) {
		char *f[4];
		int nf = 0;

		l += strspn(l, " \t");
		if (*l == '#' || !*l)
			continue;
		for (char *s = l; nf < 4 && *s; ) {
			f[nf++] = s;
			s += strcspn(s, " \t");
			if (*s)
				*s++ = '\0';
			s += strspn(s, " \t");
		}
		if (nf < 3)
			continue;
		printf("os\t%s\tfstab\t", id);
		for (int i = 0; i < 4; i++) {
			const char *v = i < nf ? f[i] : "";

			if (i)
				putchar('\t');
			put_value(v, strlen(v));
		}
		putchar('\n');
		if (!strcmp(f[1], "/boot"))
			snprintf(boot, bootlen, "%s", f[0]);
		n++;
	}
}

static void inspect_os(int root, const struct fsinfo *f, int idx)
{
	rec("os", f->id, "root", f->id);
	os_release(root, f->id);
	hostname(root, f->id);
	arch(root, f->id);
	packages(root, f->id);
	fstab(root, f->id, boot_spec[idx], sizeof boot_spec[idx]);
	if (kernels_in(root, "boot", f->id) > 0)
		boot_spec[idx][0] = '\0';
}

static void inspect_fs(int idx)
{
	struct fsinfo *f = &fss[idx];
	struct statvfs sv;
	char mp[64];
	int root;

	probe_fs(f);
	if (!f->type[0] || !fsmount_find(f->type))
		return;
	root = fs_mount(f, mp, sizeof mp);
	if (root < 0)
		return;
	rec("fs", f->id, "mount", "ok");
	if (fstatvfs(root, &sv) == 0) {
		recf("fs", f->id, "size", "%llu", (unsigned long long)sv.f_blocks * sv.f_frsize);
		recf("fs", f->id, "used", "%llu",
		     (unsigned long long)(sv.f_blocks - sv.f_bfree) * sv.f_frsize);
	}
	if (is_os_root(root))
		inspect_os(root, f, idx);
	fs_unmount(mp, root);
}

/* A /boot in fstab, found among the filesystems by UUID=, LABEL=,
 * PARTUUID=, PARTLABEL= or, failing those, nothing: device names in the
 * guest's fstab mean nothing here. */
static void separate_boot(int idx)
{
	const char *spec = boot_spec[idx];
	char mp[64];

	for (int i = 0; i < nfs; i++) {
		const struct fsinfo *b = &fss[i];
		int root;

		if (!((!strncmp(spec, "UUID=", 5) && b->uuid[0] && !strcasecmp(spec + 5, b->uuid)) ||
		      (!strncmp(spec, "LABEL=", 6) && b->label[0] && !strcmp(spec + 6, b->label)) ||
		      (!strncmp(spec, "PARTUUID=", 9) && b->partuuid[0] && !strcasecmp(spec + 9, b->partuuid)) ||
		      (!strncmp(spec, "PARTLABEL=", 10) && b->partlabel[0] && !strcmp(spec + 10, b->partlabel))))
			continue;
		root = fs_mount(b, mp, sizeof mp);
		if (root < 0)
			return;
		kernels_in(root, ".", fss[idx].id);
		fs_unmount(mp, root);
		return;
	}
}

static struct fsinfo *new_fs(const char *id, const char *dev)
{
	struct fsinfo *f;

	if (nfs >= (int)(sizeof fss / sizeof fss[0]))
		return NULL;
	f = &fss[nfs++];
	memset(f, 0, sizeof *f);
	snprintf(f->id, sizeof f->id, "%s", id);
	snprintf(f->dev, sizeof f->dev, "%s", dev);
	return f;
}

/* The partition table and its entries.  The filesystems are looked for
 * on the partitions the kernel made devices of. */
static void inspect_disk(int n)
{
	char link[64], dev[64], id[16];
	blkid_probe pr;
	blkid_partlist pl;
	blkid_parttable pt;
	uint64_t size = 0;
	ssize_t len;
	int fd, nparts;

	snprintf(link, sizeof link, "/dev/disk/leanboot/%d", n);
	len = readlink(link, dev, sizeof dev - 1);
	if (len <= 0)
		return;
	dev[len] = '\0';
	snprintf(id, sizeof id, "%d", n);
	fd = open(dev, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ioctl(fd, BLKGETSIZE64, &size);
		close(fd);
	}
	recf("disk", id, "size", "%llu", (unsigned long long)size);

	pr = blkid_new_probe_from_filename(dev);
	if (!pr) {
		rec("disk", id, "partition_table", "none");
		return;
	}
	blkid_probe_enable_partitions(pr, 1);
	blkid_probe_set_partitions_flags(pr, BLKID_PARTS_ENTRY_DETAILS);
	blkid_probe_enable_superblocks(pr, 0);
	pl = blkid_probe_get_partitions(pr);
	pt = pl ? blkid_partlist_get_table(pl) : NULL;
	if (!pt) {
		blkid_free_probe(pr);
		rec("disk", id, "partition_table", "none");
		{
			struct fsinfo *f = new_fs(id, dev);

			if (f)
				inspect_fs(nfs - 1);
		}
		return;
	}
	rec("disk", id, "partition_table", blkid_parttable_get_type(pt));
	nparts = blkid_partlist_numof_partitions(pl);
	if (nparts > MAX_PARTS) {
		recf("disk", id, "partitions_omitted", "%d", nparts - MAX_PARTS);
		nparts = MAX_PARTS;
	}
	for (int i = 0; i < nparts; i++) {
		blkid_partition p = blkid_partlist_get_partition(pl, i);
		int no = blkid_partition_get_partno(p);
		const char *s;
		char pdev[80];
		struct fsinfo *f;

		if (no < 1)
			continue;
		snprintf(id, sizeof id, "%d.%d", n, no);
		recf("part", id, "start", "%llu", (unsigned long long)blkid_partition_get_start(p) * 512);
		recf("part", id, "size", "%llu", (unsigned long long)blkid_partition_get_size(p) * 512);
		if ((s = blkid_partition_get_type_string(p)))
			rec("part", id, "type", s);
		else
			recf("part", id, "type", "0x%02x", blkid_partition_get_type(p));
		if ((s = blkid_partition_get_name(p)) && *s)
			rec("part", id, "name", s);
		if ((s = blkid_partition_get_uuid(p)) && *s)
			rec("part", id, "uuid", s);
		/* An extended partition holds the logical ones, nothing else. */
		if (blkid_partition_is_extended(p))
			continue;
		snprintf(pdev, sizeof pdev, "%s%d", dev, no);
		if (access(pdev, F_OK) != 0)
			continue;
		f = new_fs(id, pdev);
		if (!f)
			break;
		if ((s = blkid_partition_get_uuid(p)))
			snprintf(f->partuuid, sizeof f->partuuid, "%s", s);
		if ((s = blkid_partition_get_name(p)))
			snprintf(f->partlabel, sizeof f->partlabel, "%s", s);
	}
	blkid_free_probe(pr);
}

/* --- LVM ------------------------------------------------------------- */

/* Activate the volume groups on the disks read-only and look at each
 * logical volume as at a partition.  lvm itself is told to keep no
 * backups or caches and to do without udev; the activation is read-only
 * (read_only_volume_list), over devices that are read-only anyway. */
static void inspect_lvm(void)
{
	static const char *const lvm_paths[] = { "/usr/sbin/lvm", "/sbin/lvm" };
	static char out[64 << 10], cfg[16 << 10];
	const char *lvm = NULL;
	int have_pv = 0, nlv = 0;
	size_t o;

	for (int i = 0; i < nfs; i++)
		have_pv |= !strcmp(fss[i].type, "LVM2_member");
	for (size_t i = 0; i < sizeof lvm_paths / sizeof lvm_paths[0] && !lvm; i++)
		if (access(lvm_paths[i], X_OK) == 0)
			lvm = lvm_paths[i];
	if (!have_pv || !lvm)
		return;
	modprobe("dm_mod");
	o = (size_t)snprintf(cfg, sizeof cfg,
			     "backup { backup = 0 archive = 0 } "
			     "devices { obtain_device_list_from_udev = 0 write_cache_state = 0 scan_lvs = 0 } "
			     "activation { udev_sync = 0 udev_rules = 0 monitoring = 0");
	{
		char *const vgs[] = { (char *)lvm, "vgs", "--noheadings", "-o", "vg_name",
				      "--config", cfg, NULL };
		char *save = NULL;
		int n = 0;

		/* The base configuration, to list the VGs by name. */
		snprintf(cfg + o, sizeof cfg - o, " }");
		if (run_capture(vgs, out, sizeof out) != 0)
			return;
		o += (size_t)snprintf(cfg + o, sizeof cfg - o, " read_only_volume_list = [");
		for (char *t = strtok_r(out, " \n", &save); t && n < WIRE_MAX_LVS; t = strtok_r(NULL, " \n", &save))
			if (wire_lvm_name_ok(t, strlen(t)) && o + strlen(t) + 8 < sizeof cfg)
				o += (size_t)snprintf(cfg + o, sizeof cfg - o, "%s\"%s\"", n++ ? ", " : " ", t);
		if (!n)
			return;
		snprintf(cfg + o, sizeof cfg - o, " ] }");
	}
	{
		char *const act[] = { (char *)lvm, "vgchange", "-ay", "--noudevsync", "--config", cfg, NULL };
		char *const lvs[] = { (char *)lvm, "lvs", "--noheadings", "--separator", "/", "--units", "b",
				      "--nosuffix", "-o", "vg_name,lv_name,lv_size", "--config", cfg, NULL };
		char *save = NULL;

		run_capture(act, out, sizeof out);
		if (run_capture(lvs, out, sizeof out) != 0)
			return;
		for (char *l = strtok_r(out, "\n", &save); l && nlv < WIRE_MAX_LVS; l = strtok_r(NULL, "\n", &save)) {
			char *vg = l + strspn(l, " "), *lv, *size, id[256], dev[300], *d;
			struct fsinfo *f;

			if (!(lv = strchr(vg, '/')) || !(size = strchr(lv + 1, '/')))
				continue;
			*lv++ = '\0';
			*size++ = '\0';
			if (!wire_lvm_name_ok(vg, strlen(vg)) || !wire_lvm_name_ok(lv, strlen(lv)) || strspn(size, "0123456789") != strlen(size))
				continue;
			snprintf(id, sizeof id, "%s/%s", vg, lv);
			rec("lv", id, "size", size);
			/* Device-mapper's name: VG-LV with each '-' doubled. */
			d = dev + snprintf(dev, sizeof dev, "/dev/mapper/");
			for (const char *s = id; *s; s++) {
				if (*s == '-')
					*d++ = '-';
				*d++ = *s == '/' ? '-' : *s;
			}
			*d = '\0';
			if (access(dev, F_OK) != 0) {
				rec("lv", id, "inactive", "1");
				continue;
			}
			nlv++;
			if ((f = new_fs(id, dev)))
				inspect_fs(nfs - 1);
		}
	}
}

int main(void)
{
	int first = nfs;

	/* Records go out in whole lines; a full buffer flushes on its own. */
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	for (int n = 0; n < WIRE_MAX_DISKS; n++) {
		first = nfs;
		inspect_disk(n);
		/* Partitions were collected; look at each one's filesystem. */
		for (int i = first; i < nfs; i++)
			if (strchr(fss[i].id, '.'))
				inspect_fs(i);
	}
	inspect_lvm();
	for (int i = 0; i < nfs; i++)
		if (boot_spec[i][0])
			separate_boot(i);
	fflush(stdout);
	return 0;
}
