/* cmd: see cmd.h.  The command table with every command's options, the
 * usage text made from it, and the option loop every command runs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plan/accel.h"
#include "backend/backend.h"
#include "cmd/cmd.h"
#include "common/err.h"
#include "common/util.h"

struct cmd_global cmd_global = { .backend = -1, .accel = -1 };

/* The option tables, with the help each option prints.  A command takes
 * its groups in order, then the global options; getopt_long's tables are
 * made from these, and so are --help and the bash completion. */
const struct cmd_opt cmd_global_opts[] = {
	{ "connect", OPT_CONNECT, "URI", "libvirt connection (default: the embedded driver)" },
	{ "pool", OPT_POOL, "NAME", "a remote host's storage pool for the appliance (default leanboot)" },
	{ "upload", OPT_UPLOAD, NULL, "copy local disks to a remote host for the launch" },
	{ "backend", OPT_BACKEND, "libvirt|direct", "what runs QEMU (default libvirt)" },
	{ "accel", OPT_ACCEL, "auto|kvm|tcg", "accelerator; auto boots a KVM probe with a deadline" },
	{ "verbose", 'v', NULL, "more messages: the console, libvirt's log" },
	{ "quiet", 'q', NULL, "no notices" },
	{ "help", OPT_HELP, NULL, "this text" },
	{ "version", OPT_VERSION, NULL, "the version" },
	{ NULL, 0, NULL, NULL },
};

static const struct cmd_opt plan_opts[] = {
	{ "topology", OPT_TOPOLOGY, "T", "the PCI topology (default minimal; leanboot(1) lists them)" },
	{ "machine", OPT_MACHINE, "q35|pc|microvm", "machine type (default: the topology's)" },
	{ "disk", OPT_DISK, "FILE", "attach a disk image, read-only (run: FILE:rw writes it; a remote host's: vol:POOL/NAME, host:PATH)" },
	{ NULL, 0, NULL, NULL },
};

/* xml, run and check take one value each; bench takes comma lists. */
static const struct cmd_opt boot_opts[] = {
	{ "firmware", OPT_FIRMWARE, "qboot|seabios", "guest firmware (default qboot where QEMU has it)" },
	{ "kernel-format", OPT_KERNEL_FORMAT, "pvh|bzimage",
	  "boot the extracted vmlinux (PVH) or the bzImage" },
	{ "append", OPT_APPEND, "ARGS", "more kernel arguments (bench: one variant per --append)" },
	{ "tuning", OPT_TUNING, "on|off", "the fast-boot kernel arguments (default on)" },
	{ "shape", OPT_SHAPE, "ext2|initramfs", "the appliance's form (default ext2)" },
	{ "tb-cache", OPT_TB_CACHE, "MiB", "TCG's translation cache (0: QEMU's default)" },
	{ "clock", OPT_CLOCK, "real|icount",
	  "the guest's clock (default real); icount: TCG's instruction count, 1 ns an instruction (fixed RTC, no HPET)" },
	{ "memory", OPT_MEMORY, "MiB", "guest RAM (default by shape)" },
	{ NULL, 0, NULL, NULL },
};

/* What measures a machine without the channel: run needs it. */
static const struct cmd_opt channel_opts[] = {
	{ "channel", OPT_CHANNEL, "on|off", "the virtio-serial channel device (default on)" },
	{ NULL, 0, NULL, NULL },
};

/* Whether a launch restores a template or boots (launch.h). */
static const struct cmd_opt start_opts[] = {
	{ "start", OPT_START, "cold|auto|warm",
	  "boot, or restore a clone of the appliance at ready (run and inspect: auto, warm where "
	  "the backend can)" },
	{ NULL, 0, NULL, NULL },
};

static const struct cmd_opt xml_opts[] = {
	{ "argv", OPT_ARGV, NULL, "print the direct backend's qemu argv, one word a line" },
	{ NULL, 0, NULL, NULL },
};

static const struct cmd_opt run_opts[] = {
	{ "timeout", OPT_TIMEOUT, "S", "deadline for boot and command together (default 120)" },
	{ "env", OPT_ENV, "NAME=VALUE", "set a variable in the command's environment" },
	{ "stdin", OPT_STDIN, NULL,
	  "stream stdin to the command even from a terminal (a pipe or file always is)" },
	{ NULL, 0, NULL, NULL },
};

