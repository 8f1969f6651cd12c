/* launch: see launch.h.  Everything a launch acquires is released in
 * launch_run()'s one exit path, in reverse order: the VM (backend stop),
 * the event handles, the run directory with its overlay. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libvirt/libvirt.h>

#include "chan.h"
#include "err.h"
#include "launch.h"
#include "lv.h"
#include "proc.h"
#include "proto.h"
#include "util.h"
#include "watchdog.h"

/* One launch's state; only this file sees it. */
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
	double t0;
	struct launch_times t;
	int done;                    /* the VM is gone */
	int job_unsent;              /* the job could not be queued (no memory) */
	int got_exit, exit_status;
	char guest_error[512];       /* a WIRE_FAIL frame */
	char panic[160];             /* the guest kernel's "Kernel panic - ..." line */
	int signal;                  /* SIGINT/SIGTERM/SIGHUP received */
	int timed_out;
	int conn_lost;               /* the backend lost what runs the VM */
	char lost_outcome[128];      /* what became of the VM then */
	int sigpipe[2];
	int sig_watch, timer;
	struct watchdog wd;          /* cleans up if we are killed outright */
	const struct backend_ops *b;
	void *vm;                    /* the backend's state */
};

static int sig_write_fd = -1;

static void on_signal(int sig)
{
	unsigned char c = (unsigned char)sig;
	int saved = errno;

	if (sig_write_fd >= 0 && write(sig_write_fd, &c, 1) < 0) {
		/* Nothing to do: the pipe is full, a signal is already queued. */
	}
	errno = saved;
}

static double now(const struct launch *l)
{
	return util_now() - l->t0;
}

static void mark(struct launch *l, enum stages_mark m)
{
	l->t.at[m] = now(l);
}

/* Fault-injection tests name a point of the launch in LEANBOOT_STOP_AT
 * (planned, created, kernel or ready); the launcher stops itself there
 * with SIGSTOP, so that the test can do its damage (a signal, kill -9 of
 * QEMU, a deleted disk) at a known stage and then send SIGCONT. */
static void checkpoint(const char *point)
{
	const char *at = getenv("LEANBOOT_STOP_AT");

	if (at && !strcmp(at, point))
		raise(SIGSTOP);
}

/* Bounded by the caller's limit, or LAUNCH_CAPTURE_MAX. */
static void capture_add(struct launch_capture *c, const void *data, size_t len)
{
	size_t limit = c->limit ? c->limit : LAUNCH_CAPTURE_MAX;

	if (c->overflow || c->len + len > limit) {
		c->overflow = 1;
		return;
	}
	if (c->len + len + 1 > c->cap) {
		size_t cap = (c->len + len + 1) * 2;
		char *b = realloc(c->buf, cap);

		if (!b) {
			c->overflow = 1;
			return;
		}
		c->buf = b;
		c->cap = cap;
	}
	memcpy(c->buf + c->len, data, len);
	c->len += len;
	c->buf[c->len] = '\0';
}

static void on_console_line(void *ctx, const char *line)
{
	struct launch *l = ctx;
	const char *p;

	if (l->stage < STAGES_INIT && !strncmp(line, WIRE_INIT_PREFIX, strlen(WIRE_INIT_PREFIX))) {
		l->stage = STAGES_INIT;
		mark(l, STAGES_M_INIT);
	}
	if (!l->t.at[STAGES_M_KERNEL] && strstr(line, "Linux version ")) {
		struct timespec ts;

		mark(l, STAGES_M_KERNEL);
		clock_gettime(CLOCK_REALTIME, &ts);
		l->t.banner_epoch = ts.tv_sec + ts.tv_nsec / 1e9;
		checkpoint("kernel");
	}
	/* The panic's own line names the cause; the register dump and the
	 * "Rebooting" that follow would push it out of the tail. */
	if (!l->panic[0] && (p = strstr(line, "Kernel panic - ")))
		snprintf(l->panic, sizeof l->panic, "%s", p);
	if (l->o->verbose)
		fprintf(stderr, "console: %s\n", line);
}

/* The peak resident set (VmHWM) of the process whose status is PATH; 0
 * when it is not ours to see. */
