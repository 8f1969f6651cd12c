/* leanboot bench: the command.  Each option of run's may take a list
 * here (a dimension); bench runs the product of the dimensions' values
 * (bench.c) and reports it (bench/report.c, bench/export.c). */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench.h"
#include "bench/expect.h"
#include "cmd/cmd.h"
#include "common/err.h"
#include "common/junit.h"
#include "common/strv.h"
#include "plan/machine.h"
#include "plan/topology.h"
#include "common/util.h"

#define MAX_VALS 48

/* A dimension of the benchmark: an option of run's taking a list of
 * values here.  "" (and "auto" for the kernel format) is run's default. */
struct dim {
	const char *opt;
	int code;                 /* the option's getopt code */
	const char *vals[MAX_VALS];
	size_t n;
	int in_name;              /* name the value even when it alone is given */
	int keyed;                /* name it as OPT=VALUE: "on" alone says nothing */
};

enum { D_ARCH, D_TOPOLOGY, D_BACKEND, D_START, D_SHAPE, D_FIRMWARE, D_KFORMAT, D_MEMORY, D_TB_CACHE,
       D_TUNING, D_APPEND, D_CHANNEL, D_CLOCK, D_CONNECT, NDIMS };

struct bench_opts {
	struct dim dim[NDIMS];
	const char *peer;
	struct bench *b;
	struct strv made;         /* values a range expanded to */
	struct bench_expect expect[BENCH_MAX_EXPECT];
	size_t nexpect;
	const char *junit;        /* --junit FILE */
};

/* Apply V, a value of dimension D, to C: through cmd_plan_opt, so bench
 * and run share one set of checks and messages.  The values live in argv
 * (or are literals), so the pointers the plan input keeps stay valid. */
static int dim_set(struct bench_conf *c, const struct dim *d, const char *v)
{
	long arg;

	if (d->code == OPT_BACKEND) {
		int k;

		if (cmd_backend_opt(v, &k) < 0)
			return -1;
		c->backend = (enum backend_kind)k;
		return 0;
	}
	if (d->code == OPT_START)
		return cmd_start_opt(v, &c->start);
	if (d->code == OPT_CONNECT) {
		/* "default": the embedded driver, beside other hosts. */
		c->connect = *v && strcmp(v, "default") ? v : NULL;
		return 0;
	}
	if (!*v || (d->code == OPT_KERNEL_FORMAT && !strcmp(v, "auto")))
		return 0;   /* the default, already in place */
	if (d->code == OPT_TOPOLOGY && !topo_find(v, &arg)) {
		err_report("bench");
		return -1;
	}
	return cmd_plan_opt(d->code, (char *)v, &c->in, 0) < 0 ? -1 : 0;
}

static int dim_add(struct dim *d, const char *v)
{
	if (d->n >= MAX_VALS)
		return err_usage_fail("%s: at most %d values", d->opt, MAX_VALS);
	d->vals[d->n++] = v;
	return 0;
}

/* A sweep of root ports: ports=A..B or ports=A..B/STEP, each ports=N a
 * value of D (kept in MADE). */
static int ports_range(struct dim *d, const char *v, struct strv *made)
{
	const char *dots = strstr(v, ".."), *slash = strchr(v, '/');
	char a[16], b[16];
	long lo, hi, step = 1;

	if (strncmp(v, "ports=", 6) || (size_t)(dots - v - 6) >= sizeof a ||
	    (size_t)((slash ? slash : v + strlen(v)) - dots - 2) >= sizeof b)
		return err_usage_fail("--topology: '%s' is not a range; write ports=A..B[/STEP]", v);
	snprintf(a, sizeof a, "%.*s", (int)(dots - v - 6), v + 6);
	snprintf(b, sizeof b, "%.*s", (int)((slash ? slash : v + strlen(v)) - dots - 2), dots + 2);
	if (util_parse_long(a, 0, PLAN_MAX_PORTS, &lo) < 0 || util_parse_long(b, 0, PLAN_MAX_PORTS, &hi) < 0)
		return err_usage_fail("--topology: '%s': A and B are port counts from 0 to %d", v,
				      PLAN_MAX_PORTS);
	if (slash && util_parse_long(slash + 1, 1, PLAN_MAX_PORTS, &step) < 0)
		return err_usage_fail("--topology: '%s': the step is a number from 1 to %d", v,
				      PLAN_MAX_PORTS);
	if (hi < lo)
		return err_usage_fail("--topology: '%s' is an empty range", v);
	for (long n = lo; n <= hi; n += step)
		if (strv_addf(made, "ports=%ld", n) < 0 || dim_add(d, made->v[made->n - 1]) < 0)
			return -1;
	return 0;
}

