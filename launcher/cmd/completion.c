/* leanboot completion bash: a bash completion script written from the
 * tables the program itself reads: the command table, each command's
 * getopt_long options, and the names each option's parser accepts.  A new
 * option or topology reaches the completion the day it reaches the
 * parser, so the two cannot drift apart. */
#include <stdio.h>
#include <string.h>

#include "plan/accel.h"
#include "backend/backend.h"
#include "cmd/cmd.h"
#include "plan/disk.h"
#include "common/err.h"
#include "plan/kernel.h"
#include "plan/plan.h"
#include "plan/topology.h"

/* What a command takes after its options: file names, or these words. */
static const struct {
	enum cmd_id cmd;
	const char *words;        /* NULL: file names */
} operands[] = {
	{ CMD_INSPECT, NULL },
	{ CMD_CHECK, NULL },
	{ CMD_APPLIANCE, "build info clean" },
	{ CMD_COMPLETION, "bash" },
};

/* Whether the value of the option with code CODE names a file. */
static int takes_file(int code)
{
	return code == OPT_DISK || code == OPT_GOLDEN || code == OPT_JSON || code == OPT_CSV ||
	       code == OPT_SVG || code == OPT_LOGS;
}

/* The words the parser of the option with code CODE accepts, each after
 * a space. */
static void put_values(FILE *o, int code)
{
	switch (code) {
	case OPT_TOPOLOGY:
		for (const struct topo *t = topo_table; t->name; t++)
			fprintf(o, " %s%s", t->name, strcmp(t->name, "ports") ? "" : "=");
		break;
	case OPT_MACHINE:
		for (int i = PLAN_Q35; i <= PLAN_MICROVM; i++)
			fprintf(o, " %s", plan_machine_name((enum plan_machine)i));
		break;
	case OPT_FIRMWARE:
		for (int i = PLAN_FW_SEABIOS; i <= PLAN_FW_QBOOT; i++)
			fprintf(o, " %s", plan_firmware_name((enum plan_firmware)i));
		break;
	case OPT_KERNEL_FORMAT:
		for (int i = KERN_BZIMAGE; i <= KERN_PVH; i++)
			fprintf(o, " %s", kern_format_name((enum kern_format)i));
		break;
	case OPT_SHAPE:
		for (int i = PLAN_SHAPE_EXT2; i <= PLAN_SHAPE_INITRAMFS; i++)
			fprintf(o, " %s", plan_shape_name((enum plan_shape)i));
		break;
	case OPT_FORMAT:
		for (int i = -1; i <= DISK_QCOW2; i++)
			fprintf(o, " %s", i < 0 ? "auto" : disk_format_name((enum disk_format)i));
		break;
	case OPT_TUNING:
		fprintf(o, " %s %s", cmd_off_on[0], cmd_off_on[1]);
		break;
	case OPT_BACKEND:
	case OPT_BACKENDS:
		for (int i = 0; i < BACKEND_NKINDS; i++)
			fprintf(o, " %s", backend_name((enum backend_kind)i));
		break;
	case OPT_ACCEL:
		for (int i = 0; i < ACC_NMODES; i++)
			fprintf(o, " %s", acc_mode_name((enum acc_mode)i));
		break;
	case OPT_PEER:
		fprintf(o, " %s", CMD_PEER_LIBGUESTFS);
		break;
	}
}

/* One case arm of the script: how to complete the value of each option
 * of OPTS that takes one, then the options themselves and the operands. */
