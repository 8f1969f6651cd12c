/* inspect-linux: the facts of a Linux root, as os-release, the package
 * databases, fstab and the ELF headers of its programs give them.  The
 * distribution is os-release's ID as written: the host, not this file,
 * knows which IDs it knows. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inspect.h"

#define MAX_KERNELS 64
#define MAX_FSTAB 128
#define STATUS_MAX (256u << 20) /* dpkg's status file, read as a stream */

int insp_linux_root(int root)
{
	int fd;

	if (insp_exists(root, "etc/os-release") || insp_exists(root, "usr/lib/os-release"))
		return 1;
	/* etc/os-release as a link into a /usr that is another filesystem. */
	fd = insp_open(root, "etc/os-release", O_PATH | O_NOFOLLOW);
	if (fd >= 0) {
		close(fd);
		return 1;
	}
	return insp_exists(root, "etc/fstab") && (insp_exists(root, "bin/sh") || insp_exists(root, "usr/bin/ls"));
}

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

static char *next_line(char *line)
{
	char *nl = strchr(line, '\n');

	return nl ? nl + 1 : NULL;
}

/* "12", "24.04", "3.19.1", "7.9.2009": the first two numbers, or 0 if
 * S does not start with one. */
static int parse_version(const char *s, unsigned long *major, unsigned long *minor, int *has_minor)
{
	char *end;

	if (*s < '0' || *s > '9')
		return 0;
	*major = strtoul(s, &end, 10);
	*has_minor = 0;
	*minor = 0;
	if (*end == '.' && end[1] >= '0' && end[1] <= '9') {
		*minor = strtoul(end + 1, NULL, 10);
		*has_minor = 1;
	}
	return *major < 1000000000 && *minor < 1000000000;
}

/* Where a distribution keeps its full version when os-release gives only
 * the major one, and the word before it there. */
static const struct release_file {
	const char *id, *path, *after;
} release_files[] = {
	{ "debian", "etc/debian_version", "" },
	{ "centos", "etc/centos-release", "release " },
	{ "rocky", "etc/rocky-release", "release " },
	{ "rhel", "etc/redhat-release", "release " },
	{ "almalinux", "etc/almalinux-release", "release " },
};

static void version(const struct insp_os *os, const char *id, const char *version_id)
{
	static char buf[4096];
	unsigned long major, minor, m2, n2;
	int has_minor, h2;

	if (!version_id[0] || !parse_version(version_id, &major, &minor, &has_minor))
		return;
	for (size_t i = 0; !has_minor && i < sizeof release_files / sizeof release_files[0]; i++) {
		const struct release_file *r = &release_files[i];
		const char *p;

		if (strcmp(r->id, id) || insp_os_read(os, r->path, buf, sizeof buf) < 0)
			continue;
		p = r->after[0] ? strstr(buf, r->after) : buf;
		if (p && parse_version(p + strlen(r->after), &m2, &n2, &h2) && m2 == major && h2) {
			minor = n2;
			has_minor = 1;
		}
	}
	insp_recf("os", os->id, "major_version", "%lu", major);
	insp_recf("os", os->id, "minor_version", "%lu", minor);
}

static void os_release(const struct insp_os *os)
{
	static const char *const keys[][2] = {
		{ "ID", "id" }, { "VERSION_ID", "version_id" }, { "NAME", "name" },
		{ "PRETTY_NAME", "pretty_name" }, { "VERSION_CODENAME", "codename" },
		{ "ID_LIKE", "id_like" }, { "BUILD_ID", "build_id" }, { "VARIANT_ID", "variant_id" },
	};
	static char buf[INSP_SMALL_FILE];
	char val[WIRE_VALUE_MAX], id[WIRE_VALUE_MAX] = "", version_id[WIRE_VALUE_MAX] = "";

	if (insp_os_read(os, "etc/os-release", buf, sizeof buf) < 0 &&
	    insp_os_read(os, "usr/lib/os-release", buf, sizeof buf) < 0) {
		insp_rec("os", os->id, "note", "no os-release: the distribution is not named");
		return;
	}
	for (char *line = buf; line && *line; line = next_line(line))
		for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
			if (osr_value(line, keys[k][0], val, sizeof val) && val[0]) {
				insp_rec("os", os->id, keys[k][1], val);
				if (!strcmp(keys[k][0], "ID"))
					snprintf(id, sizeof id, "%s", val);
				else if (!strcmp(keys[k][0], "VERSION_ID"))
					snprintf(version_id, sizeof version_id, "%s", val);
			}
	version(os, id, version_id);
}