/* Add ARG's values to D: a comma list, or (LIST=0) one value as it is. */
static int dim_values(struct dim *d, char *arg, int list, struct strv *made)
{
	char *sp, *v;

	if (!list)
		return dim_add(d, arg);
	for (v = strtok_r(arg, ",", &sp); v; v = strtok_r(NULL, ",", &sp))
		if (d->code == OPT_TOPOLOGY && strstr(v, "..") ? ports_range(d, v, made) < 0
							       : dim_add(d, v) < 0)
			return -1;
	return 0;
}

static int bench_opt(int c, char *arg, void *ctx)
{
	struct bench_opts *o = ctx;

	switch (c) {
	case OPT_ARCH:
		return dim_values(&o->dim[D_ARCH], arg, 1, &o->made);
	case OPT_TOPOLOGY:
		return dim_values(&o->dim[D_TOPOLOGY], arg, 1, &o->made);
	case OPT_BACKENDS:
	case OPT_BACKEND:   /* bench takes a list where other commands take one */
		return dim_values(&o->dim[D_BACKEND], arg, 1, &o->made);
	case OPT_FIRMWARE:
		return dim_values(&o->dim[D_FIRMWARE], arg, 1, &o->made);
	case OPT_SHAPE:
		return dim_values(&o->dim[D_SHAPE], arg, 1, &o->made);
	case OPT_KERNEL_FORMAT:
		return dim_values(&o->dim[D_KFORMAT], arg, 1, &o->made);
	case OPT_MEMORY:
		return dim_values(&o->dim[D_MEMORY], arg, 1, &o->made);
	case OPT_TB_CACHE:
		return dim_values(&o->dim[D_TB_CACHE], arg, 1, &o->made);
	case OPT_TUNING:
		return dim_values(&o->dim[D_TUNING], arg, 1, &o->made);
	case OPT_CHANNEL:
		return dim_values(&o->dim[D_CHANNEL], arg, 1, &o->made);
	case OPT_CLOCK:
		return dim_values(&o->dim[D_CLOCK], arg, 1, &o->made);
	case OPT_START:
		return dim_values(&o->dim[D_START], arg, 1, &o->made);
	case OPT_APPEND:   /* one variant per --append; "" is none */
		return dim_values(&o->dim[D_APPEND], arg, 0, &o->made);
	case OPT_TIMEOUT:
		return cmd_timeout_opt(arg, &o->b->timeout);
	case OPT_PLAIN:
		o->b->plain = 1;
		return 0;
	case OPT_RUNS:
		if (util_parse_long(arg, 1, BENCH_MAX_RUNS, &o->b->runs) < 0)
			return err_usage_fail("--runs: '%s' is not a number from 1 to %d", arg, BENCH_MAX_RUNS);
		return 0;
	case OPT_WARMUP:
		if (util_parse_long(arg, 0, 10, &o->b->warmup) < 0)
			return err_usage_fail("--warmup: '%s' is not a number from 0 to 10", arg);
		return 0;
	case OPT_PEER:
		o->peer = arg;
		return 0;
	case OPT_JSON:
		o->b->json = arg;
		return 0;
	case OPT_CSV:
		o->b->csv = arg;
		return 0;
	case OPT_SVG:
		o->b->svg = arg;
		return 0;
	case OPT_LOGS:
		o->b->logs = arg;
		return 0;
	case OPT_EXPECT:
		return bench_expect_parse(arg, o->expect, &o->nexpect);
	case OPT_JUNIT:
		o->junit = arg;
		return junit_clear(arg);
	}
	return -2;
}

/* Every combination of the dimensions' values, each checked before any
 * VM starts; the first dimension varies slowest, so the table reads in
 * the order the options were given. */
