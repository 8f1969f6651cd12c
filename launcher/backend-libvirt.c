/* backend-libvirt: a transient domain (virDomainCreateXML) on any libvirt
 * connection, the embedded driver by default.  It is created paused, so
 * that the console stream is open before the first byte the guest prints,
 * and destroyed on every path: the embedded driver in libvirt 9.0 has no
 * autodestroy, and after a guest poweroff QEMU stays until someone acts. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <unistd.h>

#include "domxml.h"
#include "err.h"
#include "launch.h"
#include "lv.h"

static void on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail,
			 void *opaque)
{
	struct launch *l = opaque;

	(void)conn;
	(void)dom;
	(void)detail;
	if (event == VIR_DOMAIN_EVENT_STOPPED || event == VIR_DOMAIN_EVENT_CRASHED ||
	    event == VIR_DOMAIN_EVENT_SHUTDOWN)
		launch_vm_gone(l);
}

static void on_stream(virStreamPtr st, int events, void *opaque)
{
	struct launch *l = opaque;
	char buf[65536];
	int n;

	if (events & VIR_STREAM_EVENT_READABLE) {
		while ((n = virStreamRecv(st, buf, sizeof buf)) > 0)
			launch_input(l, buf, (size_t)n);
		if (n == 0 || n == -1)
			goto gone;
		return;   /* -2: nothing more for now */
	}
	if (!(events & (VIR_STREAM_EVENT_HANGUP | VIR_STREAM_EVENT_ERROR)))
		return;
gone:
	/* The console ends when QEMU does. */
	virStreamEventRemoveCallback(st);
	launch_vm_gone(l);
}

/* The embedded driver starts QEMU daemonized, so QEMU is an orphan, and
 * libvirt's destroy polls kill(pid, 0) until whoever adopted it has reaped
 * it.  Under an init that reaps late that added 1.2-2.0 s to every
 * teardown.  As a child subreaper this process adopts QEMU instead, and a
 * thread reaps it the moment it exits.  The thread starts before the
 * domain is created and waits for QEMU's pid file: when QEMU dies during
 * the creation (a disk it cannot open), libvirt waits inside
 * virDomainCreateXML for that same reaping, for tens of seconds if nobody
 * does it.  It waits for that one pid only: libvirt waits for its own
 * children itself. */
static void *reap(void *arg)
{
	struct launch *l = arg;

	while (!__atomic_load_n(&l->reap_stop, __ATOMIC_ACQUIRE)) {
		pid_t pid = lv_read_pidfile(l->reap_pidfile);

		/* ECHILD: not written yet, or QEMU is still its launcher's
		 * child and not yet ours. */
		if (pid > 0 && waitpid(pid, NULL, 0) == pid)
			break;
		if (errno != EINTR)
			usleep(10000);
	}
	return NULL;
}

static void start_reaper(struct launch *l)
{
	int embedded;

	l->reap_pidfile = lv_qemu_pidfile(l->conn, l->plan.name, &embedded);
	if (!l->reap_pidfile || !embedded)
		return;
	/* Before we adopt orphans: the first use of a root probes QEMU's
	 * capabilities with a QEMU that libvirt daemonizes and then waits
	 * for, 40 s on a zombie of ours that nobody reaps.  Once they are in
	 * the root's cache this only loads them, which the creation would do
	 * anyway. */
	free(virConnectGetDomainCapabilities(l->conn, PLAN_QEMU, NULL, NULL, NULL, 0));
	/* Per process and harmless to repeat. */
	(void)prctl(PR_SET_CHILD_SUBREAPER, 1);
	l->reaping = pthread_create(&l->reaper, NULL, reap, l) == 0;
}

static void stop_reaper(struct launch *l)
{
	if (l->reaping) {
		__atomic_store_n(&l->reap_stop, 1, __ATOMIC_RELEASE);
		pthread_join(l->reaper, NULL);
		l->reaping = 0;
	}
	free(l->reap_pidfile);
	l->reap_pidfile = NULL;
}

/* QEMU's pid, once the domain exists: ours to watch (the embedded driver),
 * or a daemon's, kept for the day the daemon is gone. */
static void note_qemu(struct launch *l)
{
	pid_t pid = lv_read_pidfile(l->reap_pidfile);

	if (l->reaping)
		l->reap_pid = pid;
	else
		l->daemon_qemu = pid;
}

/* A daemon that went away (or a broken connection) will send nothing
 * more, so the loop must not wait for it.  libvirt 9.0 closed the socket
 * of a killed daemon without calling a registered close callback, so the
 * connection is asked once a second instead. */
static void on_alive_timer(int timer, void *opaque)
{
	struct launch *l = opaque;

	(void)timer;
	if (l->conn && virConnectIsAlive(l->conn) == 0)
		l->conn_lost = 1;
}

