/* btrfs.h: libbtrfsutil's functions, which btrfs.c loads when a disk has
 * a btrfs filesystem, for btrfs.c and subvols.c. */
#ifndef LB_APPLIANCE_INSPECT_BTRFS_H
#define LB_APPLIANCE_INSPECT_BTRFS_H

#include <btrfsutil.h>

#define INSP_BTRFS_FNS(X) X(get_default_subvolume_fd) X(create_subvolume_iterator_fd) \
	X(subvolume_iterator_next) X(destroy_subvolume_iterator) X(subvolume_id_fd) X(strerror)
#define INSP_BTRFS_FIELD(f) __typeof__(btrfs_util_##f) *f;
struct insp_btrfsutil { INSP_BTRFS_FNS(INSP_BTRFS_FIELD) };
extern struct insp_btrfsutil insp_btrfsutil;

/* The library loaded, once: 0, or -1 with the reason in *WHY. */
int insp_btrfsutil_load(const char **why);

#endif
