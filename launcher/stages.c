/* stages: see stages.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "stages.h"
#include "util.h"

static const char *const stage_names[] = {
	[STAGES_START] = "start", [STAGES_RESTORE] = "restore", [STAGES_FIRMWARE] = "firmware", [STAGES_KERNEL] = "kernel",
	[STAGES_INIT] = "init", [STAGES_COMMAND] = "command", [STAGES_SHUTDOWN] = "shutdown",
};

const char *stages_stage_name(enum stages_stage s)
{
	return stage_names[s];
}

const struct stages_span stages_spans[STAGES_NSPANS] = {
	[STAGES_S_PLAN] = { "plan", -1, STAGES_M_PLANNED, -1 },
	[STAGES_S_RENDER] = { "render", STAGES_M_PLANNED, STAGES_M_RENDERED, -1 },
	/* A cold start: the domain created (QEMU up) and set running.  A
	 * warm one: QEMU up, the template restored, the disks added, and
	 * the guest set running. */
	[STAGES_S_CREATE] = { "create", STAGES_M_RENDERED, STAGES_M_CREATED, -1 },
	[STAGES_S_RESTORE] = { "restore", STAGES_M_CREATED, STAGES_M_RESTORED, -1 },
	[STAGES_S_ATTACH] = { "attach", STAGES_M_RESTORED, STAGES_M_ATTACHED, -1 },
	[STAGES_S_START] = { "start", STAGES_M_CREATED, STAGES_M_RUNNING, STAGES_M_ATTACHED },
	[STAGES_S_FIRMWARE] = { "firmware", STAGES_M_RUNNING, STAGES_M_KERNEL, -1 },
	[STAGES_S_BOOT] = { "kernel+init", STAGES_M_KERNEL, STAGES_M_READY, -1 },
	/* A clone is ready as it runs, so its command starts at its start. */
	[STAGES_S_COMMAND] = { "command", STAGES_M_READY, STAGES_M_EXITED, -1 },
	[STAGES_S_POWEROFF] = { "poweroff", STAGES_M_EXITED, STAGES_M_STOPPED, -1 },
	[STAGES_S_TEARDOWN] = { "teardown", STAGES_M_STOPPED, STAGES_M_TORN_DOWN, -1 },
};

/* PCI enumeration, chosen by measurement: the initcalls whose time on
 * the printk clock grew with the root-port count in a sweep of ports=0,
 * 4, 8 and 16 (3 runs each, TCG, qboot; medians in ms).  The root-bus
 * scan runs inside acpi_init, the port driver probes each port, and the
 * bridge windows are sized and assigned in pcibios_assign_resources.
 * Initcalls named *pci* that stayed flat (virtio_pci_driver_init, 27 ms
 * whatever N; pci_arch_init, 4 ms) are left out: they do not scale with
 * the topology.  leanboot(1) and bench/README.md state the definition. */
static const char *const enumeration[] = {
	"acpi_init",                  /* 117 -> 142 -> 158 -> 181 */
	"pcie_portdrv_init",          /* 0.8 -> 52 -> 85 -> 137 */
	"pcibios_assign_resources",   /* 3.1 -> 13 -> 24 -> 36 */
	"pci_subsys_init",            /* 3.9 -> 3.5 -> 7.7 -> 8.5 */
	"pci_sysfs_init",             /* 0.42 -> 0.58 -> 0.52 -> 0.72 */
	"pci_apply_final_quirks",     /* 0.21 -> 0.40 -> 0.32 -> 0.41 */
};

int stages_is_pci(const char *name)
{
	return UTIL_NAME_INDEX(name, enumeration) >= 0;
}