static const struct cmd_opt inspect_opts[] = {
	{ "json", OPT_JSON, NULL, "print one JSON document" },
	{ "format", OPT_FORMAT, "auto|raw|qcow2", "the images' format (qcow2: follow backing files)" },
	{ "timeout", OPT_TIMEOUT, "S", "deadline (default 120)" },
	{ "memory", OPT_MEMORY, "MiB", "guest RAM" },
	{ "key", OPT_KEY, "SEL:key:PASS|SEL:file:FILE",
	  "open the LUKS volume SEL (ID, /dev name, LUKS UUID or all) read-only with this key" },
	{ "keys-from-stdin", OPT_KEYS_FROM_STDIN, NULL, "read passphrases from stdin, one a line, tried on every LUKS volume" },
	{ "sbom", OPT_SBOM, "cyclonedx", "print a bill of materials of each system's applications instead" },
	{ NULL, 0, NULL, NULL },
};

static const struct cmd_opt check_opts[] = {
	{ "expect", OPT_EXPECT, "KIND=N[,KIND=N]...", "exit 1 unless the expanded counts are these" },
	{ "boot", OPT_BOOT, NULL, "boot it and count what the guest enumerated too" },
	{ "json", OPT_JSON, NULL, "print one JSON document" },
	{ "golden", OPT_GOLDEN, "DIR", "check every DIR/NAME.xml against DIR/NAME.counts and NAME.pci" },
	{ "regen", OPT_REGEN, NULL, "with --golden: rewrite the .counts and .pci files" },
	{ "against", OPT_AGAINST, "URI", "expand it on URI too: exit 1 if counts or addresses differ" },
	{ "diff", OPT_DIFF, "FILE.xml", "what moves from the domain to this one: exit 1 if anything does" },
	{ NULL, 0, NULL, NULL },
};

static const struct cmd_opt bench_opts[] = {
	{ "topology", OPT_TOPOLOGY, "T[,T]...",
	  "topologies to compare (default minimal,auto); ports=A..B[/STEP] sweeps" },
	{ "backends", OPT_BACKENDS, "B[,B]", "backends to compare (--backend takes a list too)" },
	{ "runs", OPT_RUNS, "N", "measured rounds (default 5)" },
	{ "warmup", OPT_WARMUP, "N", "rounds run first and not counted (default 1)" },
	{ "peer", OPT_PEER, CMD_PEER_LIBGUESTFS, "time guestfish -a /dev/null run in each round" },
	{ "json", OPT_JSON, "FILE", "every run's figures as JSON" },
	{ "csv", OPT_CSV, "FILE", "every run's figures as CSV" },
	{ "svg", OPT_SVG, "FILE", "median seconds per stage as a bar chart" },
	{ "logs", OPT_LOGS, "DIR", "keep each run's dmesg and PCI trace" },
	{ "plain", OPT_PLAIN, NULL, "time run -- true, with no tracing" },
	{ "start", OPT_START, "S[,S]",
	  "cold,warm: boots against clones of a template (default cold; warm runs are plain)" },
	{ "timeout", OPT_TIMEOUT, "S", "each run's deadline (default 300)" },
	{ NULL, 0, NULL, NULL },
};

const struct cmd cmd_table[] = {
	{ CMD_XML, "xml", { plan_opts, boot_opts, channel_opts, xml_opts },
	  "[--topology T] [--machine q35|pc|microvm] [--disk FILE]... [BOOT OPTIONS] [--argv]",
	  "print the domain XML (or qemu argv) of a topology" },
	{ CMD_RUN, "run", { plan_opts, boot_opts, run_opts, start_opts },
	  "[--topology T] [--disk FILE[:rw]]... [--timeout S] [--env NAME=VALUE]... [-i]\n"
	  "       [--start cold|auto|warm] [BOOT OPTIONS] -- COMMAND [ARG]...",
	  "run a command in a throwaway appliance VM" },
	{ CMD_INSPECT, "inspect", { inspect_opts, start_opts },
	  "[--json | --sbom cyclonedx] [--format auto|raw|qcow2] [--key SEL:key:PASS|SEL:file:FILE]...\n"
	  "       [--keys-from-stdin] [--timeout S] [--memory MiB] [--start S] DISK...",
	  "report what is on disk images, attached read-only" },
	{ CMD_CHECK, "check", { plan_opts, boot_opts, channel_opts, check_opts },
	  "(--topology T [--machine M] [--disk FILE]... | FILE.xml) [--expect SPEC] [--boot] [--json]\n"
	  "       leanboot [GLOBAL OPTIONS] check --golden DIR [--regen]\n"
	  "       leanboot [GLOBAL OPTIONS] check FILE.xml (--against URI | --diff FILE.xml) [--json]",
	  "count controllers as written, as libvirt expands them and as the guest sees them" },
	{ CMD_BENCH, "bench", { bench_opts, boot_opts, channel_opts },
	  "[--topology T[,T]...] [--backend B[,B]] [--start S[,S]] [--runs N] [--warmup N]\n"
	  "       [--peer libguestfs] [--plain] [--timeout S] [BOOT OPTION LISTS] [--append ARGS]... [--json FILE] [--csv FILE]\n"
	  "       [--svg FILE] [--logs DIR]",
	  "measure boot time by stage, topology against topology" },
	{ CMD_APPLIANCE, "appliance", { NULL }, "(build|info|clean)",
	  "build, describe or remove the appliance" },
	{ CMD_COMPLETION, "completion", { NULL }, "bash",
	  "print a shell completion script made from these tables" },
	{ CMD_COUNT, NULL, { NULL }, NULL, NULL },
};

