/* mksubvol DIR NAME...: make the btrfs subvolumes NAME in DIR, with the
 * kernel's BTRFS_IOC_SUBVOL_CREATE.
 * mksubvol -d PATH: make the subvolume at PATH the filesystem's default
 * (BTRFS_IOC_DEFAULT_SUBVOL), as openSUSE does with its root snapshot.
 * Static, so that the appliance runs it as it comes (through the
 * channel's stdin): the inspect tests make a btrfs image with subvolumes
 * without carrying btrfs-progs in every user's appliance, and Debian 12's
 * mkfs.btrfs cannot make them. */
#include <fcntl.h>
#include <linux/btrfs.h>
#include <linux/btrfs_tree.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* The subvolume PATH is the root of becomes the default. */
static int set_default(const char *path)
{
	struct btrfs_ioctl_ino_lookup_args look = { .treeid = 0, .objectid = BTRFS_FIRST_FREE_OBJECTID };
	int fd = open(path, O_RDONLY | O_DIRECTORY);
	uint64_t id;

	if (fd < 0 || ioctl(fd, BTRFS_IOC_INO_LOOKUP, &look) < 0) {
		perror(path);
		return 1;
	}
	id = look.treeid;
	if (ioctl(fd, BTRFS_IOC_DEFAULT_SUBVOL, &id) < 0) {
		perror(path);
		return 1;
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	int dir;

	if (argc == 3 && !strcmp(argv[1], "-d"))
		return set_default(argv[2]);
	if (argc < 3) {
		fprintf(stderr, "usage: mksubvol DIR NAME... | mksubvol -d PATH\n");
		return 2;
	}
	dir = open(argv[1], O_RDONLY | O_DIRECTORY);
	if (dir < 0) {
		perror(argv[1]);
		return 1;
	}
	for (int i = 2; i < argc; i++) {
		struct btrfs_ioctl_vol_args args = { 0 };

		if (strlen(argv[i]) >= sizeof args.name) {
			fprintf(stderr, "mksubvol: %s: name too long\n", argv[i]);
			return 1;
		}
		strcpy(args.name, argv[i]);
		if (ioctl(dir, BTRFS_IOC_SUBVOL_CREATE, &args) < 0) {
			perror(argv[i]);
			return 1;
		}
	}
	close(dir);
	return 0;
}
