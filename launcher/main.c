/* leanboot: throwaway appliance VMs with strictly minimal PCI topology. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "err.h"

const struct cmd cmd_table[] = {
	{ "xml", cmd_xml, cmd_xml_opts,
	  "[--topology T] [--machine q35|pc|microvm] [--disk FILE]... [BOOT OPTIONS] [--argv]",
	  "print the domain XML (or qemu argv) of a topology" },
	{ "run", cmd_run, cmd_run_opts,
	  "[--topology T] [--disk FILE[:rw]]... [--timeout S] [BOOT OPTIONS] -- COMMAND [ARG]...",
	  "run a command in a throwaway appliance VM" },
	{ "inspect", cmd_inspect, cmd_inspect_opts,
	  "[--json] [--format auto|raw|qcow2] [--timeout S] [--memory MiB] DISK...",
	  "report what is on disk images, attached read-only" },
	{ "check", cmd_check, cmd_check_opts,
	  "(--topology T [--machine M] [--disk FILE]... | FILE.xml) [--expect SPEC] [--boot] [--json]\n"
	  "       leanboot [GLOBAL OPTIONS] check --golden DIR [--regen]",
	  "count controllers as written, as libvirt expands them and as the guest sees them" },
	{ "bench", cmd_bench, cmd_bench_opts,
	  "[--topology T[,T]...] [--backend B[,B]] [--runs N] [--warmup N] [--peer libguestfs]\n"
	  "       [--plain] [BOOT OPTION LISTS] [--append ARGS]... [--json FILE] [--csv FILE]\n"
	  "       [--svg FILE] [--logs DIR]",
	  "measure boot time by stage, topology against topology" },
	{ "appliance", cmd_appliance, cmd_appliance_opts, "(build|info|clean)",
	  "build, describe or remove the appliance" },
	{ "completion", cmd_completion, cmd_completion_opts, "bash",
	  "print a shell completion script made from these tables" },
	{ NULL, NULL, NULL, NULL, NULL },
};

int main(int argc, char **argv)
{
	int i = cmd_parse_global(argc, argv);

	if (i <= 0)
		return i < 0 ? LB_EXIT_USAGE : 0;
	if (i == argc && argc == 1) {
		cmd_usage(NULL);
		return LB_EXIT_USAGE;
	}
	if (i == argc)
		return err_usage("give a command after the options (see leanboot --help)");
	for (const struct cmd *c = cmd_table; c->name; c++) {
		if (strcmp(argv[i], c->name))
			continue;
		if (!c->fn)
			return err_usage("%s: not yet available in this version", c->name);
		return c->fn(argc - i, argv + i);
	}
	return err_usage("unknown command '%s' (see leanboot --help)", argv[i]);
}
