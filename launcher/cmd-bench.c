/* leanboot bench: where boot time goes, stage by stage, and what each PCI
 * topology costs, measured side by side.  Configurations (topology x
 * backend) and the peer run interleaved, round by round, so that drift on
 * a shared machine hits them all alike; ratios to the baseline are taken
 * within each round. */
#define _GNU_SOURCE
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "appliance.h"
#include "cmd.h"
#include "err.h"
#include "kernel.h"
#include "launch.h"
#include "lv.h"
#include "proc.h"
#include "stages.h"
#include "stats.h"
#include "svg.h"
#include "util.h"

#define MAX_CONF 32
#define MAX_RUNS 100
#define MAX_VALS 16

enum { S_PLAN, S_RENDER, S_CREATE, S_START, S_FIRMWARE, S_BOOT, S_COMMAND, S_POWEROFF,
       S_TEARDOWN, NSTAGES };

static const char *const stage_names[NSTAGES] = {
	"plan", "render", "create", "start", "firmware", "kernel+init", "command", "poweroff",
	"teardown",
};

struct run_rec {
	int ok;
	double stage[NSTAGES];
	double to_ready, wall;
	double guest_init, guest_ready, pci_ms;
	double rss_mib;           /* QEMU's peak RSS; NAN: unknown */
	struct stg_cfg cfg;
	struct stg_guest guest;
};

/* One configuration: a point in the product of the dimensions below. */
struct conf {
	char name[96];            /* the values of the dimensions that vary */
	char file[96];            /* the name as a file name */
	const char *backend;
	struct plan_input in;     /* as run would take it from the same options */
	char kernel[PATH_MAX];    /* the image in.kernel_format resolved to */
	struct run_rec run[MAX_RUNS];
	int failed;
};

/* A dimension of the benchmark: an option of run's taking a list of
 * values here.  "" (and "auto" for the kernel format) is run's default. */
struct dim {
	const char *opt;
	int code;                 /* the option's getopt code */
	const char *vals[MAX_VALS];
	size_t n;
	int in_name;              /* name the value even when it alone is given */
};

struct bench {
	struct conf conf[MAX_CONF];
	size_t nconf;
	long runs, warmup;
	int peer;                 /* --peer libguestfs, and guestfish is there */
	double peer_wall[MAX_RUNS];
	const char *json, *csv, *svg;
	const char *logs;         /* --logs DIR: each run's dmesg and trace */
	enum plan_accel accel;
	int plain;                /* --plain: run `true` with no tracing */
	char qemu_version[128], libvirt_version[32], cpu[128], kver[128];
};

enum { D_TOPOLOGY, D_BACKEND, D_SHAPE, D_FIRMWARE, D_KFORMAT, D_MEMORY, D_TB_CACHE, D_TUNING,
       D_APPEND, NDIMS };

struct bench_opts {
	struct dim dim[NDIMS];
	const char *peer;
	struct bench *b;
};

/* Apply V, a value of dimension D, to C: through cmd_plan_opt, so bench
 * and run share one set of checks and messages.  The values live in argv
 * (or are literals), so the pointers the plan input keeps stay valid. */
static int dim_set(struct conf *c, const struct dim *d, const char *v)
{
	long arg;

	if (d->code == OPT_BACKEND)
		return cmd_backend_opt(v, &c->backend);
	if (!*v || (d->code == OPT_KERNEL_FORMAT && !strcmp(v, "auto")))
		return 0;   /* the default, already in place */
	if (d->code == OPT_TOPOLOGY && !topo_find(v, &arg))
		return err_report("bench"), -1;
	return cmd_plan_opt(d->code, (char *)v, &c->in, 0) < 0 ? -1 : 0;
}

/* Add ARG's values to D: a comma list, or (LIST=0) one value as it is. */
static int dim_values(struct dim *d, char *arg, int list)
{
	char *sp, *v;

	if (!list) {
		if (d->n >= MAX_VALS)
			return err_usage("%s: at most %d values", d->opt, MAX_VALS), -1;
		d->vals[d->n++] = arg;
		return 0;
	}
	for (v = strtok_r(arg, ",", &sp); v; v = strtok_r(NULL, ",", &sp)) {
		if (d->n >= MAX_VALS)
			return err_usage("%s: at most %d values", d->opt, MAX_VALS), -1;
		d->vals[d->n++] = v;
	}
	return 0;
}

