/* launch: see launch.h.  Everything a launch acquires is released in
 * launch_run()'s one exit path, in reverse order: the VM (backend stop),
 * the event handles, the run directory with its overlay. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libvirt/libvirt.h>

#include "launch/chan.h"
#include "common/err.h"
#include "launch/launch.h"
#include "backend/lv.h"
#include "backend/pool.h"
#include "common/proc.h"
#include "launch/proto.h"
#include "backend/template.h"
#include "common/util.h"
#include "launch/watchdog.h"

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

/* Signals are the process's, so their state is too: one launch_run()
 * may make several launches (a template, then its clone). */
static struct {
	int pipe[2];
	int watch;
	int signal;                  /* SIGINT/SIGTERM/SIGHUP received */
} sig = { { -1, -1 }, -1, 0 };

static void on_signal(int signo)
{
	unsigned char c = (unsigned char)signo;
	int saved = errno;

	if (sig.pipe[1] >= 0 && write(sig.pipe[1], &c, 1) < 0) {
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
		util_checkpoint("kernel");
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

/* The guest is ready for its job: it goes now. */
static void send_job(struct launch *l)
{
	l->stage = STAGES_COMMAND;
	mark(l, STAGES_M_READY);
	util_checkpoint("ready");
	if (l->chan && chan_send_job(l->chan, l->job, l->job_len) < 0)
		snprintf(l->job_error, sizeof l->job_error, "%s", err_msg());
}

static void save_template(struct launch *l)
{
	mark(l, STAGES_M_READY);
	util_checkpoint("ready");
	if (l->b->save(l->vm, l->end) < 0)
		snprintf(l->save_error, sizeof l->save_error, "%s", err_msg());
	else
		l->saved = 1;
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

			if (len < sizeof up) {
				memcpy(up, data, len);
				up[len] = '\0';
				l->t.guest_ready = strtod(up, NULL);
			}
			/* The init now waits for its job on the channel; a
			 * template is saved as it waits. */
			if (l->start == PLAN_START_TEMPLATE)
				save_template(l);
			else
				send_job(l);
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
		[BACKEND_RESTORED] = STAGES_M_RESTORED, [BACKEND_ATTACHED] = STAGES_M_ATTACHED,
		[BACKEND_RUNNING] = STAGES_M_RUNNING,
	};
	struct launch *l = ctx;

	mark(l, marks[step]);
	if (step != BACKEND_CREATED)
		return;
	/* The watchdog knows QEMU from here on, a clone's restore included. */
	watchdog_qemu(&l->wd, l->b->qemu_pid(l->vm));
	if (l->start == PLAN_START_CLONE)
		util_checkpoint("restore");
}

static void on_gone(void *ctx)
{
	struct launch *l = ctx;

	if (!l->done) {
		l->done = 1;
		mark(l, STAGES_M_STOPPED);
	}
}

/* A connection lost stays lost for the rest of this launch_run(): a
 * launch after it (a cold boot when a template could not be made)
 * would fail the same way. */
static int connection_lost;

static void on_lost(void *ctx)
{
	struct launch *l = ctx;

	l->conn_lost = 1;
	connection_lost = 1;
}

static void on_sigpipe(int watch, int fd, int events, void *opaque)
{
	unsigned char c;

	(void)watch;
	(void)events;
	(void)opaque;
	if (read(fd, &c, 1) == 1 && !sig.signal)
		sig.signal = c;
}

static void on_deadline(int timer, void *opaque)
{
	struct launch *l = opaque;

	(void)timer;
	l->timed_out = 1;
}

/* The per-launch directory, named after NAMED (mkdtemp's template):
 * cmd_resolve()'s, or one in the cache for a template being made. */
static int make_rundir(struct launch *l, const char *named)
{
	snprintf(l->rundir, sizeof l->rundir, "%s", named);
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
 * file.  A clone's goes over the template's overlay, which holds what
 * the template's guest had written by ready. */
/* Whether O's VM runs on another host, where the backend makes the
 * overlay and reaches the channel through libvirt (pool.h). */
static int remote(const struct launch_opts *o)
{
	return o->backend == BACKEND_LIBVIRT && pool_uri_is_remote(o->connect);
}

static int make_overlay(struct launch *l)
{
	const struct plan_dev *root = NULL;
	char log[PATH_MAX + 16], base[PATH_MAX + 16];
	int clone = l->start == PLAN_START_CLONE;

	for (size_t i = 0; i < l->plan.ndev; i++)
		if (l->plan.dev[i].is_root)
			root = &l->plan.dev[i];
	if (!root || remote(l->o))
		return 0;
	{
		const char *img[] = { "qemu-img", "create", "-q", "-f", "qcow2", "-b", base,
				      "-F", clone ? "qcow2" : "raw", root->path, NULL };

		snprintf(base, sizeof base, "%.4000s%s", clone ? l->template_dir : l->o->in.root,
			 clone ? "/" PLAN_OVERLAY : "");
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

static int install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sig.signal = 0;
	if (pipe2(sig.pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		err_set(LB_EXIT_VM, "pipe: %s", strerror(errno));
		sig.pipe[0] = sig.pipe[1] = -1;
		return -1;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sig.watch = virEventAddHandle(sig.pipe[0], VIR_EVENT_HANDLE_READABLE, on_sigpipe, NULL, NULL);
	return 0;
}

static void restore_signals(void)
{
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	if (sig.watch > 0)
		virEventRemoveHandle(sig.watch);
	sig.watch = -1;
	for (int i = 0; i < 2; i++) {
		if (sig.pipe[i] >= 0)
			close(sig.pipe[i]);
		sig.pipe[i] = -1;
	}
}

/* The verdict, once the loop is over and the VM is gone. */
static int verdict(struct launch *l)
{
	const char *stage = stages_stage_name(l->stage);
	char tail[600];

	proto_tail(&l->proto, tail, sizeof tail);
	if (sig.signal) {
		err_set(128 + sig.signal, "interrupted by %s during %s; %s", strsignal(sig.signal), stage,
			l->t.at[STAGES_M_CREATED] ? "VM destroyed" : "no VM was started");
		return -1;
	}
	if (l->job_error[0]) {
		err_set(LB_EXIT_VM, "the job could not be sent: %s; VM destroyed", l->job_error);
		return -1;
	}
	if (l->save_error[0]) {
		err_set(LB_EXIT_VM, "saving the template: %s", l->save_error);
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
	if (l->start == PLAN_START_TEMPLATE ? l->saved : !l->o->cmd && l->t.at[STAGES_M_READY])
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

/* One launch: a cold boot, a template's boot to ready and save, or a
 * clone of T, by END (util_now()'s clock).  NAMED names its run directory (make_rundir);
 * a template's is the template in the making, and BUILT (PATH_MAX bytes)
 * gets its name.  *RESTORE_FAILED, when a clone's start failed, says
 * what of the template's (enum backend_restore). */
static int launch_one(const struct launch_opts *o, enum plan_start start, const struct tpl *t,
		      double end, const char *named, char *built, struct launch_times *times,
		      int *restore_failed)
{
	struct launch *l = calloc(1, sizeof *l);
	struct plan_input in = o->in;
	struct proto_sink psink = { on_console_line, on_frame, NULL };
	struct backend_sink bsink = { on_input, on_step, on_gone, on_lost, NULL };
	struct backend_args args = { .connect = o->connect, .cache = o->appl->cache,
				     .verbose = o->verbose };
	int r = -1, started = 0;
	char appl_key[65];

	if (!l) {
		err_set(LB_EXIT_VM, "out of memory");
		return -1;
	}
	l->o = o;
	l->t0 = util_now();
	l->end = end;
	l->b = o->backend == BACKEND_DIRECT ? &backend_direct_ops : &backend_libvirt_ops;
	l->start = start;
	l->wd.fd = -1;
	l->timer = -1;
	psink.ctx = bsink.ctx = l;
	proto_init(&l->proto, &psink);

	if (make_rundir(l, named) < 0)
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

		if (!(l->job = chan_job(o->cmd, o->env, in.ndisks, flags, &l->job_len)) ||
		    !(l->chan = chan_open(l->plan.channel, &co, &psink)))
			goto out;
		proto_console_only(&l->proto);
	}
	if (make_overlay(l) < 0)
		goto out;
	appl_built_key(o->appl, appl_key);
	mark(l, STAGES_M_PLANNED);
	util_checkpoint("planned");
	/* The deadline is the whole launch_run()'s: a template made first
	 * counts against it. */
	l->timer = virEventAddTimeout(l->end > util_now() ? (int)((l->end - util_now()) * 1000) : 0,
				      on_deadline, l, NULL);
	/* A signal during set-up is still in the pipe: start no VM for it. */
	on_sigpipe(0, sig.pipe[0], 0, NULL);
	if (!sig.signal) {
		l->stage = start == PLAN_START_CLONE ? STAGES_RESTORE : STAGES_FIRMWARE;
		started = 1;
		args.plan = &l->plan;
		args.rundir = l->rundir;
		args.template_dir = l->template_dir;
		args.disks = in.disks;
		args.ndisks = start == PLAN_START_CLONE ? in.ndisks : 0;
		args.deadline = l->end;
		args.appl_key = appl_key;
		args.root = in.root;
		args.pool = o->pool;
		if (l->b->start(&args, &bsink, &l->vm) < 0) {
			/* Whether the template was to blame: the backend
			 * knows; after a signal, never. */
			if (restore_failed && start == PLAN_START_CLONE && !sig.signal &&
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
		on_sigpipe(0, sig.pipe[0], 0, NULL);
		if (start == PLAN_START_CLONE && !sig.signal)
			send_job(l);
		util_checkpoint("created");
	}
	/* Once the exit status is in and the output out, the VM is of no
	 * more use: the guest synced its disks before it sent the status,
	 * so it is stopped now rather than waited for to power off. */
	while (!l->done && !sig.signal && !l->timed_out && !l->proto.error[0] &&
	       !chan_error(l->chan) && !l->guest_error[0] && !l->conn_lost && !l->job_error[0] &&
	       !l->save_error[0] && !chan_done(l->chan))
		if (virEventRunDefaultImpl() < 0)
			break;
	if (l->conn_lost && !l->done)
		l->b->recover(l->vm, l->lost_outcome, sizeof l->lost_outcome);
	r = verdict(l);
out:
	if (started) {
		l->b->stop(l->vm);
		on_gone(l);
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
	mark(l, STAGES_M_TORN_DOWN);
	if (o->verbose)
		fprintf(stderr, "launch: peak RSS %ld KiB; QEMU's %ld KiB\n", self_peak_kib(),
			l->t.qemu_peak_kib);
	if (times)
		*times = l->t;
	/* A signal that came during set-up still decides the exit status. */
	if (r >= 0 && sig.signal && !l->got_exit) {
		err_set(128 + sig.signal, "interrupted by %s during start", strsignal(sig.signal));
		r = -1;
	}
	free(l);
	return r;
}

/* Make the template T for O's launches unless it is there: a boot to
 * ready under the cache lock, so that concurrent launches make it once. */
static int launch_template(const struct launch_opts *o, const struct tpl *t, double end)
{
	struct launch_opts to = *o;
	char named[PATH_MAX + 32], built[PATH_MAX];
	int lock, r = 0;

	/* A template is renamed into place whole, so one that is there is
	 * ready: launches need not queue behind another template's boot. */
	if (tpl_ready(t))
		return 0;
	lock = appl_lock(o->appl);
	if (lock < 0)
		return -1;
	if (!tpl_ready(t)) {
		to.cmd = NULL;
		to.capture = to.capture_err = NULL;
		to.stream_stdin = 0;
		to.in.ndisks = 0;
		snprintf(named, sizeof named, "%.4000s/leanboot-XXXXXX", t->root);
		if (util_mkdirs(t->root) < 0 ||
		    launch_one(&to, PLAN_START_TEMPLATE, t, end, named, built, NULL, NULL) < 0)
			r = -1;
		/* A template that could not be put in place leaves nothing
		 * half-made. */
		else if (tpl_commit(t, built) < 0) {
			char why[512];

			snprintf(why, sizeof why, "%s", err_msg());
			util_rmtree(built);
			err_set(LB_EXIT_VM, "%s", why);
			r = -1;
		}
	}
	close(lock);
	return r;
}

/* A notice on stderr: what leanboot did instead of what was asked. */
static void notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void notice(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("leanboot: notice: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* Why O cannot start warm, or NULL when it can. */
static const char *warm_obstacle(const struct launch_opts *o)
{
	if (!o->in.channel)
		return "a warm start needs the channel";
	/* A template is saved at ready on the real clock; a restore would
	 * carry none of the instructions an icount boot counts. */
	if (o->in.clock == PLAN_CLOCK_ICOUNT)
		return "--clock icount measures a boot";

	return NULL;
}

/* Restore a clone of the template, made first if need be.  A restore
 * that fails is the template's fault (a QEMU that cannot read it, a
 * damaged file): the launch boots cold instead, with one notice, and a
 * new template is made after it. */
static int launch_warm(const struct launch_opts *o, struct launch_times *times, double end)
{
	struct tpl t;
	int restore_failed = BACKEND_RESTORE_OK, r;

	if (tpl_locate(o->appl, &o->in, o->backend, o->connect, &t) < 0)
		return -1;
	if (launch_template(o, &t, end) < 0) {
		/* Bad input (say, a connection that cannot be made) would
		 * fail a cold boot as well, and a deadline passed is passed. */
		if (o->start == LAUNCH_START_WARM || sig.signal || err_status() == LB_EXIT_USAGE ||
		    util_now() >= end || connection_lost)
			return -1;
		notice("no template could be made (%s); booting cold", err_msg());
		return launch_one(o, PLAN_START_COLD, NULL, end, o->in.rundir, NULL, times, NULL);
	}
	r = launch_one(o, PLAN_START_CLONE, &t, end, o->in.rundir, NULL, times, &restore_failed);
	if (r >= 0 || restore_failed == BACKEND_RESTORE_OK || sig.signal || connection_lost)
		return r;
	if (restore_failed == BACKEND_RESTORE_BUSY) {
		notice("another clone of the template runs on %s; booting cold",
		       o->connect ? o->connect : "this connection");
		return launch_one(o, PLAN_START_COLD, NULL, end, o->in.rundir, NULL, times, NULL);
	}
	notice("the warm start failed (%s); booting cold, and making the template again", err_msg());
	tpl_discard(&t);
	r = launch_one(o, PLAN_START_COLD, NULL, end, o->in.rundir, NULL, times, NULL);
	/* The new template has a deadline of its own: the launch is done. */
	if (r >= 0 && !sig.signal && launch_template(o, &t, util_now() + o->timeout) < 0)
		notice("the template could not be made again: %s", err_msg());
	return r;
}

/* What launch_run() and launch_prepare() do: the appliance built, then
 * the launch or, with PREPARE, only its template made. */
static int launch_main(const struct launch_opts *o, struct launch_times *times, int prepare)
{
	const char *obstacle = warm_obstacle(o);
	struct tpl t;
	int r = -1, hit;

	lv_init(o->appl->cache, o->verbose);
	connection_lost = 0;
	if (virEventRegisterDefaultImpl() < 0) {
		err_set(LB_EXIT_VM, "cannot start an event loop");
		return -1;
	}
	if ((o->start == LAUNCH_START_WARM || prepare) && obstacle) {
		err_set(LB_EXIT_USAGE, "--start warm: %s", obstacle);
		return -1;
	}
	/* The build under our signal handling: a ^C during it is answered
	 * once it is done, and leaves no half-built appliance. */
	if (install_signals() < 0 || appl_build(o->appl, 0, &hit) < 0)
		goto out;
	on_sigpipe(0, sig.pipe[0], 0, NULL);
	if (sig.signal)
		err_set(128 + sig.signal, "interrupted by %s during start", strsignal(sig.signal));
	else if (prepare)
		r = tpl_locate(o->appl, &o->in, o->backend, o->connect, &t) < 0 ? -1 :
		    launch_template(o, &t, util_now() + o->timeout);
	else if (o->start == LAUNCH_START_COLD || obstacle)
		r = launch_one(o, PLAN_START_COLD, NULL, util_now() + o->timeout, o->in.rundir, NULL,
			       times, NULL);
	else
		r = launch_warm(o, times, util_now() + o->timeout);
out:
	restore_signals();
	return r;
}

int launch_run(const struct launch_opts *o, struct launch_times *times)
{
	return launch_main(o, times, 0);
}

int launch_prepare(const struct launch_opts *o)
{
	return launch_main(o, NULL, 1);
}
