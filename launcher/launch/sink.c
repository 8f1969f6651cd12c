/* sink: see sink.h.  These only record what they are told in the launch
 * (and send the job, or save the template, at ready); the loop in one.c
 * reads the record to know when to stop, and verdict.c what it means. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/err.h"
#include "launch/peak.h"
#include "launch/sink.h"
#include "launch/state.h"

/* A connection lost stays lost for the rest of this launch_run(): a
 * launch after it (a cold boot when a template could not be made)
 * would fail the same way. */
static int sink_connection_lost;

/* Bounded by the caller's limit, or LAUNCH_CAPTURE_MAX. */
static void sink_capture_add(struct launch_capture *c, const void *data, size_t len)
{
	size_t limit = c->limit ? c->limit : LAUNCH_CAPTURE_MAX;

	if (c->overflow || c->len + len > limit) {
		c->overflow = 1;
		return;
	}
	if (c->len + len + 1 > c->cap) {
		size_t cap = (c->len + len + 1) * 2;
		char *b = realloc(c->buf, cap);

		if (!b) {
			c->overflow = 1;
			return;
		}
		c->buf = b;
		c->cap = cap;
	}
	memcpy(c->buf + c->len, data, len);
	c->len += len;
	c->buf[c->len] = '\0';
}

void sink_console_line(void *ctx, const char *line)
{
	struct launch *l = ctx;
	const char *p;

	if (l->stage < STAGES_INIT && !strncmp(line, WIRE_INIT_PREFIX, strlen(WIRE_INIT_PREFIX))) {
		l->stage = STAGES_INIT;
		state_mark(l, STAGES_M_INIT);
	}
	if (!l->t.at[STAGES_M_KERNEL] && strstr(line, "Linux version ")) {
		struct timespec ts;

		state_mark(l, STAGES_M_KERNEL);
		clock_gettime(CLOCK_REALTIME, &ts);
		l->t.banner_epoch = ts.tv_sec + ts.tv_nsec / 1e9;
		util_checkpoint("kernel");
	}
	/* The panic's own line names the cause; the register dump and the
	 * "Rebooting" that follow would push it out of the tail. */
	if (!l->panic[0] && (p = strstr(line, "Kernel panic - ")))
		snprintf(l->panic, sizeof l->panic, "%s", p);
	if (l->o->verbose)
		fprintf(stderr, "console: %s\n", line);
}

void sink_send_job(struct launch *l)
{
	l->stage = STAGES_COMMAND;
	state_mark(l, STAGES_M_READY);
	util_checkpoint("ready");
	if (l->chan && chan_send_job(l->chan, l->job, l->job_len) < 0)
		snprintf(l->job_error, sizeof l->job_error, "%s", err_msg());
}

static void sink_save_template(struct launch *l)
{
	state_mark(l, STAGES_M_READY);
	util_checkpoint("ready");
	if (l->b->save(l->vm, l->end) < 0)
		snprintf(l->save_error, sizeof l->save_error, "%s", err_msg());
	else
		l->saved = 1;
}

void sink_frame(void *ctx, char type, const uint8_t *data, size_t len)
{
	struct launch *l = ctx;
	char num[16];
	long status;

	switch (type) {
	case WIRE_READY:
		if (l->stage < STAGES_COMMAND) {
			char up[32];

			if (len < sizeof up) {
				memcpy(up, data, len);
				up[len] = '\0';
				l->t.guest_ready = strtod(up, NULL);
			}
			/* The init now waits for its job on the channel; a
			 * template is saved as it waits. */
			if (l->start == PLAN_START_TEMPLATE)
				sink_save_template(l);
			else
				sink_send_job(l);
		}
		break;
	case WIRE_STDOUT:
	case WIRE_STDERR: {
		/* Output the caller keeps; the channel writes the rest to our
		 * stdout and stderr itself.  Here otherwise only the kernel log
		 * of a VM with no channel, which nobody asked to see. */
		struct launch_capture *c = type == WIRE_STDOUT ? l->o->capture : l->o->capture_err;

		if (c)
			sink_capture_add(c, data, len);
		break;
	}
	case WIRE_EXIT:
		if (l->got_exit || len == 0 || len >= sizeof num)
			break;
		memcpy(num, data, len);
		num[len] = '\0';
		if (util_parse_long(num, 0, 255, &status) == 0) {
			l->exit_status = (int)status;
			l->got_exit = 1;
			state_mark(l, STAGES_M_EXITED);
			/* QEMU's, read when the command has exited and QEMU
			 * is still there. */
			l->t.qemu_peak_kib = peak_pid_kib(l->b->qemu_pid(l->vm));
			l->stage = STAGES_SHUTDOWN;
		}
		break;
	case WIRE_FAIL:
		if (!l->guest_error[0]) {
			size_t n = len < sizeof l->guest_error - 1 ? len : sizeof l->guest_error - 1;

			memcpy(l->guest_error, data, n);
			for (size_t i = 0; i < n; i++)
				if ((unsigned char)l->guest_error[i] < 0x20)
					l->guest_error[i] = '?';
		}
		break;
	}
}

void sink_input(void *ctx, const void *buf, size_t n)
{
	struct launch *l = ctx;

	if (!n)
		return;
	if (!l->t.at[STAGES_M_FIRST_BYTE]) {
		state_mark(l, STAGES_M_FIRST_BYTE);
		if (l->stage < STAGES_KERNEL)
			l->stage = STAGES_KERNEL;
	}
	proto_feed(&l->proto, buf, n);
}

void sink_step(void *ctx, enum backend_step step)
{
	static const enum stages_mark marks[] = {
		[BACKEND_CONNECTED] = STAGES_M_CONNECTED,
		[BACKEND_RENDERED] = STAGES_M_RENDERED, [BACKEND_CREATED] = STAGES_M_CREATED,
		[BACKEND_RESTORED] = STAGES_M_RESTORED, [BACKEND_ATTACHED] = STAGES_M_ATTACHED,
		[BACKEND_RUNNING] = STAGES_M_RUNNING,
	};
	struct launch *l = ctx;

	state_mark(l, marks[step]);
	if (step != BACKEND_CREATED)
		return;
	/* The watchdog knows QEMU from here on, a clone's restore included. */
	watchdog_qemu(&l->wd, l->b->qemu_pid(l->vm));
	if (l->start == PLAN_START_CLONE)
		util_checkpoint("restore");
}

void sink_gone(void *ctx)
{
	struct launch *l = ctx;

	if (!l->done) {
		l->done = 1;
		state_mark(l, STAGES_M_STOPPED);
	}
}

void sink_qemu(void *ctx, pid_t pid)
{
	struct launch *l = ctx;

	watchdog_qemu(&l->wd, pid);
}

void sink_lost(void *ctx)
{
	struct launch *l = ctx;

	l->conn_lost = 1;
	sink_connection_lost = 1;
}

int sink_was_lost(void)
{
	return sink_connection_lost;
}

void sink_forget_lost(void)
{
	sink_connection_lost = 0;
}
