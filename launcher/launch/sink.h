/* sink: what a launch is told, as it runs, by the console and the
 * channel (proto_sink) and by the backend (backend_sink): the stages
 * reached, the guest's ready, output, exit status and failure, and the
 * VM gone or its connection lost.  Each takes the launch (state.h) as its
 * context. */
#ifndef LB_LAUNCH_SINK_H
#define LB_LAUNCH_SINK_H

#include <stddef.h>
#include <stdint.h>

#include "backend/backend.h"

struct launch;

/* The proto_sink's: a console line, a frame. */
void sink_console_line(void *ctx, const char *line);
void sink_frame(void *ctx, char type, const uint8_t *data, size_t len);
/* The backend_sink's: console bytes, a step of the start, the VM gone,
 * the connection to what runs the VM lost. */
void sink_input(void *ctx, const void *buf, size_t n);
void sink_step(void *ctx, enum backend_step step);
void sink_gone(void *ctx);
void sink_lost(void *ctx);
/* From any thread: the watchdog learns QEMU's pid. */
void sink_qemu(void *ctx, pid_t pid);
/* The guest is ready for its job: it goes now. */
void sink_send_job(struct launch *l);
/* Whether a connection was lost since sink_forget_lost(): a launch after
 * it (a cold boot when a template could not be made) would fail the same
 * way. */
int sink_was_lost(void);
void sink_forget_lost(void);

#endif