static int bench_opt(int c, char *arg, void *ctx)
{
	struct bench_opts *o = ctx;

	switch (c) {
	case 'T':
		return dim_values(&o->dim[D_TOPOLOGY], arg, 1);
	case 'B':
	case OPT_BACKEND:   /* bench takes a list where other commands take one */
		return dim_values(&o->dim[D_BACKEND], arg, 1);
	case OPT_FIRMWARE:
		return dim_values(&o->dim[D_FIRMWARE], arg, 1);
	case OPT_SHAPE:
		return dim_values(&o->dim[D_SHAPE], arg, 1);
	case OPT_KERNEL_FORMAT:
		return dim_values(&o->dim[D_KFORMAT], arg, 1);
	case OPT_MEMORY:
		return dim_values(&o->dim[D_MEMORY], arg, 1);
	case OPT_TB_CACHE:
		return dim_values(&o->dim[D_TB_CACHE], arg, 1);
	case OPT_TUNING:
		return dim_values(&o->dim[D_TUNING], arg, 1);
	case OPT_APPEND:   /* one variant per --append; "" is none */
		return dim_values(&o->dim[D_APPEND], arg, 0);
	case 'P':
		o->b->plain = 1;
		return 0;
	case 'n':
		if (util_parse_long(arg, 1, MAX_RUNS, &o->b->runs) < 0) {
			err_usage("--runs: '%s' is not a number from 1 to %d", arg, MAX_RUNS);
			return -1;
		}
		return 0;
	case 'w':
		if (util_parse_long(arg, 0, 10, &o->b->warmup) < 0) {
			err_usage("--warmup: '%s' is not a number from 0 to 10", arg);
			return -1;
		}
		return 0;
	case 'p':
		o->peer = arg;
		return 0;
	case 'j':
		o->b->json = arg;
		return 0;
	case 'C':
		o->b->csv = arg;
		return 0;
	case 's':
		o->b->svg = arg;
		return 0;
	case 'L':
		o->b->logs = arg;
		return 0;
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
		struct conf *c;
		size_t d;
		int skip;

		if (b->nconf >= MAX_CONF)
			return err_usage("bench: at most %d configurations", MAX_CONF), -1;
		c = &b->conf[b->nconf];
		memset(c, 0, sizeof *c);
		c->in = (struct plan_input){ .machine = -1, .firmware = -1, .kernel_format = -1,
					     .shape = -1, .tb_cache_mib = -1, .tuning = 1 };
		for (d = 0; d < NDIMS; d++) {
			const char *v = dims[d].vals[idx[d]];

			if (dim_set(c, &dims[d], v) < 0)
				return -1;
			if (dims[d].n > 1 || dims[d].in_name)
				snprintf(c->name + strlen(c->name), sizeof c->name - strlen(c->name),
					 "%s%s", c->name[0] ? "/" : "", *v ? v : "-");
		}
		/* libvirt cannot run microvm */
		{
			long arg;
			const struct topo *tp = topo_find(c->in.topology, &arg);

			skip = tp->machines == (1u << PLAN_MICROVM) && !strcmp(c->backend, "libvirt");
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
		return err_usage("bench: no configuration to run"), -1;
	return 0;
}

/* Each configuration's kernel image, extracted before the first run. */
static int pick_kernels(struct bench *b, struct appl *a)
{
	for (size_t k = 0; k < b->nconf; k++) {
		struct conf *c = &b->conf[k];
		struct plan_input in = { .kernel_format = c->in.kernel_format };

		if (cmd_pick_kernel(&in, a, 1) < 0)
			return -1;
		snprintf(c->kernel, sizeof c->kernel, "%s", in.kernel);
		c->in.kernel = c->kernel;
		c->in.kernel_format = in.kernel_format;
	}
	return 0;
}

static double span(double from, double to)
{
	return from > 0 && to > 0 && to >= from ? to - from : NAN;
}

/* --logs: DIR/NAME-ROUND.{dmesg,trace,banner}, NAME the configuration's
 * with '/' as '-'; the banner
 * file holds the realtime that splits the trace. */
static void save_logs(const struct bench *b, const struct conf *c, long round, const char *dmesg,
		      double banner)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof path, "%.3000s/%s-%ld.dmesg", b->logs, c->file, round);
	if ((f = fopen(path, "we"))) {
		fputs(dmesg ? dmesg : "", f);
		fclose(f);
	}
	snprintf(path, sizeof path, "%.3000s/%s-%ld.banner", b->logs, c->file, round);
	if ((f = fopen(path, "we"))) {
		fprintf(f, "%.6f\n", banner);
		fclose(f);
	}
}

