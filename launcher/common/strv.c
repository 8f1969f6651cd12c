/* strv: see strv.h. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/strv.h"
#include "common/util.h"

int strv_add(struct strv *sv, const char *s)
{
	char *dup = strdup(s);

	if (!dup)
		goto nomem;
	if (sv->n + 2 > sv->cap) {
		size_t cap = sv->cap ? sv->cap * 2 : 16;
		char **v = realloc(sv->v, cap * sizeof *v);

		if (!v) {
			free(dup);
			goto nomem;
		}
		sv->v = v;
		sv->cap = cap;
	}
	sv->v[sv->n++] = dup;
	sv->v[sv->n] = NULL;
	return 0;
nomem:
	err_set(LB_EXIT_VM, "out of memory");
	return -1;
}

int strv_addf(struct strv *sv, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	s = util_vprintf(fmt, ap);
	va_end(ap);
	if (!s)
		return -1;
	r = strv_add(sv, s);
	free(s);
	return r;
}

void strv_free(struct strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}
