/* btrfs: libbtrfsutil, loaded when a btrfs filesystem is found, and the
 * ID of the subvolume at a path, which an fstab's subvol= names.  The
 * walk over a filesystem's subvolumes is in subvols.c. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "inspect.h"
#include "btrfs.h"

/* libbtrfsutil's functions, loaded when a btrfs filesystem is found. */
struct insp_btrfsutil insp_btrfsutil;

int insp_btrfsutil_load(const char **why)
{
	static void *h;

#define BTRFS_LOAD(f) INSP_DLSYM(h, insp_btrfsutil, "btrfs_util_", f, why) &&
	if (h)
		return 0;
	h = insp_dlopen("libbtrfsutil.so.1", why);
	return h && INSP_BTRFS_FNS(BTRFS_LOAD) 1 ? 0 : -1;
}

int insp_btrfs_subvol_id(struct insp_fs *f, const char *path, char *out, size_t len)
{
	const char *why = "";
	char mp[64];
	uint64_t id;
	int top, fd, r = -1;

	if (insp_btrfsutil_load(&why) < 0 || (top = insp_mount(f, "subvolid=5", mp, sizeof mp)) < 0)
		return -1;
	path += strspn(path, "/");
	fd = insp_open(top, path[0] ? path : ".", O_RDONLY | O_DIRECTORY);
	if (fd >= 0 && insp_btrfsutil.subvolume_id_fd(fd, &id) == BTRFS_UTIL_OK) {
		snprintf(out, len, "%s#%llu", f->id, (unsigned long long)id);
		r = 0;
	}
	if (fd >= 0)
		close(fd);
	insp_unmount(mp, top);
	return r;
}
