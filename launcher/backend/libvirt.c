/* libvirt: a transient domain (virDomainCreateXML) on any libvirt
 * connection, the embedded driver by default.  It is created paused, so
 * that the console stream is open before the first byte the guest prints,
 * and destroyed on every path: the embedded driver in libvirt 9.0 has no
 * autodestroy, and after a guest poweroff QEMU stays until someone acts.
 *
 * Templates and clones (plan.h) go through libvirt's own save and
 * restore: a template at ready is saved (virDomainSaveFlags) into its
 * directory, and each clone is restored from that image, paused, with the
 * clone's XML as the restore's dxml (its name, channel and overlay; the
 * devices must be the template's, which libvirt checks), then given its
 * disks (virDomainAttachDeviceFlags) and resumed.  libvirt stays in charge
 * of the domain throughout.
 *
 * A launch on another host rewrites the plan first (libvirt-remote.c);
 * QEMU's pid is found, and the embedded driver's QEMU reaped, by
 * libvirt-reap.c.  The state all three share is libvirt-state.h's. */
#define _GNU_SOURCE
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libvirt/virterror.h>

#include "backend/backend.h"
#include "backend/domxml.h"
#include "backend/jail.h"
#include "backend/libvirt-reap.h"
#include "backend/libvirt-remote.h"
#include "backend/libvirt-state.h"
#include "backend/lv.h"
#include "backend/qemuargv.h"
#include "backend/template.h"
#include "common/err.h"
#include "common/util.h"

/* The QEMU user of Debian's libvirt daemon (its qemu.conf's default). */
#define LIBVIRT_DAEMON_USER "libvirt-qemu"

static void libvirt_on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail,
				 void *opaque)
{
	struct lvb *l = opaque;

	(void)conn;
	(void)dom;
	(void)detail;
	if (event == VIR_DOMAIN_EVENT_STOPPED || event == VIR_DOMAIN_EVENT_CRASHED ||
	    event == VIR_DOMAIN_EVENT_SHUTDOWN)
		l->sink.gone(l->sink.ctx);
}

static void libvirt_on_stream(virStreamPtr st, int events, void *opaque)
{
	struct lvb *l = opaque;
	char buf[65536];
	int n;

	if (events & VIR_STREAM_EVENT_READABLE) {
		while ((n = virStreamRecv(st, buf, sizeof buf)) > 0)
			l->sink.input(l->sink.ctx, buf, (size_t)n);
		if (n == 0 || n == -1)
			goto gone;
		return;   /* -2: nothing more for now */
	}
	if (!(events & (VIR_STREAM_EVENT_HANGUP | VIR_STREAM_EVENT_ERROR)))
		return;
gone:
	/* The console ends when QEMU does. */
	virStreamEventRemoveCallback(st);
	l->sink.gone(l->sink.ctx);
}

/* A daemon that went away (or a broken connection) will send nothing
 * more, so the loop must not wait for it.  libvirt 9.0 closed the socket
 * of a killed daemon without calling a registered close callback, so the
 * connection is asked once a second instead. */
static void libvirt_on_alive_timer(int timer, void *opaque)
{
	struct lvb *l = opaque;

	(void)timer;
	if (l->conn && !l->conn_lost && virConnectIsAlive(l->conn) == 0) {
		l->conn_lost = 1;
		l->sink.lost(l->sink.ctx);
	}
}

static void libvirt_recover(void *data, char *outcome, size_t len)
{
	struct lvb *l = data;
	virConnectPtr c = l->uri ? virConnectOpen(l->uri) : NULL;
	virDomainPtr d = c ? virDomainLookupByUUID(c, l->uuid) : NULL;

	if (d && virDomainDestroy(d) == 0)
		snprintf(outcome, len, "reconnected and destroyed the VM");
	else if (c && !d)
		snprintf(outcome, len, "reconnected; the VM was already gone");
	else if (l->daemon_qemu > 0 && kill(l->daemon_qemu, SIGKILL) == 0)
		snprintf(outcome, len, "QEMU (pid %d) killed", (int)l->daemon_qemu);
	else if (l->remote)
		snprintf(outcome, len, "the VM %s may still run on the remote host, until the next "
			 "launch from here through it ends it", l->plan->name);
	else
		snprintf(outcome, len, "the VM %s may still be running", l->plan->name);
	if (d)
		virDomainFree(d);
	if (c)
		virConnectClose(c);
}

