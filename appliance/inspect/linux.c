/* linux: the facts of a Linux root, as os-release, the package
 * databases, fstab and the ELF headers of its programs give them.  The
 * distribution is os-release's ID as written: the host, not this file,
 * knows which IDs it knows. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "inspect.h"

#define MAX_KERNELS 64

/* Whether PATH is there as itself, a link (maybe into a /usr not
 * mounted yet) counting as there. */
static int present(int root, const char *path)
{
	int fd = insp_open(root, path, O_PATH | O_NOFOLLOW);

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

/* An os-release, or virt-inspector's test for any Linux root: /etc, a
 * /bin that is a directory or a link to usr/bin, and an fstab or a
 * hosts file.  CoreOS's root has neither, but names itself. */
int insp_linux_root(int root)
{
	char link[16];
	ssize_t n;

	if (present(root, "etc/os-release") || insp_exists(root, "usr/lib/os-release"))
		return 1;
	if (insp_is(root, "etc", S_IFDIR) && present(root, "etc/coreos/update.conf"))
		return 1;
	if (!insp_is(root, "etc", S_IFDIR) || (!present(root, "etc/fstab") && !present(root, "etc/hosts")))
		return 0;
	if (insp_is(root, "bin", S_IFDIR))
		return 1;
	n = readlinkat(root, "bin", link, sizeof link - 1);
	if (n < 0)
		return 0;
	link[n] = '\0';
	return !strcmp(link, "usr/bin") || !strcmp(link, "/usr/bin");
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
				insp_rec(IK_OS_HOSTNAME, os->id, buf);
				return;
			}
		}
	/* Red Hat before systemd. */
	if (insp_read(os->root, "etc/sysconfig/network", buf, sizeof buf) >= 0)
		for (char *l = buf; l; l = insp_next_line(l))
			if (insp_shell_value(l, "HOSTNAME", val, sizeof val) && val[0]) {
				insp_rec(IK_OS_HOSTNAME, os->id, val);
				return;
			}
}

void insp_elf_arch(const struct insp_os *os)
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
			insp_rec(IK_OS_ARCH, os->id, a);
		else
			insp_recf(IK_OS_ARCH, os->id, "unknown-elf-machine-%u", mach);
		return;
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
		insp_rec(IK_OS_KERNEL, id, names[i]);
		free(names[i]);
	}
	return n;
}

/* CoreOS keeps os-release and its programs on a /usr partition that no
 * fstab names: a filesystem on the disks whose top holds lib/os-release
 * and share/coreos.  Mounted at *MP; its descriptor, or -1. */
static int coreos_usr(const struct insp_os *os, char *mp, size_t mplen)
{
	for (int i = 0; i < insp_nfs; i++) {
		struct insp_fs *f = &insp_fss[i];
		int fd;

		if (f == os->fs || !insp_mountable(f->type) || !strcmp(f->type, "ntfs") || !strcmp(f->type, "vfat"))
			continue;
		if ((fd = insp_mount(f, NULL, mp, mplen)) < 0)
			continue;
		if (insp_exists(fd, "lib/os-release") && insp_is(fd, "share/coreos", S_IFDIR)) {
			insp_rec(IK_OS_USR, os->id, f->id);
			insp_mountpoint(os, "/usr", f->id);
			return fd;
		}
		insp_unmount(mp, fd);
	}
	return -1;
}

void insp_linux(struct insp_os *os)
{
	static struct insp_fstab sp;
	char usr_mp[64], var_mp[64], boot_mp[64];
	struct insp_fs *found;

	os->type = "linux";
	insp_rec(IK_OS_TYPE, os->id, os->type);
	insp_fstab(os, &sp);
	os->usr = os->var = -1;
	if (sp.usr[0] && (os->usr = insp_fstab_mount(os, sp.usr, "/usr", usr_mp, sizeof usr_mp, &found)) >= 0)
		insp_rec(IK_OS_USR, os->id, found->id);
	else if (!sp.usr[0] && present(os->root, "etc/coreos/update.conf"))
		os->usr = coreos_usr(os, usr_mp, sizeof usr_mp);
	if (sp.var[0])
		os->var = insp_fstab_mount(os, sp.var, "/var", var_mp, sizeof var_mp, &found);
	insp_release(os);
	hostname(os);
	insp_elf_arch(os);
	insp_packages(os);
	if (kernels_in(os->root, "boot", os->id) == 0 && sp.boot[0]) {
		int b = insp_fstab_mount(os, sp.boot, "/boot", boot_mp, sizeof boot_mp, &found);

		if (b >= 0) {
			kernels_in(b, ".", os->id);
			insp_unmount(boot_mp, b);
		}
	}
	if (os->var >= 0)
		insp_unmount(var_mp, os->var);
	if (os->usr >= 0)
		insp_unmount(usr_mp, os->usr);
	os->usr = os->var = -1;
}
