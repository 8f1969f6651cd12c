/* text: see text.h.  A leaf: it calls nothing of ours, so err.c and
 * every reader of untrusted text can use it, and it links alone. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/text.h"

/* The length of the UTF-8 sequence at S (N bytes left) and its code
 * point, or 0 if it is not a valid, shortest-form one. */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len;
	uint32_t c, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2, c = s[0] & 0x1f, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3, c = s[0] & 0x0f, min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4, c = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

static int unsafe_cp(uint32_t c)
{
	return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) || c == '\\' ||
	       (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

void text_clean(const unsigned char *s, size_t n, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; ) {
		uint32_t cp;
		size_t len = utf8_seq(s + i, n - i, &cp);

		if (len == 0 || unsafe_cp(cp)) {
			/* Each byte of an unsafe sequence on its own. */
			size_t k = len ? len : 1;

			for (size_t j = 0; j < k; j++)
				o += (size_t)sprintf(out + o, "\\x%02x", s[i + j]);
			i += k;
		} else {
			memcpy(out + o, s + i, len);
			o += len;
			i += len;
		}
	}
	out[o] = '\0';
}
