/* launch: see launch.h.  Everything a launch acquires is released in
 * launch_run()'s one exit path, in reverse order: the VM (backend stop),
 * the event handles, the run directory with its overlay. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "kernel.h"
#include "launch.h"
#include "lv.h"
#include "proc.h"
#include "util.h"

static const char *const stage_names[] = {
	[ST_START] = "start", [ST_FIRMWARE] = "firmware", [ST_KERNEL] = "kernel",
	[ST_INIT] = "init", [ST_COMMAND] = "command", [ST_SHUTDOWN] = "shutdown",
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

double launch_now(const struct launch *l)
{
	return util_now() - l->t0;
}

static int write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
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

/* Bounded by the protocol's output limit, which proto.c enforces, or by
 * the caller's own. */
static void capture_add(struct launch_capture *c, const void *data, size_t len)
{
	if (c->overflow || (c->limit && c->len + len > c->limit)) {
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

	if (l->stage < ST_INIT && !strncmp(line, WIRE_INIT_PREFIX, strlen(WIRE_INIT_PREFIX)))
		l->stage = ST_INIT;
	if (!l->t.kernel && strstr(line, "Linux version ")) {
		struct timespec ts;

		l->t.kernel = launch_now(l);
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

/* QEMU's pid when it is ours to see: the direct backend's child, the
 * embedded driver's QEMU we adopted, or the system daemon's from its pid
 * file; 0 otherwise. */
static pid_t qemu_pid(const struct launch *l)
{
	return l->pid > 0 ? l->pid : l->reap_pid > 0 ? l->reap_pid : l->daemon_qemu;
}

/* QEMU's peak resident set so far (VmHWM), read when the command has
 * exited and QEMU is still there; 0 when its pid is not ours to see. */
static long qemu_peak_kib(const struct launch *l)
{
	pid_t pid = qemu_pid(l);
	char path[64], line[128];
	long kib = 0;
	FILE *f;

	if (pid <= 0)
		return 0;
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	if (!(f = fopen(path, "re")))
		return 0;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

static void on_frame(void *ctx, char type, const uint8_t *data, size_t len)
{
	struct launch *l = ctx;
	char num[16];
	long status;

	switch (type) {
	case WIRE_READY:
		if (l->stage < ST_COMMAND) {
			char up[32];

			l->stage = ST_COMMAND;
			l->t.ready = launch_now(l);
			checkpoint("ready");
			if (len < sizeof up) {
				memcpy(up, data, len);
				up[len] = '\0';
				l->t.guest_ready = strtod(up, NULL);
			}
		}
		break;
	case WIRE_STDOUT:
	case WIRE_STDERR: {
		struct launch_capture *c = type == WIRE_STDOUT ? l->o->capture : l->o->capture_err;

		if (c) {
			capture_add(c, data, len);
			break;
		}
		/* The user's output, passed on byte for byte. */
		write_all(type == WIRE_STDOUT ? 1 : 2, data, len);
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
			l->t.exited = launch_now(l);
			l->t.qemu_peak_kib = qemu_peak_kib(l);
			l->stage = ST_SHUTDOWN;
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

void launch_input(struct launch *l, const void *buf, size_t n)
{
	if (!n)
		return;
	if (!l->t.first_byte) {
		l->t.first_byte = launch_now(l);
		if (l->stage < ST_KERNEL)
			l->stage = ST_KERNEL;
	}
	proto_feed(&l->proto, buf, n);
}

void launch_vm_gone(struct launch *l)
{
	if (!l->done) {
		l->done = 1;
		l->t.stopped = launch_now(l);
	}
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

/* The kernel takes 2048 bytes of command line on x86; the job goes there
 * hex-encoded, after the plan's own parameters. */
#define CMD_HEX_MAX 1600

/* WIRE_PARAM_DISKS=N WIRE_PARAM_CMD=HEX(argv, NUL-separated) */
static char *job_params(char *const *cmd, size_t ndisks)
{
	size_t len = 0;
	char *s, *p;

	for (size_t i = 0; cmd[i]; i++)
		len += strlen(cmd[i]) + 1;
	if (len * 2 > CMD_HEX_MAX) {
		err_set(LB_EXIT_USAGE, "the command is %zu bytes; at most %d fit on the kernel "
			"command line", len, CMD_HEX_MAX / 2);
		return NULL;
	}
	s = malloc(len * 2 + 64);
	if (!s) {
		err_set(LB_EXIT_VM, "out of memory");
		return NULL;
	}
	p = s + sprintf(s, WIRE_PARAM_DISKS "=%zu " WIRE_PARAM_CMD "=", ndisks);
	for (size_t i = 0; cmd[i]; i++)
		for (const char *c = cmd[i]; ; c++) {
			p += sprintf(p, "%02x", (unsigned char)*c);
			if (!*c)
				break;
		}
	return s;
}

/* The per-launch directory and the root overlay: the appliance root is
 * only ever a read-only backing file. */
static int make_rundir(struct launch *l, int overlay)
{
	const char *tmp = getenv("TMPDIR");
	const char *img[] = { "qemu-img", "create", "-q", "-f", "qcow2", "-b", l->appl.root,
			      "-F", "raw", l->overlay, NULL };
	char log[PATH_MAX + 16];

	snprintf(l->rundir, sizeof l->rundir, "%.4000s/leanboot-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(l->rundir)) {
		err_set(LB_EXIT_VM, "%s: %s", l->rundir, strerror(errno));
		l->rundir[0] = '\0';
		return -1;
	}
	snprintf(l->overlay, sizeof l->overlay, "%s/root.qcow2", l->rundir);
	snprintf(log, sizeof log, "%s/qemu-img.log", l->rundir);
	/* A libvirt daemon may run QEMU as another user (qemu:///system runs
	 * it as libvirt-qemu) and hands it the overlay by chown: the directory
	 * must be traversable, while the files in it stay the owner's. */
	if (chmod(l->rundir, 0711) < 0) {
		err_set(LB_EXIT_VM, "%s: %s", l->rundir, strerror(errno));
		return -1;
	}
	if (!overlay)
		return 0;
	if (proc_run(img, NULL, log) < 0)
		return -1;
	if (chmod(l->overlay, 0600) < 0) {
		err_set(LB_EXIT_VM, "%s: %s", l->overlay, strerror(errno));
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
	const char *stage = stage_names[l->stage];
	char tail[600];

	proto_tail(&l->proto, tail, sizeof tail);
	if (l->signal) {
		err_set(128 + l->signal, "interrupted by %s during %s; %s", strsignal(l->signal), stage,
			l->t.created ? "VM destroyed" : "no VM was started");
		return -1;
	}
	if (l->proto.error[0]) {
		err_set(LB_EXIT_VM, "%s during %s; VM destroyed", l->proto.error, stage);
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
	if (l->timed_out && !(l->got_exit || (!l->o->cmd && l->t.ready))) {
		err_set(LB_EXIT_VM, "deadline of %g s passed during %s%s%s; VM destroyed",
			l->o->timeout, stage, tail[0] ? ": " : "", tail);
		return -1;
	}
	if (l->got_exit)
		return l->exit_status;
	if (!l->o->cmd && l->t.ready)
		return 0;
	if (l->panic[0]) {
		err_set(LB_EXIT_VM, "the guest's kernel panicked during %s: %s", stage, l->panic);
		return -1;
	}
	/* With no console output, QEMU's own last word (the direct backend
	 * logs its stderr) says why: a disk it could not open, say. */
	if (!tail[0] && l->qemu_log[0]) {
		char why[PROC_LINE_MAX];

		proc_log_last_line(l->qemu_log, why, sizeof why);
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
	const struct backend *b = !strcmp(o->backend, "direct") ? &backend_direct
								: &backend_libvirt;
	struct launch *l = calloc(1, sizeof *l);
	struct plan_input in = o->in;
	struct proto_sink sink = { on_console_line, on_frame, NULL };
	char *job = NULL;
	int r = -1, hit, started = 0, needs_root;

	if (!l) {
		err_set(LB_EXIT_VM, "out of memory");
		return -1;
	}
	l->o = o;
	l->t0 = util_now();
	l->sigpipe[0] = l->sigpipe[1] = l->out_fd = l->wd.fd = -1;
	l->timer = l->sig_watch = l->out_watch = l->event_id = -1;
	sink.ctx = l;
	proto_init(&l->proto, &sink);

	if (appl_locate(&l->appl) < 0)
		goto out;
	lv_init(l->appl.cache, l->o->verbose);
	if (virEventRegisterDefaultImpl() < 0) {
		err_set(LB_EXIT_VM, "cannot start an event loop");
		goto out;
	}
	if (install_signals(l) < 0)
		goto out;
	if (appl_build(&l->appl, 0, &hit) < 0)
		goto out;
	if (in.shape < 0)
		in.shape = PLAN_SHAPE_DEFAULT;
	in.initrd = appl_shape_initrd(&l->appl, in.shape, &needs_root);
	if (make_rundir(l, needs_root) < 0)
		goto out;
	wd_start(&l->wd, l->rundir);
	/* The caller picked the kernel (cmd_pick_kernel, which extracts the
	 * vmlinux); nothing picked is the bzImage, which every kernel boots. */
	if (!in.kernel) {
		in.kernel = l->appl.kernel;
		in.kernel_format = KERN_BZIMAGE;
	}
	in.root = needs_root ? l->overlay : NULL;
	in.tsc_khz = util_host_tsc_khz();
	if (o->bench) {
		/* PCI config accesses, stamped so that they can be split at the
		 * kernel's banner; initcall_debug goes to the log buffer only
		 * (it is KERN_DEBUG), which the bench's job reads back. */
		snprintf(l->trace, sizeof l->trace, "%s",
			 o->trace_out ? o->trace_out : l->rundir);
		if (!o->trace_out)
			strncat(l->trace, "/pci-trace.log", sizeof l->trace - strlen(l->trace) - 1);
		if (strv_add(&l->qemu_extra, "-msg") || strv_add(&l->qemu_extra, "timestamp=on") ||
		    strv_add(&l->qemu_extra, "-trace") ||
		    strv_addf(&l->qemu_extra, "pci_cfg_*,file=%s", l->trace))
			goto out;
	}
	if (o->cmd && !(job = job_params(o->cmd, in.ndisks)))
		goto out;
	if (o->bench) {
		char *both = util_printf("%s%sinitcall_debug log_buf_len=1M", job ? job : "",
					 job ? " " : "");

		free(job);
		if (!(job = both))
			goto out;
	}
	in.cmdline_extra = job;
	if (plan_make(&in, &l->plan) < 0)
		goto out;
	l->have_plan = 1;
	l->t.planned = launch_now(l);
	checkpoint("planned");
	l->timer = virEventAddTimeout((int)(o->timeout * 1000), on_deadline, l, NULL);
	/* A signal during set-up is still in the pipe: start no VM for it. */
	on_sigpipe(0, l->sigpipe[0], 0, l);
	if (!l->signal) {
		l->stage = ST_FIRMWARE;
		started = 1;
		if (b->start(l) < 0)
			goto out;
		wd_qemu(&l->wd, qemu_pid(l));
		checkpoint("created");
	}
	while (!l->done && !l->signal && !l->timed_out && !l->proto.error[0] &&
	       !l->guest_error[0] && !l->conn_lost)
		if (virEventRunDefaultImpl() < 0)
			break;
	if (l->conn_lost && !l->done)
		libvirt_recover(l);
	r = verdict(l);
out:
	if (started)
		b->stop(l);
	/* Only a run that succeeded has a trace worth counting; a failed one
	 * keeps its own error. */
	if (l->trace[0] && r >= 0 && stg_count_trace(l->trace, l->t.banner_epoch, &l->t.cfg) < 0)
		memset(&l->t.cfg, 0, sizeof l->t.cfg);
	strv_free(&l->qemu_extra);
	if (l->timer >= 0)
		virEventRemoveTimeout(l->timer);
	restore_signals(l);
	if (l->rundir[0])
		util_rmtree(l->rundir);
	wd_done(&l->wd);
	if (l->have_plan)
		plan_free(&l->plan);
	free(job);
	l->t.torn_down = launch_now(l);
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
