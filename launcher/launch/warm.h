/* warm: the warm-start policy.  A warm launch restores a clone of a
 * template (template.h) of the appliance at ready, made first under the
 * cache lock if there is none; a restore that fails is the template's
 * fault, and the launch boots cold instead. */
#ifndef LB_LAUNCH_WARM_H
#define LB_LAUNCH_WARM_H

#include "launch/opts.h"

/* Why O cannot start warm, or NULL when it can. */
const char *warm_obstacle(const struct launch_opts *o);
/* Make the template O's warm launches restore unless it is there, within
 * O's timeout.  Returns 0, or -1 after err_set(). */
int warm_prepare(const struct launch_opts *o);
/* Launch O by END (util_now()'s clock) as a clone of its template, made
 * first if need be; cold, with a notice, when the template cannot be made
 * or restored and a cold boot can still succeed.  Returns as
 * launch_run(). */
int warm_start(const struct launch_opts *o, struct launch_times *times, double end);

#endif