static int bench_one(struct bench *b, struct conf *c, struct run_rec *rec, long round)
{
	char trace[PATH_MAX];
	static char *const job[] = { "dmesg", NULL }, *const plain[] = { "true", NULL };
	struct launch_capture cap = { 0 };
	struct launch_times t = { 0 };
	struct launch_opts lo = {
		.in = c->in,
		.backend = c->backend, .connect = lb_global.connect,
		.cmd = b->plain ? plain : job, .timeout = 300,
		.verbose = lb_global.verbose > 1, .capture = b->plain ? NULL : &cap,
		.bench = !b->plain,
	};
	int r;

	lo.in.accel = b->accel;
	if (b->logs && !b->plain) {
		snprintf(trace, sizeof trace, "%.3000s/%s-%ld.trace", b->logs, c->file, round);
		lo.trace_out = trace;
	}
	r = launch_run(&lo, &t);
	if (b->logs && r == 0 && !b->plain)
		save_logs(b, c, round, cap.buf, t.banner_epoch);

	memset(rec, 0, sizeof *rec);
	if (r != 0) {
		if (r > 0)
			err_set(LB_EXIT_VM, "dmesg in the guest exited %d", r);
		free(cap.buf);
		return -1;
	}
	rec->ok = 1;
	rec->stage[S_PLAN] = t.planned;
	rec->stage[S_RENDER] = span(t.planned, t.rendered);
	rec->stage[S_CREATE] = span(t.rendered, t.created);
	rec->stage[S_START] = span(t.created, t.running);
	rec->stage[S_FIRMWARE] = span(t.running, t.kernel);
	rec->stage[S_BOOT] = span(t.kernel, t.ready);
	rec->stage[S_COMMAND] = span(t.ready, t.exited);
	rec->stage[S_POWEROFF] = span(t.exited, t.stopped);
	rec->stage[S_TEARDOWN] = span(t.stopped, t.torn_down);
	rec->to_ready = t.ready;
	rec->wall = t.torn_down;
	rec->guest_ready = t.guest_ready;
	rec->rss_mib = t.qemu_peak_kib ? t.qemu_peak_kib / 1024.0 : NAN;
	rec->cfg = t.cfg;
	stg_parse_dmesg(cap.buf ? cap.buf : "", &rec->guest);
	rec->guest_init = rec->guest.init_start;
	rec->pci_ms = rec->guest.pci_usecs / 1000.0;
	free(cap.buf);
	return 0;
}

static double run_peer(void)
{
	const char *argv[] = { "timeout", "300", "guestfish", "-a", "/dev/null", "run", NULL };
	/* KVM may hang here, so TCG is forced and a deadline set. */
	const char *env[] = { "LIBGUESTFS_BACKEND=direct",
			      "LIBGUESTFS_BACKEND_SETTINGS=force_tcg", NULL };
	double t0 = util_now();

	if (proc_run(argv, env, NULL) < 0)
		return NAN;
	return util_now() - t0;
}

static void progress(const char *what, long i, long n, double t0)
{
	if (!isatty(2) || lb_global.quiet)
		return;
	fprintf(stderr, "\r\033[Krun %ld of %ld: %s, %.0f s elapsed", i, n, what, util_now() - t0);
	fflush(stderr);
}

typedef double (*field_fn)(const struct run_rec *r);
static double f_ready(const struct run_rec *r) { return r->to_ready; }
static double f_wall(const struct run_rec *r) { return r->wall; }
static double f_ginit(const struct run_rec *r) { return r->guest_init; }
static double f_gready(const struct run_rec *r) { return r->guest_ready; }
static double f_pci(const struct run_rec *r) { return r->pci_ms; }
static double f_rss(const struct run_rec *r) { return r->rss_mib; }
static double f_cfg(const struct run_rec *r) { return (double)(r->cfg.reads + r->cfg.writes); }
static double f_cfg_fw(const struct run_rec *r) { return r->cfg.firmware < 0 ? NAN : (double)r->cfg.firmware; }

static struct stats conf_stats(const struct bench *b, const struct conf *c, field_fn f, int stage)
{
	double v[MAX_RUNS];

	for (long i = 0; i < b->runs; i++)
		v[i] = !c->run[i].ok ? NAN : f ? f(&c->run[i]) : c->run[i].stage[stage];
	return stats_of(v, (size_t)b->runs);
}

/* The ratio of F to the baseline's F, taken within each round. */
static struct stats conf_ratio(const struct bench *b, const struct conf *c, field_fn f)
{
	const struct conf *base = &b->conf[0];
	double v[MAX_RUNS];

	for (long i = 0; i < b->runs; i++)
		v[i] = c->run[i].ok && base->run[i].ok ? f(&c->run[i]) / f(&base->run[i]) : NAN;
	return stats_of(v, (size_t)b->runs);
}

/* The configuration's wall time over the peer's, taken within each round. */
static struct stats peer_ratio(const struct bench *b, const struct conf *c)
{
	double v[MAX_RUNS];

