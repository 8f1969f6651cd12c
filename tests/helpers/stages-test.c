/* stages-test: run the stage parser on a recorded boot and print what it
 * found, one key=value a line.  usage: stages-test DMESG TRACE BANNER
 * [MACHINE] (TRACE "-": no PCI trace to count; MACHINE, default q35,
 * names the PCI enumeration's initcalls) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "launch/stages.h"
#include "plan/machine.h"

int main(int argc, char **argv)
{
	static char text[1 << 22];
	struct stages_guest g;
	struct stages_cfg c;
	double banner = 0;
	size_t n;
	FILE *f;

	int m = argc == 5 ? names_parse(machine_names, argv[4]) : PLAN_Q35;

	if ((argc != 4 && argc != 5) || m < 0)
		return 2;
	if (!(f = fopen(argv[1], "r")))
		return 2;
	n = fread(text, 1, sizeof text - 1, f);
	text[n] = '\0';
	fclose(f);
	if (!(f = fopen(argv[3], "r")) || fscanf(f, "%lf", &banner) != 1)
		return 2;
	fclose(f);
	stages_parse_dmesg(text, machine_of((enum plan_machine)m)->pci_initcalls, &g);
	if (strcmp(argv[2], "-") == 0)
		memset(&c, 0, sizeof c);
	else if (stages_count_trace(argv[2], banner, &c) < 0)
		return 2;
	printf("init_start=%.6f\npci_usecs=%ld\npci_calls=%zu\n", g.init_start, g.pci_usecs,
	       g.ncalls);
	for (size_t i = 0; i < g.ncalls; i++)
		printf("call=%s %ld own %ld\n", g.calls[i].name, g.calls[i].usecs, g.calls[i].own_usecs);
	printf("pci_own_usecs=%ld\ninit_own=%.6f\n", g.pci_own_usecs, g.init_own);
	printf("cfg_reads=%ld\ncfg_writes=%ld\ncfg_firmware=%ld\ncfg_kernel=%ld\n", c.reads, c.writes,
	       c.firmware, c.kernel);
	return 0;
}
