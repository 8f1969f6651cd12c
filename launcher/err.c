/* err: a single recorded error, kept until the command layer reports it.
 * leanboot is single-threaded, so one static slot is enough and keeps
 * every helper's signature free of error plumbing. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "util.h"

static char err_buf[1024];
static int err_code = LB_EXIT_USAGE;

void err_set(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err_buf, sizeof err_buf, fmt, ap);
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

/* Guest text and file names can hold newlines, escape sequences and bytes
 * that are not UTF-8; the contract is one line of text, and nothing that
 * drives the terminal.  Line breaks become spaces, the rest \xHH. */
static void err_put_line(const char *s)
{
	size_t n = strlen(s);
	char *line = malloc(n + 1), *clean = malloc(4 * n + 1);

	if (!line || !clean) {
		free(line);
		free(clean);
		fputs("(out of memory)\n", stderr);
		return;
	}
	for (size_t i = 0; i <= n; i++)
		line[i] = s[i] == '\n' || s[i] == '\r' ? ' ' : s[i];
	util_clean((const unsigned char *)line, n, clean);
	fprintf(stderr, "%s\n", clean);
	free(line);
	free(clean);
}

int err_report(const char *what)
{
	fprintf(stderr, "leanboot: %s: ", what);
	err_put_line(err_msg());
	return err_code;
}

int err_usage(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	fputs("leanboot: ", stderr);
	err_put_line(buf);
	return LB_EXIT_USAGE;
}
