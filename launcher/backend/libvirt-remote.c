/* libvirt-remote: see libvirt-remote.h.  Every path on that host that
 * the plan holds is kept in l->remote_paths, freed with the launch. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/libvirt-remote.h"
#include "backend/libvirt-state.h"
#include "backend/lv.h"
#include "common/err.h"
#include "plan/disk.h"

/* Keep PATH (malloc'd, or NULL after err_set()) among the remote paths;
 * returns the kept copy. */
static char *remote_keep(struct lvb *l, char *path)
{
	char *kept = path && strv_add(&l->remote_paths, path) == 0 ? l->remote_paths.v[l->remote_paths.n - 1]
								      : NULL;

	free(path);
	return kept;
}

/* User disk N, PATH, as the remote host has it: a volume
 * (vol:POOL/NAME, whose format goes to *FMT), a path there (host:PATH)
 * or a copy of ours uploaded for this launch (the resolver, cmd/plan.c,
 * lets a local file through only with --upload).  Returns the kept
 * path, or NULL after err_set(). */
static const char *remote_disk(struct lvb *l, const struct backend_args *a, const char *path, unsigned n,
			       int *fmt)
{
	if (!strncmp(path, DISK_VOL_PREFIX, strlen(DISK_VOL_PREFIX)))
		return remote_keep(l, pool_volume_path(l->conn, path + strlen(DISK_VOL_PREFIX), fmt));
	if (!strncmp(path, DISK_HOST_PREFIX, strlen(DISK_HOST_PREFIX)))
		return path + strlen(DISK_HOST_PREFIX);
	return remote_keep(l, pool_upload_disk(&l->pool, a->plan->name, n, path));
}

/* The root overlay there: a cold boot's over the appliance's root, a
 * template's kept for its clones, a clone's over the template's. */
static char *remote_root(struct lvb *l, const struct backend_args *a)
{
	const char *name = a->plan->name;
	char *root;

	if (a->plan->start == PLAN_START_CLONE) {
		/* Gone from that host: the template is to blame, and is made
		 * again (launch/warm.c), as for an image that will not load. */
		if (!(root = remote_keep(l, pool_template_root_path(&l->pool, name)))) {
			l->restore_failed = BACKEND_RESTORE_BROKEN;
			return NULL;
		}
		return remote_keep(l, pool_overlay(&l->pool, name, root, DISK_QCOW2));
	}
	if (!a->root || !(root = remote_keep(l, pool_appliance_file(&l->pool, a->appl_key, a->root))))
		return NULL;
	return remote_keep(l, a->plan->start == PLAN_START_TEMPLATE ? pool_template_root(&l->pool, name, root) :
			pool_overlay(&l->pool, name, root, DISK_RAW));
}

/* A disk of the plan as that host has it: the user's disk N there
 * (remote_disk), in its format there. */
static int remote_plan_disk(struct lvb *l, const struct backend_args *a, struct plan_dev *d,
			    unsigned n)
{
	int fmt = -1;

	if (!(d->path = (char *)remote_disk(l, a, d->path, n, &fmt)))
		return -1;
	if (fmt >= 0)
		d->format = (enum disk_format)fmt;
	return 0;
}

/* The plan as the remote host sees it, in RP (a shallow copy of A's
 * plan whose files are the host's): the appliance's files uploaded
 * unless their volumes are there, the root overlay a volume
 * (remote_root), and the disks the host's, a clone's hot-added ones as
 * well.  A template's image goes into the pool's directory, named by
 * the template. */
int remote_plan(struct lvb *l, const struct backend_args *a, struct plan *rp)
{
	const char *key = a->appl_key;
	unsigned n = 0;

	if (pool_open(&l->pool, l->conn, a->pool) < 0)
		return -1;
	*rp = *a->plan;
	if (!(rp->kernel = remote_keep(l, pool_appliance_file(&l->pool, key, a->plan->kernel))) ||
	    !(rp->initrd = remote_keep(l, pool_appliance_file(&l->pool, key, a->plan->initrd))))
		return -1;
	for (size_t i = 0; i < rp->ndev; i++) {
		struct plan_dev *d = &rp->dev[i];

		if (d->kind != PLAN_DEV_DISK)
			continue;
		if (d->is_root) {
			if (!(d->path = remote_root(l, a)))
				return -1;
			continue;
		}
		if (remote_plan_disk(l, a, d, n++) < 0)
			return -1;
	}
	for (size_t i = 0; i < rp->nhot; i++)
		if (remote_plan_disk(l, a, &rp->hot[i], n++) < 0)
			return -1;
	if (a->plan->start != PLAN_START_COLD) {
		free(l->image);
		if (!(l->image = pool_template_image(&l->pool, a->plan->name)))
			return -1;
	}
	if (a->verbose && l->pool.uploaded)
		fprintf(stderr, "libvirt: uploaded %llu bytes (%llu with holes) in %.2f s\n", l->pool.uploaded,
			l->pool.apparent, l->pool.upload_s);
	return 0;
}

/* The channel through libvirt: QEMU listens on the remote host, and a
 * relay carries it to chan.c's socket here. */
int remote_channel(struct lvb *l, const char *path)
{
	virStreamPtr st = virStreamNew(l->conn, VIR_STREAM_NONBLOCK);

	if (!st || virDomainOpenChannel(l->dom, WIRE_CHANNEL_NAME, st, 0) < 0) {
		err_set(LB_EXIT_VM, "cannot open the domain's channel: %s", lv_error());
		goto fail;
	}
	if ((l->relay = relay_open(st, path, NULL, NULL)))
		return 0;
fail:
	if (st)
		virStreamFree(st);
	return -1;
}
