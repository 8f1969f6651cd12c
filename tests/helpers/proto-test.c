/* proto-test: the host-side guest protocol parser against crafted streams:
 * good frames, stray bytes, and every bound it must enforce.  TAP output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "launch/proto.h"
#include "tap.h"

static char frames[64];
static size_t nframes, outbytes;
static char lastline[PROTO_LINE_MAX];

static void on_frame(void *ctx, char type, const uint8_t *d, size_t len)
{
	(void)ctx;
	(void)d;
	if (nframes < sizeof frames - 1)
		frames[nframes++] = type;
	outbytes += len;
}

static void on_line(void *ctx, const char *line)
{
	(void)ctx;
	snprintf(lastline, sizeof lastline, "%s", line);
}

static uint8_t buf[3 * WIRE_MAX_FRAME];

/* A frame into the static BUF (at OFF); returns its length. */
static size_t frame(size_t off, char type, const void *data, size_t len, int corrupt)
{
	uint8_t t = (uint8_t)type;
	uint32_t crc = proto_crc32(proto_crc32(0, &t, 1), data, len);
	size_t k;

	if (off + len + 32 > sizeof buf)
		abort();
	k = off + (size_t)sprintf((char *)buf + off, "\001LB%c%08zx", type, len);
	memcpy(buf + k, data, len);
	k += len;
	k += (size_t)sprintf((char *)buf + k, "%08x\004", crc ^ (corrupt ? 1u : 0u));
	return k - off;
}

static void reset(struct proto *p)
{
	struct proto_sink s = { on_line, on_frame, NULL };

	proto_init(p, &s);
	nframes = outbytes = 0;
	memset(frames, 0, sizeof frames);
	lastline[0] = '\0';
}

/* --- the channel's parser ------------------------------------------- */

static struct proto_chan *chan_p;
static uint8_t cbuf[2 * (WIRE_CHAN_HDR + WIRE_CHAN_MAX + 2)];

static void chan_reset(void)
{
	struct proto_sink s = { NULL, on_frame, NULL };

	proto_chan_init(chan_p, &s);
	nframes = outbytes = 0;
	memset(frames, 0, sizeof frames);
}

/* A channel frame into CBUF at OFF, announcing LEN; returns its length. */
static size_t cframe(size_t off, char type, const void *data, uint32_t len)
{
	wire_chan_header(cbuf + off, type, len);
	if (data)
		memcpy(cbuf + off + WIRE_CHAN_HDR, data, len);
	return WIRE_CHAN_HDR + len;
}

/* Whether one frame is refused, with an error that says WHY. */
static int refused(size_t k, const char *why)
{
	return proto_chan_feed(chan_p, cbuf, k) < 0 && strstr(chan_p->error, why) && nframes == 0;
}

static int channel(void)
{
	static uint8_t big[WIRE_CHAN_MAX + 1];
	size_t k;

	chan_p = malloc(sizeof *chan_p);
	chan_reset();
	memset(big, 'y', sizeof big);
	k = cframe(0, 'O', big, WIRE_CHAN_MAX);
	k += cframe(k, 'E', "err", 3);
	k += cframe(k, 'X', "255", 3);
	for (size_t i = 0; i < k; i++)
		proto_chan_feed(chan_p, cbuf + i, 1);
	tap_ok(!strcmp(frames, "OEX") && outbytes == WIRE_CHAN_MAX + 3 + 3,
	   "channel: a full-size frame, stderr and the exit status, a byte at a time");
	tap_ok(proto_chan_feed(chan_p, cbuf, cframe(0, 'O', "x", 1)) < 0 && strstr(chan_p->error, "after"),
	   "channel: nothing may follow the exit status");

	chan_reset();
	k = cframe(0, 'O', "abc", 3);
	cbuf[1] = 'C';
	tap_ok(refused(k, "header"), "channel: a bad magic is refused");
	chan_reset();
	k = cframe(0, 'O', "abc", 3);
	cbuf[3] = 1;
	tap_ok(refused(k, "header"), "channel: a non-zero reserved byte is refused");
	chan_reset();
	tap_ok(refused(cframe(0, 'J', "x", 1), "unknown type"), "channel: a host-only frame type from the guest is refused");
	chan_reset();
	tap_ok(refused(cframe(0, 'O', NULL, WIRE_CHAN_MAX + 1), "longer"), "channel: an oversized output frame is refused");
	chan_reset();
	tap_ok(refused(cframe(0, 'O', NULL, 0), "empty"), "channel: an empty output frame is refused");
	chan_reset();
	tap_ok(refused(cframe(0, 'X', "1a", 2), "not a number") && (chan_reset(), refused(cframe(0, 'X', "256", 3), "over 255")) &&
	   (chan_reset(), refused(cframe(0, 'X', "0000", 4), "longer")),
	   "channel: an exit status is 1-3 digits up to 255");
	chan_reset();
	tap_ok(proto_chan_feed(chan_p, cbuf, cframe(0, 'F', big, PROTO_FAIL_MAX)) == 0 &&
	   (chan_reset(), refused(cframe(0, 'F', big, PROTO_FAIL_MAX + 1), "longer")),
	   "channel: a failure's message is bounded");
	chan_reset();
	k = cframe(0, 'O', "abc", 3);
	cbuf[2] = 'Z';
	tap_ok(refused(k, "unknown type") && proto_chan_feed(chan_p, cbuf, 1) < 0,
	   "channel: nothing is accepted after a broken frame");
	free(chan_p);
	return 0;
}

