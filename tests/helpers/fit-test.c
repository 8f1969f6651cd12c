/* fit-test: the least-squares fit on points with a known line and noise,
 * as TAP.  The noise is a fixed pseudo-random sequence, so the figures
 * are the same on every run. */
#include <math.h>
#include <stdio.h>

#include "bench/fit.h"
#include "tap.h"

/* Uniform in [-1, 1), from a 32-bit LCG. */
static double noise(unsigned *s)
{
	*s = *s * 1664525u + 1013904223u;
	return (double)(*s >> 8) / (double)(1u << 23) - 1;
}

int main(void)
{
	double x[85], y[85];
	struct fit f;
	unsigned s = 12345;
	size_t n = 0;

	tap_plan(9);
	/* ports=0..16, 5 runs each: 27 ms a port on 120 ms, noise +-10 ms. */
	for (int p = 0; p <= 16; p++)
		for (int r = 0; r < 5; r++, n++) {
			x[n] = p;
			y[n] = 120 + 27 * p + 10 * noise(&s);
		}
	tap_ok(fit_line(x, y, n, &f) == 0 && f.n == 85, "85 noisy points fit");
	tap_ok(fabs(f.slope - 27) < 0.5, "the slope is within 0.5 of 27");
	tap_ok(fabs(f.intercept - 120) < 4, "the intercept is within 4 of 120");
	tap_ok(f.lo < 27 && 27 < f.hi && f.hi - f.lo < 1.2, "the 95% interval holds 27 and is narrow");
	tap_ok(f.r2 > 0.99, "R² above 0.99");
	/* Exact points: the interval closes on the slope. */
	for (size_t i = 0; i < 5; i++) {
		x[i] = (double)i;
		y[i] = 657 + 304 * (double)i;
	}
	tap_ok(fit_line(x, y, 5, &f) == 0 && f.slope == 304 && f.lo == 304 && f.r2 == 1,
	   "points on a line: slope 304, no width, R² 1");
	/* Noise alone: the interval holds 0. */
	for (size_t i = 0; i < 40; i++) {
		x[i] = (double)(i % 8);
		y[i] = 50 + 5 * noise(&s);
	}
	tap_ok(fit_line(x, y, 40, &f) == 0 && f.lo < 0 && f.hi > 0 && f.r2 < 0.3,
	   "no slope in noise: the interval holds 0, R² is low");
	y[0] = NAN;
	x[1] = x[2] = 3;
	tap_ok(fit_line(x, y, 3, &f) < 0, "two points left (one NaN) are refused");
	tap_ok(fabs(fit_t975(10) - 2.228) < 1e-9 && fit_t975(5000) == 1.96, "t quantiles");
	return tap_status();
}
