/* cmd: the command table and the options every command shares. */
#ifndef LB_CMD_H
#define LB_CMD_H

#include <getopt.h>

struct lb_global {
	const char *connect;      /* --connect, $LEANBOOT_CONNECT */
	const char *backend;      /* libvirt | direct */
	const char *accel;        /* auto | kvm | tcg */
	int verbose, quiet;
};

extern struct lb_global lb_global;

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);   /* NULL: not yet available */
	const struct option *opts;          /* its options, as its parser takes them */
	const char *args;
	const char *help;
};

extern const struct cmd cmd_table[];

/* Long options shared by all commands; each command's table ends with
 * these.  Codes are above the ASCII range.  They are taken before the
 * command's name too (leanboot -c URI run ...), as virsh and git take
 * theirs; -c is --connect and -h is --help, as in virsh. */
enum { OPT_CONNECT = 0x100, OPT_BACKEND, OPT_ACCEL, OPT_HELP, OPT_VERSION };
#define LB_GLOBAL_SHORTOPTS "c:vqh"
#define LB_GLOBAL_LONGOPTS                                         \
	{ "connect", required_argument, NULL, OPT_CONNECT },       \
	{ "backend", required_argument, NULL, OPT_BACKEND },       \
	{ "accel", required_argument, NULL, OPT_ACCEL },           \
	{ "verbose", no_argument, NULL, 'v' },                     \
	{ "quiet", no_argument, NULL, 'q' },                       \
	{ "help", no_argument, NULL, OPT_HELP },                   \
	{ "version", no_argument, NULL, OPT_VERSION },             \
	{ NULL, 0, NULL, 0 }

/* --backend: one of cmd_backends, or -1 after the usage message. */
extern const char *const cmd_backends[2];
extern const char *const cmd_accels[3];
extern const char *const cmd_off_on[2];
int cmd_backend_opt(const char *arg, const char **out);

/* Handle a shared option.  Returns 0 when handled, 1 when the command
 * should print its help and exit 0, -1 (after a message) on bad values,
 * and -2 when C is not a shared option. */
int cmd_global_opt(int c, const char *arg);
/* Environment defaults and validation, once options are parsed. */
int cmd_global_check(void);
void cmd_usage(const char *name);
/* The shared options before the command's name.  Returns the index of
 * the command's name in ARGV (ARGC when there is none), 0 when --help was
 * answered, or -1 after a usage message. */
int cmd_parse_global(int argc, char **argv);

int cmd_xml(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_appliance(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_completion(int argc, char **argv);

/* bench --peer: the one peer it knows. */
#define CMD_PEER_LIBGUESTFS "libguestfs"

/* Each command's options (the tables its getopt_long reads), for the
 * command table and so for the completion script. */
extern const struct option cmd_xml_opts[], cmd_run_opts[], cmd_inspect_opts[], cmd_check_opts[],
	cmd_bench_opts[], cmd_appliance_opts[], cmd_completion_opts[];

#endif

/* Options that describe a plan, shared by xml, check and run. */
#include "plan.h"
#include "appliance.h"
enum { OPT_TOPOLOGY = 0x200, OPT_MACHINE, OPT_DISK, OPT_MEMORY, OPT_FIRMWARE,
       OPT_KERNEL_FORMAT, OPT_APPEND, OPT_TUNING, OPT_SHAPE, OPT_TB_CACHE };
#define LB_PLAN_LONGOPTS                                           \
	{ "topology", required_argument, NULL, OPT_TOPOLOGY },     \
	{ "firmware", required_argument, NULL, OPT_FIRMWARE },     \
	{ "kernel-format", required_argument, NULL, OPT_KERNEL_FORMAT }, \
	{ "append", required_argument, NULL, OPT_APPEND },         \
	{ "tuning", required_argument, NULL, OPT_TUNING },         \
	{ "shape", required_argument, NULL, OPT_SHAPE },           \
	{ "tb-cache", required_argument, NULL, OPT_TB_CACHE },     \
	{ "machine", required_argument, NULL, OPT_MACHINE },       \
	{ "disk", required_argument, NULL, OPT_DISK },             \
	{ "memory", required_argument, NULL, OPT_MEMORY }

/* *OUT = VALUE, a parsed name; or, when VALUE < 0, report "OPT: 'ARG' is
 * not ALLOWED" and return -1. */
int cmd_choice(int *out, int value, const char *opt, const char *arg, const char *allowed);
/* --timeout S, 1 to 86400 seconds (run and inspect). */
int cmd_timeout_opt(const char *arg, double *out);

/* Returns 0 when handled, -1 on a bad value (reported), -2 otherwise.
 * ALLOW_RW: whether FILE:rw is accepted. */
int cmd_plan_opt(int c, char *arg, struct plan_input *in, int allow_rw);
/* The default firmware, when none was asked for: qboot where QEMU ships
 * it, else SeaBIOS with one notice. */
void cmd_default_firmware(struct plan_input *in);
/* Resolve --kernel-format into in->kernel: PVH where the host kernel has
 * it, else the bzImage with one notice.  PREPARE (commands that boot):
 * extract the vmlinux now and check it. */
int cmd_pick_kernel(struct plan_input *in, struct appl *a, int prepare);
/* Make the plan from IN with the appliance's paths and ROOT as the root
 * overlay (NULL: the per-launch overlay's template name). */
int cmd_make_plan(struct plan_input *in, struct appl *a, const char *root, struct plan *p);

/* Resolve --accel (probing KVM for auto), with a notice on fallback when
 * the probe runs (once per cache) or with -v. */
int cmd_resolve_accel(enum plan_accel *accel);

/* Run getopt_long over a command's options.  OWN handles the command's
 * own codes (0 handled, -1 bad value already reported, -2 not its own);
 * shared options are handled here.  Returns 0 to go on, 1 when help was
 * printed (exit 0), -1 on a usage error (exit 2). */
typedef int (*cmd_opt_fn)(int c, char *arg, void *ctx);
int cmd_parse(const char *name, int argc, char **argv, const struct option *longopts,
	      cmd_opt_fn own, void *ctx);
