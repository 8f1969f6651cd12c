/* one: see one.h.  What the launch is told as it runs comes to sink.c;
 * the loop here stops on whatever sink.c recorded that ends the launch,
 * and verdict.c says what it means. */
#define _GNU_SOURCE
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>

#include "backend/ops.h"
#include "common/err.h"
#include "common/util.h"
#include "launch/one.h"
#include "launch/peak.h"
#include "launch/rundir.h"
#include "launch/signals.h"
#include "launch/sink.h"
#include "launch/state.h"
#include "launch/verdict.h"

static void one_on_deadline(int timer, void *opaque)
{
	struct launch *l = opaque;

	(void)timer;
	l->timed_out = 1;
}

/* -v: each stage this launch went through, on the host's clock and in
 * the host's CPU, the launcher's and QEMU's, one line each, for the
 * reader and for bench/stages.sh. */
static void one_report_stages(const struct launch_times *t)
{
	for (int s = 0; s < STAGES_NSPANS; s++) {
		double w = stages_span_of(t->at, t->at, (enum stages_span_id)s, 1);
		double c = stages_span_of(t->at, t->cpu, (enum stages_span_id)s, 1);
		double q = stages_span_of(t->at, t->qemu_cpu, (enum stages_span_id)s, 0);

		if (isnan(w))
			continue;
		fprintf(stderr, "launch: stage %-11s wall %.3f s, CPU %.3f s", stages_spans[s].name, w, c);
		if (isnan(q))
			fprintf(stderr, ", QEMU -\n");
		else
			fprintf(stderr, ", QEMU %.2f s\n", q);
	}
	fprintf(stderr, "launch: stage %-11s wall %.3f s, CPU %.3f s, QEMU ", "total",
		t->at[STAGES_M_TORN_DOWN], t->cpu[STAGES_M_TORN_DOWN]);
	/* QEMU's whole is read at the exit frame: without one, unknown. */
	if (!(t->at[STAGES_M_EXITED] > 0) || isnan(t->qemu_cpu[STAGES_M_EXITED]))
		fprintf(stderr, "-\n");
	else
		fprintf(stderr, "%.2f s\n", t->qemu_cpu[STAGES_M_EXITED]);
}