/* Run as root on this host, whom QEMU runs as: through the embedded
 * driver, JAIL_USER, as through the direct backend (jail.h); through a
 * local daemon (qemu:///system), the daemon's own QEMU user, libvirt-qemu
 * on Debian, which owns the files the daemon makes for the domain (its
 * master key), asked for by a static DAC label that relabels nothing.
 * Otherwise the daemon would chown the appliance's kernel and initrd in
 * our cache to its user and record their owners in xattrs, which a
 * daemon that dies mid-launch leaves behind.  NULL after err_set(). */
static const struct passwd *libvirt_qemu_user(const struct plan *p)
{
	const struct passwd *pw = p->conn == PLAN_CONN_DAEMON ? getpwnam(LIBVIRT_DAEMON_USER) : NULL;

	return pw && pw->pw_uid ? pw : jail_root_user(NULL, 0);
}

/* A local daemon's label, run as root ("+UID:+GID" into LABEL); else NULL. */
static const char *libvirt_daemon_label(const struct plan *p, char *label, size_t len)
{
	const struct passwd *pw;

	if (geteuid() != 0 || p->conn != PLAN_CONN_DAEMON || !(pw = libvirt_qemu_user(p)))
		return NULL;
	snprintf(label, len, "+%u:+%u", (unsigned)pw->pw_uid, (unsigned)pw->pw_gid);
	return label;
}

/* Run as root on this host, QEMU is not: the files it writes in our run
 * directory (the root overlay, the channel's socket, bench's trace)
 * become its user's, as the direct backend's do, and it must be able to
 * reach them by name. */
static int libvirt_give(const struct backend_args *a)
{
	const struct passwd *pw;
	char overlay[PATH_MAX], tbuf[PATH_MAX], tdir[PATH_MAX];
	const char *trace = jail_trace_file(a->plan, tbuf, sizeof tbuf);

	if (geteuid() != 0 || a->plan->conn == PLAN_CONN_REMOTE)
		return 0;
	if (!(pw = libvirt_qemu_user(a->plan)) || jail_reachable(pw->pw_uid, a->rundir) < 0)
		return -1;
	if (trace) {
		snprintf(tdir, sizeof tdir, "%s", trace);
		if (strrchr(tdir, '/'))
			*strrchr(tdir, '/') = '\0';
		if (jail_reachable(pw->pw_uid, tdir) < 0 || jail_give(pw->pw_uid, pw->pw_gid, trace, 0) < 0)
			return -1;
	}
	snprintf(overlay, sizeof overlay, "%.4000s/" PLAN_OVERLAY, a->rundir);
	return jail_give(pw->pw_uid, pw->pw_gid, overlay, 0) < 0 ||
	       jail_give(pw->pw_uid, pw->pw_gid, a->plan->channel, 0) < 0 ? -1 : 0;
}

/* libvirt 9.0 takes a descriptor (fdgroup) only for a file, and QEMU's
 * file driver refuses a block device: run as root, where QEMU's user
 * could not open one by name, a block device is refused here, in one
 * line, rather than by QEMU. */
static int libvirt_files_only(const struct plan *p)
{
	for (size_t i = 0; i < p->ndev + p->nhot; i++) {
		const struct plan_dev *d = i < p->ndev ? &p->dev[i] : &p->hot[i - p->ndev];

		if (qemuargv_disk_index(p, d) >= 0 && d->is_block) {
			err_set(LB_EXIT_USAGE, "%s: run as root, a block device goes to QEMU by descriptor, "
				"which libvirt 9.0 takes only for files: give --backend direct", d->path);
			return -1;
		}
	}
	return 0;
}

