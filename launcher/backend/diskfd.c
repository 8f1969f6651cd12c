/* diskfd: see diskfd.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "backend/diskfd.h"
#include "backend/qemuargv.h"
#include "common/err.h"

/* Open PATH as the caller into FDS[K].  The resolver checked it already
 * (plan/disk.c), so one that cannot be opened now changed under us: the
 * host's failure, exit 3, as QEMU's own open of it was. */
static int diskfd_open_one(const char *path, int flags, int *fds, int k, size_t *n)
{
	fds[k] = open(path, flags | O_CLOEXEC);
	*n = (size_t)k + 1 > *n ? (size_t)k + 1 : *n;
	if (fds[k] >= 0)
		return 0;
	err_set(LB_EXIT_VM, "%s: %s", path, strerror(errno));
	return -1;
}

/* The caller's disks and their backing files, opened as the caller, into
 * their slots (qemuargv.h); *N: how many slots. */
int diskfd_open(const struct plan *p, int *fds, size_t max, size_t *n)
{
	const struct plan_dev *all[PLAN_MAX_DEV + PLAN_MAX_DISKS];
	size_t m = 0;

	for (size_t i = 0; i < p->ndev; i++)
		all[m++] = &p->dev[i];
	for (size_t i = 0; i < p->nhot; i++)
		all[m++] = &p->hot[i];
	*n = 0;
	for (size_t i = 0; i < m; i++) {
		const struct plan_dev *d = all[i];
		int k = qemuargv_disk_index(p, d);

		if (k < 0)
			continue;
		if ((size_t)k + d->nchain >= max) {
			err_set(LB_EXIT_USAGE, "%s: too many disks and backing files", d->path);
			return -1;
		}
		if (diskfd_open_one(d->path, d->readonly ? O_RDONLY : O_RDWR, fds, k, n) < 0)
			return -1;
		for (size_t c = 0; c < d->nchain; c++)
			if (diskfd_open_one(d->chain[c], O_RDONLY, fds, k + 1 + (int)c, n) < 0)
				return -1;
	}
	return 0;
}

void diskfd_close(int *fds, size_t max)
{
	for (size_t i = 0; i < max; i++)
		if (fds[i] >= 0) {
			close(fds[i]);
			fds[i] = -1;
		}
}
