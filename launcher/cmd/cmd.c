/* cmd: see cmd.h.  Every command's options, the usage text made from
 * them and from the command table (table.c), and the option loop every
 * command runs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plan/accel.h"
#include "plan/disk.h"
#include "plan/kernel.h"
#include "plan/machine.h"
#include "backend/backend.h"
#include "cmd/cmd.h"
#include "common/err.h"
#include "common/names.h"
#include "common/util.h"

struct cmd_global cmd_global = { .backend = -1, .accel = -1 };

/* The option tables, with the help each option prints.  A command takes
 * its groups in order, then the global options; getopt_long's tables are
 * made from these, and so are --help and the bash completion. */
const struct cmd_opt cmd_global_opts[] = {
	{ "connect", OPT_CONNECT, "URI", "libvirt connection (default: the embedded driver)", NULL },
	{ "pool", OPT_POOL, "NAME", "a remote host's storage pool for the appliance (default leanboot)", NULL },
	{ "upload", OPT_UPLOAD, NULL, "copy local disks to a remote host for the launch", NULL },
	{ "backend", OPT_BACKEND, NULL, "what runs QEMU (default: direct for run, inspect and appliance on this host, else libvirt)", backend_names },
	{ "accel", OPT_ACCEL, NULL, "accelerator; auto boots a KVM probe with a deadline", acc_mode_names },
	{ "verbose", 'v', NULL, "more messages: the console, libvirt's log", NULL },
	{ "quiet", 'q', NULL, "no notices", NULL },
	{ "help", OPT_HELP, NULL, "this text", NULL },
	{ "version", OPT_VERSION, NULL, "the version", NULL },
	{ NULL, 0, NULL, NULL, NULL },
};

const struct cmd_opt cmd_plan_opts[] = {
	{ "topology", OPT_TOPOLOGY, "T", "the PCI topology (default minimal; leanboot(1) lists them)", NULL },
	{ "arch", OPT_ARCH, NULL, "the guest's architecture (default: the machine's, else the host's)",
	  arch_names },
	{ "machine", OPT_MACHINE, NULL, "machine type (default: the topology's for the arch)", machine_names },
	{ "disk", OPT_DISK, "FILE", "attach a disk image, read-only (run: FILE:rw writes it; a remote host's: vol:POOL/NAME, host:PATH)", NULL },
	{ NULL, 0, NULL, NULL, NULL },
};

/* xml, run and check take one value each; bench takes comma lists. */
const struct cmd_opt cmd_boot_opts[] = {
	{ "firmware", OPT_FIRMWARE, NULL, "guest firmware (default qboot where QEMU has it; aarch64: none)",
	  plan_firmware_names },
	{ "kernel-format", OPT_KERNEL_FORMAT, NULL, "boot the extracted vmlinux (PVH) or the bzImage; aarch64: its Image",
	  kern_format_names },
	{ "append", OPT_APPEND, "ARGS", "more kernel arguments (bench: one variant per --append)", NULL },
	{ "tuning", OPT_TUNING, NULL, "the fast-boot kernel arguments (default on)", names_on_off },
	{ "shape", OPT_SHAPE, NULL, "the appliance's form (default ext2)", plan_shape_names },
	{ "tb-cache", OPT_TB_CACHE, "MiB", "TCG's translation cache (0: QEMU's default)", NULL },
	{ "clock", OPT_CLOCK, NULL,
	  "the guest's clock (default real); icount: TCG's instruction count, 1 ns an instruction (fixed RTC, no HPET)",
	  plan_clock_names },
	{ "memory", OPT_MEMORY, "MiB", "guest RAM (default by shape)", NULL },
	{ NULL, 0, NULL, NULL, NULL },
};

/* What measures a machine without the channel: run needs it. */
const struct cmd_opt cmd_channel_opts[] = {
	{ "channel", OPT_CHANNEL, NULL, "the virtio-serial channel device (default on)", names_on_off },
	{ NULL, 0, NULL, NULL, NULL },
};

/* Whether a launch restores a template or boots (launch.h). */
const struct cmd_opt cmd_start_opts[] = {
	{ "start", OPT_START, NULL,
	  "boot, or restore a clone of the appliance at ready (run and inspect: auto, warm where "
	  "the backend can)", cmd_start_names },
	{ NULL, 0, NULL, NULL, NULL },
};