/* Hand libvirt the descriptors of user disk D and its backing files
 * (diskfd.h), each slot under its fd group, for the next start or
 * attach of the domain. */
static int libvirt_associate(struct lvb *l, const struct plan_dev *d)
{
	int k = qemuargv_disk_index(l->plan, d);

	for (int i = 0; k >= 0 && i <= (int)d->nchain; i++) {
		char group[32];

		domxml_fdgroup(k + i, group, sizeof group);
		if (virDomainFDAssociate(l->dom, group, 1, &l->fds[k + i], 0) < 0) {
			err_set(LB_EXIT_VM, "cannot hand libvirt %s: %s", i ? d->chain[i - 1] : d->path,
				lv_error());
			return -1;
		}
	}
	return 0;
}

/* A cold start whose disks go by descriptor: virDomainFDAssociate needs
 * a domain, so it is defined, given them, started and made transient
 * again at once (a definition left by a killed launch is swept when the
 * root is next opened, lv.c). */
static virDomainPtr libvirt_create_fds(struct lvb *l, const char *xml)
{
	virDomainPtr dom = virDomainDefineXML(l->conn, xml);
	int ok;

	if (!dom)
		return NULL;
	l->dom = dom;
	ok = 1;
	for (size_t i = 0; i < l->plan->ndev && ok; i++)
		ok = libvirt_associate(l, &l->plan->dev[i]) == 0;
	if (ok && virDomainCreateWithFlags(dom, VIR_DOMAIN_START_PAUSED) < 0) {
		err_set(LB_EXIT_VM, "cannot create the domain: %s", lv_error());
		ok = 0;
	}
	(void)virDomainUndefine(dom);
	l->dom = NULL;
	if (!ok) {
		virDomainFree(dom);
		return NULL;
	}
	return dom;
}

/* The resolver classified the URI as it was given (plan/conn.h); the
 * connection libvirt opened must be on the same side of the network
 * (an alias in libvirt's configuration could name another host). */
static int libvirt_check_conn(const struct lvb *l, const struct backend_args *a)
{
	char *uri = virConnectGetURI(l->conn);
	int remote = plan_conn_uri_is_remote(uri);

	if (remote != (a->plan->conn == PLAN_CONN_REMOTE)) {
		err_set(LB_EXIT_USAGE, "%s opened %s, on %s host: give --connect that URI itself",
			a->connect ? a->connect : "the default connection", uri ? uri : "?",
			remote ? "another" : "this");
		free(uri);
		return -1;
	}
	free(uri);
	return 0;
}

/* A clone: the template's image restored paused, as the domain XML
 * says (libvirt checks that its devices are the template's), and found
 * by its name.  libvirt reads the image whole: the guest's RAM is in it. */
static int libvirt_restore(struct lvb *l, const char *xml)
{
	virDomainPtr other;
	double end = util_now() + 2;
	int r;

	/* A killed launch's domain of the same name that libvirt is still
	 * removing (lv.c's settle_root waits for it to go from the list,
	 * which it leaves just before it is gone) refuses the name for a
	 * moment: an error of libvirt's domain list, not of QEMU's. */
	while ((r = virDomainRestoreFlags(l->conn, l->image, xml, VIR_DOMAIN_SAVE_PAUSED)) < 0 &&
	       util_now() < end) {
		virErrorPtr e = virGetLastError();

		if (!e || e->domain != VIR_FROM_DOMAIN || e->code != VIR_ERR_OPERATION_FAILED)
			break;
		usleep(20000);
	}
	if (r < 0) {
		err_set(LB_EXIT_VM, "cannot restore the template: %s", lv_error());
		/* Clones share the template's name, so a connection runs one
		 * at a time (each embedded launch has a root of its own): a
		 * name in use is no fault of the template's. */
		other = virDomainLookupByName(l->conn, l->plan->name);
		l->restore_failed = other ? BACKEND_RESTORE_BUSY : BACKEND_RESTORE_BROKEN;
		if (other) {
			virDomainFree(other);
			err_set(LB_EXIT_VM, "another clone of the template runs on this connection");
		}
		return -1;
	}
	l->dom = virDomainLookupByName(l->conn, l->plan->name);
	if (!l->dom) {
		err_set(LB_EXIT_VM, "the restored domain %s is not there: %s", l->plan->name, lv_error());
		return -1;
	}
	return 0;
}

