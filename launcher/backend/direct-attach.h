/* direct-attach: the QMP arguments that hot-add a disk to a clone of the
 * direct backend, as pure data, so that they can be printed and compared
 * without a QEMU to send them to. */
#ifndef LB_DIRECT_ATTACH_H
#define LB_DIRECT_ATTACH_H

#include <stddef.h>

#include <json-c/json.h>

#include "plan/plan.h"

/* P's hot-added disk N (plan.h) as LUN N of the clone's virtio-scsi
 * bus: the arguments of blockdev-add into *NODE and of device_add into
 * *DEV, both the caller's to put.  Returns 0, or -1 after err_set(). */
int direct_attach_args(const struct plan *p, size_t n, json_object **node, json_object **dev);

#endif
