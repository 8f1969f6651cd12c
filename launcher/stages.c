/* stages: see stages.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "stages.h"

static const char *const stage_names[] = {
	[STAGES_START] = "start", [STAGES_FIRMWARE] = "firmware", [STAGES_KERNEL] = "kernel",
	[STAGES_INIT] = "init", [STAGES_COMMAND] = "command", [STAGES_SHUTDOWN] = "shutdown",
};

const char *stages_stage_name(enum stages_stage s)
{
	return stage_names[s];
}

const struct stages_span stages_spans[STAGES_NSPANS] = {
	[STAGES_S_PLAN] = { "plan", -1, STAGES_M_PLANNED },
	[STAGES_S_RENDER] = { "render", STAGES_M_PLANNED, STAGES_M_RENDERED },
	[STAGES_S_CREATE] = { "create", STAGES_M_RENDERED, STAGES_M_CREATED },
	[STAGES_S_START] = { "start", STAGES_M_CREATED, STAGES_M_RUNNING },
	[STAGES_S_FIRMWARE] = { "firmware", STAGES_M_RUNNING, STAGES_M_KERNEL },
	[STAGES_S_BOOT] = { "kernel+init", STAGES_M_KERNEL, STAGES_M_READY },
	[STAGES_S_COMMAND] = { "command", STAGES_M_READY, STAGES_M_EXITED },
	[STAGES_S_POWEROFF] = { "poweroff", STAGES_M_EXITED, STAGES_M_STOPPED },
	[STAGES_S_TEARDOWN] = { "teardown", STAGES_M_STOPPED, STAGES_M_TORN_DOWN },
};

int stages_is_pci(const char *name)
{
	return strcasestr(name, "pci") != NULL;
}

/* "initcall NAME+0x0/0x1e returned 0 after 123 usecs", with " [module]"
 * before "returned" for a module's init. */
static void parse_initcall(const char *msg, struct stages_guest *g)
{
	char name[sizeof g->calls[0].name];
	const char *ret = strstr(msg, " returned ");
	long usecs;
	int rv;

	if (!ret || sscanf(msg, "initcall %47[^+ ]", name) != 1 ||
	    sscanf(ret, " returned %d after %ld usecs", &rv, &usecs) != 2)
		return;
	if (usecs < 0 || usecs > 3600L * 1000000 || !stages_is_pci(name))
		return;
	g->pci_usecs += usecs;
	if (g->ncalls < STAGES_MAX_CALLS) {
		snprintf(g->calls[g->ncalls].name, sizeof g->calls[0].name, "%s", name);
		g->calls[g->ncalls++].usecs = usecs;
	} else {
		g->calls_truncated = 1;
	}
}

void stages_parse_dmesg(const char *text, struct stages_guest *g)
{
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
		if (sscanf(buf, "[%lf]%n", &t, &off) == 1 && off > 0) {
			const char *msg = buf + off + strspn(buf + off, " ");

			if (g->init_start < 0 && !strncmp(msg, "Run /init as init process", 25))
				g->init_start = t;
			else if (!strncmp(msg, "initcall ", 9))
				parse_initcall(msg, g);
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