int one_launch(const struct launch_opts *o, enum plan_start start, const struct tpl *t,
	       double end, const char *named, char *built, struct launch_times *times,
	       int *restore_failed)
{
	struct launch *l = calloc(1, sizeof *l);
	struct plan_input in = o->in;
	struct proto_sink psink = { sink_console_line, sink_frame, NULL };
	struct backend_sink bsink = { sink_input, sink_step, sink_gone, sink_lost, sink_qemu, NULL };
	struct backend_args args = { .connect = o->connect, .cache = o->appl->cache,
				     .verbose = o->verbose, .quiet = o->quiet };
	int r = -1, started = 0;
	char appl_key[65];

	if (!l) {
		err_set(LB_EXIT_VM, "out of memory");
		return -1;
	}
	l->o = o;
	l->t0 = util_now();
	l->cpu0 = peak_self_cpu();
	l->end = end;
	l->b = backend_ops_of(o->backend);
	l->start = start;
	l->wd.fd = -1;
	l->timer = -1;
	psink.ctx = bsink.ctx = l;
	proto_init(&l->proto, &psink);

	if (rundir_make(l, named) < 0)
		goto out;
	watchdog_start(&l->wd, l->rundir);
	in.rundir = l->rundir;
	in.start = start;
	/* A template's RAM file goes into the template it becomes. */
	l->template_dir = in.template_dir = start == PLAN_START_TEMPLATE ? l->rundir :
					    t ? t->dir : NULL;
	in.uuid = t ? t->uuid : NULL;
	in.name = t ? t->domain : NULL;
	if (plan_make(&in, &l->plan) < 0)
		goto out;
	l->have_plan = 1;
	if (l->plan.channel) {
		/* Output the caller captures comes to on_frame; the rest goes
		 * to ours straight from the channel. */
		struct chan_opts co = { o->stream_stdin ? o->stdin_fd : -1, o->capture ? -1 : 1, o->capture_err ? -1 : 2 };
		unsigned flags = (o->stream_stdin ? WIRE_JOB_STDIN : 0) |
				 (start == PLAN_START_COLD ? 0 : WIRE_JOB_SCSI);

		if (!(l->job = chan_job(o->cmd, o->env, plan_user_disks(&l->plan), flags, &l->job_len)) ||
		    !(l->chan = chan_open(l->plan.channel, &co, &psink)))
			goto out;
		proto_console_only(&l->proto);
	}
	if (rundir_overlay(l) < 0)
		goto out;
	appl_built_key(o->appl, appl_key);
	state_mark(l, STAGES_M_PLANNED);
	util_checkpoint("planned");
	/* The deadline is the whole launch_run()'s: a template made first
	 * counts against it. */
	l->timer = virEventAddTimeout(l->end > util_now() ? (int)((l->end - util_now()) * 1000) : 0,
				      one_on_deadline, l, NULL);
	/* A signal during set-up is still in the pipe: start no VM for it. */
	signals_poll();
	if (!signals_caught()) {
		l->stage = start == PLAN_START_CLONE ? STAGES_RESTORE : STAGES_FIRMWARE;
		started = 1;
		args.plan = &l->plan;
		args.rundir = l->rundir;
		args.template_dir = l->template_dir;
		args.deadline = l->end;
		args.appl_key = appl_key;
		args.root = in.root;
		args.pool = o->pool;
		if (l->b->start(&args, &bsink, &l->vm) < 0) {
			/* Whether the template was to blame: the backend
			 * knows; after a signal, never. */
			if (restore_failed && start == PLAN_START_CLONE && !signals_caught() &&
			    l->b->restore_failed)
				*restore_failed = l->b->restore_failed(l->vm);
			if (start == PLAN_START_CLONE) {
				char why[512];

				snprintf(why, sizeof why, "%s", err_msg());
				err_set(err_status(), "the VM failed during %s: %s; VM destroyed",
					stages_stage_name(l->stage), why);
			}
			goto out;
		}
		/* A clone is ready as it runs: its guest waits for the job,
		 * which a signal during the restore holds back. */
		signals_poll();
		if (start == PLAN_START_CLONE && !signals_caught())
			sink_send_job(l);
		util_checkpoint("created");
	}
	/* Once the exit status is in and the output out, the VM is of no
	 * more use: the guest synced its disks before it sent the status,
	 * so it is stopped now rather than waited for to power off. */
	while (!l->done && !signals_caught() && !l->timed_out && !l->proto.error[0] &&
	       !chan_error(l->chan) && !l->guest_error[0] && !l->conn_lost && !l->job_error[0] &&
	       !l->save_error[0] && !chan_done(l->chan))
		if (virEventRunDefaultImpl() < 0)
			break;
	if (l->conn_lost && !l->done)
		l->b->recover(l->vm, l->lost_outcome, sizeof l->lost_outcome);
	r = verdict_decide(l);
out:
	if (started) {
		l->b->stop(l->vm);
		sink_gone(l);
	}
	chan_close(l->chan);
	free(l->job);
	if (l->timer >= 0)
		virEventRemoveTimeout(l->timer);
	/* A template saved is kept, and NAMED says where: the caller puts
	 * it in its place. */
	if (start == PLAN_START_TEMPLATE && r == 0)
		snprintf(built, PATH_MAX, "%s", l->rundir);
	else if (l->rundir[0])
		util_rmtree(l->rundir);
	watchdog_done(&l->wd);
	if (l->have_plan)
		plan_free(&l->plan);
	state_mark(l, STAGES_M_TORN_DOWN);
	if (o->verbose) {
		fprintf(stderr, "launch: peak RSS %ld KiB; QEMU's %ld KiB\n", peak_self_kib(),
			l->t.qemu_peak_kib);
		one_report_stages(&l->t);
	}
	if (times)
		*times = l->t;
	/* A signal that came during set-up still decides the exit status. */
	if (r >= 0 && signals_caught() && !l->got_exit) {
		int sig = signals_caught();

		err_set(128 + sig, "interrupted by %s during start", strsignal(sig));
		r = -1;
	}
	free(l);
	return r;
}
