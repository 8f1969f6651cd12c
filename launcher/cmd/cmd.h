/* cmd: the command line.  One table describes every command (its name,
 * options, synopsis and help); --help, the man page's synopsis check and
 * the bash completion are all read from it, and main.c dispatches on it.
 * The shared option helpers live here too. */
#ifndef LB_CMD_H
#define LB_CMD_H

#include <getopt.h>

#include "common/names.h"
#include "plan/appliance.h"
#include "launch/launch.h"
#include "plan/plan.h"

/* The global options: before the command's name or after it. */
struct cmd_global {
	const char *connect;      /* --connect, $LEANBOOT_CONNECT */
	const char *pool;         /* --pool: a remote host's storage pool (pool.h) */
	int upload;               /* --upload: local disks copied to a remote host */
	int backend;              /* enum backend_kind; -1 until set */
	int accel;                /* enum acc_mode; -1 until set */
	int verbose, quiet;
};

extern struct cmd_global cmd_global;

enum cmd_id { CMD_XML, CMD_RUN, CMD_INSPECT, CMD_CHECK, CMD_BENCH, CMD_APPLIANCE, CMD_COMPLETION,
	      CMD_COUNT };

/* An option, with its help.  VALUE names what it takes; NAMES, when the
 * option takes one of an enum's names, is their table, and --help shows
 * them as "a|b|c" where VALUE is NULL.  Neither: it takes nothing. */
struct cmd_opt {
	const char *name;
	int code;                           /* getopt_long's val */
	const char *value;
	const char *help;
	const struct names *names;
};

#define CMD_MAX_GROUPS 4
#define CMD_MAX_OPTS 64                     /* in all of a command's groups */

struct cmd {
	enum cmd_id id;
	const char *name;
	/* Its options, a group at a time (NULL-ended); the global options
	 * follow every command's. */
	const struct cmd_opt *opts[CMD_MAX_GROUPS];
	/* The synopsis after the name; {NAME} is option NAME's value list. */
	const char *args;
	const char *help;                   /* one line */
	int (*run)(int argc, char **argv);  /* argv[0] is the command's name */
	/* Without --backend, $LEANBOOT_BACKEND or a URI: straight QEMU,
	 * whose warm launch is 3-4 times faster than libvirt 9.0's and as
	 * confined (leanboot(1), NOTES, Backends); otherwise libvirt. */
	int local_direct;
};

/* In the order --help lists them, indexed by id; ends with a NULL name
 * (table.c).  Only main() names it: it hands it to cmd_parse_global(),
 * and the rest read it through cmd_commands(). */
extern const struct cmd cmd_table[];
const struct cmd *cmd_commands(void);
/* The global options' table, every command's tail. */
extern const struct cmd_opt cmd_global_opts[];
/* The option groups the commands' rows name. */
extern const struct cmd_opt cmd_plan_opts[], cmd_boot_opts[], cmd_channel_opts[], cmd_start_opts[],
	cmd_xml_opts[], cmd_run_opts[], cmd_inspect_opts[], cmd_check_opts[], cmd_bench_opts[],
	cmd_appliance_opts[];
const struct cmd *cmd_find(const char *name);
/* Every option C takes, its groups' then the global ones (C NULL: the
 * global ones alone), at most MAX into OUT; returns how many. */
size_t cmd_opts_of(const struct cmd *c, const struct cmd_opt **out, size_t max);
/* Whether option P takes a value. */
#define CMD_OPT_TAKES_VALUE(p) ((p)->value || (p)->names)
/* What option P takes as --help shows it ("a|b|c" made in BUF), or NULL. */
const char *cmd_opt_value(const struct cmd_opt *p, char *buf, size_t size);

/* Every option code.  The shared short options keep their letters (-c is
 * --connect, -h --help, as in virsh); every long-only option has a code
 * above the ASCII range. */
