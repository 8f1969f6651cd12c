/* names: an enum's names, one table per enum.  Its parser, the name of a
 * value, --help's "a|b|c", a usage error's "a, b or c" and the bash
 * completion all read the same table, so none can name a value the
 * others do not.  A leaf module. */
#ifndef LB_NAMES_H
#define LB_NAMES_H

#include <stddef.h>

/* One name of a value; a table ends with a NULL name.  Tables list the
 * names in the order errors and the completion give them. */
struct names {
	const char *name;
	int value;
	/* What is used when the option is not given: --help lists it
	 * first, as "qboot|seabios". */
	int usual;
};

/* The row of T that S names, or NULL. */
const struct names *names_find(const struct names *t, const char *s);
/* The value S names in T, or -1. */
int names_parse(const struct names *t, const char *s);
/* The name of VALUE in T, or NULL. */
const char *names_name(const struct names *t, int value);
/* T's names into BUF (SIZE bytes), SEP between them and LAST before the
 * last: "|", "|" for --help, ", ", " or " for a usage error.  USUAL_FIRST:
 * the usual name leads.  Returns BUF; a name that does not fit is left
 * out, never cut. */
char *names_join(const struct names *t, const char *sep, const char *last, int usual_first,
		 char *buf, size_t size);

/* on and off, for the options that switch something (on is usual). */
extern const struct names names_on_off[];

#endif
