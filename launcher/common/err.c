/* err: a single recorded error, kept until the command layer reports it.
 * leanboot is single-threaded, so one static slot is enough and keeps
 * every helper's signature free of error plumbing. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/text.h"

#define ERR_MAX 1024

static char err_buf[ERR_MAX];
static int err_code = LB_EXIT_USAGE;

/* Guest text and file names can hold newlines, escape sequences and bytes
 * that are not UTF-8; a message is one line of text, with nothing that
 * drives a terminal, wherever it is printed.  So it is made so where it
 * is recorded: line breaks become spaces, the rest text_clean's \xHH. */
static void err_format(char out[ERR_MAX], const char *fmt, va_list ap)
{
	char raw[ERR_MAX], clean[4 * ERR_MAX + 1];
	size_t n;

	vsnprintf(raw, sizeof raw, fmt, ap);
	n = strlen(raw);
	for (size_t i = 0; i < n; i++)
		if (raw[i] == '\n' || raw[i] == '\r')
			raw[i] = ' ';
	text_clean((const unsigned char *)raw, n, clean);
	n = strlen(clean);
	if (n >= ERR_MAX) {
		/* Cut at a character's start, not inside one. */
		n = ERR_MAX - 1;
		while (n && ((unsigned char)clean[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(out, clean, n);
	out[n] = '\0';
}

void err_set(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_format(err_buf, fmt, ap);
	va_end(ap);
	err_code = status;
}

void err_clear(void)
{
	err_buf[0] = '\0';
	err_code = LB_EXIT_USAGE;
}

const char *err_msg(void)
{
	return err_buf[0] ? err_buf : "unknown error";
}

int err_status(void)
{
	return err_code;
}

int err_report(const char *what)
{
	fprintf(stderr, "leanboot: %s: %s\n", what, err_msg());
	return err_code;
}

static void usage_print(const char *fmt, va_list ap)
{
	char buf[ERR_MAX];

	err_format(buf, fmt, ap);
	fprintf(stderr, "leanboot: %s\n", buf);
}

int err_usage(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	usage_print(fmt, ap);
	va_end(ap);
	return LB_EXIT_USAGE;
}

int err_usage_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	usage_print(fmt, ap);
	va_end(ap);
	return -1;
}