/* P's hot-added disk N as LUN N of the clone's virtio-scsi controller:
 * libvirt adds the block node and the scsi-hd device, read-only unless
 * :rw. */
static int libvirt_attach(struct lvb *l, const struct plan *p, size_t n)
{
	char *xml = domxml_render_hot(p, n, l->norelabel, l->fdgroups);
	int r;

	if (!xml || (l->fdgroups && libvirt_associate(l, &p->hot[n]) < 0)) {
		free(xml);
		return -1;
	}
	r = virDomainAttachDeviceFlags(l->dom, xml, VIR_DOMAIN_AFFECT_LIVE);
	free(xml);
	if (r < 0)
		err_set(LB_EXIT_VM, "cannot attach %s: %s", p->hot[n].path, lv_error());
	return r < 0 ? -1 : 0;
}

/* A template at ready: libvirt saves it into its directory, and the
 * domain stops (the lifecycle event reports it gone). */
/* The console stream, closed.  Before a save as well as at the end:
 * libvirt 9.0 frees a stopped domain's character devices in its event
 * thread, taking their lock and then each open stream's, while
 * virStreamAbort takes the stream's and then theirs.  A template's
 * console aborted just as the saved domain stops deadlocks the two
 * threads; closed while the domain still runs, there is nothing left
 * for them to meet on. */
static void libvirt_console_close(struct lvb *l)
{
	if (!l->stream)
		return;
	virStreamEventRemoveCallback(l->stream);
	virStreamAbort(l->stream);
	virStreamFree(l->stream);
	l->stream = NULL;
}

static int libvirt_save(void *data, double deadline)
{
	struct lvb *l = data;

	(void)deadline;   /* libvirt's call has no deadline of ours to take */
	/* At ready the console has said all a template needs. */
	libvirt_console_close(l);
	if (virDomainSaveFlags(l->dom, l->image, NULL, VIR_DOMAIN_SAVE_RUNNING) < 0) {
		err_set(LB_EXIT_VM, "cannot save the domain: %s", lv_error());
		/* A daemon gone: the launch recovers the VM as for any loss. */
		if (virConnectIsAlive(l->conn) == 0 && !l->conn_lost) {
			l->conn_lost = 1;
			l->sink.lost(l->sink.ctx);
		}
		return -1;
	}
	/* A remote template: the image is on that host, and the file here
	 * that says where makes the template ready (template.h). */
	return l->marker ? util_write_file(l->marker, l->image) : 0;
}

static int libvirt_restore_failed(void *data)
{
	const struct lvb *l = data;

	return l ? l->restore_failed : BACKEND_RESTORE_OK;
}

/* The domain XML with no connection's extras (backend.h). */
static int libvirt_render(const struct plan *p, struct strv *out)
{
	char *xml = domxml_render(p, NULL);
	int r = xml ? strv_add(out, xml) : -1;

	if (xml && r < 0)
		err_set(LB_EXIT_VM, "out of memory");
	free(xml);
	return r;
}

