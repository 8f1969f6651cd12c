/* svg: see svg.h.  One horizontal bar per configuration, one colour per
 * stage, a legend, and an axis in seconds; then each plot in a box of its
 * own, scaled to its points and its line. */
#include <math.h>
#include <stdio.h>

#include <libxml/xmlwriter.h>

#include "common/err.h"
#include "bench/svg.h"

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

/* <NAME A0=V0 A1=V1 A2=V2 A3=V3 PAINT=COLOUR/>: rect and line alike. */
static int shape(xmlTextWriterPtr w, const char *name, const char *const a[4], const double v[4],
		 const char *paint, const char *colour)
{
	int r = xmlTextWriterStartElement(w, BAD_CAST name);

	for (int i = 0; i < 4; i++)
		r |= attrf(w, a[i], v[i]);
	r |= attr(w, paint, colour);
	r |= xmlTextWriterEndElement(w);
	return r;
}

static int rect(xmlTextWriterPtr w, double x, double y, double wd, double h, const char *fill)
{
	static const char *const a[4] = { "x", "y", "width", "height" };

	return shape(w, "rect", a, (const double[4]){ x, y, wd, h }, "fill", fill);
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

static int line(xmlTextWriterPtr w, double x1, double y1, double x2, double y2, const char *stroke)
{
	static const char *const a[4] = { "x1", "y1", "x2", "y2" };

	return shape(w, "line", a, (const double[4]){ x1, y1, x2, y2 }, "stroke", stroke);
}

static int dot(xmlTextWriterPtr w, double x, double y)
{
	int r = xmlTextWriterStartElement(w, BAD_CAST "circle");

	r |= attrf(w, "cx", x);
	r |= attrf(w, "cy", y);
	r |= attr(w, "r", "3");
	r |= attr(w, "fill", colours[2]);
	r |= xmlTextWriterEndElement(w);
	return r;
}

#define PLOT_W 380
#define PLOT_H 170
#define PLOT_ROW (PLOT_H + 70)

/* Plot P with its top left corner at (X0, Y0). */
static int plot(xmlTextWriterPtr w, const struct svg_plot *p, double x0, double y0)
{
	double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY, sx, sy;
	char buf[64];
	int r = 0;

	for (size_t i = 0; i < p->n; i++) {
		if (isnan(p->med[i]))
			continue;
		xmin = fmin(xmin, p->x[i]);
		xmax = fmax(xmax, p->x[i]);
		ymin = fmin(ymin, fmin(p->lo[i], p->intercept + p->slope * p->x[i]));
		ymax = fmax(ymax, fmax(p->hi[i], p->intercept + p->slope * p->x[i]));
	}
	r |= text(w, x0, y0 + 14, "start", p->title);
	if (!(xmax > xmin))
		return r;
	if (!(ymax > ymin)) {
		ymin -= 1;
		ymax += 1;
	}
	sx = PLOT_W / (xmax - xmin);
	sy = PLOT_H / (ymax - ymin);
#define PX(v) (x0 + ((v) - xmin) * sx)
#define PY(v) (y0 + 24 + PLOT_H - ((v) - ymin) * sy)
	r |= line(w, x0, PY(ymin), x0 + PLOT_W, PY(ymin), "#333333");
	r |= line(w, x0, PY(ymin), x0, PY(ymax), "#333333");
	snprintf(buf, sizeof buf, "%.4g", ymax);
	r |= text(w, x0 - 4, PY(ymax) + 4, "end", buf);
	snprintf(buf, sizeof buf, "%.4g", ymin);
	r |= text(w, x0 - 4, PY(ymin), "end", buf);
	for (size_t i = 0; i < p->n; i++) {
		if (isnan(p->med[i]))
			continue;
		r |= line(w, PX(p->x[i]), PY(p->lo[i]), PX(p->x[i]), PY(p->hi[i]), "#9e9e9e");
		r |= dot(w, PX(p->x[i]), PY(p->med[i]));
		if (p->n <= 9 || i % ((p->n + 8) / 9) == 0 || i == p->n - 1) {
			snprintf(buf, sizeof buf, "%g", p->x[i]);
			r |= text(w, PX(p->x[i]), PY(ymin) + 16, "middle", buf);
		}
	}
	r |= line(w, PX(xmin), PY(p->intercept + p->slope * xmin), PX(xmax),
		  PY(p->intercept + p->slope * xmax), colours[1]);
#undef PX
#undef PY
	return r;
}

static double seg(double v)
{
	return isnan(v) || v < 0 ? 0 : v;
}

int svg_write(const char *path, const char *title, const char *const *segs, size_t nseg,
	      const struct svg_bar *bars, size_t nbars, const struct svg_plot *plots, size_t nplots)
{
	xmlTextWriterPtr w = xmlNewTextWriterFilename(path, 0);
	double max = 0, scale, bars_end = TOP + ROW * (double)nbars + 70;
	double height = bars_end + PLOT_ROW * (double)((nplots + 1) / 2);
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
	for (size_t i = 0; i < nplots; i++)
		r |= plot(w, &plots[i], 70 + (double)(i % 2) * (PLOT_W + 110),
			  bars_end + PLOT_ROW * (double)(i / 2));
	r |= xmlTextWriterEndElement(w);
	r |= xmlTextWriterEndDocument(w);
	xmlFreeTextWriter(w);
	if (r < 0) {
		err_set(LB_EXIT_USAGE, "cannot write %s", path);
		return -1;
	}
	return 0;
}