static int make_confs(struct bench *b, struct dim *dims)
{
	size_t idx[NDIMS] = { 0 };

	for (;;) {
		struct bench_conf *c;
		size_t d;
		int skip;

		if (b->nconf >= BENCH_MAX_CONF)
			return err_usage_fail("bench: at most %d configurations", BENCH_MAX_CONF);
		c = &b->conf[b->nconf];
		memset(c, 0, sizeof *c);
		c->in = (struct plan_input)PLAN_INPUT_INIT;
		for (d = 0; d < NDIMS; d++) {
			const char *v = dims[d].vals[idx[d]];
			/* A URI is named without its query (a socket's path). */
			int len = d == D_CONNECT ? (int)strcspn(v, "?") : (int)strlen(v);

			if (dim_set(c, &dims[d], v) < 0)
				return -1;
			if (dims[d].n > 1 || dims[d].in_name)
				snprintf(c->name + strlen(c->name), sizeof c->name - strlen(c->name),
					 "%s%s%s%.*s", c->name[0] ? "/" : "", dims[d].keyed ? dims[d].opt + 2 : "",
					 dims[d].keyed ? "=" : "", *v ? len : 1, *v ? v : "-");
		}
		/* Not a topology whose machine libvirt cannot run (microvm). */
		{
			struct plan_input tin = c->in;

			tin.topo = topo_find(c->in.topology, &tin.topo_arg);
			skip = !machine_of(plan_input_machine(&tin))->libvirt && c->backend == BACKEND_LIBVIRT;
		}
		for (size_t i = 0; c->name[i]; i++) {
			char ch = c->name[i];

			c->file[i] = ch == '/' ? '-' :
				     (isalnum((unsigned char)ch) || strchr("._=+-", ch)) ? ch : '_';
			c->file[i + 1] = '\0';
		}
		if (!skip)
			b->nconf++;
		for (d = NDIMS; d-- > 0;) {
			if (++idx[d] < dims[d].n)
				break;
			idx[d] = 0;
		}
		if (d == (size_t)-1)
			break;
	}
	if (!b->nconf)
		return err_usage_fail("bench: no configuration to run");
	return 0;
}

/* Each configuration's kernel image, extracted before the first run. */
/* The bench's progress on a terminal, and each failed run. */
struct progress {
	double t0;
};

static void on_progress(void *ctx, const char *what, long i, long n)
{
	const struct progress *p = ctx;

	if (!isatty(2) || cmd_global.quiet)
		return;
	if (i == 0)
		fprintf(stderr, "\r\033[Kmaking the template for %s, %.0f s elapsed", what,
			util_now() - p->t0);
	else
		fprintf(stderr, "\r\033[Krun %ld of %ld: %s, %.0f s elapsed", i, n, what,
			util_now() - p->t0);
	fflush(stderr);
}

static void on_failed(void *ctx, const char *conf, const char *why)
{
	(void)ctx;
	fprintf(stderr, "%sleanboot: bench: %s: %s\n", isatty(2) ? "\n" : "", conf, why);
}

