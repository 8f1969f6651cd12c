/* stats: medians, minima and maxima of a run's samples. */
#ifndef LB_STATS_H
#define LB_STATS_H

#include <stddef.h>

struct stats {
	double median, min, max;
	size_t n;                 /* samples that were present (> 0 or not NaN) */
};

/* Over the N values, ignoring NaN (a stage that was not reached). */
struct stats stats_of(const double *v, size_t n);

#endif
