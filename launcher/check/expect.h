/* check expect: --expect's terms, KIND=N, KIND<=N or KIND>=N, and
 * whether a domain's views hold them. */
#ifndef LB_CHECK_EXPECT_H
#define LB_CHECK_EXPECT_H

#include <stddef.h>

#include "check/views.h"

#define CHECK_MAX_TERMS 64

struct check_term {
	int kind;                 /* a counts kind */
	enum { CHECK_EQ, CHECK_LE, CHECK_GE } op;
	long n;
};

/* SPEC's terms, comma-separated, into T (CHECK_MAX_TERMS), *NT of them.
 * Returns 0, or -1 after err_set() with a usage error. */
int check_expect_parse(const char *spec, struct check_term *t, size_t *nt);
/* "=N", "<=N" or ">=N" in BUF. */
const char *check_term_text(const struct check_term *t, char *buf, size_t len);
/* Whether T fails in a view libvirt or the guest produced. */
int check_term_fails(const struct check_term *t, const struct check_views *v);

#endif
