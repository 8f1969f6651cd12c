/* bench: where boot time goes, stage by stage, and what each PCI
 * topology costs, measured side by side.  The configurations (a product
 * of run's options, made by cmd/bench.c) and the peer run interleaved,
 * round by round, so that drift on a shared machine hits them all alike.
 * bench.c runs them and keeps the records; report.c renders the result
 * as a table and export.c as files (JSON, CSV, SVG), both from the
 * figures conf.c reads off it, and none of them changes it. */
#ifndef LB_BENCH_H
#define LB_BENCH_H

#include "plan/appliance.h"
#include "backend/backend.h"
#include "launch/launch.h"
#include "plan/plan.h"
#include "launch/stages.h"

#define BENCH_MAX_CONF 64
#define BENCH_MAX_RUNS 100

/* One launch's figures. */
struct bench_rec {
	int ok;
	double stage[STAGES_NSPANS]; /* host clock, seconds, by stages_spans */
	double to_ready, wall;
	double guest_init, guest_ready, pci_ms;
	double rss_mib;           /* QEMU's peak RSS; NAN: unknown */
	struct stages_cfg cfg;
	struct stages_guest guest;
};

/* One configuration: a point in the product of the options' values. */
struct bench_conf {
	char name[96];            /* the values of the dimensions that vary */
	char file[96];            /* the name as a file name */
	enum backend_kind backend;
	enum launch_start start;  /* cold, or warm (its template made first) */
	const char *connect;      /* its libvirt connection; NULL: the default */
	char host[192];           /* a remote host's QEMU and libvirt; "": none */
	struct plan_input in;     /* resolved, as run would resolve it */
	struct appl appl;         /* its appliance (its arch's), located */
	struct bench_rec run[BENCH_MAX_RUNS];
	int failed;
};

/* What bench tells its caller as it goes. */
struct bench_hooks {
	void (*progress)(void *ctx, const char *what, long i, long n);
	void (*failed)(void *ctx, const char *conf, const char *why);
	void *ctx;
};

struct bench {
	struct bench_conf conf[BENCH_MAX_CONF];
	size_t nconf;
	long runs, warmup;
	int peer;                 /* --peer libguestfs, and guestfish is there */
	double peer_wall[BENCH_MAX_RUNS];
	const char *json, *csv, *svg;
	const char *logs;         /* --logs DIR: each run's dmesg and trace */
	int plain;                /* --plain: run `true` with no tracing */
	double timeout;           /* each run's deadline, seconds */
	const char *pool;         /* --pool, for remote connections */
	int verbose;
	struct appl *appl;        /* the host arch's: its cache and kernel */
	/* The conditions, found by bench_run(). */
	enum plan_accel accel;
	char qemu_version[128], libvirt_version[32], cpu[128], kver[128];
};

/* Every round of every configuration, then the peer's.  Returns 0, or
 * -1 after err_set() when a run was interrupted by a signal (the rest
 * is not run).  A run that fails otherwise is told to HOOKS and left
 * out. */
int bench_run(struct bench *b, const struct bench_hooks *hooks);

/* The result, rendered: as a table on stdout (report.c), or to the file
 * PATH (export.c). */
void bench_report_table(const struct bench *b);
int bench_report_json(const struct bench *b, const char *path);
int bench_report_csv(const struct bench *b, const char *path);
int bench_report_svg(const struct bench *b, const char *path);

#endif
