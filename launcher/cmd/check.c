/* leanboot check: which controllers and PCI devices a domain has, as
 * written and as libvirt expands it, held against expectations.  This is
 * how a CI job pins "0 pcie-root-ports" across libvirt upgrades.  The
 * command: its options, the modes they choose (a domain against --expect,
 * --golden DIR, --against URI, --diff FILE.xml, with --boot the guest's
 * view too) and the boot; check/ counts, compares and reports. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/backend.h"
#include "backend/lv.h"
#include "check/expect.h"
#include "check/golden.h"
#include "common/junit.h"
#include "check/report.h"
#include "check/views.h"
#include "cmd/cmd.h"
#include "common/err.h"
#include "common/xmlsafe.h"
#include "launch/launch.h"
#include "plan/appliance.h"
#include "plan/plan.h"

struct check_opts {
	struct plan_input in;
	int have_plan;
	const char *expect;
	const char *golden;
	const char *against, *diff;   /* a second expansion to compare with */
	const char *junit;            /* --junit FILE */
	int boot, json, regen;
};

static int check_opt(int c, char *arg, void *ctx)
{
	struct check_opts *o = ctx;
	int r;

	switch (c) {
	case OPT_EXPECT:
		o->expect = arg;
		return 0;
	case OPT_BOOT:
		o->boot = 1;
		return 0;
	case OPT_JSON:
		o->json = 1;
		return 0;
	case OPT_GOLDEN:
		o->golden = arg;
		return 0;
	case OPT_REGEN:
		o->regen = 1;
		return 0;
	case OPT_JUNIT:
		o->junit = arg;
		return junit_clear(arg);
	case OPT_AGAINST:
		o->against = arg;
		return 0;
	case OPT_DIFF:
		o->diff = arg;
		return 0;
	}
	r = cmd_plan_opt(c, arg, &o->in, 0);
	if (r == 0)
		o->have_plan = 1;
	return r;
}

/* Boot the plan's appliance and list what the guest enumerated. */
static int boot_seen(struct check_opts *o, struct appl *a, struct counts *seen, struct check_views *v)
{
	static char *const listing[] = {
		"sh", "-c",
		"cd /sys/bus/pci/devices && for d in *; do "
		"echo \"$d $(cat $d/class) $(cat $d/vendor) $(cat $d/device)\"; done; echo --; "
		/* Each disk and the PCI function its device path runs through
		 * last: a virtio disk's own, a SCSI disk's controller. */
		"for b in /sys/block/vd* /sys/block/sd*; do [ -e $b/device ] || continue; a=; "
		"for c in $(readlink -f $b/device | tr / ' '); do case $c in "
		"[0-9a-f][0-9a-f][0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f].[0-7]) a=$c;; esac; done; "
		"[ -n \"$a\" ] && echo \"block ${b##*/} $a\"; done",
		NULL,
	};
	struct launch_capture cap = { 0 };
	struct launch_opts lo = {
		.in = o->in, .appl = a, .cmd = listing, .timeout = 120, .capture = &cap,
	};
	int r;

	cmd_launch_opts(&lo);
	r = launch_run(&lo, NULL);
	if (r > 0)
		err_set(LB_EXIT_VM, "listing the guest's PCI devices failed with status %d", r);
	if (r == 0) {
		char *sep = cap.buf ? strstr(cap.buf, "\n--\n") : NULL;

		if (!sep) {
			err_set(LB_EXIT_VM, "the guest's listing has no disk section");
			r = -1;
		} else {
			sep[1] = '\0';
			r = counts_count_seen(cap.buf, seen);
			if (r == 0 && (v->ndisks = counts_disks_seen(sep + 4, v->disks, COUNTS_MAX_DISKS)) < 0)
				r = -1;
		}
	}
	free(cap.buf);
	return r == 0 ? 0 : -1;
}

/* The second expansion: XML on --against's connection OTHER, or
 * --diff's file on CONN. */
static int second_view(const struct check_opts *o, virConnectPtr conn, virConnectPtr other,
		       const char *xml, struct check_views *b)
{
	char *bxml = NULL;
	size_t len;
	int r = -1;

	if (o->against)
		return check_views_expand(other, xml, b, cmd_global.verbose > 1);
	if ((bxml = xmlsafe_read_file(o->diff, &len)))
		r = check_views_expand(conn, bxml, b, cmd_global.verbose > 1);
	free(bxml);
	return r;
}

