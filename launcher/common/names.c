/* names: see names.h. */
#include <stdio.h>
#include <string.h>

#include "common/names.h"

const struct names names_on_off[] = {
	{ "on", 1, 1 },
	{ "off", 0, 0 },
	{ NULL, 0, 0 },
};

const struct names *names_find(const struct names *t, const char *s)
{
	for (; t->name; t++)
		if (!strcmp(s, t->name))
			return t;
	return NULL;
}

int names_parse(const struct names *t, const char *s)
{
	const struct names *p = names_find(t, s);

	return p ? p->value : -1;
}

const char *names_name(const struct names *t, int value)
{
	for (; t->name; t++)
		if (t->value == value)
			return t->name;
	return NULL;
}

char *names_join(const struct names *t, const char *sep, const char *last, int usual_first,
		 char *buf, size_t size)
{
	const struct names *order[64];
	size_t n = 0, len = 0;

	if (!size)
		return buf;
	buf[0] = '\0';
	/* The usual name first where asked, then the others in table order. */
	for (const struct names *p = t; p->name && n < sizeof order / sizeof *order; p++)
		if (usual_first && p->usual)
			order[n++] = p;
	for (const struct names *p = t; p->name && n < sizeof order / sizeof *order; p++)
		if (!usual_first || !p->usual)
			order[n++] = p;
	for (size_t i = 0; i < n; i++) {
		const char *before = i == 0 ? "" : i + 1 == n ? last : sep;
		int w = snprintf(buf + len, size - len, "%s%s", before, order[i]->name);

		if (w < 0 || (size_t)w >= size - len) {
			buf[len] = '\0';
			break;
		}
		len += (size_t)w;
	}
	return buf;
}
