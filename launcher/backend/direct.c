/* direct: qemu run straight from the argv renderer.  Its stdout is
 * the serial console (-chardev stdio) on a pipe to us; its stderr goes to
 * RUNDIR/qemu.log, for the error message.  qemu gets its own process group
 * (a terminal's ^C reaches only us, and we tear down) and dies with us
 * (PR_SET_PDEATHSIG), so even a SIGKILLed leanboot leaks no qemu.
 *
 * Templates and clones (plan.h) are driven over QEMU's monitor (qmp.h),
 * as Kata Containers' VM templating does it (QEMU's x-ignore-shared):
 * the template's RAM is a shared file, so saving it writes only the
 * devices' state; a clone maps the file privately, loads that state,
 * takes its disks as hot-added SCSI LUNs, and runs on from ready. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libvirt/libvirt.h>

#include "backend/backend.h"
#include "backend/direct-attach.h"
#include "backend/diskfd.h"
#include "backend/jail.h"
#include "common/err.h"
#include "common/proc.h"
#include "backend/qemuargv.h"
#include "backend/qmp.h"
#include "common/strv.h"
#include "backend/template.h"
#include "common/util.h"

struct direct {
	struct backend_sink sink;
	pid_t pid;
	char log[PATH_MAX + 16];      /* QEMU's stderr */
	int out_fd, out_watch;
	int mon_fd;                   /* listening for QEMU's monitor */
	struct qmp *qmp;
	char migration[32];           /* the last MIGRATION event's status */
	int restoring;                /* a clone, its state not yet loaded */
	int qemu_status;              /* waitpid's, once QEMU is reaped; -1 before */
	char state[PATH_MAX + 16];    /* the template's TPL_STATE */
	struct jail jail;
};

static void on_event(void *ctx, const char *name, json_object *data)
{
	struct direct *d = ctx;
	json_object *status;

	if (!strcmp(name, "MIGRATION") && json_object_object_get_ex(data, "status", &status))
		snprintf(d->migration, sizeof d->migration, "%s", json_object_get_string(status));
}

/* Whether the migration has ended, well or not. */
static int migration_over(void *ctx)
{
	const struct direct *d = ctx;

	return !strcmp(d->migration, "completed") || !strcmp(d->migration, "failed") ||
	       !strcmp(d->migration, "cancelled");
}

/* QEMU connects its monitor as it starts; a QEMU that dies first (a bad
 * argument, a file it cannot open) says why in its log. */
static int direct_monitor(struct direct *d, double deadline)
{
	int fd = -1;

	while (fd < 0) {
		struct pollfd p = { d->mon_fd, POLLIN, 0 };
		int st;

		if (waitpid(d->pid, &st, WNOHANG) == d->pid) {
			char why[PROC_LINE_MAX];

			d->pid = 0;
			d->qemu_status = st;
			proc_log_last_line(d->log, why, sizeof why);
			err_set(LB_EXIT_VM, "QEMU exited as it started: %s", why[0] ? why : "no message");
			return -1;
		}
		if (util_now() >= deadline) {
			err_set(LB_EXIT_VM, "QEMU did not connect its monitor in time");
			return -1;
		}
		if (poll(&p, 1, 20) > 0)
			fd = accept4(d->mon_fd, NULL, NULL, SOCK_CLOEXEC);
	}
	close(d->mon_fd);
	d->mon_fd = -1;
	d->qmp = qmp_open(fd, deadline, on_event, d);
	return d->qmp ? 0 : -1;
}

static json_object *capability(const char *name)
{
	json_object *c = json_object_new_object();

	json_object_object_add(c, "capability", json_object_new_string(name));
	json_object_object_add(c, "state", json_object_new_boolean(1));
	return c;
}

/* x-ignore-shared: the RAM file's pages stay out of the state; events:
 * QEMU says when the migration is over. */
static int direct_capabilities(struct direct *d, double deadline)
{
	json_object *args = json_object_new_object(), *caps = json_object_new_array();

	json_object_array_add(caps, capability("x-ignore-shared"));
	json_object_array_add(caps, capability("events"));
	json_object_object_add(args, "capabilities", caps);
	return qmp_call(d->qmp, "migrate-set-capabilities", args, deadline);
}