	for (long i = 0; i < b->runs; i++)
		v[i] = c->run[i].ok ? c->run[i].wall / b->peer_wall[i] : NAN;
	return stats_of(v, (size_t)b->runs);
}

static int deterministic(const struct bench *b, const struct conf *c)
{
	long first = -1;

	for (long i = 0; i < b->runs; i++) {
		long v;

		if (!c->run[i].ok)
			continue;
		v = c->run[i].cfg.reads + c->run[i].cfg.writes;
		if (first >= 0 && v != first)
			return 0;
		first = v;
	}
	return first >= 0;
}

/* TCG's translation cache in MiB; 0 is QEMU's own default. */
static unsigned conf_tb(const struct conf *c)
{
	return c->in.tb_cache_mib < 0 ? PLAN_TB_CACHE_MIB : (unsigned)c->in.tb_cache_mib;
}

/* Guest RAM in MiB, the shape's default when none was given. */
static unsigned conf_memory(const struct conf *c)
{
	return c->in.memory_mib ? c->in.memory_mib : plan_default_memory(c->in.shape);
}

/* Everything a configuration boots with, in one cell. */
static void conf_setup(const struct conf *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s+%s %uM %u %s", plan_shape_name(c->in.shape),
		 plan_firmware_name(c->in.firmware), kern_format_name(c->in.kernel_format),
		 conf_memory(c), conf_tb(c), c->in.tuning ? "on" : "off");
}

/* Table columns: wide enough for every configuration's name and setup. */
static int colw(const struct bench *b)
{
	size_t w = 24;
	char cell[128];

	for (size_t k = 0; k < b->nconf; k++) {
		conf_setup(&b->conf[k], cell, sizeof cell);
		if (strlen(b->conf[k].name) > w)
			w = strlen(b->conf[k].name);
		if (strlen(cell) > w)
			w = strlen(cell);
	}
	return (int)w;
}

static void row(const struct bench *b, const char *name, field_fn f, int stage, const char *fmt,
		double mul)
{
	printf("%-26s", name);
	for (size_t k = 0; k < b->nconf; k++) {
		struct stats s = conf_stats(b, &b->conf[k], f, stage);
		char cell[64];

		if (!s.n)
			snprintf(cell, sizeof cell, "-");
		else
			snprintf(cell, sizeof cell, fmt, s.median * mul, s.min * mul, s.max * mul);
		printf(" %*s", colw(b), cell);
	}
	putchar('\n');
}

static void print_table(const struct bench *b)
{
	const char *name;
	char cell[128];

	printf("conditions: qemu %s, libvirt %s, kernel %s, accel %s, CPU %s x %ld\n",
	       b->qemu_version, b->libvirt_version, b->kver,
	       b->accel == PLAN_ACCEL_KVM ? "kvm" : "tcg", b->cpu, sysconf(_SC_NPROCESSORS_ONLN));
	printf("%ld runs per configuration after %ld warm-up, interleaved round by round; "
	       "median [min-max]%s\n\n", b->runs, b->warmup,
	       b->plain ? "; plain: `run -- true`, no tracing" : "");
	printf("%-26s", "configuration");
	for (size_t k = 0; k < b->nconf; k++)
		printf(" %*s", colw(b), b->conf[k].name);
	printf("\n%-26s", "shape boot RAM tb tuning");
	for (size_t k = 0; k < b->nconf; k++) {
		conf_setup(&b->conf[k], cell, sizeof cell);
		printf(" %*s", colw(b), cell);
	}
	printf("\n\n%-26s\n", "stage (host clock, s)");
	for (int s = 0; s < NSTAGES; s++)
		row(b, stage_names[s], NULL, s, "%.3f [%.2f-%.2f]", 1);
	row(b, "to ready", f_ready, 0, "%.2f [%.2f-%.2f]", 1);
	row(b, "wall", f_wall, 0, "%.2f [%.2f-%.2f]", 1);
	row(b, "qemu peak RSS (MiB)", f_rss, 0, "%.0f [%.0f-%.0f]", 1);
	if (b->plain)
		goto ratios;
	printf("\n%-26s\n", "guest clock (printk, s)");
	row(b, "init starts", f_ginit, 0, "%.2f [%.2f-%.2f]", 1);
	row(b, "ready (uptime)", f_gready, 0, "%.2f [%.2f-%.2f]", 1);
	row(b, "PCI initcalls (ms)", f_pci, 0, "%.0f [%.0f-%.0f]", 1);
	printf("\n%-26s\n", "PCI config accesses");
	row(b, "all", f_cfg, 0, "%.0f [%.0f-%.0f]", 1);
	row(b, "by the firmware", f_cfg_fw, 0, "%.0f [%.0f-%.0f]", 1);
	printf("%-26s", "same in every run");
	for (size_t k = 0; k < b->nconf; k++)
		printf(" %*s", colw(b), deterministic(b, &b->conf[k]) ? "yes" : "NO");
	putchar('\n');
ratios:
	name = b->conf[0].name;
	printf("\nratio to %s, per round (median)\n", name);
	printf("%-26s", "to ready");
	for (size_t k = 0; k < b->nconf; k++)
		printf(" %*.2f", colw(b), conf_ratio(b, &b->conf[k], f_ready).median);
	printf("\n%-26s", "wall");
	for (size_t k = 0; k < b->nconf; k++)
		printf(" %*.2f", colw(b), conf_ratio(b, &b->conf[k], f_wall).median);
	if (!b->plain) {
		printf("\n%-26s", "PCI config accesses");
		for (size_t k = 0; k < b->nconf; k++)
			printf(" %*.2f", colw(b), conf_ratio(b, &b->conf[k], f_cfg).median);
	}
	putchar('\n');
	for (size_t k = 0; k < b->nconf; k++)
		if (b->conf[k].failed)
			printf("%s: %d runs failed and are left out\n", b->conf[k].name,
			       b->conf[k].failed);
	if (b->peer) {
		struct stats p = stats_of(b->peer_wall, (size_t)b->runs);

		printf("\npeer: guestfish -a /dev/null run (direct backend, TCG): wall %.2f [%.2f-%.2f] s\n",
		       p.median, p.min, p.max);
		printf("%-26s", "wall / libguestfs wall");
		for (size_t k = 0; k < b->nconf; k++)
			printf(" %*.2f", colw(b), peer_ratio(b, &b->conf[k]).median);
		putchar('\n');
	}
}