const struct cmd_opt cmd_xml_opts[] = {
	{ "argv", OPT_ARGV, NULL, "print the direct backend's qemu argv, one word a line", NULL },
	{ NULL, 0, NULL, NULL, NULL },
};

const struct cmd_opt cmd_run_opts[] = {
	{ "timeout", OPT_TIMEOUT, "S", "deadline for boot and command together (default 120)", NULL },
	{ "env", OPT_ENV, "NAME=VALUE", "set a variable in the command's environment", NULL },
	{ "stdin", OPT_STDIN, NULL,
	  "stream stdin to the command even from a terminal (a pipe or file always is)", NULL },
	{ NULL, 0, NULL, NULL, NULL },
};

const struct cmd_opt cmd_inspect_opts[] = {
	{ "json", OPT_JSON, NULL, "print one JSON document", NULL },
	{ "format", OPT_FORMAT, NULL, "the images' format (qcow2: follow backing files)",
	  disk_format_choices },
	{ "timeout", OPT_TIMEOUT, "S", "deadline (default 120)", NULL },
	{ "memory", OPT_MEMORY, "MiB", "guest RAM", NULL },
	{ "arch", OPT_ARCH, NULL, "the appliance's architecture (default: the host's), not the images'",
	  arch_names },
	{ "key", OPT_KEY, "SEL:key:PASS|SEL:file:FILE",
	  "open the LUKS volume SEL (ID, /dev name, LUKS UUID or all) read-only with this key", NULL },
	{ "keys-from-stdin", OPT_KEYS_FROM_STDIN, NULL, "read passphrases from stdin, one a line, tried on every LUKS volume", NULL },
	{ "sbom", OPT_SBOM, NULL, "print a bill of materials of each system's applications instead",
	  cmd_sbom_names },
	{ NULL, 0, NULL, NULL, NULL },
};

const struct cmd_opt cmd_appliance_opts[] = {
	{ "arch", OPT_ARCH, NULL, "which arch's appliance (default: the host's)", arch_names },
	{ NULL, 0, NULL, NULL, NULL },
};

const struct cmd_opt cmd_check_opts[] = {
	{ "expect", OPT_EXPECT, "KIND=N[,KIND=N]...", "exit 1 unless the expanded counts are these", NULL },
	{ "boot", OPT_BOOT, NULL, "boot it and count what the guest enumerated too", NULL },
	{ "json", OPT_JSON, NULL, "print one JSON document", NULL },
	{ "golden", OPT_GOLDEN, "DIR", "check every DIR/NAME.xml against DIR/NAME.counts and NAME.pci", NULL },
	{ "regen", OPT_REGEN, NULL, "with --golden: rewrite the .counts and .pci files", NULL },
	{ "junit", OPT_JUNIT, "FILE", "also write each expectation as a JUnit test case to FILE", NULL },
	{ "against", OPT_AGAINST, "URI", "expand it on URI too: exit 1 if counts or addresses differ", NULL },
	{ "diff", OPT_DIFF, "FILE.xml", "what moves from the domain to this one: exit 1 if anything does", NULL },
	{ NULL, 0, NULL, NULL, NULL },
};

