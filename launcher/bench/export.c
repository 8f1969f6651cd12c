/* export: a bench's result as JSON, CSV and SVG files, for other tools
 * and for the eye.  It only reads the result (const struct bench): every
 * run of every configuration, the ratios to the first configuration and
 * to the peer taken within each round, and the sweeps' fits. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "bench/bench.h"
#include "bench/conf.h"
#include "bench/stats.h"
#include "bench/svg.h"
#include "bench/sweep.h"
#include "common/err.h"
#include "plan/kernel.h"

static json_object *export_jd(double v)
{
	return isnan(v) ? NULL : json_object_new_double(round(v * 1e6) / 1e6);
}

static json_object *export_sweep_json(const struct bench *b)
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
			json_object_object_add(jf, "per_port", export_jd(f->slope));
			json_object_array_add(ci, export_jd(f->lo));
			json_object_array_add(ci, export_jd(f->hi));
			json_object_object_add(jf, "per_port_ci95", ci);
			json_object_object_add(jf, "intercept", export_jd(f->intercept));
			json_object_object_add(jf, "r2", export_jd(f->r2));
			json_object_object_add(jf, "points", json_object_new_int64((int64_t)f->n));
			for (size_t k = 0; k < s->n; k++)
				json_object_array_add(res, export_jd(s->resid[m][k]));
			json_object_object_add(jf, "median_residuals", res);
			if (b->runs >= 2) {
				json_object *sp = json_object_new_array();

				for (size_t k = 0; k < s->n; k++)
					json_object_array_add(sp, export_jd(s->spread[m][k]));
				json_object_object_add(jf, "spreads", sp);
				json_object_object_add(jf, "spread_max", export_jd(s->spread_max[m]));
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
		json_object_object_add(jc, "start", json_object_new_string(bench_conf_start(c)));
		json_object_object_add(jc, "shape", json_object_new_string(plan_shape_name(c->in.shape)));
		json_object_object_add(jc, "firmware", json_object_new_string(plan_firmware_name(c->in.firmware)));
		json_object_object_add(jc, "kernel_format", json_object_new_string(kern_format_name(c->in.kernel_format)));
		json_object_object_add(jc, "memory_mib", json_object_new_int((int)bench_conf_memory(c)));
		json_object_object_add(jc, "tb_cache_mib", json_object_new_int((int)bench_conf_tb(c)));
		json_object_object_add(jc, "tuning", json_object_new_boolean(c->in.tuning));
		json_object_object_add(jc, "channel", json_object_new_boolean(c->in.channel));
		json_object_object_add(jc, "clock", json_object_new_string(plan_clock_name((enum plan_clock)c->in.clock)));
		/* What a guest-clock figure of this configuration is made of. */
		if (bench_conf_icount(c))
			json_object_object_add(jc, "guest_ns_per_instruction", json_object_new_int(PLAN_ICOUNT_NS));
		json_object_object_add(jc, "append", c->in.append ? json_object_new_string(c->in.append) : NULL);
		for (long i = 0; i < b->runs; i++) {
			const struct bench_rec *rr = &c->run[i];
			json_object *jr = json_object_new_object(), *st = json_object_new_object();
			json_object *calls = json_object_new_array();

			json_object_object_add(jr, "round", json_object_new_int((int)i + 1));
			json_object_object_add(jr, "ok", json_object_new_boolean(rr->ok));
			for (int s = 0; s < STAGES_NSPANS; s++)
				json_object_object_add(st, stages_spans[s].name, export_jd(rr->stage[s]));
			json_object_object_add(jr, "stages", st);
			json_object_object_add(jr, "to_ready", export_jd(rr->to_ready));
			json_object_object_add(jr, "wall", export_jd(rr->wall));
			json_object_object_add(jr, "qemu_peak_rss_mib", export_jd(rr->rss_mib));
			json_object_object_add(jr, "guest_init_start", export_jd(rr->guest_init));
			json_object_object_add(jr, "guest_ready", export_jd(rr->guest_ready));
			json_object_object_add(jr, "pci_enumeration_ms", export_jd(rr->pci_ms));
			json_object_object_add(jr, bench_metric_key(BM_PCI_OWN), export_jd(bench_metric(BM_PCI_OWN, rr)));
			json_object_object_add(jr, bench_metric_key(BM_TO_INIT_OWN),
					       export_jd(bench_metric(BM_TO_INIT_OWN, rr)));
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
		json_object_object_add(jc, "ratio_to_ready", export_jd(bench_conf_ratio(b, c, BM_READY).median));
		json_object_object_add(jc, "ratio_wall", export_jd(bench_conf_ratio(b, c, BM_WALL).median));
		json_object_object_add(jc, "ratio_pci_cfg", export_jd(bench_conf_ratio(b, c, BM_CFG).median));
		if (b->peer)
			json_object_object_add(jc, "ratio_wall_to_peer", export_jd(bench_conf_peer_ratio(b, c).median));
		json_object_array_add(confs, jc);
	}
	json_object_object_add(root, "configurations", confs);
	json_object_object_add(root, "sweeps", export_sweep_json(b));
	if (b->peer) {
		json_object *p = json_object_new_object(), *w = json_object_new_array();

		json_object_object_add(p, "command", json_object_new_string("guestfish -a /dev/null run"));
		for (long i = 0; i < b->runs; i++)
			json_object_array_add(w, export_jd(b->peer_wall[i]));
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
static void export_sweep_csv(const struct bench *b, FILE *f)
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

static void export_csv_ms(FILE *f, double v)
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
				backend_name(c->backend), bench_conf_start(c), plan_shape_name(c->in.shape),
				plan_firmware_name(c->in.firmware), kern_format_name(c->in.kernel_format),
				bench_conf_memory(c), bench_conf_tb(c), c->in.tuning ? "on" : "off",
				c->in.channel ? "on" : "off", plan_clock_name((enum plan_clock)c->in.clock), i + 1,
				r->ok);
			for (int s = 0; s < STAGES_NSPANS; s++)
				fprintf(f, ",%.6f", r->stage[s]);
			fprintf(f, ",%.6f,%.6f,%.1f,%.6f,%.6f,%.3f", r->to_ready, r->wall, r->rss_mib,
				r->guest_init, r->guest_ready, r->pci_ms);
			/* Empty where the guest gave no event trace. */
			export_csv_ms(f, bench_metric(BM_PCI_OWN, r));
			export_csv_ms(f, bench_metric(BM_TO_INIT_OWN, r));
			fprintf(f, ",%ld,%ld,%ld,%ld\n", r->cfg.reads, r->cfg.writes, r->cfg.firmware,
				r->cfg.kernel);
		}
	for (long i = 0; b->peer && i < b->runs; i++) {
		fprintf(f, "libguestfs,,peer,,,,,,,,,,%ld,%d", i + 1, !isnan(b->peer_wall[i]));
		for (int s = 0; s < STAGES_NSPANS; s++)
			fputc(',', f);
		fprintf(f, ",,%.6f,,,,,,,,,,\n", b->peer_wall[i]);
	}
	export_sweep_csv(b, f);
	if (fclose(f) != 0) {
		err_set(LB_EXIT_USAGE, "cannot write %s", path);
		return -1;
	}
	return 0;
}

