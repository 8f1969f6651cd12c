/* sweep: the cost of each root port.  The configurations of a
 * bench that differ only in N of ports=N form a sweep; with three or more
 * values of N, each metric gets a least-squares line against N over
 * every run (fit.c): the cost per port with its 95% interval, the value
 * at N = 0, R², the median residual at each N, which shows where the
 * line breaks, and the spread between identical runs at each N. */
#ifndef LB_BENCH_SWEEP_H
#define LB_BENCH_SWEEP_H

#include "bench/bench.h"
#include "bench/fit.h"

/* A run's figures, as the report and the fits read them.  The first
 * BM_FIT_COUNT are fitted against N in a sweep. */
enum bench_metric { BM_CFG, BM_CFG_FW, BM_CFG_KERNEL, BM_PCI, BM_PCI_OWN, BM_TO_INIT, BM_TO_INIT_OWN,
		    BM_READY, BM_WALL, BM_RSS,
		    BM_FIT_COUNT, BM_GUEST_READY = BM_FIT_COUNT, BM_COUNT };

struct bench_sweep {
	char label[96];           /* the configurations' name, ports=N for the N */
	size_t n;                 /* configurations, by N */
	size_t conf[BENCH_MAX_CONF];
	long ports[BENCH_MAX_CONF];
	struct fit fit[BM_FIT_COUNT];
	int fitted[BM_FIT_COUNT]; /* 0: too few points for this metric */
	double resid[BM_FIT_COUNT][BENCH_MAX_CONF];   /* median residual at each N */
	/* max - min over identical runs at each N, and the largest of those:
	 * with two runs or more, how far a single boot can be trusted. */
	double spread[BM_FIT_COUNT][BENCH_MAX_CONF];
	double spread_max[BM_FIT_COUNT];
};

/* The metric's name (with its unit) and its value in a run (NAN: none). */
const char *bench_metric_name(enum bench_metric m);
const char *bench_metric_key(enum bench_metric m);   /* for JSON and CSV */
/* Whether M is read on the guest's clock (printk), which --clock sets. */
int bench_metric_on_guest_clock(enum bench_metric m);
double bench_metric(enum bench_metric m, const struct bench_rec *r);

/* B's sweeps into OUT (at most MAX); returns how many. */
size_t bench_sweeps(const struct bench *b, struct bench_sweep *out, size_t max);

#endif
