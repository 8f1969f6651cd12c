/* cmd: shared option handling and usage text, both driven by cmd_table so
 * that --help and the table cannot drift apart. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accel.h"
#include "cmd.h"
#include "err.h"
#include "kernel.h"
#include "util.h"

struct lb_global lb_global;

void cmd_usage(const char *name)
{
	FILE *o = stdout;

	if (!name)
		fprintf(o, "usage: leanboot [GLOBAL OPTIONS] COMMAND [OPTIONS]\n\ncommands:\n");
	for (const struct cmd *c = cmd_table; c->name; c++) {
		if (name && strcmp(name, c->name))
			continue;
		if (name)
			fprintf(o, "usage: leanboot [GLOBAL OPTIONS] %s %s\n  %s%s\n", c->name, c->args,
				c->help, c->fn ? "" : " (not yet available)");
		else
			fprintf(o, "  %-10s %s%s\n", c->name, c->help,
				c->fn ? "" : " (not yet available)");
	}
	if (!name || !strcmp(name, "xml") || !strcmp(name, "run") || !strcmp(name, "check") ||
	    !strcmp(name, "bench"))
		fprintf(o, "\nboot options (bench takes lists): --shape ext2|initramfs, "
			"--firmware qboot|seabios,\n  --kernel-format pvh|bzimage, --memory MiB, "
			"--tb-cache MiB, --tuning on|off, --append ARGS\n");
	fprintf(o, "\nglobal options, before or after COMMAND: -c/--connect URI, "
		"--backend libvirt|direct,\n  --accel auto|kvm|tcg, -v/--verbose, -q/--quiet, "
		"-h/--help, --version\nSee leanboot(1).\n");
}

const char *const cmd_backends[2] = { "libvirt", "direct" };
const char *const cmd_accels[3] = { "auto", "kvm", "tcg" };
const char *const cmd_off_on[2] = { "off", "on" };

int cmd_backend_opt(const char *arg, const char **out)
{
	int i;

	if (cmd_choice(&i, UTIL_NAME_INDEX(arg, cmd_backends), "--backend", arg, "libvirt or direct") < 0)
		return -1;
	*out = cmd_backends[i];
	return 0;
}

int cmd_global_opt(int c, const char *arg)
{
	int i;

	switch (c) {
	case OPT_CONNECT:
		lb_global.connect = arg;
		return 0;
	case OPT_BACKEND:
		return cmd_backend_opt(arg, &lb_global.backend);
	case OPT_ACCEL:
		if (cmd_choice(&i, UTIL_NAME_INDEX(arg, cmd_accels), "--accel", arg, "auto, kvm or tcg") < 0)
			return -1;
		lb_global.accel = cmd_accels[i];
		return 0;
	case 'v':
		lb_global.verbose++;
		return 0;
	case 'q':
		lb_global.quiet = 1;
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

	if (!lb_global.connect && (e = getenv("LEANBOOT_CONNECT")) && *e)
		lb_global.connect = e;
	if (!lb_global.backend && (e = getenv("LEANBOOT_BACKEND")) && *e &&
	    cmd_global_opt(OPT_BACKEND, e) < 0)
		return -1;
	if (!lb_global.accel && (e = getenv("LEANBOOT_ACCEL")) && *e &&
	    cmd_global_opt(OPT_ACCEL, e) < 0)
		return -1;
	if (!lb_global.backend)
		lb_global.backend = "libvirt";
	if (!lb_global.accel)
		lb_global.accel = "auto";
	return 0;
}

int cmd_choice(int *out, int value, const char *opt, const char *arg, const char *allowed)
{
	if (value < 0) {
		err_usage("%s: '%s' is not %s", opt, arg, allowed);
		return -1;
	}
	*out = value;
	return 0;
}

int cmd_timeout_opt(const char *arg, double *out)
{
	long v;

	if (util_parse_long(arg, 1, 86400, &v) < 0) {
		err_usage("--timeout: '%s' is not a number of seconds from 1 to 86400", arg);
		return -1;
	}
	*out = (double)v;
	return 0;
}

int cmd_plan_opt(int c, char *arg, struct plan_input *in, int allow_rw)
{
	long v;

	switch (c) {
	case OPT_TOPOLOGY:
		in->topology = arg;
		return 0;
	case OPT_MACHINE:
		return cmd_choice(&in->machine, plan_parse_machine(arg), "--machine", arg, "q35, pc or microvm");
	case OPT_FIRMWARE:
		return cmd_choice(&in->firmware, plan_parse_firmware(arg), "--firmware", arg, "seabios or qboot");
	case OPT_KERNEL_FORMAT:
		return cmd_choice(&in->kernel_format, kern_parse_format(arg), "--kernel-format", arg,
				  "pvh or bzimage");
	case OPT_APPEND:
		/* The kernel splits its command line at white space and takes
		 * quotes; a newline or control character would let an argument
		 * hide others. */
		for (const char *q = arg; *q; q++)
			if ((unsigned char)*q < 0x20 || *q == 0x7f) {
				err_usage("--append: control characters are not allowed");
				return -1;
			}
		in->append = *arg ? arg : NULL;
		return 0;
	case OPT_TB_CACHE:
		if (util_parse_long(arg, 0, 4096, &v) < 0) {
			err_usage("--tb-cache: '%s' is not a size in MiB from 0 to 4096", arg);
			return -1;
		}
		in->tb_cache_mib = (int)v;
		return 0;
	case OPT_SHAPE:
		return cmd_choice(&in->shape, plan_parse_shape(arg), "--shape", arg, "ext2 or initramfs");
	case OPT_TUNING:
		return cmd_choice(&in->tuning, UTIL_NAME_INDEX(arg, cmd_off_on), "--tuning", arg, "on or off");
	case OPT_MEMORY:
		if (util_parse_long(arg, 64, 16384, &v) < 0) {
			err_usage("--memory: '%s' is not a size in MiB from 64 to 16384", arg);
			return -1;
		}
		in->memory_mib = (unsigned)v;
		return 0;
	case OPT_DISK: {
		size_t len = strlen(arg);
		int rw = 0;

		if (in->ndisks >= PLAN_MAX_DISKS) {
			err_usage("--disk: at most %d disks", PLAN_MAX_DISKS);
			return -1;
		}
		if (allow_rw && len > 3 && !strcmp(arg + len - 3, ":rw")) {
			arg[len - 3] = '\0';
			rw = 1;
		}
		if (!*arg) {
			err_usage("--disk: empty file name");
			return -1;
		}
		in->disks[in->ndisks].path = arg;
		in->disks[in->ndisks].format = -1;
		in->disks[in->ndisks++].rw = rw;
		return 0;
	}
	}
	return -2;
}

