/* backend: what runs a launch's VM.  The shape is libguestfs's
 * backend_ops: the launch (launch/) calls only these hooks, each backend
 * keeps its state private to its files, and it reports upward through a
 * sink, as the protocol parser does (proto.h).  The backends are libvirt (any
 * connection, the embedded driver by default) and direct (QEMU run from
 * the argv renderer).  Both run on libvirt's default event loop. */
#ifndef LB_BACKEND_H
#define LB_BACKEND_H

#include <stddef.h>
#include <sys/types.h>

#include "common/strv.h"
#include "plan/plan.h"

enum backend_kind { BACKEND_LIBVIRT, BACKEND_DIRECT };

/* The backends' names (names.h); the name of K, and the kind named S
 * (-1 if none). */
extern const struct names backend_names[];
const char *backend_name(enum backend_kind k);
int backend_parse(const char *s);

/* Steps of a start, for the launch's clock. */
/* Why a clone's start failed, as far as its template goes: not the
 * restore's doing (a signal, a killed QEMU, a disk); the template's (QEMU
 * could not load it, or exited on its own as it tried); or the template
 * busy (libvirt runs one clone of it on a connection). */
enum backend_restore { BACKEND_RESTORE_OK, BACKEND_RESTORE_BROKEN, BACKEND_RESTORE_BUSY };

enum backend_step {
	BACKEND_CONNECTED, BACKEND_RENDERED, BACKEND_CREATED, BACKEND_RESTORED, BACKEND_ATTACHED,
	BACKEND_RUNNING,
};

struct backend_sink {
	void (*input)(void *ctx, const void *buf, size_t n);   /* console bytes */
	void (*step)(void *ctx, enum backend_step s);
	void (*gone)(void *ctx);      /* the VM has stopped */
	void (*lost)(void *ctx);      /* the connection to what runs it broke */
	/* QEMU's pid the moment it is known, before the VM is created:
	 * called from a thread of the backend's, so it may only pass the pid
	 * on (to the watchdog), which a write to a pipe does safely. */
	void (*qemu)(void *ctx, pid_t pid);
	void *ctx;
};

struct backend_args {
	const struct plan *plan;
	const char *rundir;           /* for the backend's own files */
	const char *connect;          /* libvirt URI; NULL: the default */
	const char *cache;            /* the appliance's cache (embedded roots) */
	const char *template_dir;     /* a template's or clone's (plan->start) */
	double deadline;              /* util_now()'s clock: the launch's end */
	/* A remote host's (pool.h): the appliance's key, which names its
	 * volumes; its root image, the overlay's backing file; the pool
	 * (NULL: pool.h's default).  A local disk there is uploaded: the
	 * resolver refuses one unless --upload asks for that. */
	const char *appl_key, *root, *pool;
	int verbose, quiet;
};

struct backend_ops {
	const char *name;
	/* The plan as this backend hands it over, appended to OUT:
	 * libvirt's domain XML as one string, or the qemu argv a word
	 * each.  Nothing about a connection is in it (`leanboot xml`
	 * shows it; key-test holds the template key to it).  Returns -1
	 * after err_set(). */
	int (*render)(const struct plan *p, struct strv *out);
	/* Start the VM.  *DATA is the backend's state, set even when the
	 * start fails, for stop to release.  A clone (plan->start) is
	 * restored from its template, given its disks (the plan's hot[])
	 * by the backend's own renderer of them, and set running
	 * before this returns.  Returns -1 after err_set(). */
	int (*start)(const struct backend_args *a, const struct backend_sink *s, void **data);
	/* A template at ready: stop it and save its state into its
	 * directory; the VM then goes away.  NULL where templates are not
	 * made this way.  Returns -1 after err_set(). */
	int (*save)(void *data, double deadline);
	/* After a clone's start failed: an enum backend_restore.  NULL:
	 * never the restore. */
	int (*restore_failed)(void *data);
	/* Destroy the VM and release everything; on any state start left. */
	void (*stop)(void *data);
	/* QEMU's pid when it is ours to see, else 0. */
	pid_t (*qemu_pid)(const void *data);
	/* After the sink's lost: make sure the VM is gone, and say what
	 * became of it.  NULL where nothing can be lost. */
	void (*recover)(void *data, char *outcome, size_t len);
	/* QEMU's own last word (say, a disk it could not open), or "".
	 * NULL where QEMU's stderr is not ours. */
	void (*last_words)(const void *data, char *buf, size_t len);
};

/* Each backend's hooks (direct.c, libvirt.c); ops.h picks them by kind. */
extern const struct backend_ops backend_direct_ops, backend_libvirt_ops;

#endif
