/* os: which operating system a mounted root holds, if any, and its
 * facts read: the root of a filesystem, or of one of its btrfs
 * subvolumes (subvols.c). */
#define _GNU_SOURCE
#include "inspect.h"

int insp_os_at(struct insp_fs *f, const char *id, int root)
{
	struct insp_os os = { .id = id, .root = root, .usr = -1, .var = -1, .fs = f };
	char sysroot[256];
	const struct insp_bsd *bsd;

	/* A BSD's root would pass for a Linux one: it is looked for
	 * first, as virt-inspector does. */
	if ((bsd = insp_bsd_root(root))) {
		insp_rec(IK_OS_ROOT, id, id);
		insp_bsd(&os, bsd);
		return 1;
	}
	if (insp_windows_root(root, sysroot, sizeof sysroot)) {
		insp_rec(IK_OS_ROOT, id, id);
		insp_windows(&os, sysroot);
		return 1;
	}
	if (insp_linux_root(root)) {
		insp_rec(IK_OS_ROOT, id, id);
		insp_linux(&os);
		return 1;
	}
	return 0;
}
