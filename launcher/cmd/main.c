/* leanboot: throwaway appliance VMs with strictly minimal PCI topology.
 * The global options, then the command's name, then its handler: all
 * three from the command table (table.c). */
#include <stdio.h>

#include "cmd/cmd.h"
#include "common/err.h"

int main(int argc, char **argv)
{
	const struct cmd *c;
	int i = cmd_parse_global(cmd_table, argc, argv);

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
	return c->run(argc - i, argv + i);
}
