/* proto: see proto.h.  This is the only code that reads what the guest
 * sends.  Every length is bounded before it is used; a console frame that
 * fails its CRC, or a channel frame with a bad header, ends the stream;
 * console text is kept only as short, printable lines. */
#include <stdio.h>
#include <string.h>

#include "launch/proto.h"

enum { S_TEXT, S_L, S_B, S_TYPE, S_LEN, S_DATA, S_CRC, S_EOT, S_DEAD };

uint32_t proto_crc32(uint32_t crc, const uint8_t *buf, size_t n)
{
	return wire_crc32(crc, buf, n);
}

void proto_init(struct proto *p, const struct proto_sink *sink)
{
	memset(p, 0, sizeof *p);
	p->sink = *sink;
	p->types = "ROEXF";
}

void proto_console_only(struct proto *p)
{
	p->types = "RF";
}

static int fail(struct proto *p, const char *why)
{
	snprintf(p->error, sizeof p->error, "%s", why);
	p->state = S_DEAD;
	return -1;
}

static void end_line(struct proto *p)
{
	p->line[p->linelen] = '\0';
	if (p->linelen) {
		snprintf(p->tail[p->ntail % PROTO_TAIL_LINES], PROTO_LINE_MAX, "%s", p->line);
		p->ntail++;
		if (p->sink.console)
			p->sink.console(p->sink.ctx, p->line);
	}
	p->linelen = 0;
}

/* Console text: CR and other control bytes dropped, lines cut at
 * PROTO_LINE_MAX - 1, so nothing unprintable reaches a terminal or log. */
static void text_byte(struct proto *p, uint8_t c)
{
	p->console_bytes++;
	if (c == '\n') {
		end_line(p);
		return;
	}
	if (c < 0x20 || c == 0x7f)
		return;
	if (p->linelen < PROTO_LINE_MAX - 1)
		p->line[p->linelen++] = (char)c;
}