void cmd_default_firmware(struct plan_input *in)
{
	if (in->firmware >= 0)
		return;
	if (access(PLAN_QBOOT_ROM, R_OK) == 0) {
		in->firmware = PLAN_FW_QBOOT;
		return;
	}
	in->firmware = PLAN_FW_SEABIOS;
	if (!lb_global.quiet)
		fprintf(stderr, "leanboot: notice: %s is missing; booting through SeaBIOS\n",
			PLAN_QBOOT_ROM);
}

int cmd_pick_kernel(struct plan_input *in, struct appl *a, int prepare)
{
	const char *why;
	int got;

	if (in->kernel)
		return 0;
	if (appl_boot_kernel(a, in->kernel_format, prepare, &got, &why) < 0)
		return -1;
	if (why && !lb_global.quiet)
		fprintf(stderr, "leanboot: notice: %s; booting the bzImage\n", why);
	in->kernel = a->boot_kernel;
	in->kernel_format = got;
	return 0;
}

int cmd_make_plan(struct plan_input *in, struct appl *a, const char *root, struct plan *p)
{
	const char *tmp = getenv("TMPDIR");
	char *placeholder = NULL;
	int r = -1;

	if (!root) {
		placeholder = util_printf("%s/leanboot-XXXXXX/root.qcow2",
					  tmp && *tmp ? tmp : "/tmp");
		if (!placeholder)
			return -1;
		root = placeholder;
	}
	cmd_default_firmware(in);
	if (cmd_pick_kernel(in, a, 0) < 0)
		goto out;
	{
		int needs_root;

		if (in->shape < 0)
			in->shape = PLAN_SHAPE_DEFAULT;
		in->initrd = appl_shape_initrd(a, in->shape, &needs_root);
		in->root = needs_root ? root : NULL;
	}
	in->tsc_khz = util_host_tsc_khz();
	in->accel = lb_global.accel && !strcmp(lb_global.accel, "kvm") ? PLAN_ACCEL_KVM
								       : PLAN_ACCEL_TCG;
	r = plan_make(in, p);
out:
	free(placeholder);
	return r;
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

/* The one loop over options, for both passes: OWN (may be NULL) first,
 * then the shared options.  Returns 0, 1 when help was printed, or -1
 * after a usage message.  optind 0 makes getopt start afresh, so the
 * command's pass works after the global one. */
static int parse_opts(const char *name, int argc, char **argv, const char *shorts,
		      const struct option *longopts, cmd_opt_fn own, void *ctx)
{
	int c, r;

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
			cmd_usage(name);
			return 1;
		}
		if (r < 0)
			return -1;
	}
	return 0;
}

int cmd_parse_global(int argc, char **argv)
{
	static const struct option longopts[] = { LB_GLOBAL_LONGOPTS };
	/* '+': stop at the command's name; its options are its own. */
	int r = parse_opts(NULL, argc, argv, "+:" LB_GLOBAL_SHORTOPTS, longopts, NULL, NULL);

	return r < 0 ? -1 : r > 0 ? 0 : optind;
}

int cmd_parse(const char *name, int argc, char **argv, const struct option *longopts,
	      cmd_opt_fn own, void *ctx)
{
	/* Options may follow operands ("appliance clean -q"); run's COMMAND
	 * comes after "--".  ':' lets us word a missing value ourselves. */
	int r = parse_opts(name, argc, argv, ":" LB_GLOBAL_SHORTOPTS, longopts, own, ctx);

	return r ? r : cmd_global_check();
}

int cmd_resolve_accel(enum plan_accel *accel)
{
	const char *why;
	struct appl a;
	int fresh;

	if (appl_locate(&a) < 0 || appl_find_host_kernel(&a) < 0 ||
	    acc_resolve(lb_global.accel, a.cache, a.host_kernel, accel, &why, &fresh) < 0)
		return -1;
	/* Once per cache, when the probe runs: a script of a thousand
	 * launches gets one notice, and -v repeats it. */
	if (why && !lb_global.quiet && (fresh || lb_global.verbose))
		fprintf(stderr, "leanboot: notice: %s; using TCG\n", why);
	return 0;
}
