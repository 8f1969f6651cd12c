/* report: a bench's result as a table on stdout: each configuration's
 * stages, guest-clock figures and PCI config accesses (median [min-max]),
 * its ratios to the first configuration and to the peer, and the sweeps'
 * fits.  It only reads the result (const struct bench); export.c writes
 * the same result to files. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench.h"
#include "bench/conf.h"
#include "bench/stats.h"
#include "bench/sweep.h"

/* Whether every run of C that went through made the same number of PCI
 * config accesses. */
static int report_deterministic(const struct bench *b, const struct bench_conf *c)
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

/* Whether any configuration's guest runs on the instruction count. */
static int report_any_icount(const struct bench *b)
{
	for (size_t k = 0; k < b->nconf; k++)
		if (bench_conf_icount(&b->conf[k]))
			return 1;
	return 0;
}

/* Table columns: wide enough for every configuration's name and setup. */
static int report_colw(const struct bench *b)
{
	size_t w = 28;   /* "796.892 [796.826-801.016]" */
	char cell[128];

	for (size_t k = 0; k < b->nconf; k++) {
		bench_conf_setup(&b->conf[k], cell, sizeof cell);
		if (strlen(b->conf[k].name) > w)
			w = strlen(b->conf[k].name);
		if (strlen(cell) > w)
			w = strlen(cell);
	}
	return (int)w;
}

/* A row of the table: NAME, then each configuration's figure M (or
 * span STAGE, as bench_conf_stats) in FMT, times MUL. */
static void report_row(const struct bench *b, const char *name, int m, int stage, const char *fmt,
		       double mul)
{
	printf("%-26s", name);
	for (size_t k = 0; k < b->nconf; k++) {
		struct stats s = bench_conf_stats(b, &b->conf[k], m, stage);
		char cell[64];

		if (!s.n)
			snprintf(cell, sizeof cell, "-");
		else
			snprintf(cell, sizeof cell, fmt, s.median * mul, s.min * mul, s.max * mul);
		printf(" %*s", report_colw(b), cell);
	}
	putchar('\n');
}

/* A row of S's N under TITLE, then a row a fitted metric of its value
 * in V at each N. */
static void report_per_n_rows(const struct bench_sweep *s, const char *title,
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
static void report_sweep_table(const struct bench *b)
{
	static struct bench_sweep sw[BENCH_MAX_CONF];
	size_t n = bench_sweeps(b, sw, BENCH_MAX_CONF);

	for (size_t i = 0; i < n; i++) {
		const struct bench_sweep *s = &sw[i];

		printf("\nsweep %s, N = %ld..%ld: least squares over every run\n", s->label, s->ports[0],
		       s->ports[s->n - 1]);
		if (bench_conf_icount(&b->conf[s->conf[0]]))
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
		report_per_n_rows(s, "median residual at N =", s->resid);
		if (b->runs >= 2)
			report_per_n_rows(s, "spread (max - min) at N =", s->spread);
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
		printf(" %*s", report_colw(b), b->conf[k].name);
	printf("\n%-26s", "shape boot RAM tb tune chan clock");
	for (size_t k = 0; k < b->nconf; k++) {
		bench_conf_setup(&b->conf[k], cell, sizeof cell);
		printf(" %*s", report_colw(b), cell);
	}
	printf("\n\n%-26s\n", "stage (host clock, s)");
	for (int s = 0; s < STAGES_NSPANS; s++)
		report_row(b, stages_spans[s].name, -1, s, "%.3f [%.2f-%.2f]", 1);
	report_row(b, "to ready", BM_READY, 0, "%.2f [%.2f-%.2f]", 1);
	report_row(b, "wall", BM_WALL, 0, "%.2f [%.2f-%.2f]", 1);
	report_row(b, "qemu peak RSS (MiB)", BM_RSS, 0, "%.0f [%.0f-%.0f]", 1);
	if (b->plain)
		goto ratios;
	printf("\n%-26s\n", "guest clock (printk, s)");
	/* Never read as seconds of a real CPU: an icount guest's second is
	 * 10^9 / 2^shift instructions, waits skipped. */
	if (report_any_icount(b))
		printf("  clock icount: guest time at %d ns an instruction, not time on hardware\n",
		       PLAN_ICOUNT_NS);
	/* printk's timestamps are in ns: to the µs, so that 0.2% of a span
	 * can be read off the table.  uptime has only hundredths. */
	report_row(b, "kernel to /init (ms)", BM_TO_INIT, 0, "%.3f [%.3f-%.3f]", 1);
	report_row(b, bench_metric_name(BM_TO_INIT_OWN), BM_TO_INIT_OWN, 0, "%.3f [%.3f-%.3f]", 1);
	report_row(b, "PCI enumeration (ms)", BM_PCI, 0, "%.3f [%.3f-%.3f]", 1);
	report_row(b, bench_metric_name(BM_PCI_OWN), BM_PCI_OWN, 0, "%.3f [%.3f-%.3f]", 1);
	report_row(b, "ready (uptime, s)", BM_GUEST_READY, 0, "%.2f [%.2f-%.2f]", 1);
	printf("\n%-26s\n", "PCI config accesses");
	report_row(b, "all", BM_CFG, 0, "%.0f [%.0f-%.0f]", 1);
	report_row(b, "by the firmware", BM_CFG_FW, 0, "%.0f [%.0f-%.0f]", 1);
	printf("%-26s", "same in every run");
	for (size_t k = 0; k < b->nconf; k++)
		printf(" %*s", report_colw(b), report_deterministic(b, &b->conf[k]) ? "yes" : "NO");
	putchar('\n');
ratios:
	name = b->conf[0].name;
	printf("\nratio to %s, per round (median)\n", name);
	printf("%-26s", "to ready");
	for (size_t k = 0; k < b->nconf; k++)
		printf(" %*.2f", report_colw(b), bench_conf_ratio(b, &b->conf[k], BM_READY).median);
	printf("\n%-26s", "wall");
	for (size_t k = 0; k < b->nconf; k++)
		printf(" %*.2f", report_colw(b), bench_conf_ratio(b, &b->conf[k], BM_WALL).median);
	if (!b->plain) {
		printf("\n%-26s", "PCI config accesses");
		for (size_t k = 0; k < b->nconf; k++)
			printf(" %*.2f", report_colw(b), bench_conf_ratio(b, &b->conf[k], BM_CFG).median);
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
			printf(" %*.2f", report_colw(b), bench_conf_peer_ratio(b, &b->conf[k]).median);
		putchar('\n');
	}
	report_sweep_table(b);
}
