/* bench: see bench.h.  Each run is a launch whose job is the guest's
 * dmesg (with initcall_debug) and whose QEMU traces its PCI config
 * accesses, both asked for through the plan input's extra arguments; the
 * trace is counted here, after the launch. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libvirt/libvirt.h>

#include "bench/bench.h"
#include "plan/machine.h"
#include "common/err.h"
#include "launch/launch.h"
#include "backend/lv.h"
#include "common/proc.h"
#include "common/util.h"

/* initcall_debug goes only to the log buffer (it is KERN_DEBUG), which
 * the run's job reads back.  The event trace says which thread ran when,
 * so that a span can be split into the boot thread's own work and the
 * time other threads took in it (stages.h): without that, where kworkers
 * and timer-aligned waits fall moves from one topology to the next, and
 * PCI enumeration's printk span jumps by milliseconds at some port
 * counts (bench/README.md).  nooverwrite keeps the boot's events when
 * the buffer fills after /init. */
#define BENCH_KERNEL_ARGS "initcall_debug log_buf_len=1M " \
	"trace_event=initcall:initcall_start,initcall:initcall_finish,sched:sched_switch,sched:sched_process_exec " \
	"trace_buf_size=1M trace_options=nooverwrite"
/* The job: the kernel's log, then its trace, tracing stopped first so
 * that reading it adds nothing.  Without the channel the init does the
 * same (job.c). */
#define BENCH_JOB "dmesg || exit; t=/sys/kernel/tracing; " \
	"mount -t tracefs tracefs $t 2>/dev/null && echo 0 >$t/tracing_on && cat $t/trace; exit 0"

/* --logs: DIR/NAME-ROUND.{dmesg,trace,banner}, NAME the configuration's
 * with '/' as '-'; the banner
 * file holds the realtime that splits the trace. */