const struct cmd_opt cmd_bench_opts[] = {
	{ "arch", OPT_ARCH, "A[,A]", "architectures side by side (default: the host's)", arch_names },
	{ "topology", OPT_TOPOLOGY, "T[,T]...",
	  "topologies to compare (default minimal,auto); ports=A..B[/STEP] sweeps", NULL },
	{ "backends", OPT_BACKENDS, "B[,B]", "backends to compare (--backend takes a list too)", backend_names },
	{ "runs", OPT_RUNS, "N", "measured rounds (default 5)", NULL },
	{ "warmup", OPT_WARMUP, "N", "rounds run first and not counted (default 1)", NULL },
	{ "peer", OPT_PEER, NULL, "time guestfish -a /dev/null run in each round", cmd_peer_names },
	{ "json", OPT_JSON, "FILE", "every run's figures as JSON", NULL },
	{ "csv", OPT_CSV, "FILE", "every run's figures as CSV", NULL },
	{ "svg", OPT_SVG, "FILE", "median seconds per stage as a bar chart", NULL },
	{ "logs", OPT_LOGS, "DIR", "keep each run's dmesg and PCI trace", NULL },
	{ "plain", OPT_PLAIN, NULL, "time run -- true, with no tracing", NULL },
	{ "expect", OPT_EXPECT, "[CONF:]METRIC OP N[,...]",
	  "exit 1 unless the medians meet these (pci_cfg<=700, auto/libvirt:to_ready_ratio>=1)", NULL },
	{ "junit", OPT_JUNIT, "FILE", "also write each expectation, and each configuration's runs, "
	  "as JUnit test cases to FILE", NULL },
	{ "start", OPT_START, "S[,S]",
	  "cold,warm: boots against clones of a template (default cold; warm runs are plain)",
	  cmd_start_names },
	{ "timeout", OPT_TIMEOUT, "S", "each run's deadline (default 300)", NULL },
	{ NULL, 0, NULL, NULL, NULL },
};

/* The command table (table.c), from cmd_parse_global(): the commands
 * call into this module, so it cannot name their table itself without
 * a cycle. */
static const struct cmd *commands;

const struct cmd *cmd_commands(void)
{
	return commands;
}