static json_object *jd(double v)
{
	return isnan(v) ? NULL : json_object_new_double(round(v * 1e6) / 1e6);
}

static int write_json(const struct bench *b)
{
	json_object *root = json_object_new_object(), *cond = json_object_new_object();
	json_object *confs = json_object_new_array();
	int r;

	json_object_object_add(cond, "qemu", json_object_new_string(b->qemu_version));
	json_object_object_add(cond, "libvirt", json_object_new_string(b->libvirt_version));
	json_object_object_add(cond, "kernel", json_object_new_string(b->kver));
	json_object_object_add(cond, "plain", json_object_new_boolean(b->plain));
	json_object_object_add(cond, "accel", json_object_new_string(b->accel == PLAN_ACCEL_KVM ? "kvm" : "tcg"));
	json_object_object_add(cond, "cpu", json_object_new_string(b->cpu));
	json_object_object_add(cond, "cores", json_object_new_int((int)sysconf(_SC_NPROCESSORS_ONLN)));
	json_object_object_add(cond, "runs", json_object_new_int((int)b->runs));
	json_object_object_add(cond, "warmup", json_object_new_int((int)b->warmup));
	json_object_object_add(root, "conditions", cond);
	for (size_t k = 0; k < b->nconf; k++) {
		const struct conf *c = &b->conf[k];
		json_object *jc = json_object_new_object(), *runs = json_object_new_array();

		json_object_object_add(jc, "name", json_object_new_string(c->name));
		json_object_object_add(jc, "topology", json_object_new_string(c->in.topology));
		json_object_object_add(jc, "backend", json_object_new_string(c->backend));
		json_object_object_add(jc, "shape", json_object_new_string(plan_shape_name(c->in.shape)));
		json_object_object_add(jc, "firmware", json_object_new_string(plan_firmware_name(c->in.firmware)));
		json_object_object_add(jc, "kernel_format", json_object_new_string(kern_format_name(c->in.kernel_format)));
		json_object_object_add(jc, "memory_mib", json_object_new_int((int)conf_memory(c)));
		json_object_object_add(jc, "tb_cache_mib", json_object_new_int((int)conf_tb(c)));
		json_object_object_add(jc, "tuning", json_object_new_boolean(c->in.tuning));
		json_object_object_add(jc, "append", c->in.append ? json_object_new_string(c->in.append) : NULL);
		for (long i = 0; i < b->runs; i++) {
			const struct run_rec *rr = &c->run[i];
			json_object *jr = json_object_new_object(), *st = json_object_new_object();
			json_object *calls = json_object_new_array();

			json_object_object_add(jr, "round", json_object_new_int((int)i + 1));
			json_object_object_add(jr, "ok", json_object_new_boolean(rr->ok));
			for (int s = 0; s < NSTAGES; s++)
				json_object_object_add(st, stage_names[s], jd(rr->stage[s]));
			json_object_object_add(jr, "stages", st);
			json_object_object_add(jr, "to_ready", jd(rr->to_ready));
			json_object_object_add(jr, "wall", jd(rr->wall));
			json_object_object_add(jr, "qemu_peak_rss_mib", jd(rr->rss_mib));
			json_object_object_add(jr, "guest_init_start", jd(rr->guest_init));
			json_object_object_add(jr, "guest_ready", jd(rr->guest_ready));
			json_object_object_add(jr, "pci_initcalls_ms", jd(rr->pci_ms));
			for (size_t n = 0; n < rr->guest.ncalls; n++) {
				json_object *call = json_object_new_object();

				json_object_object_add(call, "name", json_object_new_string(rr->guest.calls[n].name));
				json_object_object_add(call, "usecs", json_object_new_int64(rr->guest.calls[n].usecs));
				json_object_array_add(calls, call);
			}
			json_object_object_add(jr, "pci_initcalls", calls);
			json_object_object_add(jr, "pci_cfg_reads", json_object_new_int64(rr->cfg.reads));
			json_object_object_add(jr, "pci_cfg_writes", json_object_new_int64(rr->cfg.writes));
			json_object_object_add(jr, "pci_cfg_firmware", json_object_new_int64(rr->cfg.firmware));
			json_object_object_add(jr, "pci_cfg_kernel", json_object_new_int64(rr->cfg.kernel));
			json_object_array_add(runs, jr);
		}
		json_object_object_add(jc, "runs", runs);
		json_object_object_add(jc, "ratio_to_ready", jd(conf_ratio(b, c, f_ready).median));
		json_object_object_add(jc, "ratio_wall", jd(conf_ratio(b, c, f_wall).median));
		json_object_object_add(jc, "ratio_pci_cfg", jd(conf_ratio(b, c, f_cfg).median));
		if (b->peer)
			json_object_object_add(jc, "ratio_wall_to_peer", jd(peer_ratio(b, c).median));
		json_object_array_add(confs, jc);
	}
	json_object_object_add(root, "configurations", confs);
	if (b->peer) {
		json_object *p = json_object_new_object(), *w = json_object_new_array();

		json_object_object_add(p, "command", json_object_new_string("guestfish -a /dev/null run"));
		for (long i = 0; i < b->runs; i++)
			json_object_array_add(w, jd(b->peer_wall[i]));
		json_object_object_add(p, "wall", w);
		json_object_object_add(root, "peer", p);
	}
	r = json_object_to_file_ext(b->json, root, JSON_C_TO_STRING_PRETTY);
	json_object_put(root);
	if (r < 0) {
		err_set(LB_EXIT_USAGE, "cannot write %s", b->json);
		return -1;
	}
	return 0;
}

