/* leanboot completion bash: a bash completion script written from the
 * tables the program itself reads: the command table, each command's
 * getopt_long options, and the names each option's parser accepts.  A new
 * option or topology reaches the completion the day it reaches the
 * parser, so the two cannot drift apart. */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "common/err.h"
#include "common/names.h"
#include "plan/topology.h"

/* The shells there is a script for. */
static const struct names shells[] = { { "bash", 0, 0 }, { NULL, 0, 0 } };

/* What a command takes after its options: file names, or these words. */
static const struct {
	enum cmd_id cmd;
	const struct names *words;   /* NULL: file names */
} operands[] = {
	{ CMD_INSPECT, NULL },
	{ CMD_CHECK, NULL },
	{ CMD_APPLIANCE, cmd_appliance_verbs },
	{ CMD_COMPLETION, shells },
};

/* Whether the value of the option with code CODE names a file. */
static int takes_file(int code)
{
	return code == OPT_DISK || code == OPT_GOLDEN || code == OPT_JSON || code == OPT_CSV ||
	       code == OPT_SVG || code == OPT_LOGS;
}

/* The words the parser of option P accepts, each after a space: its
 * names, or the topologies (ports= waits for its number). */
static void put_values(FILE *o, const struct cmd_opt *p)
{
	if (p->code == OPT_TOPOLOGY)
		for (const struct topo *t = topo_table; t->name; t++)
			fprintf(o, " %s%s", t->name, strcmp(t->name, "ports") ? "" : "=");
	for (const struct names *n = p->names; n && n->name; n++)
		fprintf(o, " %s", n->name);
}

/* One case arm of the script: how to complete the value of each option
 * of OPTS that takes one, then the options themselves and the operands. */
static void put_command(FILE *o, const struct cmd *c)
{
	const char *name = c ? c->name : NULL;
	const struct cmd_opt *opts[CMD_MAX_OPTS];
	size_t n = cmd_opts_of(c, opts, CMD_MAX_OPTS);
	const struct names *words = NULL;
	int files = 0;

	fprintf(o, "\t%s)\n\t\tcase $prev in\n", name ? name : "\"\"");
	for (size_t i = 0; i < n; i++) {
		const struct cmd_opt *p = opts[i];

		if (!CMD_OPT_TAKES_VALUE(p))
			continue;
		fprintf(o, "\t\t--%s%s)\n", p->name, p->code == OPT_CONNECT ? "|-c" : "");
		if (takes_file(p->code)) {
			fprintf(o, "\t\t\tCOMPREPLY=($(compgen -f -- \"$cur\")); return 0 ;;\n");
			continue;
		}
		fprintf(o, "\t\t\tCOMPREPLY=($(compgen -W \"");
		put_values(o, p);
		fprintf(o, "\" -- \"$cur\")); return 0 ;;\n");
	}
	fprintf(o, "\t\tesac\n\t\topts=\"-c -v -q -h");
	for (size_t i = 0; i < n; i++)
		fprintf(o, " --%s", opts[i]->name);
	fprintf(o, "\"\n");
	if (!name) {
		fprintf(o, "\t\twords=\"");
		for (const struct cmd *c = cmd_commands(); c->name; c++)
			fprintf(o, "%s%s", c == cmd_commands() ? "" : " ", c->name);
		fprintf(o, "\"\n");
	}
	for (size_t i = 0; c && i < sizeof operands / sizeof *operands; i++)
		if (c->id == operands[i].cmd) {
			words = operands[i].words;
			files = !words;
		}
	if (files)
		fprintf(o, "\t\tfiles=1\n");
	else if (words) {
		char list[128];

		fprintf(o, "\t\twords=\"%s\"\n", names_join(words, " ", " ", 0, list, sizeof list));
	}
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
		if (CMD_OPT_TAKES_VALUE(p))
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
	for (const struct cmd *c = cmd_commands(); c->name; c++)
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
	char list[64];

	if (r)
		return r > 0 ? 0 : LB_EXIT_USAGE;
	if (optind + 1 != argc)
		return err_usage("completion: give the shell: %s", names_join(shells, ", ", " or ", 0, list,
									       sizeof list));
	if (!names_find(shells, argv[optind]))
		return err_usage("completion: '%s' is not a shell leanboot completes (%s)", argv[optind],
				 names_join(shells, ", ", " or ", 0, list, sizeof list));
	put_script(stdout);
	return fflush(stdout) == 0 ? 0 : LB_EXIT_VM;
}
