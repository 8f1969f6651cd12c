/* state: one launch's state, which the files that make up a launch
 * (one.c, sink.c, verdict.c, rundir.c) share and nothing outside
 * launch/ sees.  A header of its own, so that each of them can read it
 * without including the others. */
#ifndef LB_LAUNCH_STATE_H
#define LB_LAUNCH_STATE_H

#include <limits.h>
#include <math.h>
#include <stddef.h>

#include "launch/chan.h"
#include "launch/opts.h"
#include "launch/peak.h"
#include "launch/proto.h"
#include "launch/watchdog.h"
#include "common/util.h"

struct launch {
	const struct launch_opts *o;
	struct plan plan;
	int have_plan;
	char rundir[PATH_MAX];
	struct proto proto;
	struct chan *chan;           /* NULL: the plan has no channel */
	unsigned char *job;          /* for the channel, once the guest is ready */
	size_t job_len;
	enum stages_stage stage;
	double t0, cpu0;             /* the launch's start: wall, our CPU */
	double end;                  /* the deadline, on util_now()'s clock */
	struct launch_times t;
	int done;                    /* the VM is gone */
	char job_error[256];         /* the job could not be sent: why */
	enum plan_start start;
	const char *template_dir;    /* a template's or clone's */
	char save_error[512];        /* a template that could not be saved: why */
	int saved;                   /* a template saved */
	int got_exit, exit_status;
	char guest_error[512];       /* a WIRE_FAIL frame */
	char panic[160];             /* the guest kernel's "Kernel panic - ..." line */
	int timed_out;
	int conn_lost;               /* the backend lost what runs the VM */
	char lost_outcome[128];      /* what became of the VM then */
	int timer;
	struct watchdog wd;          /* cleans up if we are killed outright */
	const struct backend_ops *b;
	void *vm;                    /* the backend's state */
};

/* Mark M reached now, in seconds from the launch's start. */
static inline void state_mark(struct launch *l, enum stages_mark m)
{
	l->t.at[m] = util_now() - l->t0;
	l->t.cpu[m] = peak_self_cpu() - l->cpu0;
	/* Before the VM is created its QEMU has not run (libvirt's probes
	 * of QEMU are other processes); from the stop on, the backend's
	 * state is gone, and QEMU with it. */
	l->t.qemu_cpu[m] = m < STAGES_M_CREATED ? 0 :
			   l->vm && m < STAGES_M_STOPPED ? peak_pid_cpu(l->b->qemu_pid(l->vm)) : NAN;
}

#endif
