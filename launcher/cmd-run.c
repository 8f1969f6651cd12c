/* leanboot run: a command in a throwaway appliance VM.  Its stdout and
 * stderr come back as they are, and leanboot exits with its status. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "err.h"
#include "launch.h"
#include "util.h"

static int run_opt(int c, char *arg, void *ctx)
{
	struct launch_opts *o = ctx;

	if (c == OPT_TIMEOUT)
		return cmd_timeout_opt(arg, &o->timeout);
	return cmd_plan_opt(c, arg, &o->in, 1);
}

int cmd_run(int argc, char **argv)
{
	struct launch_opts o = { .in = PLAN_INPUT_INIT, .timeout = 120 };
	struct appl a;
	int r;

	r = cmd_parse(CMD_RUN, argc, argv, run_opt, &o);
	if (r)
		return r > 0 ? 0 : LB_EXIT_USAGE;
	if (optind >= argc)
		return err_usage("run: give a command after --, e.g. leanboot run -- uname -r");
	o.cmd = argv + optind;
	o.backend = (enum backend_kind)cmd_global.backend;
	o.connect = cmd_global.connect;
	o.verbose = cmd_global.verbose;
	o.appl = &a;
	r = cmd_resolve(&o.in, &a, 1) < 0 ? -1 : launch_run(&o, NULL);
	cmd_resolve_free(&o.in);
	return r < 0 ? err_report("run") : r;
}