/* Run CMD (migrate or migrate-incoming) through the template's state
 * file, opened here with FLAGS and handed to QEMU as a descriptor: its
 * seccomp filter forbids the "exec:" a path would need, and its user
 * may not open the file itself.  Then wait until it is over. */
static int direct_migrate(struct direct *d, const char *cmd, int flags, double deadline)
{
	json_object *args = json_object_new_object(), *fdname = json_object_new_object();
	int fd = open(d->state, flags | O_CLOEXEC, 0600), r;

	if (fd < 0) {
		json_object_put(args);
		json_object_put(fdname);
		err_set(LB_EXIT_VM, "%s: %s", d->state, strerror(errno));
		return -1;
	}
	json_object_object_add(fdname, "fdname", json_object_new_string("state"));
	json_object_object_add(args, "uri", json_object_new_string("fd:state"));
	d->migration[0] = '\0';
	r = qmp_call_fd(d->qmp, "getfd", fdname, fd, deadline);
	close(fd);
	if (r < 0 || direct_capabilities(d, deadline) < 0 || qmp_call(d->qmp, cmd, args, deadline) < 0 ||
	    qmp_wait(d->qmp, migration_over, d, deadline) < 0)
		return -1;
	if (strcmp(d->migration, "completed")) {
		char why[PROC_LINE_MAX];

		proc_log_last_line(d->log, why, sizeof why);
		err_set(LB_EXIT_VM, "%s %s: %s", cmd, d->migration, why[0] ? why : "QEMU gave no reason");
		return -1;
	}
	return 0;
}

/* The plan's hot-added disk N as LUN N of the clone's virtio-scsi bus
 * (direct-attach.h). */
static int direct_attach(struct direct *d, const struct plan *p, size_t n, double deadline)
{
	json_object *node, *dev;

	if (direct_attach_args(p, n, &node, &dev) < 0)
		return -1;
	if (qmp_call(d->qmp, "blockdev-add", node, deadline) < 0) {
		json_object_put(dev);
		return -1;
	}
	return qmp_call(d->qmp, "device_add", dev, deadline);
}

/* A clone: the template's state, the disks, then the guest runs. */
static int direct_restore(struct direct *d, const struct backend_args *a)
{
	const struct backend_sink *s = &d->sink;

	if (direct_migrate(d, "migrate-incoming", O_RDONLY, a->deadline) < 0)
		return -1;
	d->restoring = 0;
	s->step(s->ctx, BACKEND_RESTORED);
	for (size_t i = 0; i < a->plan->nhot; i++)
		if (direct_attach(d, a->plan, i, a->deadline) < 0)
			return -1;
	s->step(s->ctx, BACKEND_ATTACHED);
	return qmp_call(d->qmp, "cont", NULL, a->deadline);
}

/* A template at ready: its devices' state into its directory (the RAM
 * is in the file already), then QEMU quits, which the console's end
 * reports as the VM gone.  The migration has flushed the root overlay
 * and let go of it, so the template's disk is whole. */
static int direct_save(void *data, double deadline)
{
	struct direct *d = data;

	if (!d->qmp) {
		err_set(LB_EXIT_VM, "this VM has no monitor to save it through");
		return -1;
	}
	if (qmp_call(d->qmp, "stop", NULL, deadline) < 0 ||
	    direct_migrate(d, "migrate", O_WRONLY | O_CREAT | O_TRUNC, deadline) < 0)
		return -1;
	/* The state is saved: whether QEMU answers before it goes does not
	 * matter, and the console's end reports it gone. */
	(void)qmp_call(d->qmp, "quit", NULL, deadline);
	return 0;
}

static void on_output(int watch, int fd, int events, void *opaque)
{
	struct direct *d = opaque;
	char buf[65536];
	ssize_t n;

	(void)watch;
	(void)events;
	n = read(fd, buf, sizeof buf);
	if (n > 0) {
		d->sink.input(d->sink.ctx, buf, (size_t)n);
		return;
	}
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	/* EOF: qemu has exited (or closed its stdout, which is the same). */
	virEventRemoveHandle(d->out_watch);
	d->out_watch = -1;
	d->sink.gone(d->sink.ctx);
}

/* The layers of the jail that could not be set up (jail.h): the
 * parent's and the child's (its report, read to its end: the exec
 * closes it), said once per cache, or every time with -v. */
