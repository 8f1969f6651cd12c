/* warm: see warm.h. */
#define _GNU_SOURCE
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/template.h"
#include "backend/ops.h"
#include "common/err.h"
#include "common/util.h"
#include "launch/one.h"
#include "launch/signals.h"
#include "launch/sink.h"
#include "launch/warm.h"

/* Make the template T for O's launches unless it is there: a boot to
 * ready under the cache lock, so that concurrent launches make it once. */
static int warm_template(const struct launch_opts *o, const struct tpl *t, double end)
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
		/* Traversable: QEMU's own user (jail.h) opens a clone's
		 * backing file, the template's overlay, through it. */
		if (util_mkdirs(t->root) < 0 || chmod(t->root, 0711) < 0 ||
		    one_launch(&to, PLAN_START_TEMPLATE, t, end, named, built, NULL, NULL) < 0)
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
static void warm_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void warm_notice(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("leanboot: notice: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* Why O cannot start warm, or NULL when it can. */
const char *warm_obstacle(const struct launch_opts *o)
{
	if (!o->in.channel)
		return "a warm start needs the channel";
	/* A template is saved at ready on the real clock; a restore would
	 * carry none of the instructions an icount boot counts. */
	if (o->in.clock == PLAN_CLOCK_ICOUNT)
		return "--clock icount measures a boot";
	/* Run as root, QEMU's user may not open the caller's disks, so they
	 * go by descriptor (diskfd.h); libvirt 9.0 takes descriptors for a
	 * domain it starts, but its hot-add of one sends QEMU no add-fd
	 * ("Could not dup FD for /dev/fdset/0"), so a clone could not be
	 * given them. */
	if (o->backend == BACKEND_LIBVIRT && geteuid() == 0 && o->in.ndisks &&
	    o->in.conn != PLAN_CONN_REMOTE)
		return "run as root, libvirt 9.0 takes the disks only at a cold start";

	return NULL;
}

/* Restore a clone of the template, made first if need be.  A restore
 * that fails is the template's fault (a QEMU that cannot read it, a
 * damaged file): the launch boots cold instead, with one notice, and a
 * new template is made after it. */
int warm_start(const struct launch_opts *o, struct launch_times *times, double end)
{
	struct tpl t;
	int restore_failed = BACKEND_RESTORE_OK, r;

	if (tpl_locate(o->appl, &o->in, backend_ops_of(o->backend), o->connect, &t) < 0)
		return -1;
	if (warm_template(o, &t, end) < 0) {
		/* Bad input (say, a connection that cannot be made) would
		 * fail a cold boot as well, and a deadline passed is passed. */
		if (o->start == LAUNCH_START_WARM || signals_caught() || err_status() == LB_EXIT_USAGE ||
		    util_now() >= end || sink_was_lost())
			return -1;
		warm_notice("no template could be made (%s); booting cold", err_msg());
		return one_launch(o, PLAN_START_COLD, NULL, end, o->in.rundir, NULL, times, NULL);
	}
	r = one_launch(o, PLAN_START_CLONE, &t, end, o->in.rundir, NULL, times, &restore_failed);
	if (r >= 0 || restore_failed == BACKEND_RESTORE_OK || signals_caught() || sink_was_lost())
		return r;
	if (restore_failed == BACKEND_RESTORE_BUSY) {
		warm_notice("another clone of the template runs on %s; booting cold",
			    o->connect ? o->connect : "this connection");
		return one_launch(o, PLAN_START_COLD, NULL, end, o->in.rundir, NULL, times, NULL);
	}
	warm_notice("the warm start failed (%s); booting cold, and making the template again", err_msg());
	tpl_discard(&t);
	r = one_launch(o, PLAN_START_COLD, NULL, end, o->in.rundir, NULL, times, NULL);
	/* The new template has a deadline of its own: the launch is done. */
	if (r >= 0 && !signals_caught() && warm_template(o, &t, util_now() + o->timeout) < 0)
		warm_notice("the template could not be made again: %s", err_msg());
	return r;
}

int warm_prepare(const struct launch_opts *o)
{
	struct tpl t;

	return tpl_locate(o->appl, &o->in, backend_ops_of(o->backend), o->connect, &t) < 0 ? -1 :
	       warm_template(o, &t, util_now() + o->timeout);
}
