/* template: the appliance booted to ready once and saved, for warm
 * launches (launch.h) to restore instead of booting.  A template is a
 * directory of the cache, CACHE/template/NAME: the guest's RAM file,
 * the devices' saved state, the root overlay as it was at ready, and an
 * empty overlay over that, which each clone copies.
 * NAME is a key of everything the saved machine depends on: the
 * appliance's key, the leanboot program (whose code renders the
 * machine), the QEMU binary, firmware, kernel, initrd and root
 * files (by identity), the backend and its connection, and the facts of
 * the template's plan that decide what machine QEMU builds (plan/key.h):
 * the machine, memory, kernel command line and the device set.  A
 * changed key is a new template.  Templates are made under the cache
 * lock, in a temporary directory renamed into place when complete, and
 * never written after: clones map the RAM privately and put their own
 * overlay over the root's. */
#ifndef LB_TEMPLATE_H
#define LB_TEMPLATE_H

#include <limits.h>

#include "backend/backend.h"
#include "plan/appliance.h"
#include "plan/plan.h"

/* The saved state in a template: the devices' (direct: the RAM is in
 * its own file beside it), or libvirt's whole save image. */
#define TPL_STATE "state"
/* An empty overlay over the template's root: each clone's root overlay
 * is a copy of it, which saves a qemu-img process (19 ms) a launch. */
#define TPL_OVERLAY "clone.qcow2"

struct tpl {
	char root[PATH_MAX];      /* CACHE/template */
	char dir[PATH_MAX];       /* CACHE/template/NAME */
	char name[72];            /* the appliance key's start, then the key's */
	/* The domain's name and UUID, the template's and its clones':
	 * libvirt restores an image only as a domain of the same. */
	char domain[32];
	char uuid[40];
};

/* The template for launches of IN (resolved) through backend B on
 * CONNECT (NULL: the default), on the built appliance A.  Builds
 * nothing.  Returns -1 after err_set(). */
int tpl_locate(const struct appl *a, const struct plan_input *in, const struct backend_ops *b,
	       const char *connect, struct tpl *t);
/* Whether it is there, complete. */
int tpl_ready(const struct tpl *t);
/* Make BUILT (a directory under t->root holding a saved template) the
 * template, and remove templates of appliances, or builds of leanboot,
 * other than this one's. */
int tpl_commit(const struct tpl *t, const char *built);
/* Remove it (a restore from it failed). */
int tpl_discard(const struct tpl *t);

#endif
