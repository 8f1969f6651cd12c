/* stages: the one vocabulary for where a launch is, and what a boot's own
 * records say about it.
 *
 * The host's clock marks moments of a launch (enum stages_mark); a failure
 * is reported in the stage it happened in (enum stages_stage: "deadline
 * passed during kernel"); bench reports the spans between marks (struct
 * stages_span).  The guest's kernel log (dmesg, with initcall_debug) gives
 * init's start and the time spent in PCI initcalls; QEMU's pci_cfg_*
 * trace (with -msg timestamp=on) gives the config-space accesses, split
 * at the kernel's banner. */
#ifndef LB_STAGES_H
#define LB_STAGES_H

#include <stddef.h>

#define STAGES_MAX_CALLS 32
#define STAGES_NAME_MAX 48

/* Moments of one launch on the host's clock, in the order they come. */
enum stages_mark {
	STAGES_M_PLANNED,     /* run directory, overlay and plan made */
	STAGES_M_CONNECTED,   /* libvirt: the connection open (the embedded
				 driver started) and checked */
	STAGES_M_RENDERED,    /* XML or argv rendered */
	STAGES_M_CREATED,     /* domain created (paused), or QEMU forked */
	STAGES_M_RESTORED,    /* a clone: the template's state loaded */
	STAGES_M_ATTACHED,    /* a clone: its disks hot-added */
	STAGES_M_RUNNING,     /* guest CPUs running */
	STAGES_M_FIRST_BYTE,  /* the console's first byte */
	STAGES_M_KERNEL,      /* the kernel's "Linux version" banner */
	STAGES_M_INIT,        /* the init's first line */
	STAGES_M_READY,       /* the init's ready frame */
	STAGES_M_EXITED,      /* the command's exit frame */
	STAGES_M_STOPPED,     /* the VM gone */
	STAGES_M_TORN_DOWN,   /* everything released */
	STAGES_NMARKS
};

/* Where a launch is, as its errors say. */
enum stages_stage {
	STAGES_START, STAGES_RESTORE, STAGES_FIRMWARE, STAGES_KERNEL, STAGES_INIT, STAGES_COMMAND, STAGES_SHUTDOWN,
};
const char *stages_stage_name(enum stages_stage s);

/* The spans bench reports: from one mark to the next it names (FROM -1:
 * the launch's start). */
enum stages_span_id {
	STAGES_S_PLAN, STAGES_S_CONNECT, STAGES_S_RENDER, STAGES_S_CREATE, STAGES_S_RESTORE, STAGES_S_ATTACH,
	STAGES_S_START, STAGES_S_FIRMWARE, STAGES_S_BOOT, STAGES_S_COMMAND, STAGES_S_POWEROFF,
	STAGES_S_TEARDOWN, STAGES_NSPANS
};
struct stages_span {
	const char *name;
	int from, to;             /* enum stages_mark */
	int after;                /* a mark that, when reached, starts it instead
				     of FROM (a clone's start follows its disks);
				     -1: none */
};
extern const struct stages_span stages_spans[STAGES_NSPANS];
/* Span S as read on a clock V that was read at each mark: the marks'
 * times AT (0: not reached) say which marks count.  NAN when a mark it
 * needs was not reached or not read (NAN in V), or when it starts at the
 * launch's start and V has no zero there (ORIGIN 0: CPU time, say). */
double stages_span_of(const double *at, const double *v, enum stages_span_id s, int origin);

struct stages_call {
	char name[STAGES_NAME_MAX];
	long usecs;                   /* from its "calling" to its "returned" */
	long own_usecs;               /* of those, the boot thread's; -1: no trace */
};

/* What the guest says of its boot.  Its kernel log gives spans on the
 * printk clock.  Its event trace (bench turns one on: initcall_start and
 * _finish, sched_switch, sched_process_exec) also says which thread ran
 * when, so a span can be split into the boot thread's own work and the
 * time other threads ran in it. */
struct stages_guest {
	double init_start;            /* printk time of "Run /init", -1 if absent */
	long pci_usecs;               /* PCI enumeration: its initcalls, summed */
	size_t ncalls;
	struct stages_call calls[STAGES_MAX_CALLS];   /* those initcalls, as they ran */
	int calls_truncated;
	/* From the event trace, -1 without one (or without /init's exec in
	 * it): the boot thread's own time in PCI enumeration, and its own
	 * time to /init (the boot CPU until the scheduler first switches,
	 * then PID 1 until it execs /init). */
	long pci_own_usecs;
	double init_own;
};

struct stages_cfg {
	long reads, writes;
	long firmware, kernel;        /* split at the banner; -1 when unknown */
};

/* Parse dmesg output ("[ SECONDS] text" lines), which may be followed by
 * the kernel's event trace as tracefs prints it (from its "# tracer:"
 * line).  PCI enumeration is the initcalls PCI names (NULL-ended: the
 * machine's pci_initcalls).  Lines that do not parse are skipped: this is
 * guest output, read for figures only. */
void stages_parse_dmesg(const char *text, const char *const *pci, struct stages_guest *g);
/* Count a trace file; BANNER is the realtime (epoch seconds) of the
 * kernel's banner, or 0 for no split. */
int stages_count_trace(const char *path, double banner, struct stages_cfg *c);

#endif
