/* libvirt-reap: see libvirt-reap.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backend/libvirt-reap.h"
#include "backend/libvirt-state.h"
#include "backend/lv.h"
#include "common/util.h"

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
static void *reap_thread(void *arg)
{
	struct lvb *l = arg;

	while (!__atomic_load_n(&l->reap_stop, __ATOMIC_ACQUIRE)) {
		pid_t pid = lv_read_pidfile(l->reap_pidfile), w;

		/* ECHILD: not written yet, or QEMU is still its launcher's
		 * child and not yet ours. */
		w = pid > 0 ? waitpid(pid, NULL, WNOHANG) : -1;
		if (w == pid)
			break;
		if (w == 0) {
			/* Ours, so not a stale file's pid: the watchdog knows
			 * it now, while the creation or restore still runs
			 * (over half a second of reading a clone's RAM), so
			 * that leanboot killed then leaves no QEMU. */
			if (l->sink.qemu)
				l->sink.qemu(l->sink.ctx, pid);
			util_checkpoint("adopted");
			while ((w = waitpid(pid, NULL, 0)) < 0 && errno == EINTR)
				;
			break;
		}
		usleep(10000);
	}
	return NULL;
}

void reap_start(struct lvb *l)
{
	int embedded;

	l->reap_pidfile = lv_qemu_pidfile(l->conn, l->plan->name, &embedded);
	if (!l->reap_pidfile || !embedded)
		return;
	/* Before we adopt orphans: a root whose cached capabilities libvirt
	 * finds missing or outdated probes QEMU with a QEMU that libvirt
	 * daemonizes and then waits for, 40 s on a zombie of ours that
	 * nobody reaps.  Once they are in the root's cache this only loads
	 * them, which the creation would do anyway. */
	free(virConnectGetDomainCapabilities(l->conn, machine_of(l->plan->machine)->qemu, NULL, NULL, NULL, 0));
	/* For this launch only (reap_stop clears it): a process that
	 * launches again (bench) must not still be a subreaper when the
	 * next launch's probe runs, or that probe waits 40 s as above. */
	l->subreaper = prctl(PR_SET_CHILD_SUBREAPER, 1) == 0;
	l->reaping = pthread_create(&l->reaper, NULL, reap_thread, l) == 0;
}

void reap_stop(struct lvb *l)
{
	if (l->reaping) {
		__atomic_store_n(&l->reap_stop, 1, __ATOMIC_RELEASE);
		pthread_join(l->reaper, NULL);
		l->reaping = 0;
	}
	if (l->subreaper) {
		(void)prctl(PR_SET_CHILD_SUBREAPER, 0);
		l->subreaper = 0;
	}
	free(l->reap_pidfile);
	l->reap_pidfile = NULL;
}

/* QEMU's pid, once the domain exists: ours to watch (the embedded driver),
 * or a daemon's, kept for the day the daemon is gone. */
void reap_note_qemu(struct lvb *l)
{
	pid_t pid = lv_read_pidfile(l->reap_pidfile);

	if (l->reaping)
		l->reap_pid = pid;
	else
		l->daemon_qemu = pid;
}

/* QEMU's pid when it is ours to see: the embedded driver's QEMU we
 * adopted, or the system daemon's from its pid file. */
pid_t reap_qemu_pid(const void *data)
{
	const struct lvb *l = data;

	return !l ? 0 : l->reap_pid > 0 ? l->reap_pid : l->daemon_qemu;
}
