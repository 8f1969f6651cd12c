/* leanboot xml: print the plan of a topology as libvirt domain XML, or
 * with --argv as the qemu argv of the direct backend, one word a line. */
#include <stdio.h>
#include <stdlib.h>

#include "appliance.h"
#include "cmd.h"
#include "domxml.h"
#include "err.h"
#include "plan.h"
#include "qemuargv.h"

struct xml_opts {
	struct plan_input in;
	int as_argv;
};

static int xml_opt(int c, char *arg, void *ctx)
{
	struct xml_opts *o = ctx;

	if (c == 'a') {
		o->as_argv = 1;
		return 0;
	}
	return cmd_plan_opt(c, arg, &o->in, 0);
}

const struct option cmd_xml_opts[] = {
	LB_PLAN_LONGOPTS,
	{ "argv", no_argument, NULL, 'a' },
	LB_GLOBAL_LONGOPTS,
};

int cmd_xml(int argc, char **argv)
{
	struct xml_opts o = { .in = { .machine = -1, .firmware = -1, .kernel_format = -1, .tuning = 1, .shape = -1, .tb_cache_mib = -1 } };
	struct strv av = { 0 };
	struct appl a;
	struct plan p;
	int r;

	r = cmd_parse("xml", argc, argv, cmd_xml_opts, xml_opt, &o);
	if (r)
		return r > 0 ? 0 : LB_EXIT_USAGE;
	if (optind < argc)
		return err_usage("xml: unexpected argument '%s'", argv[optind]);
	if (appl_locate(&a) < 0 || cmd_make_plan(&o.in, &a, NULL, &p) < 0)
		return err_report("xml");
	if (o.as_argv) {
		if (qa_render(&p, NULL, &av) < 0) {
			plan_free(&p);
			return err_report("xml");
		}
		for (size_t i = 0; i < av.n; i++)
			puts(av.v[i]);
		strv_free(&av);
	} else {
		char *xml = dx_render(&p, NULL);

		if (!xml) {
			plan_free(&p);
			return err_report("xml");
		}
		fputs(xml, stdout);
		free(xml);
	}
	plan_free(&p);
	return 0;
}
