/* appliance-build: see appliance-build.h. */
#define _GNU_SOURCE
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <ftw.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plan/appliance-build.h"
#include "common/err.h"
#include "common/proc.h"
#include "common/strv.h"
#include "common/util.h"

/* Nothing in the appliance reads these, and in an initramfs every byte
 * is RAM and unpacking time. */
static const char *const prune_patterns[] = {
	"usr/share/doc", "usr/share/doc/*", "usr/share/man", "usr/share/man/*",
	"usr/share/info", "usr/share/info/*", "usr/share/locale", "usr/share/locale/*",
	"usr/lib/*/gconv", "usr/lib/*/gconv/*",
};

/* Module names in LIST: one a line, "boot" after the ones that reach the
 * root disk; '#' starts a comment. */
static int read_module_list(const char *list, int boot_only, struct strv *out)
{
	char line[256];
	FILE *f = fopen(list, "re");

	if (!f) {
		err_set(LB_EXIT_VM, "%s: %s", list, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof line, f)) {
		char name[128], tag[16] = "";
		int n;

		line[strcspn(line, "#\n")] = '\0';
		n = sscanf(line, "%127s %15s", name, tag);
		if (n < 1)
			continue;
		if (n == 2 && strcmp(tag, "boot")) {
			fclose(f);
			err_set(LB_EXIT_VM, "%s: '%s' is not a tag (only 'boot' is)", list, tag);
			return -1;
		}
		if (boot_only && n < 2)
			continue;
		if (strv_add(out, name) < 0) {
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	return 0;
}

/* The module files NAME needs, in load order, as modprobe resolves them
 * from modules.dep and softdeps under MODROOT ("": the host's), as
 * "insmod PATH" lines whose PATH starts with MODROOT. */
static int module_files(const char *name, const char *modroot, const char *kver, const char *tmp,
			struct strv *files)
{
	const char *host[] = { "modprobe", "--show-depends", "-S", kver, name, NULL };
	const char *other[] = { "modprobe", "--show-depends", "-d", modroot, "-S", kver, name, NULL };
	const char *const *argv = *modroot ? other : host;
	char line[PATH_MAX + 32];
	FILE *f;
	int r = 0;

	unlink(tmp);
	if (proc_run(argv, NULL, tmp) < 0)
		return -1;
	if (!(f = fopen(tmp, "re"))) {
		err_set(LB_EXIT_VM, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	while (r == 0 && fgets(line, sizeof line, f)) {
		char path[PATH_MAX];
		int dup = 0;

		/* "builtin NAME" lines need nothing copied. */
		if (sscanf(line, "insmod %4095s", path) != 1)
			continue;
		for (size_t i = 0; i < files->n; i++)
			dup |= !strcmp(files->v[i], path);
		if (!dup)
			r = strv_add(files, path);
	}
	fclose(f);
	return r;
}

/* Cut the signature off a module file.  The kernel checks an appended
 * signature on every load even when it does not insist on one, and under
 * TCG hashing a module (ext4.ko is 2 MiB) costs tens of milliseconds; an
 * unsigned module loads with a one-line notice and the kernel marked
 * tainted, which a throwaway appliance can bear.  Layout: the module, the
 * signature, a 12-byte trailer ending in its big-endian length, then the
 * marker. */
static int strip_signature(const char *path)
{
	static const char marker[] = "~Module signature appended~\n";
	const size_t ml = sizeof marker - 1, trailer = 12;
	unsigned char tail[sizeof marker - 1 + 12];
	struct stat st;
	uint32_t siglen;
	int fd = open(path, O_RDWR | O_CLOEXEC), r = -1;

	if (fd < 0 || fstat(fd, &st) < 0) {
		err_set(LB_EXIT_VM, "%s: %s", path, strerror(errno));
		goto out;
	}
	r = 0;
	if ((size_t)st.st_size < ml + trailer ||
	    pread(fd, tail, sizeof tail, st.st_size - (off_t)sizeof tail) != (ssize_t)sizeof tail ||
	    memcmp(tail + trailer, marker, ml))
		goto out;   /* not signed */
	siglen = (uint32_t)tail[8] << 24 | (uint32_t)tail[9] << 16 | (uint32_t)tail[10] << 8 | tail[11];
	if (siglen > (size_t)st.st_size - ml - trailer)
		goto out;   /* not a signature we understand: leave it */
	if (ftruncate(fd, st.st_size - (off_t)(ml + trailer + siglen)) < 0) {
		err_set(LB_EXIT_VM, "%s: %s", path, strerror(errno));
		r = -1;
	}
out:
	if (fd >= 0)
		close(fd);
	return r;
}

int appl_add_modules(const char *tree, const char *modroot, const char *kver, const char *list,
		     int boot_only, const char *log)
{
	size_t rl = strlen(modroot);
	static const char *const meta[] = { "modules.order", "modules.builtin",
					     "modules.builtin.modinfo" };
	struct strv names = { 0 }, files = { 0 };
	char *tmp = util_printf("%s.deps", log);
	int r = -1;

	if (!tmp || read_module_list(list, boot_only, &names) < 0)
		goto out;
	for (size_t i = 0; i < names.n; i++)
		if (module_files(names.v[i], modroot, kver, tmp, &files) < 0)
			goto out;
	for (size_t i = 0; i < files.n; i++) {
		const char *rel = strncmp(files.v[i], modroot, rl) ? files.v[i] : files.v[i] + rl;
		char *dst = util_printf("%s%s", tree, rel);
		int rr = dst ? util_install(files.v[i], dst, 0644) : -1;

		if (rr == 0)
			rr = strip_signature(dst);
		free(dst);
		if (rr < 0)
			goto out;
	}
	/* depmod wants the kernel's own lists beside the modules. */
	for (size_t i = 0; i < sizeof meta / sizeof meta[0]; i++) {
		char *src = util_printf("%s/lib/modules/%s/%s", modroot, kver, meta[i]);
		char *dst = util_printf("%s/lib/modules/%s/%s", tree, kver, meta[i]);
		int rr = src && dst && access(src, R_OK) == 0 ? util_install(src, dst, 0644) : 0;

		free(src);
		free(dst);
		if (rr < 0)
			goto out;
	}
	{
		const char *argv[] = { "depmod", "-b", tree, kver, NULL };

		if (proc_run(argv, NULL, log) < 0)
			goto out;
	}
	r = 0;
out:
	if (tmp)
		unlink(tmp);
	free(tmp);
	strv_free(&names);
	strv_free(&files);
	return r;
}

static unsigned long long tree_bytes;

static int add_size(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)path;
	(void)flag;
	(void)ftw;
	tree_bytes += (unsigned long long)st->st_blocks * 512 + 4096;
	return 0;
}

int appl_ext2(const char *tree, const char *out, const char *log)
{
	char size[32];
	const char *argv[] = { "mke2fs", "-q", "-t", "ext2", "-d", tree, "-F", out, size, NULL };

	tree_bytes = 0;
	if (nftw(tree, add_size, 16, FTW_PHYS | FTW_MOUNT) < 0) {
		err_set(LB_EXIT_VM, "%s: %s", tree, strerror(errno));
		return -1;
	}
	/* Half as much again, and 64 MiB, for what a job writes to the root
	 * (into the launch's overlay, never into this image). */
	snprintf(size, sizeof size, "%lluM", (tree_bytes * 3 / 2 >> 20) + 64);
	return proc_run(argv, NULL, log);
}

static int pruned(const char *rel)
{
	for (size_t i = 0; i < sizeof prune_patterns / sizeof prune_patterns[0]; i++)
		if (fnmatch(prune_patterns[i], rel, FNM_PATHNAME) == 0)
			return 1;
	return 0;
}

static int copy_data(struct archive *in, struct archive *out)
{
	char buf[65536];
	la_ssize_t n;

	while ((n = archive_read_data(in, buf, sizeof buf)) > 0)
		if (archive_write_data(out, buf, (size_t)n) != n)
			return -1;
	return n < 0 ? -1 : 0;
}

int appl_cpio(const char *tree, const char *out, int prune)
{
	struct archive *disk = archive_read_disk_new(), *w = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	size_t tl = strlen(tree);
	int r = -1, st;

	if (!disk || !w || !e) {
		err_set(LB_EXIT_VM, "out of memory");
		goto out;
	}
	archive_read_disk_set_symlink_physical(disk);
	/* newc keeps none of these; reading them is wasted work. */
	archive_read_disk_set_behavior(disk, ARCHIVE_READDISK_NO_XATTR | ARCHIVE_READDISK_NO_ACL |
					     ARCHIVE_READDISK_NO_FFLAGS);
	if (archive_write_set_format_cpio_newc(w) != ARCHIVE_OK ||
	    archive_write_open_filename(w, out) != ARCHIVE_OK ||
	    archive_read_disk_open(disk, tree) != ARCHIVE_OK) {
		err_set(LB_EXIT_VM, "%s: %s", out, archive_error_string(w) ? archive_error_string(w)
				      : archive_error_string(disk));
		goto out;
	}
	while ((st = archive_read_next_header2(disk, e)) == ARCHIVE_OK) {
		const char *path = archive_entry_pathname(e);
		const char *rel = path + (strncmp(path, tree, tl) ? 0 : tl);

		while (*rel == '/')
			rel++;
		if (prune && *rel && pruned(rel))
			continue;   /* not descended into either */
		archive_read_disk_descend(disk);
		if (!*rel)
			continue;   /* the tree's own directory is the rootfs */
		archive_entry_set_pathname(e, rel);
		/* Every file stands alone: the kernel's unpacker links entries
		 * with the same inode, which we would rather not rely on. */
		if (archive_entry_filetype(e) == AE_IFREG)
			archive_entry_set_nlink(e, 1);
		if (archive_write_header(w, e) != ARCHIVE_OK ||
		    (archive_entry_filetype(e) == AE_IFREG && archive_entry_size(e) > 0 &&
		     copy_data(disk, w) < 0)) {
			err_set(LB_EXIT_VM, "%s: %s: %s", out, rel,
				archive_error_string(w) ? archive_error_string(w)
							: archive_error_string(disk));
			goto out;
		}
	}
	if (st != ARCHIVE_EOF) {
		err_set(LB_EXIT_VM, "%s: %s", tree, archive_error_string(disk));
		goto out;
	}
	if (archive_write_close(w) != ARCHIVE_OK) {
		err_set(LB_EXIT_VM, "%s: %s", out, archive_error_string(w));
		goto out;
	}
	r = 0;
out:
	if (e)
		archive_entry_free(e);
	if (disk)
		archive_read_free(disk);
	if (w)
		archive_write_free(w);
	return r;
}
