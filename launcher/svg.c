/* svg: see svg.h.  One horizontal bar per configuration, one colour per
 * stage, a legend, and an axis in seconds. */
#include <math.h>
#include <stdio.h>

#include <libxml/xmlwriter.h>

#include "err.h"
#include "svg.h"

#define LEFT 170
#define WIDTH 560
#define ROW 34
#define TOP 60

static const char *const colours[SVG_MAX_SEG] = {
	"#9e9e9e", "#e08a2c", "#3d7cc9", "#49a35b", "#b04fb0", "#d0c23a", "#7a5230", "#333333",
};

static int attrf(xmlTextWriterPtr w, const char *name, double v)
{
	return xmlTextWriterWriteFormatAttribute(w, BAD_CAST name, "%.1f", v);
}

static int attr(xmlTextWriterPtr w, const char *name, const char *v)
{
	return xmlTextWriterWriteAttribute(w, BAD_CAST name, BAD_CAST v);
}

static int rect(xmlTextWriterPtr w, double x, double y, double wd, double h, const char *fill)
{
	int r = xmlTextWriterStartElement(w, BAD_CAST "rect");

	r |= attrf(w, "x", x);
	r |= attrf(w, "y", y);
	r |= attrf(w, "width", wd);
	r |= attrf(w, "height", h);
	r |= attr(w, "fill", fill);
	r |= xmlTextWriterEndElement(w);
	return r;
}

static int text(xmlTextWriterPtr w, double x, double y, const char *anchor, const char *s)
{
	int r = xmlTextWriterStartElement(w, BAD_CAST "text");

	r |= attrf(w, "x", x);
	r |= attrf(w, "y", y);
	r |= attr(w, "text-anchor", anchor);
	r |= xmlTextWriterWriteString(w, BAD_CAST s);
	r |= xmlTextWriterEndElement(w);
	return r;
}

static double seg(double v)
{
	return isnan(v) || v < 0 ? 0 : v;
}

int svg_write(const char *path, const char *title, const char *const *segs, size_t nseg,
	      const struct svg_bar *bars, size_t nbars)
{
	xmlTextWriterPtr w = xmlNewTextWriterFilename(path, 0);
	double max = 0, scale, height = TOP + ROW * (double)nbars + 70;
	char buf[64];
	int r = 0;

	if (!w) {
		err_set(LB_EXIT_USAGE, "cannot write %s", path);
		return -1;
	}
	for (size_t b = 0; b < nbars; b++) {
		double t = 0;

		for (size_t s = 0; s < nseg; s++)
			t += seg(bars[b].seg[s]);
		max = t > max ? t : max;
	}
	max = max > 0 ? ceil(max) : 1;
	scale = WIDTH / max;
	r |= xmlTextWriterSetIndent(w, 1);
	r |= xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL);
	r |= xmlTextWriterStartElement(w, BAD_CAST "svg");
	r |= attr(w, "xmlns", "http://www.w3.org/2000/svg");
	r |= attrf(w, "width", LEFT + WIDTH + 260);
	r |= attrf(w, "height", height);
	r |= attr(w, "font-family", "sans-serif");
	r |= attr(w, "font-size", "12");
	r |= rect(w, 0, 0, LEFT + WIDTH + 260, height, "white");
	r |= text(w, 10, 22, "start", title);
	for (size_t s = 0; s < nseg; s++) {
		double x = 10 + 120.0 * (double)s;

		r |= rect(w, x, 32, 10, 10, colours[s]);
		r |= text(w, x + 14, 41, "start", segs[s]);
	}
	for (size_t b = 0; b < nbars; b++) {
		double y = TOP + ROW * (double)b, x = LEFT;

		r |= text(w, LEFT - 8, y + 16, "end", bars[b].label);
		for (size_t s = 0; s < nseg; s++) {
			double wd = seg(bars[b].seg[s]) * scale;

			r |= rect(w, x, y + 4, wd, 18, colours[s]);
			x += wd;
		}
		r |= text(w, x + 6, y + 16, "start", bars[b].note);
	}
	for (int t = 0; t <= (int)max; t += max > 20 ? 5 : 1) {
		double x = LEFT + t * scale, y = TOP + ROW * (double)nbars + 8;

		r |= rect(w, x, y, 1, 6, "#333333");
		snprintf(buf, sizeof buf, "%d s", t);
		r |= text(w, x, y + 20, "middle", buf);
	}
	r |= xmlTextWriterEndElement(w);
	r |= xmlTextWriterEndDocument(w);
	xmlFreeTextWriter(w);
	if (r < 0) {
		err_set(LB_EXIT_USAGE, "cannot write %s", path);
		return -1;
	}
	return 0;
}