static long peak_kib(const char *path)
{
	char line[128];
	long kib = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* QEMU's, read when the command has exited and QEMU is still there. */
static long qemu_peak_kib(const struct launch *l)
{
	pid_t pid = l->b->qemu_pid(l->vm);
	char path[64];

	if (pid <= 0)
		return 0;
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	return peak_kib(path);
}

/* Our own: what a flood of output must not grow. */
static long self_peak_kib(void)
{
	return peak_kib("/proc/self/status");
}

static void on_frame(void *ctx, char type, const uint8_t *data, size_t len)
{
	struct launch *l = ctx;
	char num[16];
	long status;

	switch (type) {
	case WIRE_READY:
		if (l->stage < STAGES_COMMAND) {
			char up[32];

			l->stage = STAGES_COMMAND;
			mark(l, STAGES_M_READY);
			checkpoint("ready");
			/* The init now waits for its job on the channel. */
			if (l->chan && chan_send_job(l->chan, l->job, l->job_len) < 0)
				l->job_unsent = 1;
			if (len < sizeof up) {
				memcpy(up, data, len);
				up[len] = '\0';
				l->t.guest_ready = strtod(up, NULL);
			}
		}
		break;
	case WIRE_STDOUT:
	case WIRE_STDERR: {
		/* Output the caller keeps; the channel writes the rest to our
		 * stdout and stderr itself.  Here otherwise only the kernel log
		 * of a VM with no channel, which nobody asked to see. */
		struct launch_capture *c = type == WIRE_STDOUT ? l->o->capture : l->o->capture_err;

		if (c)
			capture_add(c, data, len);
		break;
	}
	case WIRE_EXIT:
		if (l->got_exit || len == 0 || len >= sizeof num)
			break;
		memcpy(num, data, len);
		num[len] = '\0';
		if (util_parse_long(num, 0, 255, &status) == 0) {
			l->exit_status = (int)status;
			l->got_exit = 1;
			mark(l, STAGES_M_EXITED);
			l->t.qemu_peak_kib = qemu_peak_kib(l);
			l->stage = STAGES_SHUTDOWN;
		}
		break;
	case WIRE_FAIL:
		if (!l->guest_error[0]) {
			size_t n = len < sizeof l->guest_error - 1 ? len : sizeof l->guest_error - 1;

			memcpy(l->guest_error, data, n);
			for (size_t i = 0; i < n; i++)
				if ((unsigned char)l->guest_error[i] < 0x20)
					l->guest_error[i] = '?';
		}
		break;
	}
}

/* The backend's sink. */
static void on_input(void *ctx, const void *buf, size_t n)
{
	struct launch *l = ctx;

	if (!n)
		return;
	if (!l->t.at[STAGES_M_FIRST_BYTE]) {
		mark(l, STAGES_M_FIRST_BYTE);
		if (l->stage < STAGES_KERNEL)
			l->stage = STAGES_KERNEL;
	}
	proto_feed(&l->proto, buf, n);
}

static void on_step(void *ctx, enum backend_step step)
{
	static const enum stages_mark marks[] = {
		[BACKEND_RENDERED] = STAGES_M_RENDERED, [BACKEND_CREATED] = STAGES_M_CREATED,
		[BACKEND_RUNNING] = STAGES_M_RUNNING,
	};

	mark(ctx, marks[step]);
}

static void on_gone(void *ctx)
{
	struct launch *l = ctx;

	if (!l->done) {
		l->done = 1;
		mark(l, STAGES_M_STOPPED);
	}
}

static void on_lost(void *ctx)
{
	struct launch *l = ctx;

	l->conn_lost = 1;
}

static void on_sigpipe(int watch, int fd, int events, void *opaque)
{
	struct launch *l = opaque;
	unsigned char c;

	(void)watch;
	(void)events;
	if (read(fd, &c, 1) == 1 && !l->signal)
		l->signal = c;
}

static void on_deadline(int timer, void *opaque)
{
	struct launch *l = opaque;

	(void)timer;
	l->timed_out = 1;
}

/* The per-launch directory, named as cmd_resolve() named its template. */
static int make_rundir(struct launch *l)
{
	snprintf(l->rundir, sizeof l->rundir, "%s", l->o->in.rundir);
	if (!mkdtemp(l->rundir)) {
		err_set(LB_EXIT_VM, "%s: %s", l->rundir, strerror(errno));
		l->rundir[0] = '\0';
		return -1;
	}
	/* A libvirt daemon may run QEMU as another user (qemu:///system runs
	 * it as libvirt-qemu) and hands it the overlay by chown: the directory
	 * must be traversable, while the files in it stay the owner's. */
	if (chmod(l->rundir, 0711) < 0) {
		err_set(LB_EXIT_VM, "%s: %s", l->rundir, strerror(errno));
		return -1;
	}
	return 0;
}

/* The root overlay: the appliance root is only ever a read-only backing
 * file. */
static int make_overlay(struct launch *l)
{
	const struct plan_dev *root = NULL;
	char log[PATH_MAX + 16];

	for (size_t i = 0; i < l->plan.ndev; i++)
		if (l->plan.dev[i].is_root)
			root = &l->plan.dev[i];
	if (!root)
		return 0;
	{
		const char *img[] = { "qemu-img", "create", "-q", "-f", "qcow2", "-b", l->o->in.root,
				      "-F", "raw", root->path, NULL };

		snprintf(log, sizeof log, "%s/qemu-img.log", l->rundir);
		if (proc_run(img, NULL, log) < 0)
			return -1;
	}
	if (chmod(root->path, 0600) < 0) {
		err_set(LB_EXIT_VM, "%s: %s", root->path, strerror(errno));
		return -1;
	}
	return 0;
}

static int install_signals(struct launch *l)
{
	struct sigaction sa = { .sa_handler = on_signal };

	if (pipe2(l->sigpipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		err_set(LB_EXIT_VM, "pipe: %s", strerror(errno));
		return -1;
	}
	sig_write_fd = l->sigpipe[1];
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	l->sig_watch = virEventAddHandle(l->sigpipe[0], VIR_EVENT_HANDLE_READABLE, on_sigpipe, l, NULL);
	return 0;
}

static void restore_signals(struct launch *l)
{
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	sig_write_fd = -1;
	if (l->sig_watch > 0)
		virEventRemoveHandle(l->sig_watch);
	if (l->sigpipe[0] >= 0) {
		close(l->sigpipe[0]);
		close(l->sigpipe[1]);
	}
}

/* The verdict, once the loop is over and the VM is gone. */
static int verdict(struct launch *l)
{
	const char *stage = stages_stage_name(l->stage);
	char tail[600];

	proto_tail(&l->proto, tail, sizeof tail);
	if (l->signal) {
		err_set(128 + l->signal, "interrupted by %s during %s; %s", strsignal(l->signal), stage,
			l->t.at[STAGES_M_CREATED] ? "VM destroyed" : "no VM was started");
		return -1;
	}
	if (l->job_unsent) {
		err_set(LB_EXIT_VM, "out of memory for the job; VM destroyed");
		return -1;
	}
	if (l->proto.error[0] || chan_error(l->chan)) {
		err_set(LB_EXIT_VM, "%s during %s; VM destroyed",
			l->proto.error[0] ? l->proto.error : chan_error(l->chan), stage);
		return -1;
	}
	if (l->conn_lost && !l->got_exit && !l->done) {
		err_set(LB_EXIT_VM, "the connection to libvirt was lost during %s; %s", stage, l->lost_outcome);
		return -1;
	}
	if (l->guest_error[0]) {
		err_set(LB_EXIT_VM, "the appliance failed: %s", l->guest_error);
		return -1;
	}
	if (l->timed_out && !(l->got_exit || (!l->o->cmd && l->t.at[STAGES_M_READY]))) {
		err_set(LB_EXIT_VM, "deadline of %g s passed during %s%s%s; VM destroyed",
			l->o->timeout, stage, tail[0] ? ": " : "", tail);
		return -1;
	}
	/* The command is done, but its output is not: say so rather than
	 * drop the tail in silence. */
	if (l->timed_out && l->got_exit && chan_unwritten(l->chan)) {
		err_set(LB_EXIT_VM, "deadline of %g s passed with %zu bytes of output not yet written; "
			"VM destroyed", l->o->timeout, chan_unwritten(l->chan));
		return -1;
	}
	if (l->got_exit)
		return l->exit_status;
	if (!l->o->cmd && l->t.at[STAGES_M_READY])
		return 0;
	if (l->panic[0]) {
		err_set(LB_EXIT_VM, "the guest's kernel panicked during %s: %s", stage, l->panic);
		return -1;
	}
	/* With no console output, QEMU's own last word (the direct backend
	 * logs its stderr) says why: a disk it could not open, say. */
	if (!tail[0] && l->b->last_words) {
		char why[PROC_LINE_MAX];

		l->b->last_words(l->vm, why, sizeof why);
		if (why[0]) {
			err_set(LB_EXIT_VM, "the VM stopped during %s: %s", stage, why);
			return -1;
		}
	}
	err_set(LB_EXIT_VM, "the VM stopped during %s: %s", stage, tail[0] ? tail : "no console output");
	return -1;
}

int launch_run(const struct launch_opts *o, struct launch_times *times)
{
	struct launch *l = calloc(1, sizeof *l);
	struct plan_input in = o->in;
	struct proto_sink psink = { on_console_line, on_frame, NULL };
	struct backend_sink bsink = { on_input, on_step, on_gone, on_lost, NULL };
	struct backend_args args = { NULL, NULL, o->connect, o->appl->cache, o->verbose };
	int r = -1, started = 0, hit;

	if (!l) {
		err_set(LB_EXIT_VM, "out of memory");
		return -1;
	}
	l->o = o;
	l->t0 = util_now();
	l->b = o->backend == BACKEND_DIRECT ? &backend_direct_ops : &backend_libvirt_ops;
	l->sigpipe[0] = l->sigpipe[1] = l->wd.fd = -1;
	l->timer = l->sig_watch = -1;
	psink.ctx = bsink.ctx = l;
	proto_init(&l->proto, &psink);

	lv_init(o->appl->cache, o->verbose);
	if (virEventRegisterDefaultImpl() < 0) {
		err_set(LB_EXIT_VM, "cannot start an event loop");
		goto out;
	}
	/* The build under our signal handling: a ^C during it is answered
	 * once it is done, and leaves no half-built appliance. */
	if (install_signals(l) < 0 || appl_build(o->appl, 0, &hit) < 0 || make_rundir(l) < 0)
		goto out;
	watchdog_start(&l->wd, l->rundir);
	in.rundir = l->rundir;
	if (plan_make(&in, &l->plan) < 0)
		goto out;
	l->have_plan = 1;
	if (l->plan.channel) {
		/* Output the caller captures comes to on_frame; the rest goes
		 * to ours straight from the channel. */
		struct chan_opts co = { o->stream_stdin ? 0 : -1, o->capture ? -1 : 1, o->capture_err ? -1 : 2 };

		if (!(l->job = chan_job(o->cmd, o->env, in.ndisks, o->stream_stdin, &l->job_len)) ||
		    !(l->chan = chan_open(l->plan.channel, &co, &psink)))
			goto out;
		proto_console_only(&l->proto);
	}
	if (make_overlay(l) < 0)
		goto out;
	mark(l, STAGES_M_PLANNED);
	checkpoint("planned");
	l->timer = virEventAddTimeout((int)(o->timeout * 1000), on_deadline, l, NULL);
	/* A signal during set-up is still in the pipe: start no VM for it. */
	on_sigpipe(0, l->sigpipe[0], 0, l);
	if (!l->signal) {
		l->stage = STAGES_FIRMWARE;
		started = 1;
		args.plan = &l->plan;
		args.rundir = l->rundir;
		if (l->b->start(&args, &bsink, &l->vm) < 0)
			goto out;
		watchdog_qemu(&l->wd, l->b->qemu_pid(l->vm));
		checkpoint("created");
	}
	while (!l->done && !l->signal && !l->timed_out && !l->proto.error[0] &&
	       !chan_error(l->chan) && !l->guest_error[0] && !l->conn_lost && !l->job_unsent)
		if (virEventRunDefaultImpl() < 0)
			break;
	if (l->conn_lost && !l->done)
		l->b->recover(l->vm, l->lost_outcome, sizeof l->lost_outcome);
	r = verdict(l);
out:
	if (started)
		l->b->stop(l->vm);
	chan_close(l->chan);
	free(l->job);
	if (l->timer >= 0)
		virEventRemoveTimeout(l->timer);
	restore_signals(l);
	if (l->rundir[0])
		util_rmtree(l->rundir);
	watchdog_done(&l->wd);
	if (l->have_plan)
		plan_free(&l->plan);
	mark(l, STAGES_M_TORN_DOWN);
	if (o->verbose)
		fprintf(stderr, "launch: peak RSS %ld KiB; QEMU's %ld KiB\n", self_peak_kib(),
			l->t.qemu_peak_kib);
	if (times)
		*times = l->t;
	/* A signal that came during set-up still decides the exit status. */
	if (r >= 0 && l->signal && !l->got_exit) {
		err_set(128 + l->signal, "interrupted by %s during start", strsignal(l->signal));
		r = -1;
	}
	free(l);
	return r;
}
