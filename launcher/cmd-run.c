/* leanboot run: a command in a throwaway appliance VM.  Its stdout and
 * stderr come back as they are, and leanboot exits with its status. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "err.h"
#include "launch.h"
#include "util.h"

struct run_opts {
	struct launch_opts lo;
};

static int run_opt(int c, char *arg, void *ctx)
{
	struct run_opts *o = ctx;

	if (c == 't')
		return cmd_timeout_opt(arg, &o->lo.timeout);
	return cmd_plan_opt(c, arg, &o->lo.in, 1);
}

const struct option cmd_run_opts[] = {
	LB_PLAN_LONGOPTS,
	{ "timeout", required_argument, NULL, 't' },
	LB_GLOBAL_LONGOPTS,
};

int cmd_run(int argc, char **argv)
{
	struct run_opts o = { .lo = { .in = { .machine = -1, .firmware = -1, .kernel_format = -1, .tuning = 1, .shape = -1, .tb_cache_mib = -1 }, .timeout = 120 } };
	struct appl a;
	int r;

	r = cmd_parse("run", argc, argv, cmd_run_opts, run_opt, &o);
	if (r)
		return r > 0 ? 0 : LB_EXIT_USAGE;
	if (optind >= argc)
		return err_usage("run: give a command after --, e.g. leanboot run -- uname -r");
	o.lo.cmd = argv + optind;
	o.lo.backend = lb_global.backend;
	o.lo.connect = lb_global.connect;
	o.lo.verbose = lb_global.verbose;
	cmd_default_firmware(&o.lo.in);
	if (appl_locate(&a) < 0 || cmd_pick_kernel(&o.lo.in, &a, 1) < 0 ||
	    cmd_resolve_accel(&o.lo.in.accel) < 0)
		return err_report("run");
	r = launch_run(&o.lo, NULL);
	if (r < 0)
		return err_report("run");
	return r;
}
