/* stages: what a boot's own records say about it.  The guest's kernel log
 * (dmesg, with initcall_debug) gives init's start and the time spent in
 * PCI initcalls; QEMU's pci_cfg_* trace (with -msg timestamp=on) gives the
 * config-space accesses, split at the kernel's banner. */
#ifndef LB_STAGES_H
#define LB_STAGES_H

#include <stddef.h>

#define STG_MAX_CALLS 32

struct stg_call {
	char name[48];
	long usecs;
};

struct stg_guest {
	double init_start;            /* printk time of "Run /init", -1 if absent */
	long pci_usecs;               /* sum over PCI initcalls */
	size_t ncalls;
	struct stg_call calls[STG_MAX_CALLS];   /* PCI initcalls, as they ran */
	int calls_truncated;
};

struct stg_cfg {
	long reads, writes;
	long firmware, kernel;        /* split at the banner; -1 when unknown */
};

/* Parse dmesg output ("[ SECONDS] text" lines).  Lines that do not parse
 * are skipped: this is guest output, read for figures only. */
void stg_parse_dmesg(const char *text, struct stg_guest *g);
/* Count a trace file; BANNER is the realtime (epoch seconds) of the
 * kernel's banner, or 0 for no split. */
int stg_count_trace(const char *path, double banner, struct stg_cfg *c);
/* Whether an initcall is PCI work: its name has "pci" in it. */
int stg_is_pci(const char *name);

#endif
