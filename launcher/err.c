/* err: a single recorded error, kept until the command layer reports it.
 * leanboot is single-threaded, so one static slot is enough and keeps
 * every helper's signature free of error plumbing. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

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

/* Guest text and file names can hold newlines; the contract is one line. */
static void err_put_line(const char *s)
{
	for (; *s; s++)
		fputc(*s == '\n' || *s == '\r' ? ' ' : *s, stderr);
	fputc('\n', stderr);
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
