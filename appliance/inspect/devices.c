/* devices: the table of block devices that may hold a filesystem, which
 * every pass of the inspection fills or reads: the disks and their
 * partitions (main.c), md arrays and LUKS volumes (volumes.c), LVM's
 * logical volumes (main.c).  A leaf: it calls no other file. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "inspect.h"

struct insp_fs insp_fss[INSP_MAX_FS];
int insp_nfs;

struct insp_fs *insp_new_fs(const char *id, const char *dev)
{
	struct insp_fs *f;

	if (insp_nfs >= INSP_MAX_FS)
		return NULL;
	f = &insp_fss[insp_nfs++];
	memset(f, 0, sizeof *f);
	snprintf(f->id, sizeof f->id, "%s", id);
	snprintf(f->dev, sizeof f->dev, "%s", dev);
	return f;
}