static int libvirt_start(const struct backend_args *a, const struct backend_sink *s, void **data)
{
	struct lvb *l = calloc(1, sizeof *l);
	/* The plan as the host that runs the VM sees it: A's, or on another
	 * host its rewrite (libvirt-remote.h).  A clone's disks are attached
	 * from the same. */
	const struct plan *seen = a->plan;
	struct plan rp;
	char *xml = NULL;
	int r = -1;

	*data = l;
	if (!l) {
		err_set(LB_EXIT_VM, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < DISKFD_MAX; i++)
		l->fds[i] = -1;
	l->sink = *s;
	l->plan = a->plan;
	if (a->plan->start != PLAN_START_COLD &&
	    !(l->image = util_printf("%.4000s/" TPL_STATE, a->template_dir)))
		return -1;
	l->event_id = l->alive_timer = -1;
	l->conn = lv_open(a->connect, a->cache, a->verbose);
	if (!l->conn || libvirt_check_conn(l, a) < 0)
		return -1;
	s->step(s->ctx, BACKEND_CONNECTED);
	{
		char label[64];
		size_t nfds;
		struct domxml_extra ex = { libvirt_daemon_label(a->plan, label, sizeof label), 0, 0, NULL, 0 };

		l->remote = a->plan->conn == PLAN_CONN_REMOTE;
		/* Run as root on this host, QEMU's user may not open the
		 * caller's disks: they are opened by us, as the caller, and
		 * QEMU gets the descriptors (diskfd.h).  An ordinary user's
		 * QEMU is that user; another host's disks are that host's. */
		l->fdgroups = ex.fdgroups = !l->remote && geteuid() == 0 && plan_user_disks(a->plan) > 0;
		if ((l->fdgroups && (libvirt_files_only(a->plan) < 0 ||
				     diskfd_open(a->plan, l->fds, DISKFD_MAX, &nfds) < 0)) ||
		    libvirt_give(a) < 0)
			goto out;
		if (l->remote) {
			/* The image is that host's; ours says it is there. */
			l->marker = l->image;
			l->image = NULL;
			if (remote_plan(l, a, &rp) < 0)
				goto out;
			seen = &rp;
			ex.channel_bind = 1;
			ex.owner = l->pool.owner;
		}

		/* The DAC model is named, so only a connection that has it
		 * takes the disks' relabel='no'; and libvirt refuses it
		 * under a domain label that relabels nothing already. */
		ex.disk_norelabel = !ex.dac_label && plan_user_disks(a->plan) > 0 &&
				    !l->remote && lv_has_dac(l->conn);
		/* A remote host's disks are labelled as libvirt labels any
		 * disk there: the owners kept here are ours, on our files.
		 * A clone's disks come later, hot-added, and take the same. */
		l->norelabel = ex.disk_norelabel;
		xml = domxml_render(seen, &ex);
	}
	if (!xml)
		goto out;
	s->step(s->ctx, BACKEND_RENDERED);
	reap_start(l);
	if (a->plan->start == PLAN_START_CLONE) {
		if (libvirt_restore(l, xml) < 0)
			goto out;
	} else if (l->fdgroups && a->plan->start == PLAN_START_COLD) {
		if (!(l->dom = libvirt_create_fds(l, xml)))
			goto out;
	} else if (!(l->dom = virDomainCreateXML(l->conn, xml, VIR_DOMAIN_START_PAUSED |
						 /* a daemon destroys it when we are gone */
						 (l->remote ? VIR_DOMAIN_START_AUTODESTROY : 0)))) {
		err_set(LB_EXIT_VM, "cannot create the domain: %s", lv_error());
		goto out;
	}
	reap_note_qemu(l);
	/* -icount and bench's trace ride in QEMU's namespace; a host whose
	 * driver drops it would run a guest on the wrong clock, or count
	 * nothing, and say nothing. */
	if (a->plan->qemu_extra.n &&
	    lv_kept_qemu_args(l->dom, a->plan->qemu_extra.v, a->plan->qemu_extra.n) != 1) {
		err_set(LB_EXIT_USAGE, "%s dropped the domain's <qemu:commandline> (%s%s): run it with "
			"--backend direct, or on a host whose libvirt drives QEMU",
			l->remote ? "the remote host" : "libvirt", a->plan->qemu_extra.v[0],
			a->plan->clock == PLAN_CLOCK_ICOUNT ? ", which --clock icount needs" : "");
		goto out;
	}
	s->step(s->ctx, BACKEND_CREATED);
	if (a->plan->start == PLAN_START_CLONE) {
		s->step(s->ctx, BACKEND_RESTORED);
		for (size_t i = 0; i < seen->nhot; i++)
			if (libvirt_attach(l, seen, i) < 0)
				goto out;
		s->step(s->ctx, BACKEND_ATTACHED);
	}
	l->uri = virConnectGetURI(l->conn);
	virDomainGetUUID(l->dom, l->uuid);
	l->alive_timer = virEventAddTimeout(1000, libvirt_on_alive_timer, l, NULL);
	l->event_id = virConnectDomainEventRegisterAny(l->conn, l->dom,
						       VIR_DOMAIN_EVENT_ID_LIFECYCLE,
						       VIR_DOMAIN_EVENT_CALLBACK(libvirt_on_lifecycle),
						       l, NULL);
	l->stream = virStreamNew(l->conn, VIR_STREAM_NONBLOCK);
	if (!l->stream || virDomainOpenConsole(l->dom, NULL, l->stream, VIR_DOMAIN_CONSOLE_FORCE) < 0 ||
	    virStreamEventAddCallback(l->stream, VIR_STREAM_EVENT_READABLE |
				      VIR_STREAM_EVENT_HANGUP | VIR_STREAM_EVENT_ERROR,
				      libvirt_on_stream, l, NULL) < 0) {
		err_set(LB_EXIT_VM, "cannot open the domain's console: %s", lv_error());
		goto out;
	}
	if (l->remote && a->plan->channel && remote_channel(l, a->plan->channel) < 0)
		goto out;
	if (virDomainResume(l->dom) < 0) {
		err_set(LB_EXIT_VM, "cannot start the domain: %s", lv_error());
		goto out;
	}
	s->step(s->ctx, BACKEND_RUNNING);
	r = 0;
out:
	free(xml);
	return r;
}

static void libvirt_stop(void *data)
{
	struct lvb *l = data;

	if (!l)
		return;
	if (l->alive_timer >= 0)
		virEventRemoveTimeout(l->alive_timer);
	if (l->conn_lost) {
		/* Every call on it would fail; drop it, and never reuse it. */
		if (l->stream)
			virStreamFree(l->stream);
		if (l->dom)
			virDomainFree(l->dom);
		l->stream = NULL;
		l->dom = NULL;
		l->event_id = -1;
		lv_forget(l->conn);
	}
	libvirt_console_close(l);
	if (l->event_id >= 0)
		virConnectDomainEventDeregisterAny(l->conn, l->event_id);
	if (l->dom) {
		/* Harmless when it has already stopped: a transient domain that
		 * stopped is gone, and destroy just fails. */
		virDomainDestroy(l->dom);
		virDomainFree(l->dom);
	}
	relay_close(l->relay);
	reap_stop(l);
	/* After the domain: its overlay and uploaded disks were in use.
	 * On a lost connection this fails, and the next launch sweeps. */
	pool_close(&l->pool);
	strv_free(&l->remote_paths);
	if (l->conn)
		virConnectClose(l->conn);
	free(l->uri);
	free(l->image);
	free(l->marker);
	diskfd_close(l->fds, DISKFD_MAX);
	free(l);
}

const struct backend_ops backend_libvirt_ops = {
	.name = "libvirt",
	.render = libvirt_render,
	.start = libvirt_start,
	.save = libvirt_save,
	.restore_failed = libvirt_restore_failed,
	.stop = libvirt_stop,
	.qemu_pid = reap_qemu_pid,
	.recover = libvirt_recover,
};
