/* subvols: a btrfs filesystem's subvolumes, listed through
 * libbtrfsutil from its top level (subvolid=5), and an OS root looked
 * for in each: Fedora's "root", openSUSE's "@" and its default snapshot.
 * Each is mounted read-only by ID (subvolid=), since a path may hold any
 * byte but the mount options' separators.  Snapshots (.snapshots) are
 * listed, not inspected, except the default subvolume, which is what
 * the system boots. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inspect.h"
#include "btrfs.h"

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

	if (insp_btrfsutil_load(&why) < 0) {
		insp_recf(IK_FS_NOTE, f->id, "subvolumes not listed: %s", why);
		return 0;
	}
	fd = insp_open(top, ".", O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return 0;
	insp_btrfsutil.get_default_subvolume_fd(fd, &def);
	e = insp_btrfsutil.create_subvolume_iterator_fd(fd, 5, 0, &it);
	if (e) {
		insp_recf(IK_FS_NOTE, f->id, "subvolumes not listed: %s", insp_btrfsutil.strerror(e));
		close(fd);
		return 0;
	}
	while ((e = insp_btrfsutil.subvolume_iterator_next(it, &path, &id)) == BTRFS_UTIL_OK) {
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
		insp_recf(IK_FS_NOTE, f->id, "subvolumes listed in part: %s", insp_btrfsutil.strerror(e));
	insp_btrfsutil.destroy_subvolume_iterator(it);
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
