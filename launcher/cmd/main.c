/* leanboot: throwaway appliance VMs with strictly minimal PCI topology.
 * The global options, then the command's name, then its handler. */
#include <stdio.h>

#include "cmd/cmd.h"
#include "common/err.h"

/* By the ids of cmd_table (cmd.c), which describes each command. */
static int (*const handlers[CMD_COUNT])(int argc, char **argv) = {
	[CMD_XML] = cmd_xml, [CMD_RUN] = cmd_run, [CMD_INSPECT] = cmd_inspect,
	[CMD_CHECK] = cmd_check, [CMD_BENCH] = cmd_bench, [CMD_APPLIANCE] = cmd_appliance,
	[CMD_COMPLETION] = cmd_completion,
};

int main(int argc, char **argv)
{
	const struct cmd *c;
	int i = cmd_parse_global(argc, argv);

	if (i <= 0)
		return i < 0 ? LB_EXIT_USAGE : 0;
	if (i == argc && argc == 1) {
		cmd_usage(NULL);
		return LB_EXIT_USAGE;
	}
	if (i == argc)
		return err_usage("give a command after the options (see leanboot --help)");
	if (!(c = cmd_find(argv[i])))
		return err_usage("unknown command '%s' (see leanboot --help)", argv[i]);
	return handlers[c->id](argc - i, argv + i);
}