static void put_command(FILE *o, const struct cmd *c)
{
	const char *name = c ? c->name : NULL;
	const struct cmd_opt *opts[CMD_MAX_OPTS];
	size_t n = cmd_opts_of(c, opts, CMD_MAX_OPTS);
	const char *words = "";
	int files = 0;

	fprintf(o, "\t%s)\n\t\tcase $prev in\n", name ? name : "\"\"");
	for (size_t i = 0; i < n; i++) {
		const struct cmd_opt *p = opts[i];

		if (!p->value)
			continue;
		fprintf(o, "\t\t--%s%s)\n", p->name, p->code == OPT_CONNECT ? "|-c" : "");
		if (takes_file(p->code)) {
			fprintf(o, "\t\t\tCOMPREPLY=($(compgen -f -- \"$cur\")); return 0 ;;\n");
			continue;
		}
		fprintf(o, "\t\t\tCOMPREPLY=($(compgen -W \"");
		put_values(o, p->code);
		fprintf(o, "\" -- \"$cur\")); return 0 ;;\n");
	}
	fprintf(o, "\t\tesac\n\t\topts=\"-c -v -q -h");
	for (size_t i = 0; i < n; i++)
		fprintf(o, " --%s", opts[i]->name);
	fprintf(o, "\"\n");
	if (!name) {
		words = NULL;
		fprintf(o, "\t\twords=\"");
		for (const struct cmd *c = cmd_table; c->name; c++)
			fprintf(o, "%s%s", c == cmd_table ? "" : " ", c->name);
		fprintf(o, "\"\n");
	}
	for (size_t i = 0; c && i < sizeof operands / sizeof *operands; i++)
		if (c->id == operands[i].cmd) {
			words = operands[i].words;
			files = !words;
		}
	if (files)
		fprintf(o, "\t\tfiles=1\n");
	else if (words && *words)
		fprintf(o, "\t\twords=\"%s\"\n", words);
	fprintf(o, "\t\t;;\n");
}

static void put_script(FILE *o)
{
	fprintf(o, "# bash completion for leanboot(1), written by \"leanboot completion bash\"\n"
		   "# from the program's own command and option tables.\n"
		   "_leanboot()\n{\n"
		   "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
		   "\tlocal cmd= opts= words= files= i\n"
		   "\tCOMPREPLY=()\n"
		   "\t# --opt=value: bash splits the word at '='.\n"
		   "\tif [[ $cur == = ]]; then cur=; elif [[ $prev == = ]]; then prev=${COMP_WORDS[COMP_CWORD-2]}; fi\n"
		   "\t# The command is the first operand; the options before it that\n"
		   "\t# take a value take the next word.\n"
		   "\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
		   "\t\tcase ${COMP_WORDS[i]} in\n"
		   "\t\t-c");
	for (const struct cmd_opt *p = cmd_global_opts; p->name; p++)
		if (p->value)
			fprintf(o, "|--%s", p->name);
	fprintf(o, ") ((i++)) ;;\n"
		   "\t\t-*) ;;\n"
		   "\t\t*) cmd=${COMP_WORDS[i]}; break ;;\n"
		   "\t\tesac\n"
		   "\tdone\n"
		   "\t# After \"--\" come the words of run's command, not leanboot's.\n"
		   "\tfor ((i++; i < COMP_CWORD; i++)); do [[ ${COMP_WORDS[i]} == -- ]] && return 0; done\n"
		   "\tcase $cmd in\n");
	put_command(o, NULL);
	for (const struct cmd *c = cmd_table; c->name; c++)
		put_command(o, c);
	fprintf(o, "\t*) return 0 ;;\n"
		   "\tesac\n"
		   "\tif [[ $cur == -* ]]; then\n"
		   "\t\tCOMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
		   "\telif [[ -n $files ]]; then\n"
		   "\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n"
		   "\telse\n"
		   "\t\tCOMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
		   "\tfi\n"
		   "}\n"
		   "complete -o filenames -F _leanboot leanboot\n");
}

int cmd_completion(int argc, char **argv)
{
	int r = cmd_parse(CMD_COMPLETION, argc, argv, NULL, NULL);

	if (r)
		return r > 0 ? 0 : LB_EXIT_USAGE;
	if (optind + 1 != argc)
		return err_usage("completion: give the shell: bash");
	if (strcmp(argv[optind], "bash"))
		return err_usage("completion: '%s' is not a shell leanboot completes (bash)", argv[optind]);
	put_script(stdout);
	return fflush(stdout) == 0 ? 0 : LB_EXIT_VM;
}
