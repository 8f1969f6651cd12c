/* tap: the Test Anything Protocol for the C test helpers, as prove reads
 * it: a plan ("1..N", first or last), "ok N - what" or "not ok N - what"
 * for each check, "# " before a note.  A helper exits with tap_status()
 * (or tap_done()), so that a failed check fails it as well. */
#ifndef LB_TAP_H
#define LB_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static struct {
	int run, failed;
} tap;

/* The plan, before the checks: N of them follow. */
static inline void tap_plan(int n)
{
	printf("1..%d\n", n);
}

/* One check, described by FMT and what follows it. */
static inline void tap_okf(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline void tap_okf(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++tap.run);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	tap.failed += !cond;
}

/* One check, described by WHAT as it is. */
static inline void tap_ok(int cond, const char *what)
{
	tap_okf(cond, "%s", what);
}

/* A note for whoever reads the output. */
static inline void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void tap_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* The check that GOT (NULL: there was none) is WANT, "WHAT is WANT";
 * when it is not, a note says what it was. */
static inline void tap_is(const char *got, const char *want, const char *what)
{
	tap_okf(got && !strcmp(got, want), "%s is %s", what, want);
	if (!got || strcmp(got, want))
		tap_diag("  got: %s", got ? got : "(none)");
}

/* The exit status: 1 when a check failed. */
static inline int tap_status(void)
{
	return tap.failed ? 1 : 0;
}

/* The plan after the checks, for a helper that counts them as it goes;
 * returns tap_status(). */
static inline int tap_done(void)
{
	tap_plan(tap.run);
	return tap_status();
}

#endif
