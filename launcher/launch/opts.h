/* opts: what a launch is asked to do (launch_opts) and what it says of
 * itself (launch_times).  Apart from launch.h, which offers them to the
 * callers, so that the files a launch is made of can read them without
 * including the entry point that calls them. */
#ifndef LB_LAUNCH_OPTS_H
#define LB_LAUNCH_OPTS_H

#include <stddef.h>

#include "plan/appliance.h"
#include "backend/backend.h"
#include "plan/plan.h"
#include "launch/stages.h"

/* Where a command's output goes when the caller wants it, not the user. */
#define LAUNCH_CAPTURE_MAX (64u << 20)
struct launch_capture {
	char *buf;                   /* NUL-terminated, malloc'd */
	size_t len, cap;
	size_t limit;                /* 0: LAUNCH_CAPTURE_MAX */
	int overflow;                /* more came than LIMIT; the rest dropped */
};

/* How a launch starts.  Warm restores a clone of a template (template.h)
 * of the appliance at ready, made first if there is none; auto is warm
 * where the backend and plan allow it, else cold. */
enum launch_start { LAUNCH_START_COLD, LAUNCH_START_AUTO, LAUNCH_START_WARM };

struct launch_opts {
	struct plan_input in;        /* resolved (cmd_resolve); borrowed */
	struct appl *appl;           /* located (cmd_resolve); built here if need be */
	enum backend_kind backend;
	enum launch_start start;     /* 0: cold */
	const char *connect;
	const char *pool;            /* a remote host's storage pool; NULL: pool.h's */
	char *const *cmd;            /* NULL: boot to ready and power off */
	char *const *env;            /* NAME=VALUE for the command; NULL: none */
	int stream_stdin;            /* our stdin to the command; 0: it reads /dev/null */
	int stdin_fd;                /* with stream_stdin: what is streamed (0: our stdin) */
	double timeout;              /* seconds, boot and command together */
	int verbose, quiet;
	struct launch_capture *capture;       /* NULL: stdout to fd 1 */
	struct launch_capture *capture_err;   /* NULL: stderr to fd 2 */
};

/* What the host's clock and the guest said about one launch. */
struct launch_times {
	double at[STAGES_NMARKS];    /* seconds from launch_run()'s start; 0: not reached */
	/* Host CPU seconds at each mark: the launcher's own since the
	 * launch's start (libvirt's embedded driver runs in it), and QEMU's
	 * since its own, while it is there to read (NAN: not read). */
	double cpu[STAGES_NMARKS], qemu_cpu[STAGES_NMARKS];
	double guest_ready;          /* the guest's uptime at ready */
	double banner_epoch;         /* realtime of the banner, to split a trace */
	long qemu_peak_kib;          /* QEMU's VmHWM at the exit frame, 0: unknown */
};

#endif