static int write_csv(const struct bench *b)
{
	FILE *f = fopen(b->csv, "we");

	if (!f) {
		err_set(LB_EXIT_USAGE, "cannot write %s", b->csv);
		return -1;
	}
	fprintf(f, "configuration,topology,backend,shape,firmware,kernel_format,memory_mib,"
		   "tb_cache_mib,tuning,round,ok");
	for (int s = 0; s < NSTAGES; s++)
		fprintf(f, ",%s", stage_names[s]);
	fprintf(f, ",to_ready,wall,qemu_peak_rss_mib,guest_init_start,guest_ready,pci_initcalls_ms,"
		   "pci_cfg_reads,pci_cfg_writes,pci_cfg_firmware,pci_cfg_kernel\n");
	for (size_t k = 0; k < b->nconf; k++)
		for (long i = 0; i < b->runs; i++) {
			const struct conf *c = &b->conf[k];
			const struct run_rec *r = &c->run[i];

			/* The file-safe name: no commas or quotes to escape. */
			fprintf(f, "%s,%s,%s,%s,%s,%s,%u,%u,%s,%ld,%d", c->file, c->in.topology,
				c->backend, plan_shape_name(c->in.shape),
				plan_firmware_name(c->in.firmware), kern_format_name(c->in.kernel_format),
				conf_memory(c), conf_tb(c), c->in.tuning ? "on" : "off", i + 1, r->ok);
			for (int s = 0; s < NSTAGES; s++)
				fprintf(f, ",%.6f", r->stage[s]);
			fprintf(f, ",%.6f,%.6f,%.1f,%.6f,%.6f,%.3f,%ld,%ld,%ld,%ld\n", r->to_ready,
				r->wall, r->rss_mib, r->guest_init, r->guest_ready, r->pci_ms, r->cfg.reads,
				r->cfg.writes, r->cfg.firmware, r->cfg.kernel);
		}
	for (long i = 0; b->peer && i < b->runs; i++) {
		fprintf(f, "libguestfs,,peer,,,,,,,%ld,%d", i + 1, !isnan(b->peer_wall[i]));
		for (int s = 0; s < NSTAGES; s++)
			fputc(',', f);
		fprintf(f, ",,%.6f,,,,,,,,\n", b->peer_wall[i]);
	}
	if (fclose(f) != 0) {
		err_set(LB_EXIT_USAGE, "cannot write %s", b->csv);
		return -1;
	}
	return 0;
}