/* An initcall's name: NAME in "NAME+0x0/0x1e ...", at most OUT's size. */
static int initcall_name(const char *s, char out[STAGES_NAME_MAX])
{
	size_t n = strcspn(s, "+ ");

	if (n == 0 || n >= STAGES_NAME_MAX || s[n] != '+')
		return -1;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

/* Initcalls begun and not yet returned; a module's may interleave with
 * another's, so they are matched by name. */
struct pending {
	char name[STAGES_NAME_MAX];
	double t;
};
#define MAX_PENDING 16

/* "calling  NAME+0x0/0x1e @ 1" at printk time T. */
static void initcall_begin(const char *args, double t, struct pending *p, size_t *np)
{
	char name[STAGES_NAME_MAX];

	if (initcall_name(args + strspn(args, " "), name) < 0)
		return;
	if (*np == MAX_PENDING)
		memmove(p, p + 1, (MAX_PENDING - 1) * sizeof *p);
	else
		(*np)++;
	snprintf(p[*np - 1].name, sizeof p->name, "%s", name);
	p[*np - 1].t = t;
}

/* "initcall NAME+0x0/0x1e returned 0 after 123 usecs" (" [module]"
 * before "returned" for a module's) at printk time T.  The duration is
 * T less its "calling" line's: both are local_clock(), fine-grained from
 * the first instruction, where "after N usecs" is ktime, which keeps
 * jiffies (4 ms steps) until clocksource_done_booting. */
static void initcall_end(const char *args, double t, struct pending *p, size_t *np,
			 struct stages_guest *g)
{
	char name[STAGES_NAME_MAX];
	double us;

	if (initcall_name(args, name) < 0 || !strstr(args, " returned "))
		return;
	for (size_t i = *np; i-- > 0;) {
		if (strcmp(p[i].name, name))
			continue;
		us = (t - p[i].t) * 1e6;
		memmove(p + i, p + i + 1, (*np - i - 1) * sizeof *p);
		(*np)--;
		if (us < 0 || us > 3600e6 || !stages_is_pci(name))
			return;
		g->pci_usecs += (long)(us + 0.5);
		if (g->ncalls < STAGES_MAX_CALLS) {
			snprintf(g->calls[g->ncalls].name, sizeof g->calls[0].name, "%s", name);
			g->calls[g->ncalls++].usecs = (long)(us + 0.5);
		} else {
			g->calls_truncated = 1;
		}
		return;
	}
}

void stages_parse_dmesg(const char *text, struct stages_guest *g)
{
	struct pending pend[MAX_PENDING];
	size_t npend = 0;

	memset(g, 0, sizeof *g);
	g->init_start = -1;
	for (const char *line = text; line && *line; ) {
		const char *next = strchr(line, '\n');
		char buf[512];
		size_t len = next ? (size_t)(next - line) : strlen(line);
		double t;
		int off = 0;

		if (len >= sizeof buf)
			len = sizeof buf - 1;
		memcpy(buf, line, len);
		buf[len] = '\0';
		if (sscanf(buf, "[%lf]%n", &t, &off) == 1 && off > 0 && t >= 0) {
			const char *msg = buf + off + strspn(buf + off, " ");

			if (g->init_start < 0 && !strncmp(msg, "Run /init as init process", 25))
				g->init_start = t;
			else if (!strncmp(msg, "calling ", 8))
				initcall_begin(msg + 8, t, pend, &npend);
			else if (!strncmp(msg, "initcall ", 9))
				initcall_end(msg + 9, t, pend, &npend, g);
		}
		line = next ? next + 1 : NULL;
	}
}

/* Lines are "PID@SECONDS.MICROS:pci_cfg_read ..." (or without the prefix
 * when QEMU was not asked for timestamps). */
int stages_count_trace(const char *path, double banner, struct stages_cfg *c)
{
	char line[512];
	FILE *f = fopen(path, "re");
	int split = banner > 0;

	memset(c, 0, sizeof *c);
	if (!f) {
		err_set(LB_EXIT_VM, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof line, f)) {
		char *colon = strchr(line, ':'), *ev = line;
		double when = 0;

		if (colon && strchr(line, '@') && strchr(line, '@') < colon) {
			when = strtod(strchr(line, '@') + 1, NULL);
			ev = colon + 1;
		} else {
			split = 0;
		}
		if (!strncmp(ev, "pci_cfg_read ", 13))
			c->reads++;
		else if (!strncmp(ev, "pci_cfg_write ", 14))
			c->writes++;
		else
			continue;
		if (when && when < banner)
			c->firmware++;
		else
			c->kernel++;
	}
	fclose(f);
	if (!split)
		c->firmware = c->kernel = -1;
	return 0;
}
