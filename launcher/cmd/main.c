/* leanboot: throwaway appliance VMs with strictly minimal PCI topology.
 * The global options, then the command's name, then its handler: all
 * three from the command table (table.c). */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "common/err.h"

/* Started with a standard stream closed, the next pipe or disk would take
 * its number, and a child's dup2 onto 0-2 would then overwrite it: hold
 * each closed one open on /dev/null instead. */
static void main_std_streams(void)
{
	int fd;

	while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= 2)
		;
	if (fd > 2)
		close(fd);
}

int main(int argc, char **argv)
{
	const struct cmd *c;
	int i;

	main_std_streams();
	i = cmd_parse_global(cmd_table, argc, argv);

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
