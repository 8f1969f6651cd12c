/* qmp: a small synchronous client of QEMU's machine protocol, for the
 * direct backend's templates and clones (launch.h).  QEMU connects its
 * monitor to a socket of ours (-chardev socket,path=... -mon
 * mode=control), as it connects the channel, so there is no waiting for
 * a socket to appear.  Every call has a deadline: a QEMU that stops
 * answering fails the call, never hangs the launch.  Messages are
 * untrusted input, parsed by json-c and bounded in size. */
#ifndef LB_QMP_H
#define LB_QMP_H

#include <json-c/json.h>

#define QMP_LINE_MAX (64u << 10)  /* bytes of one message from QEMU */

struct qmp;

/* Take the connected socket FD (owned from here on), read QEMU's
 * greeting and leave capabilities negotiation.  ON_EVENT, when not NULL,
 * sees every event as it arrives (its name and data, which may be NULL).
 * Returns NULL after err_set(). */
struct qmp *qmp_open(int fd, double deadline,
		     void (*on_event)(void *ctx, const char *name, json_object *data), void *ctx);
/* Run CMD with ARGS (taken; may be NULL) and wait for its answer until
 * DEADLINE (util_now()'s clock).  Returns 0, or -1 after err_set() with
 * QEMU's own description of the error. */
int qmp_call(struct qmp *q, const char *cmd, json_object *args, double deadline);
/* The same, with FD passed along (SCM_RIGHTS): QEMU's getfd and add-fd
 * take descriptors so. */
int qmp_call_fd(struct qmp *q, const char *cmd, json_object *args, int fd, double deadline);
/* Read events until DONE(CTX) holds, or DEADLINE.  Returns 0, or -1
 * after err_set(). */
int qmp_wait(struct qmp *q, int (*done)(void *ctx), void *ctx, double deadline);
void qmp_close(struct qmp *q);

#endif
