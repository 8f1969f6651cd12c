/* stats: see stats.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/stats.h"

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct stats stats_of(const double *v, size_t n)
{
	struct stats s = { NAN, NAN, NAN, 0 };
	double *c = malloc((n ? n : 1) * sizeof *c);

	if (!c)
		return s;
	for (size_t i = 0; i < n; i++)
		if (!isnan(v[i]))
			c[s.n++] = v[i];
	if (s.n) {
		qsort(c, s.n, sizeof *c, cmp);
		s.min = c[0];
		s.max = c[s.n - 1];
		s.median = s.n % 2 ? c[s.n / 2] : (c[s.n / 2 - 1] + c[s.n / 2]) / 2;
	}
	free(c);
	return s;
}
