/* svg: a stacked bar chart written through libxml2's xmlTextWriter. */
#ifndef LB_SVG_H
#define LB_SVG_H

#include <stddef.h>

#define SVG_MAX_SEG 8

struct svg_bar {
	char label[64];
	double seg[SVG_MAX_SEG];  /* seconds; NaN or < 0 drawn as 0 */
	char note[96];            /* printed after the bar */
};

int svg_write(const char *path, const char *title, const char *const *segs, size_t nseg,
	      const struct svg_bar *bars, size_t nbars);

#endif
