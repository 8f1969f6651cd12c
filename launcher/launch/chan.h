/* chan: the host's end of the channel (wire.h), on libvirt's event loop.
 *
 * A UNIX socket in the launch's run directory, which QEMU connects to
 * when it starts: the direct backend's -chardev socket, libvirt's
 * <channel type='unix'><source mode='connect'/>.  It sends the job and
 * streams our stdin to the command, and passes the command's stdout and
 * stderr on to ours, each through a bounded queue.  A full queue stops
 * the reading of the channel; QEMU then stops draining the port and the
 * guest's writes block, so a flood costs the host no memory.  Stdin is
 * read only when the last piece has gone out, for the same reason.
 */
#ifndef LB_CHAN_H
#define LB_CHAN_H

#include <stddef.h>
#include <stdint.h>

#include "launch/proto.h"

#define CHAN_OUTQ (256u << 10)    /* bytes queued for stdout, and for stderr */

struct chan_opts {
	int in_fd;                /* stdin to stream once the job is sent; -1: none */
	int out_fd, err_fd;       /* where output goes; -1: to the sink instead */
};

struct chan;

/* Listen on PATH, the plan's channel.  Frames go to SINK's frame hook: the exit status and
 * failures always, output when its fd in O is -1.  Returns NULL after
 * err_set(). */
struct chan *chan_open(const char *path, const struct chan_opts *o, const struct proto_sink *sink);
/* Stamp the job (chan_job() made it) with the clock and a fresh seed,
 * and queue it; it goes out once QEMU is connected, and stdin follows
 * it.  Returns -1 after err_set(). */
int chan_send_job(struct chan *c, unsigned char *job, size_t len);
/* The exit status has come and every byte of output before it is
 * written: nothing more can come that anyone wants. */
int chan_done(const struct chan *c);
/* Output bytes queued and not yet written (a reader that stopped). */
size_t chan_unwritten(const struct chan *c);
/* The channel broke the protocol (why), or NULL. */
const char *chan_error(const struct chan *c);
/* Write what is still queued where it can go without blocking, and
 * release everything. */
void chan_close(struct chan *c);

/* The job for ARGV (NULL: none, the guest powers off) with ENV
 * (NAME=VALUE strings, NULL-ended, or NULL) and NDISKS user disks;
 * FLAGS are WIRE_JOB_STDIN and WIRE_JOB_SCSI (wire.h).
 * Returns it malloc'd with its length, or NULL after err_set() (one
 * longer than WIRE_JOB_MAX is a usage error). */
unsigned char *chan_job(char *const *argv, char *const *env, size_t ndisks, unsigned flags,
			size_t *len);

#endif
