/* libFuzzer target: the host's guest-protocol parsers (launcher/proto.c),
 * the console's and the channel's, each fed the whole input.  The input
 * is split into two feeds at a point taken from its first byte, so that
 * frames cut across reads are exercised too. */
#include <stdint.h>
#include <stddef.h>

#include "launch/proto.h"

static void on_line(void *ctx, const char *line)
{
	(void)ctx;
	(void)line;
}

static void on_frame(void *ctx, char type, const uint8_t *data, size_t len)
{
	(void)ctx;
	(void)type;
	(void)data;
	(void)len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct proto p;
	static struct proto_chan c;
	const struct proto_sink sink = { on_line, on_frame, NULL };
	size_t cut = size ? data[0] % (size + 1) : 0;
	char tail[PROTO_TAIL_LINES * (PROTO_LINE_MAX + 3)];

	proto_init(&p, &sink);
	if (proto_feed(&p, data, cut) == 0)
		proto_feed(&p, data + cut, size - cut);
	proto_tail(&p, tail, sizeof tail);
	proto_chan_init(&c, &sink);
	if (proto_chan_feed(&c, data, cut) == 0)
		proto_chan_feed(&c, data + cut, size - cut);
	return 0;
}
