/* one: one launch, from its run directory to teardown: a cold boot, a
 * template's boot to ready and save, or a clone's restore.  Everything
 * it acquires is released on its one exit path, in reverse order: the
 * VM (backend stop), the event handles, the run directory with its
 * overlay. */
#ifndef LB_LAUNCH_ONE_H
#define LB_LAUNCH_ONE_H

#include "backend/template.h"
#include "launch/opts.h"

/* One launch of O as START: a clone of T, by END (util_now()'s clock).
 * NAMED names its run directory (rundir_make); a template's is the
 * template in the making, and BUILT (PATH_MAX bytes) gets its name.
 * *RESTORE_FAILED, when a clone's start failed, says what of the
 * template's (enum backend_restore).  Returns as launch_run(). */
int one_launch(const struct launch_opts *o, enum plan_start start, const struct tpl *t,
	       double end, const char *named, char *built, struct launch_times *times,
	       int *restore_failed);

#endif
