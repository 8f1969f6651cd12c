/* svg: a stacked bar chart, and small charts of a metric against N,
 * written through libxml2's xmlTextWriter. */
#ifndef LB_SVG_H
#define LB_SVG_H

#include <stddef.h>

#define SVG_MAX_SEG 8

struct svg_bar {
	char label[64];
	double seg[SVG_MAX_SEG];  /* seconds; NaN or < 0 drawn as 0 */
	char note[96];            /* printed after the bar */
};

/* A small chart of a metric against N: a point at each median with a
 * bar from its minimum to its maximum, and a fitted line. */
#define SVG_MAX_POINTS 64
struct svg_plot {
	char title[128];
	size_t n;
	double x[SVG_MAX_POINTS], med[SVG_MAX_POINTS], lo[SVG_MAX_POINTS], hi[SVG_MAX_POINTS];
	double slope, intercept;  /* the line */
};

/* The bars, then the plots two to a row below them. */
int svg_write(const char *path, const char *title, const char *const *segs, size_t nseg,
	      const struct svg_bar *bars, size_t nbars, const struct svg_plot *plots, size_t nplots);

#endif
