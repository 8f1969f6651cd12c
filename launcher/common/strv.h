/* strv: a growable, NULL-terminated vector of owned strings, as argv
 * and a plan's extra arguments are kept. */
#ifndef LB_STRV_H
#define LB_STRV_H

#include <stddef.h>

struct strv {
	char **v;      /* NULL-terminated */
	size_t n;
	size_t cap;
};

int strv_add(struct strv *sv, const char *s);
int strv_addf(struct strv *sv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void strv_free(struct strv *sv);

#endif
