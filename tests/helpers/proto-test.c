/* proto-test: the host-side guest protocol parser against crafted streams:
 * good frames, stray bytes, and every bound it must enforce.  TAP output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../launcher/proto.h"

static int n, failed;
static char frames[64];
static size_t nframes, outbytes;
static char lastline[PROTO_LINE_MAX];

static void ok(int cond, const char *what)
{
	printf("%s %d - %s\n", cond ? "ok" : "not ok", ++n, what);
	failed += !cond;
}

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

int main(void)
{
	static uint8_t big[WIRE_MAX_FRAME];
	struct proto *p = malloc(sizeof *p);
	size_t k;

	printf("1..11\n");

	reset(p);
	k = (size_t)sprintf((char *)buf, "[    0.1] Linux version x\r\n");
	k += frame(k, 'R', "1.23", 4, 0);
	k += frame(k, 'O', "hello\n", 6, 0);
	k += frame(k, 'X', "7", 1, 0);
	ok(proto_feed(p, buf, k) == 0 && !strcmp(frames, "ROX"), "good frames arrive in order");
	ok(!strcmp(lastline, "[    0.1] Linux version x"), "console text is a line, CR dropped");

	reset(p);
	for (size_t i = 0; i < k; i++)
		proto_feed(p, buf + i, 1);
	ok(!strcmp(frames, "ROX"), "frames split into single bytes still parse");

	reset(p);
	k = frame(0, 'O', "abc", 3, 1);
	ok(proto_feed(p, buf, k) < 0 && strstr(p->error, "CRC") && nframes == 0,
	   "a bad CRC breaks the stream and delivers nothing");
	ok(proto_feed(p, (const uint8_t *)"x", 1) < 0, "nothing is accepted after that");

	reset(p);
	k = (size_t)sprintf((char *)buf, "\001LBO%08x", WIRE_MAX_FRAME + 1);
	ok(proto_feed(p, buf, k) < 0 && strstr(p->error, "larger"), "an oversized length is refused");

	reset(p);
	ok(proto_feed(p, (const uint8_t *)"\001LBZ", 4) < 0, "an unknown frame type is refused");

	reset(p);
	ok(proto_feed(p, (const uint8_t *)"\001LBO0000zz00", 12) < 0, "a non-hex length is refused");

	reset(p);
	ok(proto_feed(p, (const uint8_t *)"a\001xb\033[31mc\n", 11) == 0 && !strcmp(lastline, "axb[31mc"),
	   "a stray SOH and escape bytes stay text, stripped of control bytes");

	reset(p);
	memset(big, 'A', sizeof big);
	{
		int r = 0;
		uint64_t sent = 0;

		k = frame(0, 'O', big, sizeof big, 0);
		while (r == 0 && sent <= PROTO_MAX_OUTPUT + sizeof big) {
			r = proto_feed(p, buf, k);
			sent += sizeof big;
		}
		ok(r < 0 && strstr(p->error, "exceeds") && outbytes <= PROTO_MAX_OUTPUT,
		   "total output is bounded at 64 MiB");
	}

	reset(p);
	memset(big, 'x', sizeof big);
	proto_feed(p, big, sizeof big);
	proto_feed(p, (const uint8_t *)"\n", 1);
	ok(strlen(lastline) == PROTO_LINE_MAX - 1, "a huge console line is cut to the line bound");

	free(p);
	return failed != 0;
}