int cmd_check(int argc, char **argv)
{
	struct check_opts o = { .in = PLAN_INPUT_INIT };
	struct check_term terms[CHECK_MAX_TERMS];
	struct check_views v = { 0 };
	virConnectPtr conn = NULL, other = NULL;
	char *xml = NULL;
	size_t nterms = 0, len;
	struct appl a;
	struct plan p;
	int r, failed, status = LB_EXIT_USAGE;

	r = cmd_parse(CMD_CHECK, argc, argv, check_opt, &o);
	if (r)
		return r > 0 ? 0 : LB_EXIT_USAGE;
	if (o.expect && check_expect_parse(o.expect, terms, &nterms) < 0)
		return err_report("--expect");
	if (o.regen && !o.golden)
		return err_usage("check: --regen goes with --golden DIR");
	if (o.golden && (o.have_plan || optind < argc || o.boot || o.expect))
		return err_usage("check: --golden DIR takes no other domain, --boot or --expect");
	if (!o.golden && optind < argc && (o.have_plan || optind + 1 < argc))
		return err_usage("check: give either --topology options or one FILE.xml");
	if (o.boot && optind < argc)
		return err_usage("check: --boot needs --topology: leanboot boots only its own appliance");
	if (o.against && o.diff)
		return err_usage("check: give --against URI or --diff FILE.xml, not both");
	if ((o.against || o.diff) && (o.golden || o.boot || o.expect))
		return err_usage("check: --against and --diff compare two expansions; they take no --golden, "
				 "--boot or --expect");
	if (o.junit && (o.regen || o.against || o.diff))
		return err_usage("check: --junit reports --expect, --boot and --golden; it takes no --regen, "
				 "--against or --diff");
	/* A topology's plan is resolved as a launch's is (and for --boot,
	 * as the launch that boots it); a file or a golden directory needs
	 * only the cache. */
	/* --against's connection first: once a process has opened the
	 * embedded driver, libvirt 9.0 routes qemu:/// URIs to it ("Missing
	 * URI parameter 'root'"), but one opened before keeps its daemon. */
	if ((o.golden || optind < argc ? appl_locate(&a) : cmd_resolve(&o.in, &a, o.boot)) < 0 ||
	    (o.against && !(other = lv_open(o.against, a.cache, cmd_global.verbose))) ||
	    !(conn = lv_open(cmd_global.connect, a.cache, cmd_global.verbose))) {
		status = err_report("check");
		goto out;
	}
	if (o.golden) {
		struct junit j;

		if (o.junit && junit_init(&j, "leanboot check") < 0) {
			status = err_report("check");
			goto out;
		}
		status = check_golden(o.golden, o.regen, conn, cmd_global.verbose > 1, o.junit ? &j : NULL);
		if (status < 0 || (o.junit && junit_write(&j, o.junit) < 0))
			status = err_report("check");
		if (o.junit)
			junit_free(&j);
		goto out;
	}
	if (optind < argc) {
		xml = xmlsafe_read_file(argv[optind], &len);
	} else if (plan_make(&o.in, &p) == 0) {
		/* libvirt's own XML: the views are libvirt's expansion of it. */
		struct strv out = { 0 };

		if (backend_libvirt_ops.render(&p, &out) == 0 && out.n == 1) {
			xml = out.v[0];
			out.v[0] = NULL;
		}
		strv_free(&out);
		plan_free(&p);
	}
	if (!xml || check_views_expand(conn, xml, &v, cmd_global.verbose > 1) < 0) {
		status = err_report("check");
		goto out;
	}
	if (o.against || o.diff) {
		struct check_views b = { 0 };
		/* a is named by what differs from b: the connection, or the file. */
		const char *la = o.against ? (cmd_global.connect ? cmd_global.connect : "the embedded driver") :
				 optind < argc ? argv[optind] : "the topology's domain";

		if (second_view(&o, conn, other, xml, &b) < 0) {
			status = err_report("check");
		} else {
			status = check_report_compare(la, &v, o.against ? o.against : o.diff, &b, o.json) ?
				 LB_EXIT_SHORT : LB_EXIT_OK;
		}
		check_views_free(&b);
		goto out;
	}
	if (o.boot) {
		if (boot_seen(&o, &a, &v.s, &v) < 0) {
			status = err_report("check");
			goto out;
		}
		v.have_seen = 1;
	}
	if (o.json) {
		failed = check_report_json(&v, terms, nterms);
	} else if (cmd_global.quiet) {
		failed = 0;
		for (size_t i = 0; i < nterms; i++)
			failed += check_term_fails(&terms[i], &v);
	} else {
		failed = check_report_table(&v, terms, nterms);
	}
	if (v.have_seen && !check_endpoints_match(&v))
		failed++;
	if (v.have_seen && !check_disk_names_match(&v, NULL, 0))
		failed++;
	status = failed ? LB_EXIT_SHORT : LB_EXIT_OK;
	if (o.junit && check_report_junit(optind < argc ? argv[optind] : o.in.topology ? o.in.topology : "minimal",
					  &v, terms, nterms, o.junit) < 0)
		status = err_report("check");
out:
	if (conn)
		virConnectClose(conn);
	if (other)
		virConnectClose(other);
	cmd_resolve_free(&o.in);
	check_views_free(&v);
	free(xml);
	return status;
}
