/* direct-attach: see direct-attach.h. */
#include <stdio.h>

#include "backend/direct-attach.h"
#include "backend/qemuargv.h"
#include "common/err.h"
#include "plan/disk.h"

/* D's backing files under NODE, each as the one above's "backing". */
static int direct_attach_chain(const struct plan *p, const struct plan_dev *d, json_object *node)
{
	int k = qemuargv_disk_index(p, d);

	for (size_t i = 0; i < d->nchain; i++) {
		json_object *b = json_object_new_object(), *f = json_object_new_object();
		char fdset[32];

		if (!b || !f) {
			json_object_put(b);
			json_object_put(f);
			err_set(LB_EXIT_VM, "out of memory");
			return -1;
		}
		snprintf(fdset, sizeof fdset, "/dev/fdset/%d", k + (int)i + 2);
		json_object_object_add(f, "driver", json_object_new_string("file"));
		json_object_object_add(f, "filename", json_object_new_string(fdset));
		json_object_object_add(f, "read-only", json_object_new_boolean(1));
		json_object_object_add(b, "driver", json_object_new_string(disk_format_name(d->chain_fmt[i])));
		json_object_object_add(b, "read-only", json_object_new_boolean(1));
		json_object_object_add(b, "file", f);
		json_object_object_add(node, "backing", b);
		node = b;
	}
	return 0;
}

/* Read-only at the device unless the user said :rw; the node is named
 * after the LUN, which the device then refers to. */
int direct_attach_args(const struct plan *p, size_t n, json_object **node, json_object **dev)
{
	const struct plan_dev *d = n < p->nhot ? &p->hot[n] : NULL;
	json_object *file;
	char name[32], id[32], fdset[32];

	*node = *dev = NULL;
	if (!d) {
		err_set(LB_EXIT_VM, "the plan has no hot-added disk %zu", n);
		return -1;
	}
	file = json_object_new_object();
	*node = json_object_new_object();
	*dev = json_object_new_object();
	if (!file || !*node || !*dev) {
		json_object_put(file);
		json_object_put(*node);
		json_object_put(*dev);
		*node = *dev = NULL;
		err_set(LB_EXIT_VM, "out of memory");
		return -1;
	}
	snprintf(name, sizeof name, "disk%zu", n);
	snprintf(id, sizeof id, "lun%zu", n);
	json_object_object_add(file, "driver", json_object_new_string(d->is_block ? "host_device" : "file"));
	/* The descriptors the argv gave QEMU for it and its backing files
	 * (qemuargv.h). */
	snprintf(fdset, sizeof fdset, "/dev/fdset/%d", qemuargv_disk_index(p, d) + 1);
	json_object_object_add(file, "filename", json_object_new_string(fdset));
	json_object_object_add(file, "read-only", json_object_new_boolean(d->readonly));
	if (direct_attach_chain(p, d, *node) < 0) {
		json_object_put(file);
		json_object_put(*node);
		json_object_put(*dev);
		*node = *dev = NULL;
		return -1;
	}
	json_object_object_add(*node, "driver", json_object_new_string(disk_format_name(d->format)));
	json_object_object_add(*node, "node-name", json_object_new_string(name));
	json_object_object_add(*node, "read-only", json_object_new_boolean(d->readonly));
	json_object_object_add(*node, "file", file);
	json_object_object_add(*dev, "driver", json_object_new_string("scsi-hd"));
	json_object_object_add(*dev, "bus", json_object_new_string("scsi0.0"));
	json_object_object_add(*dev, "drive", json_object_new_string(name));
	json_object_object_add(*dev, "id", json_object_new_string(id));
	json_object_object_add(*dev, "channel", json_object_new_int(0));
	json_object_object_add(*dev, "scsi-id", json_object_new_int(0));
	json_object_object_add(*dev, "lun", json_object_new_int((int)n));
	return 0;
}