static void hostname(const struct insp_os *os)
{
	/* systemd's, then SUSE's before it. */
	static const char *const files[] = { "etc/hostname", "etc/HOSTNAME" };
	static char buf[INSP_SMALL_FILE];
	char val[WIRE_VALUE_MAX];

	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
		if (insp_read(os->root, files[i], buf, sizeof buf) >= 0) {
			buf[strcspn(buf, "\n")] = '\0';
			if (buf[0]) {
				insp_rec("os", os->id, "hostname", buf);
				return;
			}
		}
	/* Red Hat before systemd. */
	if (insp_read(os->root, "etc/sysconfig/network", buf, sizeof buf) >= 0)
		for (char *l = buf; l; l = next_line(l))
			if (osr_value(l, "HOSTNAME", val, sizeof val) && val[0]) {
				insp_rec("os", os->id, "hostname", val);
				return;
			}
}

/* The architecture the userland was built for, from an ELF header. */
static void arch(const struct insp_os *os)
{
	static const char *const bins[] = { "bin/sh", "usr/bin/ls", "bin/ls", "usr/bin/sh" };
	unsigned char h[20];

	for (size_t i = 0; i < sizeof bins / sizeof bins[0]; i++) {
		int fd = insp_os_open_file(os, bins[i]);
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
			insp_rec("os", os->id, "arch", a);
		else
			insp_recf("os", os->id, "arch", "unknown-elf-machine-%u", mach);
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
static long count_lines(const struct insp_os *os, const char *path, int (*is_one)(char *line))
{
	char line[4096];
	long count = 0;
	size_t total = 0;
	FILE *f;
	int fd = insp_os_open_file(os, path);

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

static void packages(const struct insp_os *os)
{
	long n;

	if (insp_os_exists(os, "var/lib/dpkg/status")) {
		insp_rec("os", os->id, "package_format", "deb");
		if ((n = count_lines(os, "var/lib/dpkg/status", dpkg_installed)) >= 0)
			insp_recf("os", os->id, "packages", "%ld", n);
		return;
	}
	if (insp_os_exists(os, "lib/apk/db/installed")) {
		insp_rec("os", os->id, "package_format", "apk");
		if ((n = count_lines(os, "lib/apk/db/installed", apk_package)) >= 0)
			insp_recf("os", os->id, "packages", "%ld", n);
		return;
	}
	insp_rpm(os);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* vmlinuz-* in DIR of the filesystem at ROOT, sorted; how many. */
static int kernels_in(int root, const char *dir, const char *id)
{
	char *names[MAX_KERNELS];
	int n = 0, fd = insp_open(root, dir, O_RDONLY | O_DIRECTORY);
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
		insp_rec("os", id, "kernel", names[i]);
		free(names[i]);
	}
	return n;
}

/* fstab's entries, and the specs of the filesystems it mounts at /boot
 * and /usr. */
static void fstab(const struct insp_os *os, char *boot, char *usr, size_t len)
{
	static char buf[INSP_SMALL_FILE];
	int n = 0;

	boot[0] = usr[0] = '\0';
	if (insp_read(os->root, "etc/fstab", buf, sizeof buf) < 0)
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
		printf("os\t%s\tfstab\t", os->id);
		for (int i = 0; i < 4; i++) {
			const char *v = i < nf ? f[i] : "";

			if (i)
				putchar('\t');
			insp_value(v, strlen(v));
		}
		putchar('\n');
		if (!strcmp(f[1], "/boot"))
			snprintf(boot, len, "%s", f[0]);
		else if (!strcmp(f[1], "/usr"))
			snprintf(usr, len, "%s", f[0]);
		n++;
	}
}

/* The filesystem fstab names by SPEC, mounted; -1 with a note if it is
 * on none of the disks. */
static int mount_spec(const struct insp_os *os, const char *spec, const char *what, char *mp,
		      size_t mplen, struct insp_fs **found)
{
	struct insp_fs *f = insp_find_spec(spec);

	*found = f;
	if (!f) {
		insp_recf("os", os->id, "note", "fstab mounts %s from %s, which is on none of the disks",
			  what, spec);
		return -1;
	}
	return insp_mount(f, NULL, mp, mplen);
}

void insp_linux(struct insp_os *os)
{
	static char boot[WIRE_VALUE_MAX], usr[WIRE_VALUE_MAX];
	char usr_mp[64], boot_mp[64];
	struct insp_fs *found;

	insp_rec("os", os->id, "type", "linux");
	fstab(os, boot, usr, sizeof boot);
	os->usr = -1;
	if (usr[0] && (os->usr = mount_spec(os, usr, "/usr", usr_mp, sizeof usr_mp, &found)) >= 0)
		insp_rec("os", os->id, "usr", found->id);
	os_release(os);
	hostname(os);
	arch(os);
	packages(os);
	if (kernels_in(os->root, "boot", os->id) == 0 && boot[0]) {
		int b = mount_spec(os, boot, "/boot", boot_mp, sizeof boot_mp, &found);

		if (b >= 0) {
			kernels_in(b, ".", os->id);
			insp_unmount(boot_mp, b);
		}
	}
	if (os->usr >= 0)
		insp_unmount(usr_mp, os->usr);
	os->usr = -1;
}