void libvirt_recover(struct launch *l)
{
	virConnectPtr c = l->uri ? virConnectOpen(l->uri) : NULL;
	virDomainPtr d = c ? virDomainLookupByUUID(c, l->uuid) : NULL;

	if (d && virDomainDestroy(d) == 0) {
		snprintf(l->lost_outcome, sizeof l->lost_outcome, "reconnected and destroyed the VM");
	} else if (c && !d) {
		snprintf(l->lost_outcome, sizeof l->lost_outcome, "reconnected; the VM was already gone");
	} else if (l->daemon_qemu > 0 && kill(l->daemon_qemu, SIGKILL) == 0) {
		snprintf(l->lost_outcome, sizeof l->lost_outcome, "QEMU (pid %d) killed",
			 (int)l->daemon_qemu);
	} else {
		snprintf(l->lost_outcome, sizeof l->lost_outcome,
			 "the VM %s may still be running", l->plan.name);
	}
	if (d)
		virDomainFree(d);
	if (c)
		virConnectClose(c);
}

/* Through a local daemon (qemu:///system), as root: QEMU runs as root, as
 * it does through the embedded driver and the direct backend, and the
 * daemon relabels nothing.  Otherwise it would chown the appliance's
 * kernel and initrd in our cache to its own QEMU user and record their
 * owners in xattrs, which a daemon that dies mid-launch leaves behind. */
static const char *daemon_label(virConnectPtr conn)
{
	return geteuid() == 0 && lv_local_daemon(conn) ? "+0:+0" : NULL;
}

/* Whether the plan attaches any of the user's disks. */
static int has_user_disk(const struct plan *p)
{
	for (size_t i = 0; i < p->ndev; i++)
		if (p->dev[i].kind == PLAN_DEV_DISK && !p->dev[i].is_root)
			return 1;
	return 0;
}

static int libvirt_start(struct launch *l)
{
	char *xml = NULL;
	unsigned rnd = 0;
	int r = -1;

	if (getrandom(&rnd, sizeof rnd, GRND_NONBLOCK) != sizeof rnd)
		rnd = (unsigned)getpid();
	snprintf(l->plan.name, sizeof l->plan.name, "leanboot-%d-%08x", (int)getpid(), rnd);
	l->conn = lv_open(l->o->connect, l->appl.cache, l->o->verbose);
	if (!l->conn)
		return -1;
	{
		struct dx_extra ex = { (const char *const *)l->qemu_extra.v, l->qemu_extra.n,
				       daemon_label(l->conn), 0 };

		/* The DAC model is named, so only a connection that has it
		 * takes the disks' relabel='no'; and libvirt refuses it
		 * under a domain label that relabels nothing already. */
		ex.disk_norelabel = !ex.dac_label && has_user_disk(&l->plan) && lv_has_dac(l->conn);
		xml = dx_render(&l->plan, &ex);
	}
	if (!xml)
		goto out;
	l->t.rendered = launch_now(l);
	start_reaper(l);
	l->dom = virDomainCreateXML(l->conn, xml, VIR_DOMAIN_START_PAUSED);
	if (!l->dom) {
		err_set(LB_EXIT_VM, "cannot create the domain: %s", lv_error());
		goto out;
	}
	note_qemu(l);
	l->t.created = launch_now(l);
	l->uri = virConnectGetURI(l->conn);
	virDomainGetUUID(l->dom, l->uuid);
	l->alive_timer = virEventAddTimeout(1000, on_alive_timer, l, NULL);
	l->event_id = virConnectDomainEventRegisterAny(l->conn, l->dom,
						       VIR_DOMAIN_EVENT_ID_LIFECYCLE,
						       VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle),
						       l, NULL);
	l->stream = virStreamNew(l->conn, VIR_STREAM_NONBLOCK);
	if (!l->stream || virDomainOpenConsole(l->dom, NULL, l->stream, VIR_DOMAIN_CONSOLE_FORCE) < 0 ||
	    virStreamEventAddCallback(l->stream, VIR_STREAM_EVENT_READABLE |
				      VIR_STREAM_EVENT_HANGUP | VIR_STREAM_EVENT_ERROR,
				      on_stream, l, NULL) < 0) {
		err_set(LB_EXIT_VM, "cannot open the domain's console: %s", lv_error());
		goto out;
	}
	if (virDomainResume(l->dom) < 0) {
		err_set(LB_EXIT_VM, "cannot start the domain: %s", lv_error());
		goto out;
	}
	l->t.running = launch_now(l);
	r = 0;
out:
	free(xml);
	return r;
}

static void libvirt_stop(struct launch *l)
{
	if (l->alive_timer > 0) {
		virEventRemoveTimeout(l->alive_timer);
		l->alive_timer = 0;
	}
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
	if (l->stream) {
		virStreamEventRemoveCallback(l->stream);
		virStreamAbort(l->stream);
		virStreamFree(l->stream);
		l->stream = NULL;
	}
	if (l->event_id >= 0) {
		virConnectDomainEventDeregisterAny(l->conn, l->event_id);
		l->event_id = -1;
	}
	if (l->dom) {
		/* Harmless when it has already stopped: a transient domain that
		 * stopped is gone, and destroy just fails. */
		virDomainDestroy(l->dom);
		virDomainFree(l->dom);
		l->dom = NULL;
	}
	stop_reaper(l);
	l->reap_pid = 0;
	if (l->conn) {
		virConnectClose(l->conn);
		l->conn = NULL;
	}
	free(l->uri);
	l->uri = NULL;
}

const struct backend backend_libvirt = { "libvirt", libvirt_start, libvirt_stop };
