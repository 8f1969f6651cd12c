/* sweep: see sweep.h. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench/sweep.h"
#include "bench/stats.h"

static const struct {
	const char *name, *key;
} metrics[BM_COUNT] = {
	[BM_CFG] = { "config accesses", "pci_cfg" },
	[BM_CFG_FW] = { "  by the firmware", "pci_cfg_firmware" },
	[BM_CFG_KERNEL] = { "  by the kernel", "pci_cfg_kernel" },
	[BM_PCI] = { "PCI enumeration (ms)", "pci_enumeration_ms" },
	[BM_PCI_OWN] = { "  the boot thread's own", "pci_enumeration_own_ms" },
	[BM_TO_INIT] = { "kernel to /init (ms)", "kernel_to_init_ms" },
	[BM_TO_INIT_OWN] = { "  the boot thread's own", "kernel_to_init_own_ms" },
	[BM_READY] = { "to ready (s)", "to_ready" },
	[BM_WALL] = { "wall (s)", "wall" },
	[BM_RSS] = { "QEMU peak RSS (MiB)", "qemu_peak_rss_mib" },
	[BM_GUEST_READY] = { "ready (uptime, s)", "guest_ready" },
};

const char *bench_metric_name(enum bench_metric m)
{
	return metrics[m].name;
}

int bench_metric_on_guest_clock(enum bench_metric m)
{
	return m == BM_PCI || m == BM_PCI_OWN || m == BM_TO_INIT || m == BM_TO_INIT_OWN || m == BM_GUEST_READY;
}

const char *bench_metric_key(enum bench_metric m)
{
	return metrics[m].key;
}

double bench_metric(enum bench_metric m, const struct bench_rec *r)
{
	if (!r->ok)
		return NAN;
	switch (m) {
	case BM_CFG:
		return r->cfg.reads + r->cfg.writes > 0 ? (double)(r->cfg.reads + r->cfg.writes) : NAN;
	case BM_CFG_FW:
		return r->cfg.firmware > 0 ? (double)r->cfg.firmware : NAN;
	case BM_CFG_KERNEL:
		return r->cfg.kernel > 0 ? (double)r->cfg.kernel : NAN;
	case BM_PCI:
		return r->guest.ncalls ? r->pci_ms : NAN;
	case BM_PCI_OWN:
		return r->guest.pci_own_usecs >= 0 ? r->guest.pci_own_usecs / 1000.0 : NAN;
	case BM_TO_INIT:
		return r->guest_init >= 0 ? r->guest_init * 1000 : NAN;
	case BM_TO_INIT_OWN:
		return r->guest.init_own >= 0 ? r->guest.init_own * 1000 : NAN;
	case BM_READY:
		return r->to_ready > 0 ? r->to_ready : NAN;
	case BM_WALL:
		return r->wall > 0 ? r->wall : NAN;
	case BM_RSS:
		return r->rss_mib;
	case BM_GUEST_READY:
		return r->guest_ready > 0 ? r->guest_ready : NAN;
	case BM_COUNT:
		break;
	}
	return NAN;
}

/* C's name with its ports=N written ports=N: what a sweep's
 * configurations share.  -1 when C is not a ports=N configuration. */
static int sweep_key(const struct bench_conf *c, char *out, size_t len)
{
	const char *p = strstr(c->name, "ports=");
	size_t n;

	if (!c->in.topo || strcmp(c->in.topo->name, "ports") || !p)
		return -1;
	n = strcspn(p, "/");
	snprintf(out, len, "%.*sports=N%s", (int)(p - c->name), c->name, p + n);
	return 0;
}

static void fit_sweep(const struct bench *b, struct bench_sweep *s)
{
	static double x[BENCH_MAX_CONF * BENCH_MAX_RUNS], y[BENCH_MAX_CONF * BENCH_MAX_RUNS];

	for (int m = 0; m < BM_FIT_COUNT; m++) {
		size_t n = 0;

		for (size_t k = 0; k < s->n; k++)
			for (long i = 0; i < b->runs; i++, n++) {
				x[n] = (double)s->ports[k];
				y[n] = bench_metric((enum bench_metric)m, &b->conf[s->conf[k]].run[i]);
			}
		s->fitted[m] = fit_line(x, y, n, &s->fit[m]) == 0;
		for (size_t k = 0; k < s->n; k++) {
			double r[BENCH_MAX_RUNS];

			for (long i = 0; i < b->runs; i++)
				r[i] = bench_metric((enum bench_metric)m, &b->conf[s->conf[k]].run[i]) -
				       (s->fit[m].intercept + s->fit[m].slope * (double)s->ports[k]);
			s->resid[m][k] = s->fitted[m] ? stats_of(r, (size_t)b->runs).median : NAN;
		}
		s->spread_max[m] = NAN;
		for (size_t k = 0; k < s->n; k++) {
			double v[BENCH_MAX_RUNS];
			struct stats st;

			for (long i = 0; i < b->runs; i++)
				v[i] = bench_metric((enum bench_metric)m, &b->conf[s->conf[k]].run[i]);
			st = stats_of(v, (size_t)b->runs);
			s->spread[m][k] = st.n >= 2 ? st.max - st.min : NAN;
			if (!isnan(s->spread[m][k]) && !(s->spread[m][k] <= s->spread_max[m]))
				s->spread_max[m] = s->spread[m][k];
		}
	}
}

size_t bench_sweeps(const struct bench *b, struct bench_sweep *out, size_t max)
{
	size_t ns = 0;
	int taken[BENCH_MAX_CONF] = { 0 };

	for (size_t k = 0; k < b->nconf && ns < max; k++) {
		struct bench_sweep *s = &out[ns];
		char key[96], other[96];
		size_t distinct = 0;

		if (taken[k] || sweep_key(&b->conf[k], key, sizeof key) < 0)
			continue;
		memset(s, 0, sizeof *s);
		snprintf(s->label, sizeof s->label, "%s", key);
		for (size_t j = k; j < b->nconf; j++) {
			if (taken[j] || sweep_key(&b->conf[j], other, sizeof other) < 0 || strcmp(key, other))
				continue;
			taken[j] = 1;
			s->conf[s->n] = j;
			s->ports[s->n] = b->conf[j].in.topo_arg;
			distinct++;
			for (size_t i = 0; i < s->n; i++)
				if (s->ports[i] == s->ports[s->n]) {
					distinct--;
					break;
				}
			s->n++;
		}
		if (distinct < 3)
			continue;
		fit_sweep(b, s);
		ns++;
	}
	return ns;
}
