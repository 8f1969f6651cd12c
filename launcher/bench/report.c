/* bench-report: a bench's result as a table on stdout, and as JSON, CSV
 * and SVG files.  It only reads the result (const struct bench): medians,
 * minima and maxima per configuration, and ratios to the first
 * configuration (and to the peer) taken within each round. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "bench/sweep.h"
#include "bench/bench.h"
#include "common/err.h"
#include "plan/kernel.h"
#include "bench/stats.h"
#include "bench/svg.h"

/* Over C's runs: metric M, or (M < 0) the host-clock span STAGE. */
static struct stats conf_stats(const struct bench *b, const struct bench_conf *c, int m, int stage)
{
	double v[BENCH_MAX_RUNS];

	for (long i = 0; i < b->runs; i++)
		v[i] = !c->run[i].ok ? NAN : m >= 0 ? bench_metric((enum bench_metric)m, &c->run[i])
						    : c->run[i].stage[stage];
	return stats_of(v, (size_t)b->runs);
}

/* The ratio of F to the baseline's F, taken within each round. */
static struct stats conf_ratio(const struct bench *b, const struct bench_conf *c, enum bench_metric m)
{
	const struct bench_conf *base = &b->conf[0];
	double v[BENCH_MAX_RUNS];

	for (long i = 0; i < b->runs; i++)
		v[i] = bench_metric(m, &c->run[i]) / bench_metric(m, &base->run[i]);
	return stats_of(v, (size_t)b->runs);
}

/* The configuration's wall time over the peer's, taken within each round. */
static struct stats peer_ratio(const struct bench *b, const struct bench_conf *c)
{
	double v[BENCH_MAX_RUNS];

	for (long i = 0; i < b->runs; i++)
		v[i] = c->run[i].ok ? c->run[i].wall / b->peer_wall[i] : NAN;
	return stats_of(v, (size_t)b->runs);
}

static int deterministic(const struct bench *b, const struct bench_conf *c)
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
static unsigned conf_tb(const struct bench_conf *c)
{
	return c->in.tb_cache_mib < 0 ? PLAN_TB_CACHE_MIB : (unsigned)c->in.tb_cache_mib;
}

/* Guest RAM in MiB, the shape's default when none was given. */
static unsigned conf_memory(const struct bench_conf *c)
{
	return c->in.memory_mib ? c->in.memory_mib : plan_default_memory(c->in.shape);
}

/* How its launches start. */
static const char *conf_start(const struct bench_conf *c)
{
	return c->start == LAUNCH_START_COLD ? "cold" : "warm";
}

/* Everything a configuration boots with, in one cell. */
static void conf_setup(const struct bench_conf *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s+%s %uM %u %s %s %s", plan_shape_name(c->in.shape),
		 plan_firmware_name(c->in.firmware), kern_format_name(c->in.kernel_format),
		 conf_memory(c), conf_tb(c), c->in.tuning ? "on" : "off", c->in.channel ? "on" : "off",
		 plan_clock_name((enum plan_clock)c->in.clock));
}

/* Whether a configuration's guest runs on the instruction count, and
 * whether any does. */
static int conf_icount(const struct bench_conf *c)
{
	return c->in.clock == PLAN_CLOCK_ICOUNT;
}

static int any_icount(const struct bench *b)
{
	for (size_t k = 0; k < b->nconf; k++)
		if (conf_icount(&b->conf[k]))
			return 1;
	return 0;
}

