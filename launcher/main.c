/* leanboot: throwaway appliance VMs with strictly minimal PCI topology. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "err.h"

const struct cmd cmd_table[] = {
	{ "xml", cmd_xml,
	  "[--topology T] [--machine q35|pc|microvm] [--disk FILE]... [BOOT OPTIONS] [--argv]",
	  "print the domain XML (or qemu argv) of a topology" },
	{ "run", cmd_run,
	  "[--topology T] [--disk FILE[:rw]]... [--timeout S] [BOOT OPTIONS] -- COMMAND [ARG]...",
	  "run a command in a throwaway appliance VM" },
	{ "inspect", cmd_inspect, "[--json] [--format auto|raw|qcow2] [--timeout S] [--memory MiB] DISK...",
	  "report what is on disk images, attached read-only" },
	{ "check", cmd_check,
	  "(--topology T [--machine M] [--disk FILE]... | FILE.xml) [--expect SPEC] [--boot] [--json]\n"
	  "       leanboot check --golden DIR [--regen]",
	  "count controllers as written, as libvirt expands them and as the guest sees them" },
	{ "bench", cmd_bench,
	  "[--topology T[,T]...] [--backend B[,B]] [--runs N] [--warmup N] [--peer libguestfs]\n"
	  "       [--plain] [BOOT OPTION LISTS] [--append ARGS]... [--json FILE] [--csv FILE]\n"
	  "       [--svg FILE] [--logs DIR]",
	  "measure boot time by stage, topology against topology" },
	{ "appliance", cmd_appliance, "(build|info|clean)", "build, describe or remove the appliance" },
	{ NULL, NULL, NULL, NULL },
};

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		cmd_usage(NULL);
		return argc < 2 ? LB_EXIT_USAGE : 0;
	}
	if (!strcmp(argv[1], "--version")) {
		puts("leanboot " LB_VERSION);
		return 0;
	}
	for (const struct cmd *c = cmd_table; c->name; c++) {
		if (strcmp(argv[1], c->name))
			continue;
		if (!c->fn)
			return err_usage("%s: not yet available in this version", c->name);
		return c->fn(argc - 1, argv + 1);
	}
	return err_usage("unknown command '%s' (see leanboot --help)", argv[1]);
}
