/* fit: see fit.h.  Ordinary least squares; the slope's standard error is
 * sqrt(SSE / (n - 2) / Sxx). */
#include <math.h>

#include "bench/fit.h"

/* t(0.975, df) for df 1..30, then 40, 60 and 120; 1.960 beyond.  Between
 * rows the smaller df's value is taken, which widens the interval a
 * little rather than narrowing it. */
static const double t975[] = {
	12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
	2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
	2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
};

double fit_t975(size_t df)
{
	if (df == 0)
		return NAN;
	if (df <= 30)
		return t975[df - 1];
	return df < 40 ? 2.042 : df < 60 ? 2.021 : df < 120 ? 2.000 : df < 1000 ? 1.980 : 1.960;
}

int fit_line(const double *x, const double *y, size_t n, struct fit *f)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0, mx, my, sse = 0, se;
	size_t m = 0;

	for (size_t i = 0; i < n; i++) {
		if (isnan(y[i]))
			continue;
		sx += x[i];
		sy += y[i];
		m++;
	}
	f->n = m;
	if (m < 3)
		return -1;
	mx = sx / (double)m;
	my = sy / (double)m;
	for (size_t i = 0; i < n; i++) {
		if (isnan(y[i]))
			continue;
		sxx += (x[i] - mx) * (x[i] - mx);
		sxy += (x[i] - mx) * (y[i] - my);
		syy += (y[i] - my) * (y[i] - my);
	}
	if (sxx <= 0)
		return -1;
	f->slope = sxy / sxx;
	f->intercept = my - f->slope * mx;
	for (size_t i = 0; i < n; i++)
		if (!isnan(y[i])) {
			double r = y[i] - (f->intercept + f->slope * x[i]);

			sse += r * r;
		}
	/* Every y the same: the line is flat and fits exactly. */
	f->r2 = syy > 0 ? 1 - sse / syy : 1;
	se = sqrt(sse / (double)(m - 2) / sxx);
	f->lo = f->slope - fit_t975(m - 2) * se;
	f->hi = f->slope + fit_t975(m - 2) * se;
	return 0;
}
