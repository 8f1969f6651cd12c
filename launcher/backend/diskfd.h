/* diskfd: the caller's disks, opened by leanboot as the caller and handed
 * to QEMU as descriptors, through either backend, so that QEMU's own user
 * (jail.h) need not be able to open them, and nothing about them (owner,
 * mode, label, ctime) changes for QEMU's sake.  Slots as qemuargv.h
 * numbers them: each disk, then each of its backing files, read-only. */
#ifndef LB_DISKFD_H
#define LB_DISKFD_H

#include <stddef.h>

#include "plan/plan.h"

#define DISKFD_MAX 128        /* slots: disks and their backing files */

/* Open P's user disks into FDS (MAX of them, each -1 until opened); *N:
 * how many slots are used.  -1 after err_set() if one cannot be opened,
 * and FDS keeps what was. */
int diskfd_open(const struct plan *p, int *fds, size_t max, size_t *n);
/* Close what FDS holds, leaving each -1. */
void diskfd_close(int *fds, size_t max);

#endif
