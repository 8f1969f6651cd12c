/* conf: what the reports (report.c, export.c) show of one configuration:
 * its figures over its runs (median, minimum, maximum; ratios to the
 * first configuration and to the peer, taken within each round) and its
 * settings as they are named there. */
#ifndef LB_BENCH_CONF_H
#define LB_BENCH_CONF_H

#include <stddef.h>

#include "bench/bench.h"
#include "bench/stats.h"
#include "bench/sweep.h"

/* Over C's runs: metric M, or (M < 0) the host-clock span STAGE. */
struct stats bench_conf_stats(const struct bench *b, const struct bench_conf *c, int m, int stage);
/* The ratio of M to the first configuration's M, taken within each round. */
struct stats bench_conf_ratio(const struct bench *b, const struct bench_conf *c, enum bench_metric m);
/* The configuration's wall time over the peer's, taken within each round. */
struct stats bench_conf_peer_ratio(const struct bench *b, const struct bench_conf *c);
/* TCG's translation cache in MiB; 0 is QEMU's own default. */
unsigned bench_conf_tb(const struct bench_conf *c);
/* Guest RAM in MiB, the shape's default when none was given. */
unsigned bench_conf_memory(const struct bench_conf *c);
/* How its launches start: "cold" or "warm". */
const char *bench_conf_start(const struct bench_conf *c);
/* Everything a configuration boots with, in one cell of LEN bytes. */
void bench_conf_setup(const struct bench_conf *c, char *buf, size_t len);
/* Whether its guest runs on the instruction count. */
int bench_conf_icount(const struct bench_conf *c);

#endif
