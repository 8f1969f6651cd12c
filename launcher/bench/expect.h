/* expect: bench --expect, what each configuration's medians must meet, so
 * that a boot-cost regression fails CI as a controller count does; and
 * bench --junit, those verdicts and each configuration's runs as JUnit
 * test cases.  A term is [CONF:]METRIC OP N: METRIC is a key of the JSON
 * and CSV exports (pci_cfg, to_ready, ...), or one with _ratio after it,
 * its per-round ratio to the first configuration; OP is <, <=, >, >= or
 * =; without CONF it holds for every configuration.  The deterministic
 * figures (config accesses, the guest's clock under --clock icount) make
 * the terms a CI job can pin exactly. */
#ifndef LB_BENCH_EXPECT_H
#define LB_BENCH_EXPECT_H

#include <stddef.h>

#include "bench/bench.h"
#include "common/junit.h"

#define BENCH_MAX_EXPECT 32

enum bench_op { BENCH_LT, BENCH_LE, BENCH_GT, BENCH_GE, BENCH_EQ };

struct bench_expect {
	char text[128];           /* the term as given: the test case's name */
	char conf[96];            /* "": every configuration */
	int metric;               /* enum bench_metric */
	int ratio;                /* to the first configuration, per round */
	enum bench_op op;
	double value;
};

/* The comma-separated terms of LIST appended to E (N of them so far, at
 * most BENCH_MAX_EXPECT).  Returns 0, or -1 after a one-line message. */
int bench_expect_parse(const char *list, struct bench_expect *e, size_t *n);
/* Whether each term's configuration is one of B's: 0, or -1 after a
 * one-line message. */
int bench_expect_confs(const struct bench *b, const struct bench_expect *e, size_t n);
/* Each term against each configuration it names: a line per verdict on
 * stdout, and with J, a test case per verdict and one per
 * configuration's runs.  Returns how many verdicts failed, a
 * configuration with a failed run counted as one, or -1 after
 * err_set(). */
int bench_expect_check(const struct bench *b, const struct bench_expect *e, size_t n, struct junit *j);

#endif
