/* rundir: see rundir.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "backend/template.h"
#include "common/err.h"
#include "common/proc.h"
#include "common/util.h"
#include "launch/rundir.h"
#include "launch/state.h"

/* The per-launch directory, named after NAMED (mkdtemp's template):
 * cmd_resolve()'s, or one in the cache for a template being made. */
int rundir_make(struct launch *l, const char *named)
{
	snprintf(l->rundir, sizeof l->rundir, "%s", named);
	if (!mkdtemp(l->rundir)) {
		err_set(LB_EXIT_VM, "%s: %s", l->rundir, strerror(errno));
		l->rundir[0] = '\0';
		return -1;
	}
	/* A libvirt daemon may run QEMU as another user (qemu:///system runs
	 * it as libvirt-qemu) and hands it the overlay by chown: the directory
	 * must be traversable, while the files in it stay the owner's. */
	if (chmod(l->rundir, 0711) < 0) {
		err_set(LB_EXIT_VM, "%s: %s", l->rundir, strerror(errno));
		return -1;
	}
	return 0;
}

/* The root overlay: the appliance root is only ever a read-only backing
 * file.  A clone's goes over the template's overlay, which holds what
 * the template's guest had written by ready. */
int rundir_overlay(struct launch *l)
{
	const struct plan_dev *root = NULL;
	char log[PATH_MAX + 16], base[PATH_MAX + 16];
	int clone = l->start == PLAN_START_CLONE;

	for (size_t i = 0; i < l->plan.ndev; i++)
		if (l->plan.dev[i].is_root)
			root = &l->plan.dev[i];
	/* On another host the backend makes it there (pool.h). */
	if (!root || l->plan.conn == PLAN_CONN_REMOTE)
		return 0;
	/* A clone's is a copy of its template's empty one, where there
	 * is one (template.h); otherwise qemu-img makes it. */
	snprintf(base, sizeof base, "%.4000s/" TPL_OVERLAY, clone ? l->template_dir : "");
	if (!clone || util_copy_file(base, root->path, 0600) < 0) {
		err_clear();
		snprintf(base, sizeof base, "%.4000s%s", clone ? l->template_dir : l->o->in.root,
			 clone ? "/" PLAN_OVERLAY : "");
		snprintf(log, sizeof log, "%s/qemu-img.log", l->rundir);
		if (proc_overlay(base, clone ? "qcow2" : "raw", root->path, log) < 0)
			return -1;
	}
	if (chmod(root->path, 0600) < 0) {
		err_set(LB_EXIT_VM, "%s: %s", root->path, strerror(errno));
		return -1;
	}
	return 0;
}
