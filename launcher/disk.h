/* disk: checks a user's disk image on the host before any VM sees it.
 * The format is detected here and always passed to QEMU explicitly, so a
 * raw image whose first bytes look like a qcow2 header is never probed. */
#ifndef LB_DISK_H
#define LB_DISK_H

#include <stdint.h>

enum disk_format { DISK_RAW, DISK_QCOW2 };

struct disk_info {
	enum disk_format format;
	uint64_t size;        /* bytes on the host */
	int is_block;         /* a block device rather than a file */
};

int disk_probe(const char *path, struct disk_info *out);
const char *disk_format_name(enum disk_format f);

#endif
