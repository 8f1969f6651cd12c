/* mksubvol DIR NAME...: make the btrfs subvolumes NAME in DIR, with the
 * kernel's BTRFS_IOC_SUBVOL_CREATE.  Static, so that the appliance runs
 * it as it comes (through the channel's stdin): the inspect tests make a
 * btrfs image with subvolumes without carrying btrfs-progs in every
 * user's appliance, and Debian 12's mkfs.btrfs cannot make them. */
#include <fcntl.h>
#include <linux/btrfs.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int dir;

	if (argc < 3) {
		fprintf(stderr, "usage: mksubvol DIR NAME...\n");
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
