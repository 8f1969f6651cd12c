/* leanboot run: a command in a throwaway appliance VM.  Its stdin, stdout
 * and stderr are streamed over the channel as they would be connected
 * locally, and leanboot exits with its status. */
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "common/err.h"
#include "launch/launch.h"
#include "common/strv.h"
#include "common/util.h"

struct run_opts {
	struct launch_opts lo;
	struct strv env;
	int stdin_asked;          /* -i */
};

/* NAME=VALUE, NAME as a shell takes it: a letter or '_', then letters,
 * digits and '_'. */
static int env_opt(const char *arg, struct strv *env)
{
	const char *eq = strchr(arg, '=');

	if (!eq || eq == arg || isdigit((unsigned char)arg[0]))
		return err_usage_fail("--env: '%s' is not NAME=VALUE", arg);
	for (const char *c = arg; c < eq; c++)
		if (!isalnum((unsigned char)*c) && *c != '_')
			return err_usage_fail("--env: '%.*s' is not a variable name", (int)(eq - arg), arg);
	return strv_add(env, arg) < 0 ? err_usage_fail("out of memory") : 0;
}

static int run_opt(int c, char *arg, void *ctx)
{
	struct run_opts *o = ctx;

	switch (c) {
	case OPT_TIMEOUT:
		return cmd_timeout_opt(arg, &o->lo.timeout);
	case OPT_ENV:
		return env_opt(arg, &o->env);
	case OPT_STDIN:
		o->stdin_asked = 1;
		return 0;
	case OPT_START:
		return cmd_start_opt(arg, &o->lo.start);
	}
	return cmd_plan_opt(c, arg, &o->lo.in, 1);
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o = { .lo = { .in = PLAN_INPUT_INIT, .timeout = 120,
				      .start = LAUNCH_START_AUTO } };
	struct appl a;
	int r;

	r = cmd_parse(CMD_RUN, argc, argv, run_opt, &o);
	if (r) {
		strv_free(&o.env);
		return r > 0 ? 0 : LB_EXIT_USAGE;
	}
	if (optind >= argc) {
		strv_free(&o.env);
		return err_usage("run: give a command after --, e.g. leanboot run -- uname -r");
	}
	o.lo.cmd = argv + optind;
	o.lo.env = o.env.v;
	/* A terminal is not input unless -i says so, as with docker run;
	 * anything else (a pipe, a file, /dev/null) is, to its end. */
	o.lo.stream_stdin = fcntl(0, F_GETFD) >= 0 && (o.stdin_asked || !isatty(0));
	cmd_launch_opts(&o.lo);
	o.lo.appl = &a;
	r = cmd_resolve(&o.lo.in, &a, 1) < 0 ? -1 : launch_run(&o.lo, NULL);
	cmd_resolve_free(&o.lo.in);
	strv_free(&o.env);
	return r < 0 ? err_report("run") : r;
}