static int hex_value(const char *h, uint32_t *out)
{
	uint32_t v = 0;

	for (int i = 0; i < 8; i++) {
		char c = h[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

/* Collect one of the 8 hex digits of a length or CRC; 1 when complete. */
static int hex_digit(struct proto *p, uint8_t c)
{
	p->hex[p->nhex++] = (char)c;
	if (p->nhex < 8)
		return 0;
	p->nhex = 0;
	return 1;
}

static int frame_done(struct proto *p)
{
	uint8_t t = (uint8_t)p->type;
	uint32_t crc = proto_crc32(proto_crc32(0, &t, 1), p->payload, p->len);

	if (crc != p->crc)
		return fail(p, "a guest frame failed its CRC check");
	if (p->sink.frame)
		p->sink.frame(p->sink.ctx, p->type, p->payload, p->len);
	p->state = S_TEXT;
	return 0;
}

int proto_feed(struct proto *p, const uint8_t *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t c = buf[i];

		switch (p->state) {
		case S_DEAD:
			return -1;
		case S_TEXT:
			if (c == WIRE_SOH)
				p->state = S_L;
			else
				text_byte(p, c);
			break;
		case S_L:
		case S_B:
			if (c != (p->state == S_L ? 'L' : 'B')) {
				/* Not a frame after all: a stray SOH in console text. */
				p->state = S_TEXT;
				text_byte(p, c);
				break;
			}
			p->state++;
			break;
		case S_TYPE:
			if (!strchr(p->types, c) || c == '\0')
				return fail(p, "a guest frame has an unknown type");
			p->type = (char)c;
			p->state = S_LEN;
			break;
		case S_LEN:
			if (!hex_digit(p, c))
				break;
			if (hex_value(p->hex, &p->len) < 0)
				return fail(p, "a guest frame has a malformed length");
			if (p->len > WIRE_MAX_FRAME)
				return fail(p, "a guest frame is larger than 4096 bytes");
			p->got = 0;
			p->state = p->len ? S_DATA : S_CRC;
			break;
		case S_DATA:
			p->payload[p->got++] = c;
			if (p->got == p->len)
				p->state = S_CRC;
			break;
		case S_CRC:
			if (!hex_digit(p, c))
				break;
			if (hex_value(p->hex, &p->crc) < 0)
				return fail(p, "a guest frame has a malformed CRC");
			p->state = S_EOT;
			break;
		case S_EOT:
			if (c != WIRE_EOT)
				return fail(p, "a guest frame is not terminated");
			if (frame_done(p) < 0)
				return -1;
			break;
		}
	}
	return 0;
}

void proto_tail(const struct proto *p, char *buf, size_t len)
{
	unsigned n = p->ntail < PROTO_TAIL_LINES ? p->ntail : PROTO_TAIL_LINES;
	size_t used = 0;

	buf[0] = '\0';
	/* The line being received counts too: a panic may not end in '\n'. */
	for (unsigned i = p->ntail - n; i < p->ntail && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? " | " : "",
					 p->tail[i % PROTO_TAIL_LINES]);
	if (p->linelen && used < len)
		snprintf(buf + used, len - used, "%s%.*s", used ? " | " : "", (int)p->linelen,
			 p->line);
}

/* --- the channel ------------------------------------------------------ */

void proto_chan_init(struct proto_chan *c, const struct proto_sink *sink)
{
	memset(c, 0, sizeof *c);
	c->sink = *sink;
}

static int chan_fail(struct proto_chan *c, const char *why)
{
	snprintf(c->error, sizeof c->error, "%s", why);
	c->dead = 1;
	return -1;
}

/* A header, whole: what it may announce depends on its type. */
static int chan_header(struct proto_chan *c)
{
	const unsigned char *h = c->hdr;
	uint32_t max;

	if (h[0] != 'L' || h[1] != 'B' || h[3] != 0)
		return chan_fail(c, "a channel frame has a malformed header");
	if (c->exited)
		return chan_fail(c, "a channel frame came after the exit status");
	c->type = (char)h[2];
	c->len = wire_get32(h + 4);
	switch (c->type) {
	case WIRE_STDOUT:
	case WIRE_STDERR:
		max = WIRE_CHAN_MAX;
		if (c->len == 0)
			return chan_fail(c, "a channel output frame is empty");
		break;
	case WIRE_EXIT:
		max = 3;
		if (c->len == 0)
			return chan_fail(c, "a channel exit frame is empty");
		break;
	case WIRE_FAIL:
		max = PROTO_FAIL_MAX;
		break;
	default:
		return chan_fail(c, "a channel frame has an unknown type");
	}
	if (c->len > max)
		return chan_fail(c, "a channel frame is longer than its type allows");
	c->got = 0;
	return 0;
}

static int chan_done(struct proto_chan *c)
{
	if (c->type == WIRE_EXIT) {
		unsigned v = 0;

		for (uint32_t i = 0; i < c->len; i++) {
			if (c->payload[i] < '0' || c->payload[i] > '9')
				return chan_fail(c, "a channel exit status is not a number");
			v = v * 10 + (unsigned)(c->payload[i] - '0');
		}
		if (v > 255)
			return chan_fail(c, "a channel exit status is over 255");
		c->exited = 1;
	}
	c->nhdr = 0;
	if (c->sink.frame)
		c->sink.frame(c->sink.ctx, c->type, c->payload, c->len);
	return 0;
}

int proto_chan_feed(struct proto_chan *c, const uint8_t *buf, size_t n)
{
	size_t i = 0;

	while (i < n) {
		if (c->dead)
			return -1;
		if (c->nhdr < WIRE_CHAN_HDR) {
			c->hdr[c->nhdr++] = buf[i++];
			if (c->nhdr == WIRE_CHAN_HDR && chan_header(c) < 0)
				return -1;
			if (c->nhdr == WIRE_CHAN_HDR && c->len == 0 && chan_done(c) < 0)
				return -1;
			continue;
		}
		{
			size_t take = c->len - c->got;

			if (take > n - i)
				take = n - i;
			memcpy(c->payload + c->got, buf + i, take);
			c->got += (uint32_t)take;
			i += take;
		}
		if (c->got == c->len && chan_done(c) < 0)
			return -1;
	}
	return c->dead ? -1 : 0;
}