enum {
	/* global */
	OPT_CONNECT = 0x100, OPT_BACKEND, OPT_ACCEL, OPT_HELP, OPT_VERSION, OPT_POOL, OPT_UPLOAD,
	/* the plan's (xml, run, check; bench takes lists) */
	OPT_TOPOLOGY, OPT_ARCH, OPT_MACHINE, OPT_DISK, OPT_MEMORY, OPT_FIRMWARE, OPT_KERNEL_FORMAT,
	OPT_APPEND, OPT_TUNING, OPT_SHAPE, OPT_TB_CACHE, OPT_CHANNEL, OPT_CLOCK,
	/* the commands' own */
	OPT_ARGV, OPT_TIMEOUT, OPT_JSON, OPT_FORMAT, OPT_EXPECT, OPT_BOOT, OPT_GOLDEN, OPT_REGEN,
	OPT_JUNIT, OPT_BACKENDS, OPT_RUNS, OPT_WARMUP, OPT_PEER, OPT_CSV, OPT_SVG, OPT_LOGS, OPT_PLAIN,
	OPT_ENV, OPT_START, OPT_AGAINST, OPT_DIFF, OPT_KEY, OPT_KEYS_FROM_STDIN, OPT_SBOM,
	/* a command's own short options: their letters */
	OPT_STDIN = 'i',
};
#define CMD_GLOBAL_SHORTOPTS "c:vqh"

/* The names of --start (launch.h's enum launch_start), bench --peer's
 * (the one peer it knows) and inspect --sbom's formats. */
extern const struct names cmd_start_names[], cmd_peer_names[], cmd_sbom_names[];
/* What appliance does: build, info, clean. */
extern const struct names cmd_appliance_verbs[];

/* --backend: *OUT an enum backend_kind, or -1 after the usage message. */
int cmd_backend_opt(const char *arg, int *out);
/* Handle a shared option.  Returns 0 when handled, 1 when the command
 * should print its help and exit 0, -1 (after a message) on bad values,
 * and -2 when C is not a shared option. */
int cmd_global_opt(int c, const char *arg);
/* Environment defaults and validation, once C's options are parsed. */
int cmd_global_check(const struct cmd *c);
/* The global options a launch takes into LO: the backend, --connect,
 * --pool and -v.  Every command that launches copies them here, so none
 * can leave one out. */
void cmd_launch_opts(struct launch_opts *lo);
/* --help: every command (C NULL), or C's synopsis. */
void cmd_usage(const struct cmd *c);
/* The shared options before the command's name, TABLE the commands
 * (cmd_table).  Returns the index of the command's name in ARGV (ARGC
 * when there is none), 0 when --help was answered, or -1 after a usage
 * message. */
int cmd_parse_global(const struct cmd *table, int argc, char **argv);

/* Run getopt_long over command C's options.  OWN handles the command's
 * own codes (0 handled, -1 bad value already reported, -2 not its own);
 * shared options are handled here.  Returns 0 to go on, 1 when help was
 * printed (exit 0), -1 on a usage error (exit 2). */
typedef int (*cmd_opt_fn)(int c, char *arg, void *ctx);
int cmd_parse(enum cmd_id id, int argc, char **argv, cmd_opt_fn own, void *ctx);

/* *OUT = the value ARG names in T; or report "OPT: 'ARG' is not a, b or
 * c" and return -1. */
int cmd_choice(int *out, const struct names *t, const char *opt, const char *arg);
/* --timeout S, 1 to 86400 seconds (run and inspect). */
int cmd_timeout_opt(const char *arg, double *out);
/* --start cold|auto|warm into *OUT. */
int cmd_start_opt(const char *arg, enum launch_start *out);

/* The commands (NAME.c), as cmd_table names them. */
int cmd_xml(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_appliance(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_completion(int argc, char **argv);

/* --- cmd/plan.c: from options to a resolved plan input --------------- */

/* A plan option.  Returns 0 when handled, -1 on a bad value (reported),
 * -2 otherwise.  ALLOW_RW: whether --disk FILE:rw is accepted. */
int cmd_plan_opt(int c, char *arg, struct plan_input *in, int allow_rw);
/* Make every decision about this host that IN leaves open, and locate
 * the appliance into A.  BOOT (the input is for a launch): extract and
 * check the kernel image, and probe KVM for --accel auto; without it
 * nothing is written and nothing is probed.  Free with
 * cmd_resolve_free(); copies of IN borrow its strings. */
int cmd_resolve(struct plan_input *in, struct appl *a, int boot);
/* The same for a launch on BACKEND (enum backend_kind) through CONNECT
 * (a libvirt URI, NULL: the default) rather than the global options':
 * bench's configurations each name their own.  Records the connection
 * (plan/conn.h) in IN. */
int cmd_resolve_on(struct plan_input *in, struct appl *a, int boot, int backend, const char *connect);
void cmd_resolve_free(struct plan_input *in);

#endif