const struct cmd *cmd_find(const char *name)
{
	for (const struct cmd *c = cmd_table; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

/* The options of OPTS under TITLE (NULL: the same heading as before). */
static void usage_opts(FILE *o, const char *title, const struct cmd_opt *opts)
{
	if (title)
		fprintf(o, "\n%s:\n", title);
	for (const struct cmd_opt *p = opts; p->name; p++) {
		char word[64];
		char letter = p->code < 0x100 ? (char)p->code : p->code == OPT_CONNECT ? 'c' :
			      p->code == OPT_HELP ? 'h' : 0;
		char shortform[8] = "";

		if (letter)
			snprintf(shortform, sizeof shortform, "-%c, ", letter);
		snprintf(word, sizeof word, "%s--%s%s%s", shortform, p->name, p->value ? " " : "",
			 p->value ? p->value : "");
		fprintf(o, "  %-30s %s\n", word, p->help);
	}
}

void cmd_usage(const struct cmd *c)
{
	FILE *o = stdout;

	if (c) {
		fprintf(o, "usage: leanboot [GLOBAL OPTIONS] %s %s\n  %s\n", c->name, c->args, c->help);
		const char *last = NULL;

		for (int g = 0; g < CMD_MAX_GROUPS && c->opts[g]; g++) {
			const char *t = c->opts[g] == plan_opts ? "plan options" :
					c->opts[g] == boot_opts ? "boot options" : "options";

			usage_opts(o, t == last ? NULL : t, c->opts[g]);
			last = t;
		}
	} else {
		fprintf(o, "usage: leanboot [GLOBAL OPTIONS] COMMAND [OPTIONS]\n\ncommands:\n");
		for (const struct cmd *k = cmd_table; k->name; k++)
			fprintf(o, "  %-10s %s\n", k->name, k->help);
	}
	usage_opts(o, "global options, before or after COMMAND", cmd_global_opts);
	fprintf(o, "\nSee leanboot(1).\n");
}

const char *const cmd_off_on[2] = { "off", "on" };

int cmd_backend_opt(const char *arg, int *out)
{
	return cmd_choice(out, backend_parse(arg), "--backend", arg, "libvirt or direct");
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
		return cmd_choice(&cmd_global.accel, acc_parse_mode(arg), "--accel", arg, "auto, kvm or tcg");
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

int cmd_global_check(void)
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
		cmd_global.backend = BACKEND_LIBVIRT;
	if (cmd_global.accel < 0)
		cmd_global.accel = ACC_AUTO;
	return 0;
}

int cmd_choice(int *out, int value, const char *opt, const char *arg, const char *allowed)
{
	if (value < 0)
		return err_usage_fail("%s: '%s' is not %s", opt, arg, allowed);
	*out = value;
	return 0;
}

int cmd_start_opt(const char *arg, enum launch_start *out)
{
	static const char *const names[] = {
		[LAUNCH_START_COLD] = "cold", [LAUNCH_START_AUTO] = "auto", [LAUNCH_START_WARM] = "warm",
	};
	int v = 0;

	if (cmd_choice(&v, UTIL_NAME_INDEX(arg, names), "--start", arg, "cold, auto or warm") < 0)
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
		out[i] = (struct option){ all[i]->name, all[i]->value ? required_argument : no_argument,
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

int cmd_parse_global(int argc, char **argv)
{
	/* '+': stop at the command's name; its options are its own. */
	int r = parse_opts(NULL, argc, argv, "+:" CMD_GLOBAL_SHORTOPTS, NULL, NULL);

	return r < 0 ? -1 : r > 0 ? 0 : optind;
}

int cmd_parse(enum cmd_id id, int argc, char **argv, cmd_opt_fn own, void *ctx)
{
	const struct cmd *c = &cmd_table[id];
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
				if (p->value)
					shorts[n++] = ':';
			}
	shorts[n] = '\0';
	r = parse_opts(c, argc, argv, shorts, own, ctx);

	return r ? r : cmd_global_check();
}
