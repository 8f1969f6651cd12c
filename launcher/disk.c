/* disk: see disk.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disk.h"
#include "err.h"

const char *disk_format_name(enum disk_format f)
{
	return f == DISK_QCOW2 ? "qcow2" : "raw";
}

int disk_probe(const char *path, struct disk_info *out)
{
	static const unsigned char qcow2_magic[4] = { 'Q', 'F', 'I', 0xfb };
	unsigned char head[4];
	struct stat st;
	ssize_t n;
	int fd;

	/* O_NONBLOCK so that a FIFO given as a disk fails here instead of
	 * blocking the open until a writer turns up. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		err_set(LB_EXIT_USAGE, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		err_set(LB_EXIT_USAGE, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		err_set(LB_EXIT_USAGE, "%s: is a directory, not a disk image", path);
		goto fail;
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		err_set(LB_EXIT_USAGE, "%s: not a regular file or block device", path);
		goto fail;
	}
	out->is_block = S_ISBLK(st.st_mode);
	out->size = (uint64_t)st.st_size;
	if (out->is_block && ioctl(fd, BLKGETSIZE64, &out->size) < 0) {
		err_set(LB_EXIT_USAGE, "%s: %s", path, strerror(errno));
		goto fail;
	}
	n = pread(fd, head, sizeof head, 0);
	if (n < 0) {
		err_set(LB_EXIT_USAGE, "%s: %s", path, strerror(errno));
		goto fail;
	}
	out->format = (n == 4 && !memcmp(head, qcow2_magic, 4)) ? DISK_QCOW2 : DISK_RAW;
	close(fd);
	return 0;
fail:
	close(fd);
	return -1;
}