static int write_svg(const struct bench *b)
{
	static const char *const segs[] = { "launcher", "firmware", "kernel+init", "command",
					    "shutdown" };
	struct svg_bar bars[MAX_CONF + 1];
	size_t n = 0;

	memset(bars, 0, sizeof bars);
	for (size_t k = 0; k < b->nconf; k++, n++) {
		const struct conf *c = &b->conf[k];
		double m[NSTAGES];

		for (int s = 0; s < NSTAGES; s++)
			m[s] = conf_stats(b, c, NULL, s).median;
		snprintf(bars[n].label, sizeof bars[n].label, "%s", c->name);
		bars[n].seg[0] = m[S_PLAN] + m[S_RENDER] + m[S_CREATE] + m[S_START];
		bars[n].seg[1] = m[S_FIRMWARE];
		bars[n].seg[2] = m[S_BOOT];
		bars[n].seg[3] = m[S_COMMAND];
		bars[n].seg[4] = m[S_POWEROFF] + m[S_TEARDOWN];
		snprintf(bars[n].note, sizeof bars[n].note, "%.0f PCI config accesses",
			 conf_stats(b, c, f_cfg, 0).median);
	}
	if (b->peer) {
		snprintf(bars[n].label, sizeof bars[n].label, "libguestfs (whole run)");
		bars[n].seg[0] = stats_of(b->peer_wall, (size_t)b->runs).median;
		n++;
	}
	return svg_write(b->svg, "leanboot bench: median seconds per stage (host clock)", segs, 5,
			 bars, n);
}

static void conditions(struct bench *b)
{
	char line[256];
	unsigned long v = 0;
	struct appl a;
	FILE *f = popen(PLAN_QEMU " --version", "r");

	snprintf(b->qemu_version, sizeof b->qemu_version, "?");
	if (f) {
		if (fgets(line, sizeof line, f) && !strncmp(line, "QEMU emulator version ", 22)) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(b->qemu_version, sizeof b->qemu_version, "%.120s", line + 22);
		}
		pclose(f);
	}
	if (appl_locate(&a) == 0)
		lv_init(a.cache, lb_global.verbose > 1);
	virGetVersion(&v, NULL, NULL);
	snprintf(b->libvirt_version, sizeof b->libvirt_version, "%lu.%lu.%lu", v / 1000000,
		 v / 1000 % 1000, v % 1000);
	snprintf(b->kver, sizeof b->kver, "?");
	if (appl_locate(&a) == 0 && appl_find_host_kernel(&a) == 0)
		snprintf(b->kver, sizeof b->kver, "%s", a.kver);
	snprintf(b->cpu, sizeof b->cpu, "?");
	if ((f = fopen("/proc/cpuinfo", "re"))) {
		while (fgets(line, sizeof line, f))
			if (!strncmp(line, "model name", 10) && strchr(line, ':')) {
				char *m = strchr(line, ':') + 2;

				m[strcspn(m, "\n")] = '\0';
				snprintf(b->cpu, sizeof b->cpu, "%.120s", m);
				break;
			}
		fclose(f);
	}
}

const struct option cmd_bench_opts[] = {
	{ "topology", required_argument, NULL, 'T' },
	{ "backends", required_argument, NULL, 'B' },
	{ "runs", required_argument, NULL, 'n' },
	{ "warmup", required_argument, NULL, 'w' },
	{ "peer", required_argument, NULL, 'p' },
	{ "json", required_argument, NULL, 'j' },
	{ "csv", required_argument, NULL, 'C' },
	{ "svg", required_argument, NULL, 's' },
	{ "logs", required_argument, NULL, 'L' },
	{ "firmware", required_argument, NULL, OPT_FIRMWARE },
	{ "shape", required_argument, NULL, OPT_SHAPE },
	{ "kernel-format", required_argument, NULL, OPT_KERNEL_FORMAT },
	{ "memory", required_argument, NULL, OPT_MEMORY },
	{ "tb-cache", required_argument, NULL, OPT_TB_CACHE },
	{ "tuning", required_argument, NULL, OPT_TUNING },
	{ "append", required_argument, NULL, OPT_APPEND },
	{ "plain", no_argument, NULL, 'P' },
	LB_GLOBAL_LONGOPTS,
};

