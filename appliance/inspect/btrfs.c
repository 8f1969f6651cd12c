/* inspect-btrfs: a btrfs filesystem's subvolumes, listed through
 * libbtrfsutil from its top level (subvolid=5), and an OS root looked
 * for in each: Fedora's "root", openSUSE's "@" and its default snapshot.
 * Each is mounted read-only by ID (subvolid=), since a path may hold any
 * byte but the mount options' separators.  Snapshots (.snapshots) are
 * listed, not inspected, except the default subvolume, which is what
 * the system boots. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <btrfsutil.h>

#include "inspect.h"

/* libbtrfsutil's functions, loaded when a btrfs filesystem is found. */
#define BTRFS_FNS(X) X(get_default_subvolume_fd) X(create_subvolume_iterator_fd) \
	X(subvolume_iterator_next) X(destroy_subvolume_iterator) X(subvolume_id_fd) X(strerror)
#define BTRFS_FIELD(f) __typeof__(btrfs_util_##f) *f;
static struct { BTRFS_FNS(BTRFS_FIELD) } bu;

static int btrfsutil_load(const char **why)
{
	static void *h;

#define BTRFS_LOAD(f) INSP_DLSYM(h, bu, "btrfs_util_", f, why) &&
	if (h)
		return 0;
	h = insp_dlopen("libbtrfsutil.so.1", why);
	return h && BTRFS_FNS(BTRFS_LOAD) 1 ? 0 : -1;
}

static int is_snapshot(const char *path)
{
	return !strncmp(path, ".snapshots/", 11) || strstr(path, "/.snapshots/") != NULL;
}

/* The subvolume ID of F mounted and looked at for an OS; 1 if one is
 * there. */
static int subvolume(struct insp_fs *f, uint64_t id, const char *path)
{
	char opts[64], mp[64], osid[300];
	int root, found;

	snprintf(opts, sizeof opts, "subvolid=%llu", (unsigned long long)id);
	root = insp_mount(f, opts, mp, sizeof mp);
	if (root < 0)
		return 0;
	snprintf(osid, sizeof osid, "%s#%llu", f->id, (unsigned long long)id);
	found = insp_os_at(f, osid, root);
	if (found)
		insp_rec(IK_OS_SUBVOLUME, osid, path);
	insp_unmount(mp, root);
	return found;
}

int insp_btrfs(struct insp_fs *f, int top)
{
	struct btrfs_util_subvolume_iterator *it = NULL;
	struct { uint64_t id; char *path; } subs[INSP_MAX_SUBVOLS];
	uint64_t def = 0;
	int n = 0, more = 0, snaps = 0, oss = 0;
	enum btrfs_util_error e;
	char *path;
	uint64_t id;
	const char *why = "";
	int fd;

	if (btrfsutil_load(&why) < 0) {
		insp_recf(IK_FS_NOTE, f->id, "subvolumes not listed: %s", why);
		return 0;
	}
	fd = insp_open(top, ".", O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return 0;
	bu.get_default_subvolume_fd(fd, &def);
	e = bu.create_subvolume_iterator_fd(fd, 5, 0, &it);
	if (e) {
		insp_recf(IK_FS_NOTE, f->id, "subvolumes not listed: %s", bu.strerror(e));
		close(fd);
		return 0;
	}
	while ((e = bu.subvolume_iterator_next(it, &path, &id)) == BTRFS_UTIL_OK) {
		if (n >= INSP_MAX_SUBVOLS) {
			more++;
			free(path);
			continue;
		}
		char num[24];

		snprintf(num, sizeof num, "%llu", (unsigned long long)id);
		insp_rec_start(IK_FS_SUBVOLUME, f->id);
		insp_field(num);
		insp_field(path);
		insp_rec_end();
		subs[n].id = id;
		subs[n++].path = path;
	}
	if (e != BTRFS_UTIL_ERROR_STOP_ITERATION)
		insp_recf(IK_FS_NOTE, f->id, "subvolumes listed in part: %s", bu.strerror(e));
	bu.destroy_subvolume_iterator(it);
	close(fd);
	if (more)
		insp_recf(IK_FS_NOTE, f->id, "%d more subvolumes neither listed nor inspected", more);
	for (int i = 0; i < n; i++) {
		if (is_snapshot(subs[i].path) && subs[i].id != def)
			snaps++;
		else
			oss += subvolume(f, subs[i].id, subs[i].path);
		free(subs[i].path);
	}
	if (snaps)
		insp_recf(IK_FS_NOTE, f->id, "%d snapshot subvolume%s listed, not inspected", snaps,
			  snaps == 1 ? "" : "s");
	return oss;
}

int insp_btrfs_subvol_id(struct insp_fs *f, const char *path, char *out, size_t len)
{
	const char *why = "";
	char mp[64];
	uint64_t id;
	int top, fd, r = -1;

	if (btrfsutil_load(&why) < 0 || (top = insp_mount(f, "subvolid=5", mp, sizeof mp)) < 0)
		return -1;
	path += strspn(path, "/");
	fd = insp_open(top, path[0] ? path : ".", O_RDONLY | O_DIRECTORY);
	if (fd >= 0 && bu.subvolume_id_fd(fd, &id) == BTRFS_UTIL_OK) {
		snprintf(out, len, "%s#%llu", f->id, (unsigned long long)id);
		r = 0;
	}
	if (fd >= 0)
		close(fd);
	insp_unmount(mp, top);
	return r;
}
