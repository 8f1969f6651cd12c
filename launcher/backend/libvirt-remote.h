/* libvirt-remote: a launch through libvirt on another host.  The plan is
 * rewritten as that host sees it: the appliance's files and the user's
 * disks put in its storage pool (pool.h), the root overlay a volume
 * there, and the channel carried over libvirt to chan.c's socket here. */
#ifndef LB_LIBVIRT_REMOTE_H
#define LB_LIBVIRT_REMOTE_H

#include "backend/backend.h"
#include "plan/plan.h"

struct lvb;

/* A's plan as the remote host sees it, into RP, a clone's hot-added
 * disks included; a template's image path into l->image.  RP is a
 * shallow copy: the strings rewritten are in l->remote_paths, the rest
 * are A's plan's, so it is never plan_free()d.  Returns 0, or -1 after
 * err_set(). */
int remote_plan(struct lvb *l, const struct backend_args *a, struct plan *rp);
/* Open the domain's channel and relay it to the socket PATH.  Returns 0,
 * or -1 after err_set(). */
int remote_channel(struct lvb *l, const char *path);

#endif
