/* leanboot run: a command in a throwaway appliance VM.  Its stdout and
 * stderr come back as they are, and leanboot exits with its status. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel.h"
#include "cmd.h"
#include "err.h"
#include "launch.h"
#include "util.h"

/* The kernel takes 2048 bytes of command line on x86; the job goes there
 * hex-encoded, after the plan's own parameters. */
#define CMD_HEX_MAX 1600

struct run_opts {
	struct launch_opts lo;
	char *cmdline;
};

static int run_opt(int c, char *arg, void *ctx)
{
	struct run_opts *o = ctx;
	long v;

	if (c == 't') {
		if (util_parse_long(arg, 1, 86400, &v) < 0) {
			err_usage("--timeout: '%s' is not a number of seconds from 1 to 86400", arg);
			return -1;
		}
		o->lo.timeout = (double)v;
		return 0;
	}
	return cmd_plan_opt(c, arg, &o->lo.in, 1);
}

/* leanboot.cmd=HEX(argv, NUL-separated) leanboot.disks=N */
static char *job_params(char *const *cmd, size_t ndisks)
{
	size_t len = 0;
	char *s, *p;

	for (size_t i = 0; cmd[i]; i++)
		len += strlen(cmd[i]) + 1;
	if (len * 2 > CMD_HEX_MAX) {
		err_set(LB_EXIT_USAGE, "the command is %zu bytes; at most %d fit on the kernel "
			"command line", len, CMD_HEX_MAX / 2);
		return NULL;
	}
	s = malloc(len * 2 + 64);
	if (!s) {
		err_set(LB_EXIT_VM, "out of memory");
		return NULL;
	}
	p = s + sprintf(s, "leanboot.disks=%zu leanboot.cmd=", ndisks);
	for (size_t i = 0; cmd[i]; i++)
		for (const char *c = cmd[i]; ; c++) {
			p += sprintf(p, "%02x", (unsigned char)*c);
			if (!*c)
				break;
		}
	return s;
}

int cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		LB_PLAN_LONGOPTS,
		{ "timeout", required_argument, NULL, 't' },
		LB_GLOBAL_LONGOPTS,
	};
	struct run_opts o = { .lo = { .in = { .machine = -1 }, .timeout = 120 } };
	const char *why;
	struct appl a;
	int r;

	r = cmd_parse("run", argc, argv, longopts, run_opt, &o);
	if (r)
		return r > 0 ? 0 : LB_EXIT_USAGE;
	if (optind >= argc)
		return err_usage("run: give a command after --, e.g. leanboot run -- uname -r");
	o.lo.cmd = argv + optind;
	o.lo.backend = lb_global.backend;
	o.lo.connect = lb_global.connect;
	o.lo.verbose = lb_global.verbose;
	o.cmdline = job_params(o.lo.cmd, o.lo.in.ndisks);
	if (!o.cmdline)
		return err_report("run");
	o.lo.in.cmdline_extra = o.cmdline;
	if (appl_locate(&a) < 0 || appl_find_host_kernel(&a) < 0 ||
	    acc_resolve(lb_global.accel, a.cache, a.host_kernel, &o.lo.in.accel, &why) < 0) {
		free(o.cmdline);
		return err_report("run");
	}
	if (why && !lb_global.quiet)
		fprintf(stderr, "leanboot: notice: %s; using TCG\n", why);
	r = launch_run(&o.lo, NULL);
	free(o.cmdline);
	if (r < 0)
		return err_report("run");
	return r;
}