int cmd_bench(int argc, char **argv)
{
	struct bench *b = calloc(1, sizeof *b);
	struct bench_opts o = {
		.dim = {
			[D_ARCH] = { "--arch", OPT_ARCH, { 0 }, 0, 0 },
			[D_TOPOLOGY] = { "--topology", OPT_TOPOLOGY, { 0 }, 0, 1 },
			[D_BACKEND] = { "--backend", OPT_BACKEND, { 0 }, 0, 1 },
			[D_START] = { "--start", OPT_START, { 0 }, 0, 0 },
			[D_SHAPE] = { "--shape", OPT_SHAPE, { 0 }, 0, 0 },
			[D_FIRMWARE] = { "--firmware", OPT_FIRMWARE, { 0 }, 0, 0 },
			[D_KFORMAT] = { "--kernel-format", OPT_KERNEL_FORMAT, { 0 }, 0, 0 },
			[D_MEMORY] = { "--memory", OPT_MEMORY, { 0 }, 0, 0 },
			[D_TB_CACHE] = { "--tb-cache", OPT_TB_CACHE, { 0 }, 0, 0 },
			[D_TUNING] = { "--tuning", OPT_TUNING, { 0 }, 0, 0 },
			[D_APPEND] = { "--append", OPT_APPEND, { 0 }, 0, 0 },
			[D_CHANNEL] = { "--channel", OPT_CHANNEL, { 0 }, 0, 0, 1 },
			[D_CLOCK] = { "--clock", OPT_CLOCK, { 0 }, 0, 0, 1 },
			[D_CONNECT] = { "--connect", OPT_CONNECT, { 0 }, 0, 0 },
		},
	};
	/* What a dimension not given takes: the defaults of `run`. */
	static const char *const defaults[NDIMS][3] = {
		[D_ARCH] = { "" }, [D_TOPOLOGY] = { "minimal", "auto" }, [D_BACKEND] = { NULL },
		[D_START] = { "cold" }, [D_SHAPE] = { NULL },
		/* Each arch's: the resolver picks qboot where QEMU has it. */
		[D_FIRMWARE] = { "" }, [D_KFORMAT] = { "auto" }, [D_MEMORY] = { "" }, [D_TB_CACHE] = { "" },
		[D_TUNING] = { "on" }, [D_APPEND] = { "" }, [D_CHANNEL] = { "on" }, [D_CLOCK] = { "real" },
		[D_CONNECT] = { NULL },
	};
	struct progress pr = { util_now() };
	struct bench_hooks hooks = { on_progress, on_failed, &pr };
	int r, status = LB_EXIT_USAGE, hit, peer;
	struct appl a;

	if (!b)
		return err_usage("out of memory");
	o.b = b;
	b->runs = 5;
	b->warmup = 1;
	b->timeout = 300;
	r = cmd_parse(CMD_BENCH, argc, argv, bench_opt, &o);
	if (r) {
		status = r > 0 ? 0 : LB_EXIT_USAGE;
		goto out;
	}
	if (optind < argc) {
		status = err_usage("bench: unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (o.peer && cmd_choice(&peer, cmd_peer_names, "--peer", o.peer) < 0)
		goto out;
	for (int d = 0; d < NDIMS; d++) {
		if (o.dim[d].n)
			continue;
		for (int i = 0; i < 3 && defaults[d][i]; i++)
			o.dim[d].vals[o.dim[d].n++] = defaults[d][i];
		/* --backend before the command, or $LEANBOOT_BACKEND. */
		if (d == D_BACKEND)
			o.dim[d].vals[o.dim[d].n++] = backend_name((enum backend_kind)cmd_global.backend);
		if (d == D_SHAPE)
			o.dim[d].vals[o.dim[d].n++] = plan_shape_name(PLAN_SHAPE_DEFAULT);
		/* --connect URI[,URI]...: hosts side by side ("default" is
		 * the embedded driver). */
		if (d == D_CONNECT) {
			char *list = cmd_global.connect ? strdup(cmd_global.connect) : NULL;

			if (!list)
				o.dim[d].vals[o.dim[d].n++] = "";
			else if (strv_add(&o.made, list) < 0 ||
				 dim_values(&o.dim[d], o.made.v[o.made.n - 1], 1, &o.made) < 0) {
				free(list);
				goto out;
			}
			free(list);
		}
	}
	if (make_confs(b, o.dim) < 0 || bench_expect_confs(b, o.expect, o.nexpect) < 0)
		goto out;
	if (o.peer) {
		b->peer = access("/usr/bin/guestfish", X_OK) == 0;
		if (!b->peer)
			fprintf(stderr, "leanboot: notice: libguestfs is not installed "
				"(guestfish missing); the peer is left out\n");
	}
	if (b->logs && util_mkdirs(b->logs) < 0) {
		status = err_report("bench");
		goto out;
	}
	status = LB_EXIT_VM;
	b->appl = &a;
	b->pool = cmd_global.pool;
	b->verbose = cmd_global.verbose > 1;
	/* Each configuration resolved as run resolves its options, and the
	 * appliance built, before the first run. */
	if (appl_locate(&a) < 0) {
		status = err_report("bench");
		goto out;
	}
	for (size_t k = 0; k < b->nconf; k++)
		if (cmd_resolve_on(&b->conf[k].in, &b->conf[k].appl, 1, b->conf[k].backend,
				   b->conf[k].connect) < 0 ||
		    appl_build(&b->conf[k].appl, 0, &hit) < 0) {
			status = err_report("bench");
			goto out;
		}
	if (bench_run(b, &hooks) < 0) {
		status = err_report("bench");
		goto out;
	}
	if (isatty(2) && !cmd_global.quiet)
		fputc('\n', stderr);
	bench_report_table(b);
	status = LB_EXIT_OK;
	for (size_t k = 0; k < b->nconf; k++)
		if (b->conf[k].failed == b->runs)
			status = LB_EXIT_VM;
	if (o.nexpect || o.junit) {
		struct junit j;
		int failed;

		if (o.junit && junit_init(&j, "leanboot bench") < 0) {
			status = err_report("bench");
			goto out;
		}
		failed = bench_expect_check(b, o.expect, o.nexpect, o.junit ? &j : NULL);
		if (failed < 0 || (o.junit && junit_write(&j, o.junit) < 0))
			status = err_report("bench");
		else if (failed && status == LB_EXIT_OK)
			status = LB_EXIT_SHORT;
		if (o.junit)
			junit_free(&j);
	}
	if ((b->json && bench_report_json(b, b->json) < 0) || (b->csv && bench_report_csv(b, b->csv) < 0) ||
	    (b->svg && bench_report_svg(b, b->svg) < 0))
		status = err_report("bench");
out:
	for (size_t k = 0; k < b->nconf; k++)
		cmd_resolve_free(&b->conf[k].in);
	strv_free(&o.made);
	free(b);
	return status;
}