/* Each sweep's metrics against N: median, min-max, and the fitted line. */
static size_t export_sweep_plots(const struct bench *b, struct svg_plot *plots, size_t max)
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
				 bench_conf_icount(&b->conf[s->conf[0]]) &&
				 bench_metric_on_guest_clock((enum bench_metric)m) ? " icount" : "",
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
			m[s] = bench_conf_stats(b, c, -1, s).median;
		snprintf(bars[n].label, sizeof bars[n].label, "%s", c->name);
		bars[n].seg[0] = m[STAGES_S_PLAN] + (isnan(m[STAGES_S_CONNECT]) ? 0 : m[STAGES_S_CONNECT]) +
				 m[STAGES_S_RENDER] + m[STAGES_S_CREATE] + m[STAGES_S_START];
		bars[n].seg[1] = m[STAGES_S_FIRMWARE];
		bars[n].seg[2] = m[STAGES_S_BOOT];
		bars[n].seg[3] = m[STAGES_S_COMMAND];
		bars[n].seg[4] = m[STAGES_S_POWEROFF] + m[STAGES_S_TEARDOWN];
		if (!isnan(bench_conf_stats(b, c, BM_CFG, 0).median))
			snprintf(bars[n].note, sizeof bars[n].note, "%.0f PCI config accesses",
				 bench_conf_stats(b, c, BM_CFG, 0).median);
	}
	if (b->peer) {
		snprintf(bars[n].label, sizeof bars[n].label, "libguestfs (whole run)");
		bars[n].seg[0] = stats_of(b->peer_wall, (size_t)b->runs).median;
		n++;
	}
	return svg_write(path, "leanboot bench: median seconds per stage (host clock)", segs, 5,
			 bars, n, plots, export_sweep_plots(b, plots, sizeof plots / sizeof *plots));
}