static void direct_jail_report(struct direct *d, const struct backend_args *a, int fd)
{
	char got[384], buf[sizeof got + sizeof d->jail.lost + 4], seen[sizeof buf] = "";
	char path[PATH_MAX + 32];
	size_t n = 0;
	struct pollfd p = { fd, POLLIN, 0 };
	ssize_t r;
	FILE *f;

	while (n < sizeof got - 1 && poll(&p, 1, 2000) == 1 && (r = read(fd, got + n, sizeof got - 1 - n)) > 0)
		n += (size_t)r;
	got[n] = '\0';
	while (n && got[n - 1] == '\n')
		got[--n] = '\0';
	for (char *c = got; *c; c++)
		if (*c == '\n' || *c == '\t')
			*c = ';';
	snprintf(buf, sizeof buf, "%s%s%s", d->jail.lost, d->jail.lost[0] && got[0] ? "; " : "", got);
	if (!buf[0] || a->quiet)
		return;
	snprintf(path, sizeof path, "%.4000s/confinement", a->cache ? a->cache : a->rundir);
	if ((f = fopen(path, "re"))) {
		if (!fgets(seen, sizeof seen, f))
			seen[0] = '\0';
		fclose(f);
	}
	seen[strcspn(seen, "\n")] = '\0';
	if (strcmp(seen, buf) && (f = fopen(path, "we"))) {
		fprintf(f, "%s\n", buf);
		fclose(f);
	} else if (!a->verbose) {
		return;
	}
	fprintf(stderr, "leanboot: notice: QEMU is less confined: %s\n", buf);
}

/* In the child: put the disks at the descriptors -add-fd names.  Any
 * of them, or REPORT, may already sit in that range, where a plain dup2
 * would overwrite one disk with another, or (dup2 of a descriptor onto
 * itself) leave its close-on-exec set; so all move above it first. */
static int direct_child_fds(const int *fds, size_t nfds, int *report)
{
	int top = QEMUARGV_DISK_FD + (int)nfds, moved[DISKFD_MAX];

	if (nfds > DISKFD_MAX || (*report = fcntl(*report, F_DUPFD_CLOEXEC, top)) < 0)
		return -1;
	for (size_t k = 0; k < nfds; k++)
		if ((moved[k] = fcntl(fds[k], F_DUPFD_CLOEXEC, top)) < 0)
			return -1;
	for (size_t k = 0; k < nfds; k++)
		if (dup2(moved[k], QEMUARGV_DISK_FD + (int)k) < 0)
			return -1;
	return 0;
}

