/* relay: bytes both ways between a libvirt stream and a local UNIX
 * socket, on libvirt's event loop.  A remote domain's channel is reached
 * through libvirt (virDomainOpenChannel) and chan.c listens on a local
 * socket: the relay connects the two, as QEMU connects to that socket
 * when it runs here.  Each direction holds one buffer, and a side is read
 * only when the other has taken what came before, so flow control
 * reaches from the guest's port to our stdout. */
#ifndef LB_RELAY_H
#define LB_RELAY_H

#include <libvirt/libvirt.h>

struct relay;

/* Relay ST (non-blocking; taken over on success) and a connection to
 * PATH.  GONE (or NULL) is called once, when either side ends.  NULL
 * after err_set(). */
struct relay *relay_open(virStreamPtr st, const char *path, void (*gone)(void *ctx), void *ctx);
/* Stop, and close both sides (the stream is aborted and freed). */
void relay_close(struct relay *r);

#endif
