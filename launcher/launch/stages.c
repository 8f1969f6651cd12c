/* stages: see stages.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "launch/stages.h"
#include "common/util.h"

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
	[STAGES_S_CONNECT] = { "connect", STAGES_M_PLANNED, STAGES_M_CONNECTED, -1 },
	[STAGES_S_RENDER] = { "render", STAGES_M_PLANNED, STAGES_M_RENDERED, STAGES_M_CONNECTED },
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

double stages_span_of(const double *at, const double *v, enum stages_span_id s, int origin)
{
	const struct stages_span *sp = &stages_spans[s];
	int from = sp->after >= 0 && at[sp->after] > 0 ? sp->after : sp->from;
	double d;

	if (!(at[sp->to] > 0) || (from >= 0 && !(at[from] > 0)))
		return NAN;
	if (from < 0)
		return origin ? v[sp->to] : NAN;
	d = v[sp->to] - v[from];
	return d >= 0 ? d : NAN;
}

/* Whether NAME is one of CALLS (NULL-ended): the initcalls that
 * enumerate PCI on the guest's machine (plan/machine.c says which, and
 * why). */
static int stages_is_pci(const char *const *calls, const char *name)
{
	for (size_t i = 0; calls && calls[i]; i++)
		if (!strcmp(calls[i], name))
			return 1;
	return 0;
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
			 const char *const *pci, struct stages_guest *g)
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
		if (us < 0 || us > 3600e6 || !stages_is_pci(pci, name))
			return;
		g->pci_usecs += (long)(us + 0.5);
		if (g->ncalls < STAGES_MAX_CALLS) {
			snprintf(g->calls[g->ncalls].name, sizeof g->calls[0].name, "%s", name);
			g->calls[g->ncalls].own_usecs = -1;
			g->calls[g->ncalls++].usecs = (long)(us + 0.5);
		} else {
			g->calls_truncated = 1;
		}
		return;
	}
}

/* --- the event trace ---------------------------------------------------- */

/* The boot thread's time, followed through the trace: PID 1 on or off
 * the CPU, and in which enumeration initcall. */
struct ftrace {
	int on;                       /* the "# tracer:" header was seen */
	int done;                     /* /init's exec was seen */
	double boot_cpu;              /* PID 0's first switch away; -1: not yet */
	int running;                  /* PID 1 is on a CPU */
	double since;                 /* ... since then */
	double own;                   /* PID 1's time, up to SINCE */
	const char *const *pci;       /* the enumeration initcalls */
	char call[STAGES_NAME_MAX];   /* the enumeration initcall running, or "" */
	double call_since, call_own;
	double pci_own;
	size_t ncalls;
	struct stages_call calls[STAGES_MAX_CALLS];
};

/* "TASK-PID [CPU] FLAGS SECONDS: EVENT: ARGS" (FLAGS absent with the
 * irq-info option off): the PID, the time and where EVENT starts. */
static int ftrace_fields(const char *line, long *pid, double *t, const char **event)
{
	const char *open = strstr(line, " ["), *close, *p;
	int off = 0;

	if (!open || !(close = strchr(open, ']')))
		return -1;
	for (p = open; p > line && p[-1] == ' '; p--)
		;
	while (p > line && p[-1] >= '0' && p[-1] <= '9')
		p--;
	if (p == line || p[-1] != '-' || sscanf(p, "%ld", pid) != 1)
		return -1;
	if (sscanf(close + 1, " %lf: %n", t, &off) != 1 || off == 0) {
		off = 0;
		if (sscanf(close + 1, " %*s %lf: %n", t, &off) != 1 || off == 0)
			return -1;
	}
	if (*t < 0 || *t > 3600)
		return -1;
	*event = close + 1 + off;
	return 0;
}

