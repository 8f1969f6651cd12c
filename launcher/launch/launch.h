/* launch: one throwaway VM from start to teardown, whatever the backend:
 * the per-launch directory and root overlay, the deadline, signals, the
 * guest protocol, and the verdict.  The backend (backend.h) only starts
 * and stops the VM and feeds its console bytes back. */
#ifndef LB_LAUNCH_H
#define LB_LAUNCH_H

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
	int verbose;
	struct launch_capture *capture;       /* NULL: stdout to fd 1 */
	struct launch_capture *capture_err;   /* NULL: stderr to fd 2 */
};

/* What the host's clock and the guest said about one launch. */
struct launch_times {
	double at[STAGES_NMARKS];    /* seconds from launch_run()'s start; 0: not reached */
	double guest_ready;          /* the guest's uptime at ready */
	double banner_epoch;         /* realtime of the banner, to split a trace */
	long qemu_peak_kib;          /* QEMU's VmHWM at the exit frame, 0: unknown */
};

/* Boot, run, tear down.  The job goes over the channel once the guest
 * is ready.  A plan with no channel (in.channel 0) takes no job: its
 * guest sends its kernel log as the output instead, which is what bench
 * asks of it (dmesg).  Returns the command's exit status (0 when there
 * is no command), or -1 after err_set() with the stage that failed (the
 * status 3, or 128+N after signal N). */
int launch_run(const struct launch_opts *o, struct launch_times *times);
/* Make the template O's warm launches restore, unless it is there.
 * Returns 0, or -1 after err_set(). */
int launch_prepare(const struct launch_opts *o);

#endif
