/* launch: one throwaway VM from start to teardown, whatever the backend:
 * the per-launch directory and root overlay, the deadline, signals, the
 * guest protocol, and the verdict.  Backends only start and stop the VM
 * and feed its console bytes to launch_input(). */
#ifndef LB_LAUNCH_H
#define LB_LAUNCH_H

#include <limits.h>
#include <pthread.h>
#include <sys/types.h>

#include <libvirt/libvirt.h>

#include "appliance.h"
#include "plan.h"
#include "proto.h"
#include "stages.h"
#include "util.h"
#include "watchdog.h"

enum launch_stage { ST_START, ST_FIRMWARE, ST_KERNEL, ST_INIT, ST_COMMAND, ST_SHUTDOWN };

/* Where a command's output goes when the caller wants it, not the user. */
struct launch_capture {
	char *buf;                   /* NUL-terminated, malloc'd */
	size_t len, cap;
	size_t limit;                /* 0: the protocol's own output limit */
	int overflow;                /* more came than LIMIT; the rest dropped */
};

struct launch_opts {
	struct plan_input in;
	const char *backend;         /* "libvirt" or "direct" */
	const char *connect;
	char *const *cmd;            /* NULL: boot to ready and power off */
	double timeout;              /* seconds, boot and command together */
	int verbose;
	struct launch_capture *capture;   /* NULL: stdout to fd 1 */
	struct launch_capture *capture_err;   /* NULL: stderr to fd 2 */
	int bench;                   /* trace PCI config accesses, initcall_debug */
	const char *trace_out;       /* with bench: QEMU writes the trace here */
};

/* Host-clock timestamps, seconds from the start of launch_run() (0: the
 * stage was not reached), and what the guest and QEMU reported. */
struct launch_times {
	double planned;              /* appliance checked, overlay and plan made */
	double rendered;             /* XML or argv rendered */
	double created;              /* domain created (paused), or qemu forked */
	double running;              /* guest CPUs running */
	double first_byte;           /* first console byte */
	double kernel;               /* the kernel's "Linux version" banner */
	double ready;                /* the init's ready frame */
	double exited;               /* the command's exit frame */
	double stopped;              /* the VM gone */
	double torn_down;            /* everything released */
	double guest_ready;          /* the guest's uptime at ready */
	double banner_epoch;         /* realtime of the banner, for the trace */
	struct stg_cfg cfg;          /* with bench: PCI config accesses */
	long qemu_peak_kib;          /* QEMU's VmHWM at the exit frame, 0: unknown */
};

struct launch {
	const struct launch_opts *o;
	struct appl appl;
	struct plan plan;
	int have_plan;
	char rundir[PATH_MAX];
	char overlay[PATH_MAX + 16];
	struct proto proto;
	enum launch_stage stage;
	double t0;
	struct launch_times t;
	int done;                    /* the VM is gone */
	int got_exit, exit_status;
	char guest_error[512];       /* an 'F' frame */
	char panic[160];             /* the guest kernel's "Kernel panic - ..." line */
	int signal;                  /* SIGINT/SIGTERM/SIGHUP received */
	int timed_out;
	int sigpipe[2];
	int sig_watch, timer;
	struct strv qemu_extra;      /* added to QEMU's command line */
	char trace[PATH_MAX + 16];

	struct wd wd;                /* cleans up if we are killed outright */

	/* direct backend */
	pid_t pid;
	char qemu_log[PATH_MAX + 16];   /* QEMU's stderr */
	int out_fd, out_watch;

	/* libvirt backend */
	virConnectPtr conn;
	virDomainPtr dom;
	virStreamPtr stream;
	int event_id;
	pid_t reap_pid;              /* embedded QEMU, adopted as our child */
	pthread_t reaper;
	int reaping, reap_stop;      /* the reaper runs; told to stop */
	char *reap_pidfile;          /* where libvirt writes QEMU's pid */
	pid_t daemon_qemu;           /* a daemon's QEMU, when its pid file is ours to read */
	char *uri;                   /* the connection's, to reconnect */
	unsigned char uuid[VIR_UUID_BUFLEN];
	int conn_lost;               /* the connection closed under us */
	int alive_timer;             /* checks that it has not */
	char lost_outcome[128];      /* what became of the VM then */
};

struct backend {
	const char *name;
	int (*start)(struct launch *l);
	void (*stop)(struct launch *l);
};

extern const struct backend backend_direct, backend_libvirt;

/* After the libvirt connection was lost: reconnect and destroy the domain,
 * or failing that kill its QEMU; says which in l->lost_outcome. */
void libvirt_recover(struct launch *l);

/* Boot, run, tear down.  Returns the command's exit status (0 when there
 * is no command), or -1 after err_set() with the stage that failed;
 * err_status() is then 3, or 128+N after signal N. */
int launch_run(const struct launch_opts *o, struct launch_times *times);

/* For backends: console bytes from the VM, and the VM's end. */
void launch_input(struct launch *l, const void *buf, size_t n);
void launch_vm_gone(struct launch *l);
double launch_now(const struct launch *l);

#endif