/* Table columns: wide enough for every configuration's name and setup. */
static int colw(const struct bench *b)
{
	size_t w = 28;   /* "796.892 [796.826-801.016]" */
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

static void row(const struct bench *b, const char *name, int m, int stage, const char *fmt,
		double mul)
{
	printf("%-26s", name);
	for (size_t k = 0; k < b->nconf; k++) {
		struct stats s = conf_stats(b, &b->conf[k], m, stage);
		char cell[64];

		if (!s.n)
			snprintf(cell, sizeof cell, "-");
		else
			snprintf(cell, sizeof cell, fmt, s.median * mul, s.min * mul, s.max * mul);
		printf(" %*s", colw(b), cell);
	}
	putchar('\n');
}

/* A row of S's N under TITLE, then a row a fitted metric of its value
 * in V at each N. */
static void per_n_rows(const struct bench_sweep *s, const char *title,
		       const double v[BM_FIT_COUNT][BENCH_MAX_CONF])
{
	printf("%-26s", title);
	for (size_t k = 0; k < s->n; k++)
		printf(" %9ld", s->ports[k]);
	putchar('\n');
	for (int m = 0; m < BM_FIT_COUNT; m++) {
		if (!s->fitted[m])
			continue;
		printf("%-26s", bench_metric_name((enum bench_metric)m));
		for (size_t k = 0; k < s->n; k++)
			printf(" %9.3f", v[m][k]);
		putchar('\n');
	}
}

/* The sweeps' fits: a line a metric, then the median residual at each
 * N, where a break in the line shows, and with two runs or more the
 * spread between identical runs at each N. */
static void sweep_table(const struct bench *b)
{
	static struct bench_sweep sw[BENCH_MAX_CONF];
	size_t n = bench_sweeps(b, sw, BENCH_MAX_CONF);

	for (size_t i = 0; i < n; i++) {
		const struct bench_sweep *s = &sw[i];

		printf("\nsweep %s, N = %ld..%ld: least squares over every run\n", s->label, s->ports[0],
		       s->ports[s->n - 1]);
		if (conf_icount(&b->conf[s->conf[0]]))
			printf("clock icount: the guest-clock metrics are guest time at %d ns an instruction\n",
			       PLAN_ICOUNT_NS);
		/* The spread column: the most that identical boots differed at
		 * any one N, beside the per-port cost it has to be small against. */
		printf("%-26s %28s %12s %7s%s\n", "metric", "per port [95% interval]", "at N = 0", "R2",
		       b->runs >= 2 ? "  same-N spread" : "");
		for (int m = 0; m < BM_FIT_COUNT; m++) {
			const struct fit *f = &s->fit[m];
			char cell[64];

			if (!s->fitted[m])
				continue;
			snprintf(cell, sizeof cell, "%.3f [%.3f, %.3f]", f->slope, f->lo, f->hi);
			printf("%-26s %28s %12.3f %7.3f", bench_metric_name((enum bench_metric)m), cell,
			       f->intercept, f->r2);
			if (b->runs >= 2)
				printf(" %15.3f", s->spread_max[m]);
			putchar('\n');
		}
		per_n_rows(s, "median residual at N =", s->resid);
		if (b->runs >= 2)
			per_n_rows(s, "spread (max - min) at N =", s->spread);
	}
}

void bench_report_table(const struct bench *b)
{
	const char *name;
	char cell[128];

	printf("conditions: qemu %s, libvirt %s, kernel %s, accel %s, CPU %s x %ld\n",
	       b->qemu_version, b->libvirt_version, b->kver,
	       b->accel == PLAN_ACCEL_KVM ? "kvm" : "tcg", b->cpu, sysconf(_SC_NPROCESSORS_ONLN));
	for (size_t k = 0; k < b->nconf; k++)
		if (b->conf[k].host[0])
			printf("%s on %s\n", b->conf[k].name, b->conf[k].host);
	printf("%ld runs per configuration after %ld warm-up, interleaved round by round; "
	       "median [min-max]%s\n\n", b->runs, b->warmup,
	       b->plain ? "; plain: `run -- true`, no tracing" : "");
	printf("%-26s", "configuration");
	for (size_t k = 0; k < b->nconf; k++)
		printf(" %*s", colw(b), b->conf[k].name);
	printf("\n%-26s", "shape boot RAM tb tune chan clock");
	for (size_t k = 0; k < b->nconf; k++) {
		conf_setup(&b->conf[k], cell, sizeof cell);
		printf(" %*s", colw(b), cell);
	}
	printf("\n\n%-26s\n", "stage (host clock, s)");
	for (int s = 0; s < STAGES_NSPANS; s++)
		row(b, stages_spans[s].name, -1, s, "%.3f [%.2f-%.2f]", 1);
	row(b, "to ready", BM_READY, 0, "%.2f [%.2f-%.2f]", 1);
	row(b, "wall", BM_WALL, 0, "%.2f [%.2f-%.2f]", 1);
	row(b, "qemu peak RSS (MiB)", BM_RSS, 0, "%.0f [%.0f-%.0f]", 1);
	if (b->plain)
		goto ratios;
	printf("\n%-26s\n", "guest clock (printk, s)");
	/* Never read as seconds of a real CPU: an icount guest's second is
	 * 10^9 / 2^shift instructions, waits skipped. */
	if (any_icount(b))
		printf("  clock icount: guest time at %d ns an instruction, not time on hardware\n",
		       PLAN_ICOUNT_NS);
	/* printk's timestamps are in ns: to the µs, so that 0.2% of a span
	 * can be read off the table.  uptime has only hundredths. */
	row(b, "kernel to /init (ms)", BM_TO_INIT, 0, "%.3f [%.3f-%.3f]", 1);
	row(b, bench_metric_name(BM_TO_INIT_OWN), BM_TO_INIT_OWN, 0, "%.3f [%.3f-%.3f]", 1);
	row(b, "PCI enumeration (ms)", BM_PCI, 0, "%.3f [%.3f-%.3f]", 1);
	row(b, bench_metric_name(BM_PCI_OWN), BM_PCI_OWN, 0, "%.3f [%.3f-%.3f]", 1);
	row(b, "ready (uptime, s)", BM_GUEST_READY, 0, "%.2f [%.2f-%.2f]", 1);
	printf("\n%-26s\n", "PCI config accesses");
	row(b, "all", BM_CFG, 0, "%.0f [%.0f-%.0f]", 1);
	row(b, "by the firmware", BM_CFG_FW, 0, "%.0f [%.0f-%.0f]", 1);
	printf("%-26s", "same in every run");
	for (size_t k = 0; k < b->nconf; k++)
		printf(" %*s", colw(b), deterministic(b, &b->conf[k]) ? "yes" : "NO");
	putchar('\n');
ratios:
	name = b->conf[0].name;
	printf("\nratio to %s, per round (median)\n", name);
	printf("%-26s", "to ready");
	for (size_t k = 0; k < b->nconf; k++)
		printf(" %*.2f", colw(b), conf_ratio(b, &b->conf[k], BM_READY).median);
	printf("\n%-26s", "wall");
	for (size_t k = 0; k < b->nconf; k++)
		printf(" %*.2f", colw(b), conf_ratio(b, &b->conf[k], BM_WALL).median);
	if (!b->plain) {
		printf("\n%-26s", "PCI config accesses");
		for (size_t k = 0; k < b->nconf; k++)
			printf(" %*.2f", colw(b), conf_ratio(b, &b->conf[k], BM_CFG).median);
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
	sweep_table(b);
}

static json_object *jd(double v)
{
	return isnan(v) ? NULL : json_object_new_double(round(v * 1e6) / 1e6);
}

static json_object *sweep_json(const struct bench *b)
{
	static struct bench_sweep sw[BENCH_MAX_CONF];
	size_t n = bench_sweeps(b, sw, BENCH_MAX_CONF);
	json_object *all = json_object_new_array();

	for (size_t i = 0; i < n; i++) {
		const struct bench_sweep *s = &sw[i];
		json_object *js = json_object_new_object(), *fits = json_object_new_object();
		json_object *ports = json_object_new_array();

		json_object_object_add(js, "name", json_object_new_string(s->label));
		for (size_t k = 0; k < s->n; k++)
			json_object_array_add(ports, json_object_new_int64(s->ports[k]));
		json_object_object_add(js, "ports", ports);
		for (int m = 0; m < BM_FIT_COUNT; m++) {
			const struct fit *f = &s->fit[m];
			json_object *jf, *ci, *res;

			if (!s->fitted[m])
				continue;
			jf = json_object_new_object();
			ci = json_object_new_array();
			res = json_object_new_array();
			json_object_object_add(jf, "per_port", jd(f->slope));
			json_object_array_add(ci, jd(f->lo));
			json_object_array_add(ci, jd(f->hi));
			json_object_object_add(jf, "per_port_ci95", ci);
			json_object_object_add(jf, "intercept", jd(f->intercept));
			json_object_object_add(jf, "r2", jd(f->r2));
			json_object_object_add(jf, "points", json_object_new_int64((int64_t)f->n));
			for (size_t k = 0; k < s->n; k++)
				json_object_array_add(res, jd(s->resid[m][k]));
			json_object_object_add(jf, "median_residuals", res);
			if (b->runs >= 2) {
				json_object *sp = json_object_new_array();

				for (size_t k = 0; k < s->n; k++)
					json_object_array_add(sp, jd(s->spread[m][k]));
				json_object_object_add(jf, "spreads", sp);
				json_object_object_add(jf, "spread_max", jd(s->spread_max[m]));
			}
			json_object_object_add(fits, bench_metric_key((enum bench_metric)m), jf);
		}
		json_object_object_add(js, "fits", fits);
		json_object_array_add(all, js);
	}
	return all;
}

int bench_report_json(const struct bench *b, const char *path)
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
		const struct bench_conf *c = &b->conf[k];

		if (c->host[0]) {
			json_object *h = json_object_new_object();

			json_object_object_add(h, "configuration", json_object_new_string(c->name));
			json_object_object_add(h, "connect", json_object_new_string(c->connect));
			json_object_object_add(h, "host", json_object_new_string(c->host));
			if (!json_object_object_get_ex(cond, "remote", NULL))
				json_object_object_add(cond, "remote", json_object_new_array());
			json_object_array_add(json_object_object_get(cond, "remote"), h);
		}
	}
	for (size_t k = 0; k < b->nconf; k++) {
		const struct bench_conf *c = &b->conf[k];
		json_object *jc = json_object_new_object(), *runs = json_object_new_array();

		json_object_object_add(jc, "name", json_object_new_string(c->name));
		json_object_object_add(jc, "topology", json_object_new_string(c->in.topology));
		json_object_object_add(jc, "backend", json_object_new_string(backend_name(c->backend)));
		json_object_object_add(jc, "start", json_object_new_string(conf_start(c)));
		json_object_object_add(jc, "shape", json_object_new_string(plan_shape_name(c->in.shape)));
		json_object_object_add(jc, "firmware", json_object_new_string(plan_firmware_name(c->in.firmware)));
		json_object_object_add(jc, "kernel_format", json_object_new_string(kern_format_name(c->in.kernel_format)));
		json_object_object_add(jc, "memory_mib", json_object_new_int((int)conf_memory(c)));
		json_object_object_add(jc, "tb_cache_mib", json_object_new_int((int)conf_tb(c)));
		json_object_object_add(jc, "tuning", json_object_new_boolean(c->in.tuning));
		json_object_object_add(jc, "channel", json_object_new_boolean(c->in.channel));
		json_object_object_add(jc, "clock", json_object_new_string(plan_clock_name((enum plan_clock)c->in.clock)));
		/* What a guest-clock figure of this configuration is made of. */
		if (conf_icount(c))
			json_object_object_add(jc, "guest_ns_per_instruction", json_object_new_int(PLAN_ICOUNT_NS));
		json_object_object_add(jc, "append", c->in.append ? json_object_new_string(c->in.append) : NULL);
		for (long i = 0; i < b->runs; i++) {
			const struct bench_rec *rr = &c->run[i];
			json_object *jr = json_object_new_object(), *st = json_object_new_object();
			json_object *calls = json_object_new_array();

			json_object_object_add(jr, "round", json_object_new_int((int)i + 1));
			json_object_object_add(jr, "ok", json_object_new_boolean(rr->ok));
			for (int s = 0; s < STAGES_NSPANS; s++)
				json_object_object_add(st, stages_spans[s].name, jd(rr->stage[s]));
			json_object_object_add(jr, "stages", st);
			json_object_object_add(jr, "to_ready", jd(rr->to_ready));
			json_object_object_add(jr, "wall", jd(rr->wall));
			json_object_object_add(jr, "qemu_peak_rss_mib", jd(rr->rss_mib));
			json_object_object_add(jr, "guest_init_start", jd(rr->guest_init));
			json_object_object_add(jr, "guest_ready", jd(rr->guest_ready));
			json_object_object_add(jr, "pci_enumeration_ms", jd(rr->pci_ms));
			json_object_object_add(jr, bench_metric_key(BM_PCI_OWN), jd(bench_metric(BM_PCI_OWN, rr)));
			json_object_object_add(jr, bench_metric_key(BM_TO_INIT_OWN),
					       jd(bench_metric(BM_TO_INIT_OWN, rr)));
			for (size_t n = 0; n < rr->guest.ncalls; n++) {
				json_object *call = json_object_new_object();

				json_object_object_add(call, "name", json_object_new_string(rr->guest.calls[n].name));
				json_object_object_add(call, "usecs", json_object_new_int64(rr->guest.calls[n].usecs));
				if (rr->guest.calls[n].own_usecs >= 0)
					json_object_object_add(call, "own_usecs",
							       json_object_new_int64(rr->guest.calls[n].own_usecs));
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
		json_object_object_add(jc, "ratio_to_ready", jd(conf_ratio(b, c, BM_READY).median));
		json_object_object_add(jc, "ratio_wall", jd(conf_ratio(b, c, BM_WALL).median));
		json_object_object_add(jc, "ratio_pci_cfg", jd(conf_ratio(b, c, BM_CFG).median));
		if (b->peer)
			json_object_object_add(jc, "ratio_wall_to_peer", jd(peer_ratio(b, c).median));
		json_object_array_add(confs, jc);
	}
	json_object_object_add(root, "configurations", confs);
	json_object_object_add(root, "sweeps", sweep_json(b));
	if (b->peer) {
		json_object *p = json_object_new_object(), *w = json_object_new_array();

		json_object_object_add(p, "command", json_object_new_string("guestfish -a /dev/null run"));
		for (long i = 0; i < b->runs; i++)
			json_object_array_add(w, jd(b->peer_wall[i]));
		json_object_object_add(p, "wall", w);
		json_object_object_add(root, "peer", p);
	}
	r = json_object_to_file_ext(path, root, JSON_C_TO_STRING_PRETTY);
	json_object_put(root);
	if (r < 0) {
		err_set(LB_EXIT_USAGE, "cannot write %s", path);
		return -1;
	}
	return 0;
}

/* After the runs, a blank line and the sweeps' fits as a table of their
 * own: one row a sweep and metric. */
static void sweep_csv(const struct bench *b, FILE *f)
{
	static struct bench_sweep sw[BENCH_MAX_CONF];
	size_t n = bench_sweeps(b, sw, BENCH_MAX_CONF);

	if (!n)
		return;
	/* spread_max: empty with one run a configuration, as "nan" would
	 * not read as a number elsewhere. */
	fprintf(f, "\nsweep,metric,per_port,ci95_low,ci95_high,intercept,r2,points,spread_max\n");
	for (size_t i = 0; i < n; i++)
		for (int m = 0; m < BM_FIT_COUNT; m++) {
			const struct fit *x = &sw[i].fit[m];
			char spread[32] = "";

			if (!sw[i].fitted[m])
				continue;
			if (!isnan(sw[i].spread_max[m]))
				snprintf(spread, sizeof spread, "%.6f", sw[i].spread_max[m]);
			fprintf(f, "%s,%s,%.6f,%.6f,%.6f,%.6f,%.6f,%zu,%s\n", sw[i].label,
				bench_metric_key((enum bench_metric)m), x->slope, x->lo, x->hi, x->intercept,
				x->r2, x->n, spread);
		}
}

static void csv_ms(FILE *f, double v)
{
	if (isnan(v))
		fputc(',', f);
	else
		fprintf(f, ",%.3f", v);
}

int bench_report_csv(const struct bench *b, const char *path)
{
	FILE *f = fopen(path, "we");

	if (!f) {
		err_set(LB_EXIT_USAGE, "cannot write %s", path);
		return -1;
	}
	fprintf(f, "configuration,topology,backend,start,shape,firmware,kernel_format,memory_mib,"
		   "tb_cache_mib,tuning,channel,clock,round,ok");
	for (int s = 0; s < STAGES_NSPANS; s++)
		fprintf(f, ",%s", stages_spans[s].name);
	fprintf(f, ",to_ready,wall,qemu_peak_rss_mib,guest_init_start,guest_ready,pci_enumeration_ms,"
		   "%s,%s,pci_cfg_reads,pci_cfg_writes,pci_cfg_firmware,pci_cfg_kernel\n",
		   bench_metric_key(BM_PCI_OWN), bench_metric_key(BM_TO_INIT_OWN));
	for (size_t k = 0; k < b->nconf; k++)
		for (long i = 0; i < b->runs; i++) {
			const struct bench_conf *c = &b->conf[k];
			const struct bench_rec *r = &c->run[i];

			/* The file-safe name: no commas or quotes to escape. */
			fprintf(f, "%s,%s,%s,%s,%s,%s,%s,%u,%u,%s,%s,%s,%ld,%d", c->file, c->in.topology,
				backend_name(c->backend), conf_start(c), plan_shape_name(c->in.shape),
				plan_firmware_name(c->in.firmware), kern_format_name(c->in.kernel_format),
				conf_memory(c), conf_tb(c), c->in.tuning ? "on" : "off",
				c->in.channel ? "on" : "off", plan_clock_name((enum plan_clock)c->in.clock), i + 1,
				r->ok);
			for (int s = 0; s < STAGES_NSPANS; s++)
				fprintf(f, ",%.6f", r->stage[s]);
			fprintf(f, ",%.6f,%.6f,%.1f,%.6f,%.6f,%.3f", r->to_ready, r->wall, r->rss_mib,
				r->guest_init, r->guest_ready, r->pci_ms);
			/* Empty where the guest gave no event trace. */
			csv_ms(f, bench_metric(BM_PCI_OWN, r));
			csv_ms(f, bench_metric(BM_TO_INIT_OWN, r));
			fprintf(f, ",%ld,%ld,%ld,%ld\n", r->cfg.reads, r->cfg.writes, r->cfg.firmware,
				r->cfg.kernel);
		}
	for (long i = 0; b->peer && i < b->runs; i++) {
		fprintf(f, "libguestfs,,peer,,,,,,,,,,%ld,%d", i + 1, !isnan(b->peer_wall[i]));
		for (int s = 0; s < STAGES_NSPANS; s++)
			fputc(',', f);
		fprintf(f, ",,%.6f,,,,,,,,,,\n", b->peer_wall[i]);
	}
	sweep_csv(b, f);
	if (fclose(f) != 0) {
		err_set(LB_EXIT_USAGE, "cannot write %s", path);
		return -1;
	}
	return 0;
}

/* Each sweep's metrics against N: median, min-max, and the fitted line. */
static size_t sweep_plots(const struct bench *b, struct svg_plot *plots, size_t max)
{
	static struct bench_sweep sw[BENCH_MAX_CONF];
	size_t ns = bench_sweeps(b, sw, BENCH_MAX_CONF), n = 0;

	for (size_t i = 0; i < ns; i++)
		for (int m = 0; m < BM_FIT_COUNT && n < max; m++) {
			const struct bench_sweep *s = &sw[i];
			struct svg_plot *p = &plots[n];
			const char *name;

			if (!s->fitted[m])
				continue;
			memset(p, 0, sizeof *p);
			name = bench_metric_name((enum bench_metric)m);
			name += strspn(name, " ");
			snprintf(p->title, sizeof p->title, "%.30s: %.24s%s, %.3g per port [%.3g, %.3g]",
				 s->label, name,
				 conf_icount(&b->conf[s->conf[0]]) && bench_metric_on_guest_clock((enum bench_metric)m) ? " icount" : "",
				 s->fit[m].slope, s->fit[m].lo, s->fit[m].hi);
			p->slope = s->fit[m].slope;
			p->intercept = s->fit[m].intercept;
			for (size_t k = 0; k < s->n && p->n < SVG_MAX_POINTS; k++, p->n++) {
				double v[BENCH_MAX_RUNS];
				struct stats st;

				for (long r = 0; r < b->runs; r++)
					v[r] = bench_metric((enum bench_metric)m, &b->conf[s->conf[k]].run[r]);
				st = stats_of(v, (size_t)b->runs);
				p->x[p->n] = (double)s->ports[k];
				p->med[p->n] = st.median;
				p->lo[p->n] = st.min;
				p->hi[p->n] = st.max;
			}
			n++;
		}
	return n;
}

int bench_report_svg(const struct bench *b, const char *path)
{
	static const char *const segs[] = { "launcher", "firmware", "kernel+init", "command",
					    "shutdown" };
	static struct svg_plot plots[2 * BM_FIT_COUNT];
	struct svg_bar bars[BENCH_MAX_CONF + 1];
	size_t n = 0;

	memset(bars, 0, sizeof bars);
	for (size_t k = 0; k < b->nconf; k++, n++) {
		const struct bench_conf *c = &b->conf[k];
		double m[STAGES_NSPANS];

		for (int s = 0; s < STAGES_NSPANS; s++)
			m[s] = conf_stats(b, c, -1, s).median;
		snprintf(bars[n].label, sizeof bars[n].label, "%s", c->name);
		bars[n].seg[0] = m[STAGES_S_PLAN] + m[STAGES_S_RENDER] + m[STAGES_S_CREATE] + m[STAGES_S_START];
		bars[n].seg[1] = m[STAGES_S_FIRMWARE];
		bars[n].seg[2] = m[STAGES_S_BOOT];
		bars[n].seg[3] = m[STAGES_S_COMMAND];
		bars[n].seg[4] = m[STAGES_S_POWEROFF] + m[STAGES_S_TEARDOWN];
		if (!isnan(conf_stats(b, c, BM_CFG, 0).median))
			snprintf(bars[n].note, sizeof bars[n].note, "%.0f PCI config accesses",
				 conf_stats(b, c, BM_CFG, 0).median);
	}
	if (b->peer) {
		snprintf(bars[n].label, sizeof bars[n].label, "libguestfs (whole run)");
		bars[n].seg[0] = stats_of(b->peer_wall, (size_t)b->runs).median;
		n++;
	}
	return svg_write(path, "leanboot bench: median seconds per stage (host clock)", segs, 5,
			 bars, n, plots, sweep_plots(b, plots, sizeof plots / sizeof *plots));
}