int main(void)
{
	static uint8_t big[WIRE_MAX_FRAME];
	struct proto *p = malloc(sizeof *p);
	size_t k;

	tap_plan(21);

	reset(p);
	k = (size_t)sprintf((char *)buf, "[    0.1] Linux version x\r\n");
	k += frame(k, 'R', "1.23", 4, 0);
	k += frame(k, 'O', "hello\n", 6, 0);
	k += frame(k, 'X', "7", 1, 0);
	tap_ok(proto_feed(p, buf, k) == 0 && !strcmp(frames, "ROX"), "good frames arrive in order");
	tap_ok(!strcmp(lastline, "[    0.1] Linux version x"), "console text is a line, CR dropped");

	reset(p);
	for (size_t i = 0; i < k; i++)
		proto_feed(p, buf + i, 1);
	tap_ok(!strcmp(frames, "ROX"), "frames split into single bytes still parse");

	reset(p);
	k = frame(0, 'O', "abc", 3, 1);
	tap_ok(proto_feed(p, buf, k) < 0 && strstr(p->error, "CRC") && nframes == 0,
	   "a bad CRC breaks the stream and delivers nothing");
	tap_ok(proto_feed(p, (const uint8_t *)"x", 1) < 0, "nothing is accepted after that");

	reset(p);
	k = (size_t)sprintf((char *)buf, "\001LBO%08x", WIRE_MAX_FRAME + 1);
	tap_ok(proto_feed(p, buf, k) < 0 && strstr(p->error, "larger"), "an oversized length is refused");

	reset(p);
	tap_ok(proto_feed(p, (const uint8_t *)"\001LBZ", 4) < 0, "an unknown frame type is refused");

	reset(p);
	proto_console_only(p);
	k = frame(0, 'R', "1.0", 3, 0);
	k += frame(k, 'X', "0", 1, 0);
	tap_ok(proto_feed(p, buf, k) < 0 && !strcmp(frames, "R"),
	   "with a channel, the console takes ready but not an exit status");

	reset(p);
	tap_ok(proto_feed(p, (const uint8_t *)"\001LBO0000zz00", 12) < 0, "a non-hex length is refused");

	reset(p);
	tap_ok(proto_feed(p, (const uint8_t *)"a\001xb\033[31mc\n", 11) == 0 && !strcmp(lastline, "axb[31mc"),
	   "a stray SOH and escape bytes stay text, stripped of control bytes");

	reset(p);
	memset(big, 'x', sizeof big);
	proto_feed(p, big, sizeof big);
	proto_feed(p, (const uint8_t *)"\n", 1);
	tap_ok(strlen(lastline) == PROTO_LINE_MAX - 1, "a huge console line is cut to the line bound");

	free(p);
	return channel() || tap_status();
}
