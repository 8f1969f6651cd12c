/* conf: see conf.h. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>

#include "bench/conf.h"
#include "plan/kernel.h"

/* Over C's runs: metric M, or (M < 0) the host-clock span STAGE. */
struct stats bench_conf_stats(const struct bench *b, const struct bench_conf *c, int m, int stage)
{
	double v[BENCH_MAX_RUNS];

	for (long i = 0; i < b->runs; i++)
		v[i] = !c->run[i].ok ? NAN : m >= 0 ? bench_metric((enum bench_metric)m, &c->run[i])
						    : c->run[i].stage[stage];
	return stats_of(v, (size_t)b->runs);
}

/* The ratio of F to the baseline's F, taken within each round. */
struct stats bench_conf_ratio(const struct bench *b, const struct bench_conf *c, enum bench_metric m)
{
	const struct bench_conf *base = &b->conf[0];
	double v[BENCH_MAX_RUNS];

	for (long i = 0; i < b->runs; i++)
		v[i] = bench_metric(m, &c->run[i]) / bench_metric(m, &base->run[i]);
	return stats_of(v, (size_t)b->runs);
}

/* The configuration's wall time over the peer's, taken within each round. */
struct stats bench_conf_peer_ratio(const struct bench *b, const struct bench_conf *c)
{
	double v[BENCH_MAX_RUNS];

	for (long i = 0; i < b->runs; i++)
		v[i] = c->run[i].ok ? c->run[i].wall / b->peer_wall[i] : NAN;
	return stats_of(v, (size_t)b->runs);
}

/* TCG's translation cache in MiB; 0 is QEMU's own default. */
unsigned bench_conf_tb(const struct bench_conf *c)
{
	return c->in.tb_cache_mib < 0 ? PLAN_TB_CACHE_MIB : (unsigned)c->in.tb_cache_mib;
}

/* Guest RAM in MiB, the shape's default when none was given. */
unsigned bench_conf_memory(const struct bench_conf *c)
{
	return c->in.memory_mib ? c->in.memory_mib : plan_default_memory(c->in.shape);
}

/* How its launches start. */
const char *bench_conf_start(const struct bench_conf *c)
{
	return c->start == LAUNCH_START_COLD ? "cold" : "warm";
}

/* Everything a configuration boots with, in one cell. */
void bench_conf_setup(const struct bench_conf *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s+%s %uM %u %s %s %s", plan_shape_name(c->in.shape),
		 plan_firmware_name(c->in.firmware), kern_format_name(c->in.kernel_format),
		 bench_conf_memory(c), bench_conf_tb(c), c->in.tuning ? "on" : "off",
		 c->in.channel ? "on" : "off", plan_clock_name((enum plan_clock)c->in.clock));
}

/* Whether a configuration's guest runs on the instruction count. */
int bench_conf_icount(const struct bench_conf *c)
{
	return c->in.clock == PLAN_CLOCK_ICOUNT;
}
