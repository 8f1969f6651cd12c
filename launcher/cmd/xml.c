/* leanboot xml: print the plan of a topology as libvirt domain XML, or
 * with --argv as the qemu argv of the direct backend, one word a line.
 * The plan is the one a launch makes from the same options, bar the run
 * directory's random part (the XXXXXX of its name). */
#include <stdio.h>
#include <stdlib.h>

#include "backend/ops.h"
#include "plan/appliance.h"
#include "cmd/cmd.h"
#include "common/err.h"
#include "plan/plan.h"
#include "common/strv.h"

struct xml_opts {
	struct plan_input in;
	int as_argv;
};

static int xml_opt(int c, char *arg, void *ctx)
{
	struct xml_opts *o = ctx;

	if (c == OPT_ARGV) {
		o->as_argv = 1;
		return 0;
	}
	return cmd_plan_opt(c, arg, &o->in, 0);
}

/* The plan's text on stdout, as the backend renders it: the direct
 * backend's argv, a word a line, or libvirt's XML; -1 after err_set(). */
static int print_plan(const struct plan *p, int as_argv)
{
	const struct backend_ops *b = backend_ops_of(as_argv ? BACKEND_DIRECT : BACKEND_LIBVIRT);
	struct strv out = { 0 };

	if (b->render(p, &out) < 0) {
		strv_free(&out);
		return -1;
	}
	for (size_t i = 0; i < out.n; i++) {
		if (as_argv)
			puts(out.v[i]);
		else
			fputs(out.v[i], stdout);
	}
	strv_free(&out);
	return 0;
}

int cmd_xml(int argc, char **argv)
{
	struct xml_opts o = { .in = PLAN_INPUT_INIT };
	struct appl a;
	struct plan p;
	int r;

	r = cmd_parse(CMD_XML, argc, argv, xml_opt, &o);
	if (r)
		return r > 0 ? 0 : LB_EXIT_USAGE;
	if (optind < argc)
		return err_usage("xml: unexpected argument '%s'", argv[optind]);
	r = cmd_resolve(&o.in, &a, 0) < 0 || plan_make(&o.in, &p) < 0 ? -1 : 0;
	if (r == 0) {
		r = print_plan(&p, o.as_argv);
		plan_free(&p);
	}
	cmd_resolve_free(&o.in);
	return r < 0 ? err_report("xml") : 0;
}
