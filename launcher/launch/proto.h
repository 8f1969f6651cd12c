/* proto: what the guest sends the host, parsed strictly: its two wires
 * (wire.h), each with its own parser here.
 *
 * The console (ttyS0, an ISA UART that adds no PCI device) carries the
 * kernel's log and the init's text lines, and frames among them: the
 * ready frame, a failure before the channel is up, and, in a VM with no
 * channel, the kernel log as output.  The channel carries the command's
 * output and exit status in binary frames, which proto_chan_feed() checks
 * one header at a time: nothing is trusted, every length is bounded.
 */
#ifndef LB_PROTO_H
#define LB_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "wire.h"

#define PROTO_TAIL_LINES 8              /* console lines kept for errors */
#define PROTO_LINE_MAX 256

struct proto_sink {
	void (*console)(void *ctx, const char *line);       /* a whole text line */
	void (*frame)(void *ctx, char type, const uint8_t *data, size_t len);
	void *ctx;
};

struct proto {
	struct proto_sink sink;
	const char *types;                /* the frame types accepted */
	int state;
	char type;
	uint32_t len, got, crc;
	char hex[8];
	int nhex;
	uint8_t payload[WIRE_MAX_FRAME];
	char line[PROTO_LINE_MAX];
	size_t linelen;
	char tail[PROTO_TAIL_LINES][PROTO_LINE_MAX];
	unsigned ntail;
	uint64_t console_bytes;
	char error[160];                  /* set once the stream is bad */
};

void proto_init(struct proto *p, const struct proto_sink *sink);
/* From now on accept only the frames the console carries when there is
 * a channel (ready and failure): output there would be a forgery. */
void proto_console_only(struct proto *p);
/* Feed bytes; returns -1 once the stream has broken the protocol
 * (p->error says how), after which nothing more is accepted. */
int proto_feed(struct proto *p, const uint8_t *buf, size_t n);
/* The last console lines, oldest first, joined with " | ". */
void proto_tail(const struct proto *p, char *buf, size_t len);

uint32_t proto_crc32(uint32_t crc, const uint8_t *buf, size_t n);

/* The channel's parser: frames go to SINK's frame hook (console is not
 * used).  Exit and failure payloads are checked here (an exit status is
 * 1-3 digits up to 255), and the exit frame must be the last. */
#define PROTO_FAIL_MAX 1024       /* a failure's message on the channel */

struct proto_chan {
	struct proto_sink sink;
	unsigned char hdr[WIRE_CHAN_HDR];
	size_t nhdr;
	char type;
	uint32_t len, got;
	int exited;                       /* the exit frame has come */
	int dead;
	uint8_t payload[WIRE_CHAN_MAX];
	char error[160];
};

void proto_chan_init(struct proto_chan *c, const struct proto_sink *sink);
/* Feed bytes; returns -1 once the stream has broken the protocol
 * (c->error says how), after which nothing more is accepted. */
int proto_chan_feed(struct proto_chan *c, const uint8_t *buf, size_t n);

#endif
