/* proto: the guest's reports to the host, parsed strictly.
 *
 * The appliance reports on its serial console (ttyS0), the same wire as
 * the kernel's log: an ISA UART adds no PCI device, where virtio-serial
 * would add one (and, on q35 without addresses, a root port too).  After
 * the ready marker the init silences console printk and puts the tty in
 * raw mode, then sends the frames wire.h describes.
 */
#ifndef LB_PROTO_H
#define LB_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "wire.h"

#define PROTO_MAX_OUTPUT (64u << 20)    /* stdout + stderr of one run */
#define PROTO_TAIL_LINES 8              /* console lines kept for errors */
#define PROTO_LINE_MAX 256

struct proto_sink {
	void (*console)(void *ctx, const char *line);       /* a whole text line */
	void (*frame)(void *ctx, char type, const uint8_t *data, size_t len);
	void *ctx;
};

struct proto {
	struct proto_sink sink;
	int state;
	char type;
	uint32_t len, got, crc;
	char hex[8];
	int nhex;
	uint8_t payload[WIRE_MAX_FRAME];
	uint64_t output;                  /* stdout + stderr bytes so far */
	char line[PROTO_LINE_MAX];
	size_t linelen;
	char tail[PROTO_TAIL_LINES][PROTO_LINE_MAX];
	unsigned ntail;
	uint64_t console_bytes;
	char error[160];                  /* set once the stream is bad */
};

void proto_init(struct proto *p, const struct proto_sink *sink);
/* Feed bytes; returns -1 once the stream has broken the protocol
 * (p->error says how), after which nothing more is accepted. */
int proto_feed(struct proto *p, const uint8_t *buf, size_t n);
/* The last console lines, oldest first, joined with " | ". */
void proto_tail(const struct proto *p, char *buf, size_t len);

uint32_t proto_crc32(uint32_t crc, const uint8_t *buf, size_t n);

#endif