/* In the child: the jail, QEMU's streams and disks, then QEMU. */
static void direct_child(struct direct *d, char *const *argv, int out, const int *fds, size_t nfds,
			 int report)
{
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int err = open(d->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	struct pollfd p = { -1, POLLOUT, 0 };

	setpgid(0, 0);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	if (null < 0 || err < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		_exit(127);
	if (direct_child_fds(fds, nfds, &report) < 0)
		_exit(127);
	p.fd = report;
	if (jail_enter(&d->jail, report) < 0)
		_exit(127);
	/* After the change of user, which clears it; and, the parent being
	 * outside our pid namespace, alive if it still reads the report. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (poll(&p, 1, 0) == 1 && (p.revents & POLLERR))
		_exit(127);
	execv(argv[0], argv);
	dprintf(2, "%s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static int direct_start(const struct backend_args *a, const struct backend_sink *s, void **data)
{
	struct direct *d = calloc(1, sizeof *d);
	struct strv av = { 0 };
	int out[2] = { -1, -1 }, report[2] = { -1, -1 }, fds[DISKFD_MAX], r = -1;
	size_t nfds = 0;

	*data = d;
	if (!d) {
		err_set(LB_EXIT_VM, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < sizeof fds / sizeof *fds; i++)
		fds[i] = -1;
	d->sink = *s;
	d->out_fd = d->out_watch = d->mon_fd = d->qemu_status = -1;
	d->restoring = a->plan->start == PLAN_START_CLONE;
	if (a->template_dir)
		snprintf(d->state, sizeof d->state, "%.4000s/" TPL_STATE, a->template_dir);
	if (qemuargv_render(a->plan, &av) < 0)
		return -1;
	if (a->plan->monitor && (d->mon_fd = util_listen_unix(a->plan->monitor)) < 0)
		goto out;
	if (diskfd_open(a->plan, fds, DISKFD_MAX, &nfds) < 0 || jail_plan(&d->jail, a) < 0)
		goto out;
	s->step(s->ctx, BACKEND_RENDERED);
	snprintf(d->log, sizeof d->log, "%s/qemu.log", a->rundir);
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(report, O_CLOEXEC) < 0) {
		err_set(LB_EXIT_VM, "pipe: %s", strerror(errno));
		goto out;
	}
	d->pid = jail_clone(&d->jail);
	if (d->pid < 0) {
		err_set(LB_EXIT_VM, "fork: %s", strerror(errno));
		d->pid = 0;
		goto out;
	}
	if (d->pid == 0)
		direct_child(d, av.v, out[1], fds, nfds, report[1]);
	close(out[1]);
	close(report[1]);
	out[1] = report[1] = -1;
	direct_jail_report(d, a, report[0]);
	d->out_fd = out[0];
	out[0] = -1;
	fcntl(d->out_fd, F_SETFL, O_NONBLOCK);
	d->out_watch = virEventAddHandle(d->out_fd, VIR_EVENT_HANDLE_READABLE, on_output, d, NULL);
	if (d->out_watch < 0) {
		err_set(LB_EXIT_VM, "cannot watch qemu's output");
		goto out;
	}
	if (d->mon_fd >= 0 && direct_monitor(d, a->deadline) < 0)
		goto out;
	s->step(s->ctx, BACKEND_CREATED);
	/* Without -S the guest runs from the exec on; a clone once it is
	 * restored. */
	if (a->plan->start == PLAN_START_CLONE && direct_restore(d, a) < 0)
		goto out;
	s->step(s->ctx, BACKEND_RUNNING);
	r = 0;
out:
	diskfd_close(fds, DISKFD_MAX);
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (report[i] >= 0)
			close(report[i]);
	}
	strv_free(&av);
	return r;
}

static void direct_stop(void *data)
{
	struct direct *d = data;

	if (!d)
		return;
	if (d->out_watch >= 0)
		virEventRemoveHandle(d->out_watch);
	qmp_close(d->qmp);
	if (d->mon_fd >= 0)
		close(d->mon_fd);
	if (d->pid > 0) {
		int st;

		kill(d->pid, SIGKILL);
		while (waitpid(d->pid, &st, 0) < 0 && errno == EINTR)
			;
	}
	/* The jail's mount point, once QEMU is gone: a template keeps its
	 * run directory, and nothing of the jail belongs in it. */
	if (d->jail.root[0])
		(void)rmdir(d->jail.root);
	if (d->out_fd >= 0)
		close(d->out_fd);
	free(d);
}

/* The template is to blame when QEMU said the restore failed, or
 * exited on its own before it was done (it could not open the RAM
 * file, say); not when something killed it. */
static int direct_restore_failed(void *data)
{
	struct direct *d = data;

	if (!d->restoring)
		return BACKEND_RESTORE_OK;
	if (!strcmp(d->migration, "failed"))
		return BACKEND_RESTORE_BROKEN;
	if (d->qemu_status < 0 && d->pid > 0 && waitpid(d->pid, &d->qemu_status, WNOHANG) == d->pid)
		d->pid = 0;
	return d->qemu_status >= 0 && WIFEXITED(d->qemu_status) ? BACKEND_RESTORE_BROKEN
								 : BACKEND_RESTORE_OK;
}

static pid_t direct_qemu_pid(const void *data)
{
	const struct direct *d = data;

	return d ? d->pid : 0;
}

static void direct_last_words(const void *data, char *buf, size_t len)
{
	const struct direct *d = data;

	buf[0] = '\0';
	if (d && d->log[0])
		proc_log_last_line(d->log, buf, len);
}

const struct backend_ops backend_direct_ops = {
	.name = "direct",
	.render = qemuargv_render,
	.start = direct_start,
	.save = direct_save,
	.restore_failed = direct_restore_failed,
	.stop = direct_stop,
	.qemu_pid = direct_qemu_pid,
	.last_words = direct_last_words,
};
