/* fit: a least-squares line through (x, y) points, with what a reader
 * needs to trust it: the slope's 95% confidence interval (Student's t on
 * n-2 degrees of freedom), R², and each point's residual.  bench fits
 * its metrics against the root-port count of a sweep with it. */
#ifndef LB_FIT_H
#define LB_FIT_H

#include <stddef.h>

struct fit {
	size_t n;                 /* points used (y not NaN) */
	double slope, intercept;
	double lo, hi;            /* the slope's 95% interval */
	double r2;                /* 1 when the points lie on the line */
};

/* Fit N points; NaN values of Y are left out.  -1 when fewer than three
 * remain or X does not vary. */
int fit_line(const double *x, const double *y, size_t n, struct fit *f);
/* The two-sided 95% quantile of Student's t with DF degrees of freedom. */
double fit_t975(size_t df);

#endif