int cmd_bench(int argc, char **argv)
{
	struct bench *b = calloc(1, sizeof *b);
	struct bench_opts o = {
		.b = b,
		.dim = {
			[D_TOPOLOGY] = { "--topology", OPT_TOPOLOGY, { 0 }, 0, 1 },
			[D_BACKEND] = { "--backend", OPT_BACKEND, { 0 }, 0, 1 },
			[D_SHAPE] = { "--shape", OPT_SHAPE, { 0 }, 0, 0 },
			[D_FIRMWARE] = { "--firmware", OPT_FIRMWARE, { 0 }, 0, 0 },
			[D_KFORMAT] = { "--kernel-format", OPT_KERNEL_FORMAT, { 0 }, 0, 0 },
			[D_MEMORY] = { "--memory", OPT_MEMORY, { 0 }, 0, 0 },
			[D_TB_CACHE] = { "--tb-cache", OPT_TB_CACHE, { 0 }, 0, 0 },
			[D_TUNING] = { "--tuning", OPT_TUNING, { 0 }, 0, 0 },
			[D_APPEND] = { "--append", OPT_APPEND, { 0 }, 0, 0 },
		},
	};
	/* What a dimension not given takes: the defaults of `run`. */
	static const char *const defaults[NDIMS][3] = {
		[D_TOPOLOGY] = { "minimal", "auto" }, [D_BACKEND] = { NULL },
		[D_SHAPE] = { NULL },
		[D_FIRMWARE] = { NULL }, [D_KFORMAT] = { "auto" }, [D_MEMORY] = { "" }, [D_TB_CACHE] = { "" },
		[D_TUNING] = { "on" }, [D_APPEND] = { "" },
	};
	struct plan_input fw = { .firmware = -1 };
	long total, done = 0;
	double t0 = util_now();
	int r, status = LB_EXIT_USAGE, hit;
	struct appl a;

	if (!b)
		return err_usage("out of memory");
	b->runs = 5;
	b->warmup = 1;
	r = cmd_parse("bench", argc, argv, cmd_bench_opts, bench_opt, &o);
	if (r) {
		status = r > 0 ? 0 : LB_EXIT_USAGE;
		goto out;
	}
	if (optind < argc) {
		status = err_usage("bench: unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (o.peer && strcmp(o.peer, CMD_PEER_LIBGUESTFS)) {
		status = err_usage("--peer: '%s' is not libguestfs", o.peer);
		goto out;
	}
	cmd_default_firmware(&fw);
	for (int d = 0; d < NDIMS; d++) {
		if (o.dim[d].n)
			continue;
		for (int i = 0; i < 3 && defaults[d][i]; i++)
			o.dim[d].vals[o.dim[d].n++] = defaults[d][i];
		if (d == D_FIRMWARE)
			o.dim[d].vals[o.dim[d].n++] = plan_firmware_name(fw.firmware);
		/* --backend before the command, or $LEANBOOT_BACKEND. */
		if (d == D_BACKEND)
			o.dim[d].vals[o.dim[d].n++] = lb_global.backend;
		if (d == D_SHAPE)
			o.dim[d].vals[o.dim[d].n++] = plan_shape_name(PLAN_SHAPE_DEFAULT);
	}
	if (make_confs(b, o.dim) < 0)
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
	if (cmd_resolve_accel(&b->accel) < 0 || appl_locate(&a) < 0 || appl_build(&a, 0, &hit) < 0 ||
	    pick_kernels(b, &a) < 0) {
		status = err_report("bench");
		goto out;
	}
	conditions(b);
	total = (b->runs + b->warmup) * (long)(b->nconf + (size_t)b->peer);
	for (long round = -b->warmup; round < b->runs; round++) {
		for (size_t k = 0; k < b->nconf; k++) {
			struct conf *c = &b->conf[k];
			struct run_rec scratch;

			progress(c->name, ++done, total, t0);
			if (bench_one(b, c, round < 0 ? &scratch : &c->run[round], round + 1) < 0) {
				fprintf(stderr, "%sleanboot: bench: %s: %s\n", isatty(2) ? "\n" : "",
					c->name, err_msg());
				if (round >= 0)
					c->failed++;
			}
		}
		if (b->peer) {
			double w;

			progress("libguestfs", ++done, total, t0);
			w = run_peer();
			if (round >= 0)
				b->peer_wall[round] = w;
		}
	}
	if (isatty(2) && !lb_global.quiet)
		fputc('\n', stderr);
	print_table(b);
	status = LB_EXIT_OK;
	for (size_t k = 0; k < b->nconf; k++)
		if (b->conf[k].failed == b->runs)
			status = LB_EXIT_VM;
	if ((b->json && write_json(b) < 0) || (b->csv && write_csv(b) < 0) ||
	    (b->svg && write_svg(b) < 0))
		status = err_report("bench");
out:
	free(b);
	return status;
}