const struct cmd *cmd_find(const char *name)
{
	for (const struct cmd *c = commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

const char *cmd_opt_value(const struct cmd_opt *p, char *buf, size_t size)
{
	if (p->value || !p->names)
		return p->value;
	return names_join(p->names, "|", "|", 1, buf, size);
}

/* The options of OPTS under TITLE (NULL: the same heading as before). */
static void usage_opts(FILE *o, const char *title, const struct cmd_opt *opts)
{
	if (title)
		fprintf(o, "\n%s:\n", title);
	for (const struct cmd_opt *p = opts; p->name; p++) {
		char word[64], values[64];
		const char *value = cmd_opt_value(p, values, sizeof values);
		char letter = p->code < 0x100 ? (char)p->code : p->code == OPT_CONNECT ? 'c' :
			      p->code == OPT_HELP ? 'h' : 0;
		char shortform[8] = "";

		if (letter)
			snprintf(shortform, sizeof shortform, "-%c, ", letter);
		snprintf(word, sizeof word, "%s--%s%s%s", shortform, p->name, value ? " " : "",
			 value ? value : "");
		fprintf(o, "  %-30s %s\n", word, p->help);
	}
}

/* C's synopsis, each {NAME} in it the value list of C's option NAME. */
static void usage_args(FILE *o, const struct cmd *c)
{
	const struct cmd_opt *opts[CMD_MAX_OPTS];
	size_t n = cmd_opts_of(c, opts, CMD_MAX_OPTS);
	const char *s = c->args, *open, *close;

	while ((open = strchr(s, '{')) && (close = strchr(open, '}'))) {
		const char *value = NULL;
		char values[64];

		fwrite(s, 1, (size_t)(open - s), o);
		for (size_t i = 0; i < n && !value; i++)
			if (strlen(opts[i]->name) == (size_t)(close - open - 1) &&
			    !strncmp(opts[i]->name, open + 1, (size_t)(close - open - 1)))
				value = cmd_opt_value(opts[i], values, sizeof values);
		fputs(value ? value : "?", o);
		s = close + 1;
	}
	fputs(s, o);
}

void cmd_usage(const struct cmd *c)
{
	FILE *o = stdout;

	if (c) {
		fprintf(o, "usage: leanboot [GLOBAL OPTIONS] %s ", c->name);
		usage_args(o, c);
		fprintf(o, "\n  %s\n", c->help);
		const char *last = NULL;

		for (int g = 0; g < CMD_MAX_GROUPS && c->opts[g]; g++) {
			const char *t = c->opts[g] == cmd_plan_opts ? "plan options" :
					c->opts[g] == cmd_boot_opts ? "boot options" : "options";

			usage_opts(o, t == last ? NULL : t, c->opts[g]);
			last = t;
		}
	} else {
		fprintf(o, "usage: leanboot [GLOBAL OPTIONS] COMMAND [OPTIONS]\n\ncommands:\n");
		for (const struct cmd *k = commands; k->name; k++)
			fprintf(o, "  %-10s %s\n", k->name, k->help);
	}
	usage_opts(o, "global options, before or after COMMAND", cmd_global_opts);
	fprintf(o, "\nSee leanboot(1).\n");
}

const struct names cmd_start_names[] = {
	{ "cold", LAUNCH_START_COLD, 0 }, { "auto", LAUNCH_START_AUTO, 0 },
	{ "warm", LAUNCH_START_WARM, 0 }, { NULL, 0, 0 },
};
/* bench --peer: the one peer it knows. */
const struct names cmd_peer_names[] = { { "libguestfs", 0, 0 }, { NULL, 0, 0 } };
/* inspect --sbom's formats; SPDX would be a second row here. */
const struct names cmd_sbom_names[] = { { "cyclonedx", 0, 0 }, { NULL, 0, 0 } };

int cmd_backend_opt(const char *arg, int *out)
{
	return cmd_choice(out, backend_names, "--backend", arg);
}

int cmd_global_opt(int c, const char *arg)
{
	switch (c) {
	case OPT_CONNECT:
		cmd_global.connect = arg;
		return 0;
	case OPT_POOL:
		cmd_global.pool = arg;
		return 0;
	case OPT_UPLOAD:
		cmd_global.upload = 1;
		return 0;
	case OPT_BACKEND:
		return cmd_backend_opt(arg, &cmd_global.backend);
	case OPT_ACCEL:
		return cmd_choice(&cmd_global.accel, acc_mode_names, "--accel", arg);
	case 'v':
		cmd_global.verbose++;
		return 0;
	case 'q':
		cmd_global.quiet = 1;
		return 0;
	case OPT_HELP:
		return 1;
	case OPT_VERSION:
		puts("leanboot " LB_VERSION);
		exit(0);
	}
	return -2;
}

int cmd_global_check(const struct cmd *c)
{
	const char *e;

	if (!cmd_global.connect && (e = getenv("LEANBOOT_CONNECT")) && *e)
		cmd_global.connect = e;
	if (cmd_global.backend < 0 && (e = getenv("LEANBOOT_BACKEND")) && *e &&
	    cmd_global_opt(OPT_BACKEND, e) < 0)
		return -1;
	if (cmd_global.accel < 0 && (e = getenv("LEANBOOT_ACCEL")) && *e &&
	    cmd_global_opt(OPT_ACCEL, e) < 0)
		return -1;
	if (cmd_global.backend < 0)
		cmd_global.backend = c && c->local_direct && !cmd_global.connect ? BACKEND_DIRECT : BACKEND_LIBVIRT;
	if (cmd_global.accel < 0)
		cmd_global.accel = ACC_AUTO;
	return 0;
}

void cmd_launch_opts(struct launch_opts *lo)
{
	lo->backend = (enum backend_kind)cmd_global.backend;
	lo->connect = cmd_global.connect;
	lo->pool = cmd_global.pool;
	lo->verbose = cmd_global.verbose;
	lo->quiet = cmd_global.quiet;
}

int cmd_choice(int *out, const struct names *t, const char *opt, const char *arg)
{
	/* The row, not its value: --format's "auto" is -1. */
	const struct names *p = names_find(t, arg);
	char allowed[128];

	if (p) {
		*out = p->value;
		return 0;
	}
	return err_usage_fail("%s: '%s' is not %s", opt, arg,
			      names_join(t, ", ", " or ", 0, allowed, sizeof allowed));
}

int cmd_start_opt(const char *arg, enum launch_start *out)
{
	int v = 0;

	if (cmd_choice(&v, cmd_start_names, "--start", arg) < 0)
		return -1;
	*out = (enum launch_start)v;
	return 0;
}

int cmd_timeout_opt(const char *arg, double *out)
{
	long v;

	if (util_parse_long(arg, 1, 86400, &v) < 0)
		return err_usage_fail("--timeout: '%s' is not a number of seconds from 1 to 86400", arg);
	*out = (double)v;
	return 0;
}

/* getopt_long's answer, with the short forms of shared options given
 * their long codes; ':' and '?' reported as NAME's usage errors (-1). */
static int next_opt(const char *name, int argc, char **argv, const char *shorts,
		    const struct option *longopts)
{
	int c = getopt_long(argc, argv, shorts, longopts, NULL);

	if (c == ':') {
		err_usage("%s%soption %s needs a value", name ? name : "", name ? ": " : "",
			  argv[optind - 1]);
		return '?';
	}
	if (c == '?') {
		if (name)
			err_usage("%s: unknown option '%s' (see leanboot %s --help)", name,
				  argv[optind - 1], name);
		else
			err_usage("unknown option '%s' (see leanboot --help)", argv[optind - 1]);
		return '?';
	}
	return c == 'c' ? OPT_CONNECT : c == 'h' ? OPT_HELP : c;
}

size_t cmd_opts_of(const struct cmd *c, const struct cmd_opt **out, size_t max)
{
	size_t n = 0;

	for (int g = 0; c && g < CMD_MAX_GROUPS && c->opts[g]; g++)
		for (const struct cmd_opt *p = c->opts[g]; p->name && n < max; p++)
			out[n++] = p;
	for (const struct cmd_opt *p = cmd_global_opts; p->name && n < max; p++)
		out[n++] = p;
	return n;
}

/* getopt_long's table for C (NULL: the global options alone). */
static void getopt_table(const struct cmd *c, struct option *out, size_t max)
{
	const struct cmd_opt *all[CMD_MAX_OPTS];
	size_t n = cmd_opts_of(c, all, max - 1 < CMD_MAX_OPTS ? max - 1 : CMD_MAX_OPTS);

	for (size_t i = 0; i < n; i++)
		out[i] = (struct option){ all[i]->name,
					 CMD_OPT_TAKES_VALUE(all[i]) ? required_argument : no_argument,
					 NULL, all[i]->code };
	out[n] = (struct option){ NULL, 0, NULL, 0 };
}

/* The one loop over options, for both passes: OWN (may be NULL) first,
 * then the shared options.  Returns 0, 1 when help was printed, or -1
 * after a usage message.  optind 0 makes getopt start afresh, so the
 * command's pass works after the global one. */
static int parse_opts(const struct cmd *cmd, int argc, char **argv, const char *shorts,
		      cmd_opt_fn own, void *ctx)
{
	const char *name = cmd ? cmd->name : NULL;
	struct option longopts[CMD_MAX_OPTS];
	int c, r;

	getopt_table(cmd, longopts, CMD_MAX_OPTS);
	optind = 0;
	while ((c = next_opt(name, argc, argv, shorts, longopts)) != -1) {
		if (c == '?')
			return -1;
		r = own ? own(c, optarg, ctx) : -2;
		if (r == 0)
			continue;
		if (r == -1)
			return -1;
		r = cmd_global_opt(c, optarg);
		if (r == 1) {
			cmd_usage(cmd);
			return 1;
		}
		if (r < 0)
			return -1;
	}
	return 0;
}

int cmd_parse_global(const struct cmd *table, int argc, char **argv)
{
	commands = table;
	/* '+': stop at the command's name; its options are its own. */
	int r = parse_opts(NULL, argc, argv, "+:" CMD_GLOBAL_SHORTOPTS, NULL, NULL);

	return r < 0 ? -1 : r > 0 ? 0 : optind;
}

int cmd_parse(enum cmd_id id, int argc, char **argv, cmd_opt_fn own, void *ctx)
{
	const struct cmd *c = &commands[id];
	/* Options may follow operands ("appliance clean -q"); run's COMMAND
	 * comes after "--".  ':' lets us word a missing value ourselves.  A
	 * command's own short options are those whose code is a letter. */
	char shorts[2 * CMD_MAX_OPTS + 8] = ":" CMD_GLOBAL_SHORTOPTS;
	size_t n = strlen(shorts);
	int r;

	for (int g = 0; g < CMD_MAX_GROUPS && c->opts[g]; g++)
		for (const struct cmd_opt *p = c->opts[g]; p->name; p++)
			if (p->code < 0x100 && n + 3 < sizeof shorts) {
				shorts[n++] = (char)p->code;
				if (CMD_OPT_TAKES_VALUE(p))
					shorts[n++] = ':';
			}
	shorts[n] = '\0';
	r = parse_opts(c, argc, argv, shorts, own, ctx);

	return r ? r : cmd_global_check(c);
}