static void save_logs(const struct bench *b, const struct bench_conf *c, long round, const char *dmesg,
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

/* The launch's marks as bench's spans. */
static void spans(const struct launch_times *t, struct bench_rec *rec)
{
	for (int s = 0; s < STAGES_NSPANS; s++)
		rec->stage[s] = stages_span_of(t->at, t->at, (enum stages_span_id)s, 1);
}

/* One launch of configuration C.  TRACE is where QEMU writes its PCI
 * trace (NULL with --plain). */
static int bench_one(struct bench *b, struct bench_conf *c, struct bench_rec *rec, long round,
		     const char *trace)
{
	static char *const job[] = { "sh", "-c", BENCH_JOB, NULL }, *const plain[] = { "true", NULL };
	char trace_arg[PATH_MAX + 32];
	/* PCI config accesses, stamped so that they can be split at the
	 * kernel's banner. */
	const char *qemu_extra[] = { "-msg", "timestamp=on", "-trace", trace_arg };
	struct launch_capture cap = { 0 };
	struct launch_times t = { 0 };
	struct launch_opts lo = {
		.in = c->in, .appl = &c->appl,
		.backend = c->backend, .connect = c->connect, .pool = b->pool, .start = c->start,
		.cmd = b->plain ? plain : job, .timeout = b->timeout,
		.verbose = b->verbose, .capture = b->plain ? NULL : &cap,
	};
	int r;

	memset(rec, 0, sizeof *rec);
	/* A clone did not boot: its dmesg and PCI trace would be the
	 * template's boot, or nothing.  It is timed as --plain is. */
	if (c->start != LAUNCH_START_COLD) {
		lo.cmd = plain;
		lo.capture = NULL;
		trace = NULL;
	}
	if (trace) {
		/* Empty, and there: QEMU appends to a trace file that is
		 * there already, and a confined QEMU is handed (bound, given
		 * to its user) only a file that exists. */
		int fd = open(trace, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);

		if (fd < 0) {
			err_set(LB_EXIT_VM, "%s: %s", trace, strerror(errno));
			return -1;
		}
		close(fd);
		snprintf(trace_arg, sizeof trace_arg, "pci_cfg_*,file=%s", trace);
		lo.in.qemu_extra = qemu_extra;
		lo.in.nqemu_extra = sizeof qemu_extra / sizeof *qemu_extra;
		lo.in.kernel_extra = BENCH_KERNEL_ARGS;
	}
	r = launch_run(&lo, &t);
	if (b->logs && r == 0 && trace)
		save_logs(b, c, round, cap.buf, t.banner_epoch);
	if (r != 0) {
		if (r > 0)
			err_set(LB_EXIT_VM, "dmesg in the guest exited %d", r);
		free(cap.buf);
		return -1;
	}
	/* Only a run that succeeded has a trace worth counting. */
	if (trace && stages_count_trace(trace, t.banner_epoch, &rec->cfg) < 0)
		memset(&rec->cfg, 0, sizeof rec->cfg);
	/* --logs keeps it; QEMU wrote it in our directory, which its own
	 * user can reach (jail.h), and the copy is ours. */
	if (trace && b->logs) {
		char keep[PATH_MAX];

		snprintf(keep, sizeof keep, "%.3000s/%s-%ld.trace", b->logs, c->file, round);
		if (util_copy_file(trace, keep, 0644) < 0)
			memset(&rec->cfg, 0, sizeof rec->cfg);
	}
	rec->ok = 1;
	spans(&t, rec);
	rec->to_ready = t.at[STAGES_M_READY];
	rec->wall = t.at[STAGES_M_TORN_DOWN];
	rec->guest_ready = t.guest_ready;
	rec->rss_mib = t.qemu_peak_kib ? t.qemu_peak_kib / 1024.0 : NAN;
	stages_parse_dmesg(cap.buf ? cap.buf : "", machine_of(plan_input_machine(&c->in))->pci_initcalls,
			   &rec->guest);
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

/* A remote connection's host, as libvirt tells it: its name, QEMU and
 * libvirt (its kernel is not in libvirt's API). */
static void remote_host(struct bench_conf *c, const char *cache)
{
	virConnectPtr conn;
	unsigned long q = 0, l = 0;
	char *name;

	if (c->in.conn != PLAN_CONN_REMOTE)
		return;
	if (!(conn = lv_open(c->connect, cache, 0))) {
		snprintf(c->host, sizeof c->host, "unreachable: %.150s", err_msg());
		return;
	}
	virConnectGetVersion(conn, &q);
	virConnectGetLibVersion(conn, &l);
	name = virConnectGetHostname(conn);
	snprintf(c->host, sizeof c->host, "host %.60s: qemu %lu.%lu.%lu, libvirt %lu.%lu.%lu",
		 name ? name : "?", q / 1000000, q / 1000 % 1000, q % 1000, l / 1000000, l / 1000 % 1000,
		 l % 1000);
	free(name);
	virConnectClose(conn);
}

/* The conditions of the run, for its report: the versions of QEMU (the
 * first configuration's emulator), libvirt and the guest kernel, and the
 * host's CPU. */
static void conditions(struct bench *b)
{
	char line[256], cmd[300];
	unsigned long v = 0;
	FILE *f;

	snprintf(cmd, sizeof cmd, "%.200s --version",
		 machine_of(plan_input_machine(&b->conf[0].in))->qemu);
	f = popen(cmd, "r");

	snprintf(b->qemu_version, sizeof b->qemu_version, "?");
	if (f) {
		if (fgets(line, sizeof line, f) && !strncmp(line, "QEMU emulator version ", 22)) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(b->qemu_version, sizeof b->qemu_version, "%.120s", line + 22);
		}
		pclose(f);
	}
	lv_init(b->appl->cache, b->verbose);
	virGetVersion(&v, NULL, NULL);
	snprintf(b->libvirt_version, sizeof b->libvirt_version, "%lu.%lu.%lu", v / 1000000,
		 v / 1000 % 1000, v % 1000);
	snprintf(b->kver, sizeof b->kver, "?");
	if (appl_find_host_kernel(b->appl) == 0)
		snprintf(b->kver, sizeof b->kver, "%s", b->appl->kver);
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

int bench_run(struct bench *b, const struct bench_hooks *h)
{
	const char *tmpdir = getenv("TMPDIR");
	char tmp[PATH_MAX], trace[PATH_MAX];
	long total, done = 0;
	int r = 0;

	snprintf(tmp, sizeof tmp, "%.4000s/leanboot-bench-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	/* Traversable: QEMU's own user writes the trace in it (jail.h). */
	if (!b->plain && (!mkdtemp(tmp) || chmod(tmp, 0711) < 0)) {
		err_set(LB_EXIT_VM, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	/* Each run's trace, emptied after it (--logs copies it out). */
	snprintf(trace, sizeof trace, "%.3000s/pci-trace.log", tmp);
	b->accel = b->conf[0].in.accel;
	conditions(b);
	for (size_t k = 0; k < b->nconf; k++)
		remote_host(&b->conf[k], b->appl->cache);
	total = (b->runs + b->warmup) * (long)(b->nconf + (size_t)b->peer);
	/* Templates are made before the rounds: no run of them is timed. */
	for (size_t k = 0; k < b->nconf && !r; k++) {
		struct bench_conf *c = &b->conf[k];
		struct launch_opts lo = {
			.in = c->in, .appl = &c->appl, .backend = c->backend, .connect = c->connect,
			.pool = b->pool,
			.start = c->start, .timeout = b->timeout, .verbose = b->verbose,
		};

		if (c->start == LAUNCH_START_COLD)
			continue;
		h->progress(h->ctx, c->name, 0, total);
		if (launch_prepare(&lo) < 0)
			r = -1;
	}
	for (long round = -b->warmup; round < b->runs && !r; round++) {
		for (size_t k = 0; k < b->nconf && !r; k++) {
			struct bench_conf *c = &b->conf[k];
			struct bench_rec scratch;

			h->progress(h->ctx, c->name, ++done, total);
			if (bench_one(b, c, round < 0 ? &scratch : &c->run[round], round + 1,
				      b->plain ? NULL : trace) == 0)
				continue;
			/* ^C stops the bench, as it stops a run. */
			if (err_status() >= 128) {
				r = -1;
				break;
			}
			h->failed(h->ctx, c->name, err_msg());
			if (round >= 0)
				c->failed++;
		}
		if (b->peer && !r) {
			double w;

			h->progress(h->ctx, "libguestfs", ++done, total);
			w = run_peer();
			if (round >= 0)
				b->peer_wall[round] = w;
		}
	}
	if (!b->plain)
		util_rmtree(tmp);
	return r;
}
