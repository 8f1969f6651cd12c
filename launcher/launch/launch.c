/* launch: see launch.h.  The entry point: the event loop and signal
 * handling set up, the appliance built, then a launch cold (one.c) or
 * warm (warm.c), or with launch_prepare() only the template made; the
 * signal handlers are restored on the one way out. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include <libvirt/libvirt.h>

#include "backend/lv.h"
#include "common/err.h"
#include "common/util.h"
#include "launch/launch.h"
#include "launch/one.h"
#include "launch/signals.h"
#include "launch/sink.h"
#include "launch/warm.h"

/* What launch_run() and launch_prepare() do: the appliance built, then
 * the launch or, with PREPARE, only its template made. */
static int launch_main(const struct launch_opts *o, struct launch_times *times, int prepare)
{
	const char *obstacle = warm_obstacle(o);
	int r = -1, hit;

	lv_init(o->appl->cache, o->verbose);
	if (o->verbose)
		fprintf(stderr, "launch: the %s backend%s%s\n", backend_name(o->backend),
			o->backend == BACKEND_DIRECT ? "" : ", ",
			o->backend == BACKEND_DIRECT ? "" : o->connect ? o->connect : "embedded driver");
	sink_forget_lost();
	if (virEventRegisterDefaultImpl() < 0) {
		err_set(LB_EXIT_VM, "cannot start an event loop");
		return -1;
	}
	if ((o->start == LAUNCH_START_WARM || prepare) && obstacle) {
		err_set(LB_EXIT_USAGE, "--start warm: %s", obstacle);
		return -1;
	}
	/* The build under our signal handling: a ^C during it is answered
	 * once it is done, and leaves no half-built appliance. */
	if (signals_install() < 0 || appl_build(o->appl, 0, &hit) < 0)
		goto out;
	signals_poll();
	if (signals_caught())
		err_set(128 + signals_caught(), "interrupted by %s during start",
			strsignal(signals_caught()));
	else if (prepare)
		r = warm_prepare(o);
	else if (o->start == LAUNCH_START_COLD || obstacle)
		r = one_launch(o, PLAN_START_COLD, NULL, util_now() + o->timeout, o->in.rundir, NULL,
			       times, NULL);
	else
		r = warm_start(o, times, util_now() + o->timeout);
out:
	signals_restore();
	return r;
}

int launch_run(const struct launch_opts *o, struct launch_times *times)
{
	return launch_main(o, times, 0);
}

int launch_prepare(const struct launch_opts *o)
{
	return launch_main(o, NULL, 1);
}