static long field_pid(const char *args, const char *key)
{
	const char *p = strstr(args, key);

	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

static void ftrace_off_cpu(struct ftrace *f, double t)
{
	if (!f->running)
		return;
	f->own += t - f->since;
	if (f->call[0])
		f->call_own += t - f->call_since;
	f->running = 0;
}

static void ftrace_line(struct ftrace *f, const char *line)
{
	char name[STAGES_NAME_MAX];
	const char *ev, *to;
	long pid;
	double t;

	if (f->done || ftrace_fields(line, &pid, &t, &ev) < 0)
		return;
	if (!strncmp(ev, "sched_switch: ", 14)) {
		/* The next task's fields follow "==>"; the previous one's
		 * come before it. */
		if (!(to = strstr(ev, " ==> ")))
			return;
		if (f->boot_cpu < 0 && field_pid(ev, " prev_pid=") == 0)
			f->boot_cpu = t;
		if (field_pid(ev, " prev_pid=") == 1)
			ftrace_off_cpu(f, t);
		if (field_pid(to, " next_pid=") == 1 && !f->running) {
			f->running = 1;
			f->since = f->call_since = t;
		}
	} else if (pid == 1 && !strncmp(ev, "initcall_start: func=", 21)) {
		if (initcall_name(ev + 21, name) == 0 && stages_is_pci(f->pci, name) && f->running) {
			snprintf(f->call, sizeof f->call, "%s", name);
			f->call_since = t;
			f->call_own = 0;
		}
	} else if (pid == 1 && !strncmp(ev, "initcall_finish: func=", 22)) {
		if (!f->call[0] || initcall_name(ev + 22, name) < 0 || strcmp(name, f->call) || !f->running)
			return;
		f->call_own += t - f->call_since;
		f->pci_own += f->call_own;
		if (f->ncalls < STAGES_MAX_CALLS) {
			snprintf(f->calls[f->ncalls].name, sizeof f->calls[0].name, "%s", name);
			f->calls[f->ncalls++].own_usecs = (long)(f->call_own * 1e6 + 0.5);
		}
		f->call[0] = '\0';
	} else if (pid == 1 && !strncmp(ev, "sched_process_exec: filename=/init ", 35)) {
		ftrace_off_cpu(f, t);
		f->done = f->boot_cpu >= 0;
	}
}

/* The trace's figures into G, each initcall's own time beside its span
 * (matched by name, in order). */
static void ftrace_result(const struct ftrace *f, struct stages_guest *g)
{
	if (!f->done)
		return;
	g->pci_own_usecs = (long)(f->pci_own * 1e6 + 0.5);
	g->init_own = f->boot_cpu + f->own;
	for (size_t i = 0; i < f->ncalls; i++)
		for (size_t k = 0; k < g->ncalls; k++)
			if (g->calls[k].own_usecs < 0 && !strcmp(g->calls[k].name, f->calls[i].name)) {
				g->calls[k].own_usecs = f->calls[i].own_usecs;
				break;
			}
}

void stages_parse_dmesg(const char *text, const char *const *pci, struct stages_guest *g)
{
	struct pending pend[MAX_PENDING];
	size_t npend = 0;
	struct ftrace ft = { .boot_cpu = -1, .pci = pci };

	memset(g, 0, sizeof *g);
	g->init_start = -1;
	g->pci_own_usecs = -1;
	g->init_own = -1;
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
		if (!strncmp(buf, "# tracer:", 9))
			ft.on = 1;
		else if (ft.on)
			ftrace_line(&ft, buf);
		else if (sscanf(buf, "[%lf]%n", &t, &off) == 1 && off > 0 && t >= 0) {
			const char *msg = buf + off + strspn(buf + off, " ");

			if (g->init_start < 0 && !strncmp(msg, "Run /init as init process", 25))
				g->init_start = t;
			else if (!strncmp(msg, "calling ", 8))
				initcall_begin(msg + 8, t, pend, &npend);
			else if (!strncmp(msg, "initcall ", 9))
				initcall_end(msg + 9, t, pend, &npend, pci, g);
		}
		line = next ? next + 1 : NULL;
	}
	ftrace_result(&ft, g);
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
