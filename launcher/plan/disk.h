/* disk: checks a user's disk image on the host before any VM sees it.
 * The format is detected here (or given by the user) and always passed to
 * QEMU explicitly, so a raw image whose first bytes look like a qcow2
 * header is never probed.
 *
 * A qcow2 image's backing chain is followed only when the user says the
 * image is qcow2: a detected one with a backing file is refused, since
 * anyone who can write a raw image can make it look like qcow2 and name
 * a host file as its backing.  The chain is followed here, read-only, and
 * only as far as each link records its backing file's format: a
 * link without one is refused rather than guessed, and so are backing
 * names that are protocols (json:, nbd:, ...), external data files, loops
 * and chains deeper than DISK_MAX_CHAIN.  QEMU then opens the same chain
 * from the same recorded formats, every link read-only. */
#ifndef LB_DISK_H
#define LB_DISK_H

#include <stdint.h>

#include "common/names.h"
#include "common/strv.h"

#define DISK_MAX_CHAIN 16

enum disk_format { DISK_RAW, DISK_QCOW2 };

struct disk_info {
	enum disk_format format;
	uint64_t size;        /* bytes on the host */
	int is_block;         /* a block device rather than a file */
	/* With a chain asked for: each backing file's recorded format,
	 * nearest first. */
	enum disk_format chain_fmt[DISK_MAX_CHAIN];
	size_t nchain;
};

/* WANT is a disk_format, or -1 to detect it.  With CHAIN, the backing
 * files' paths are added to it, nearest first. */
int disk_probe(const char *path, int want, struct disk_info *out, struct strv *chain);
/* What --format takes: "auto" (-1) and each format (names.h). */
extern const struct names disk_format_choices[];
const char *disk_format_name(enum disk_format f);
int disk_parse_format(const char *s);    /* -1 if unknown */

/* Disks on a remote libvirt host (pool.h): a volume, "vol:POOL/NAME",
 * or a path there, "host:PATH".  Neither is probed here. */
#define DISK_VOL_PREFIX "vol:"
#define DISK_HOST_PREFIX "host:"
/* Whether SPEC names a disk on the remote host. */
int disk_is_remote(const char *spec);

#endif
