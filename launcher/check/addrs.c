/* addrs: PCI addresses by device identity (addrs.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xpath.h>

#include "check/addrs.h"
#include "common/err.h"
#include "common/util.h"
#include "common/xmlsafe.h"

/* Copy untrusted text into BUF: bounded, printable, no spaces (the
 * golden form is split on them). */
static void clean(char *buf, size_t len, const char *s)
{
	snprintf(buf, len, "%s", s ? s : "");
	for (char *p = buf; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f || (unsigned char)*p >= 0x80)
			*p = '?';
}

static xmlNodePtr child(xmlNodePtr n, const char *name)
{
	for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && !xmlStrcmp(c->name, BAD_CAST name))
			return c;
	return NULL;
}

/* ATTR of N's child CHILD (or of N when CHILD is NULL), malloc'd by
 * libxml2, or NULL. */
static xmlChar *prop(xmlNodePtr n, const char *child_name, const char *attr)
{
	xmlNodePtr c = child_name ? child(n, child_name) : n;

	return c ? xmlGetProp(c, BAD_CAST attr) : NULL;
}

static unsigned hexattr(xmlNodePtr n, const char *name, unsigned max)
{
	xmlChar *v = xmlGetProp(n, BAD_CAST name);
	unsigned long x = v ? strtoul((const char *)v, NULL, 0) : 0;

	xmlFree(v);
	return x > max ? max : (unsigned)x;
}

/* The MACs WRITTEN gives its interfaces, in order ("" where none). */
static size_t written_macs(const char *written, char macs[][32], size_t max)
{
	xmlDocPtr doc = written ? xmlsafe_parse_domain(written, strlen(written)) : NULL;
	xmlNodePtr devs = doc ? child(xmlDocGetRootElement(doc), "devices") : NULL;
	size_t n = 0;

	for (xmlNodePtr c = devs ? devs->children : NULL; c && n < max; c = c->next) {
		xmlChar *mac;

		if (c->type != XML_ELEMENT_NODE || xmlStrcmp(c->name, BAD_CAST "interface"))
			continue;
		mac = prop(c, "mac", "address");
		clean(macs[n++], 32, (const char *)mac);
		xmlFree(mac);
	}
	xmlFreeDoc(doc);
	if (written && !doc)
		err_clear();   /* the caller parsed it already, or has no need */
	return n;
}

/* A device's identity: what stays the same when its address moves. */
static void identity(xmlNodePtr dev, unsigned ordinal, char macs[][32], size_t nmacs, char *buf,
		     size_t len)
{
	char a[64] = "", b[64] = "";
	const char *name = (const char *)dev->name;
	xmlChar *x = NULL, *y = NULL;

	if (!strcmp(name, "disk")) {
		x = prop(dev, "target", "dev");
		clean(a, sizeof a, (const char *)x);
		snprintf(buf, len, "disk/%s", a);
	} else if (!strcmp(name, "interface")) {
		if (ordinal < nmacs && macs[ordinal][0])
			snprintf(buf, len, "interface/%s", macs[ordinal]);
		else
			snprintf(buf, len, "interface/#%u", ordinal);
	} else if (!strcmp(name, "controller")) {
		x = prop(dev, NULL, "type");
		y = prop(dev, NULL, "index");
		clean(a, sizeof a, (const char *)x);
		clean(b, sizeof b, (const char *)y);
		snprintf(buf, len, "controller/%s/%s", a, b);
	} else {
		clean(a, sizeof a, name);
		snprintf(buf, len, "%s/#%u", a, ordinal);
	}
	xmlFree(x);
	xmlFree(y);
}

/* What kind of device it is beyond its element: a model, a bus. */
static void model(xmlNodePtr dev, char *buf, size_t len)
{
	xmlChar *m = prop(dev, NULL, "model");

	if (!m)
		m = prop(dev, "model", "type");
	if (!m)
		m = prop(dev, "target", "bus");
	clean(buf, len, m ? (const char *)m : "-");
	if (!buf[0])
		snprintf(buf, len, "-");
	xmlFree(m);
}

int addrs_collect(const char *written, const char *expanded, struct addrs *out)
{
	char macs[ADDRS_MAX][32];
	size_t nmacs = written_macs(written, macs, ADDRS_MAX);
	xmlDocPtr doc = xmlsafe_parse_domain(expanded, strlen(expanded));
	xmlNodePtr devs = doc ? child(xmlDocGetRootElement(doc), "devices") : NULL;
	/* Ordinals by element name: few names, so a small table. */
	struct { char name[32]; unsigned n; } seen[32];
	size_t nseen = 0;

	memset(out, 0, sizeof *out);
	if (!doc)
		return -1;
	for (xmlNodePtr c = devs ? devs->children : NULL; c; c = c->next) {
		xmlNodePtr addr;
		xmlChar *type;
		unsigned ordinal = 0;
		size_t k;

		if (c->type != XML_ELEMENT_NODE)
			continue;
		for (k = 0; k < nseen && strcmp(seen[k].name, (const char *)c->name); k++)
			;
		if (k == nseen && nseen < sizeof seen / sizeof seen[0]) {
			snprintf(seen[k].name, sizeof seen[k].name, "%s", (const char *)c->name);
			seen[k].n = 0;
			nseen++;
		}
		if (k < nseen)
			ordinal = seen[k].n++;
		addr = child(c, "address");
		type = addr ? xmlGetProp(addr, BAD_CAST "type") : NULL;
		if (!type || xmlStrcmp(type, BAD_CAST "pci")) {
			xmlFree(type);
			continue;
		}
		xmlFree(type);
		if (out->n >= ADDRS_MAX) {
			out->truncated = 1;
			break;
		}
		{
			struct addrs_dev *d = &out->d[out->n++];

			identity(c, ordinal, macs, nmacs, d->id, sizeof d->id);
			model(c, d->model, sizeof d->model);
			d->dom = hexattr(addr, "domain", 0xffff);
			d->bus = hexattr(addr, "bus", 0xff);
			d->slot = hexattr(addr, "slot", 0x1f);
			d->fn = hexattr(addr, "function", 7);
		}
	}
	xmlFreeDoc(doc);
	return 0;
}

void addrs_address(const struct addrs_dev *d, char buf[16])
{
	snprintf(buf, 16, "%04x:%02x:%02x.%x", d->dom & 0xffff, d->bus & 0xff, d->slot & 0x1f, d->fn & 7);
}

/* How a sentence names the device: "disk vda", "pcie-root-port index 5",
 * "usb controller index 0", "interface 52:54:00:01:02:03", "rng #0". */
void addrs_name(const struct addrs_dev *d, char *buf, size_t len)
{
	const char *slash = strchr(d->id, '/');
	char kind[32];

	snprintf(kind, sizeof kind, "%.*s", slash ? (int)(slash - d->id) : 0, d->id);
	if (!strcmp(kind, "controller")) {
		const char *type = slash + 1, *idx = strchr(type, '/');
		int tlen = idx ? (int)(idx - type) : (int)strlen(type);

		if (tlen == 3 && !strncmp(type, "pci", 3) && strcmp(d->model, "-"))
			snprintf(buf, len, "%s index %s", d->model, idx ? idx + 1 : "?");
		else
			snprintf(buf, len, "%.*s controller index %s", tlen, type, idx ? idx + 1 : "?");
	} else {
		snprintf(buf, len, "%s %s", kind, slash ? slash + 1 : d->id);
	}
}

const char *addrs_change_name(enum addrs_change c)
{
	static const char *const names[] = { "moved", "added", "removed", "model" };

	return names[c];
}

static const struct addrs_dev *find(const struct addrs *s, const char *id)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->d[i].id, id))
			return &s->d[i];
	return NULL;
}

int addrs_compare(const struct addrs *a, const struct addrs *b,
		  void (*sink)(void *ctx, const struct addrs_diff *d), void *ctx)
{
	int n = 0;

	for (size_t i = 0; i < b->n; i++) {
		struct addrs_diff d = { .b = &b->d[i], .a = find(a, b->d[i].id) };
		char name[160], from[16], to[16];

		addrs_name(d.b, name, sizeof name);
		addrs_address(d.b, to);
		if (!d.a) {
			d.what = ADDRS_ADDED;
			snprintf(d.sentence, sizeof d.sentence, "%s added at %s", name, to);
		} else {
			addrs_address(d.a, from);
			if (strcmp(from, to)) {
				d.what = ADDRS_MOVED;
				snprintf(d.sentence, sizeof d.sentence, "%s moved from %s to %s", name, from, to);
			} else if (strcmp(d.a->model, d.b->model)) {
				d.what = ADDRS_MODEL;
				snprintf(d.sentence, sizeof d.sentence, "%s at %s changed from %s to %s", name, to,
					 d.a->model, d.b->model);
			} else {
				continue;
			}
		}
		sink(ctx, &d);
		n++;
	}
	for (size_t i = 0; i < a->n; i++) {
		struct addrs_diff d = { .what = ADDRS_REMOVED, .a = &a->d[i] };
		char name[160], from[16];

		if (find(b, a->d[i].id))
			continue;
		addrs_name(d.a, name, sizeof name);
		addrs_address(d.a, from);
		snprintf(d.sentence, sizeof d.sentence, "%s removed from %s", name, from);
		sink(ctx, &d);
		n++;
	}
	return n;
}

static int by_address(const void *x, const void *y)
{
	const struct addrs_dev *a = x, *b = y;
	unsigned ka = a->dom << 16 | a->bus << 8 | a->slot << 3 | a->fn;
	unsigned kb = b->dom << 16 | b->bus << 8 | b->slot << 3 | b->fn;

	return ka < kb ? -1 : ka > kb ? 1 : strcmp(a->id, b->id);
}

int addrs_write(FILE *f, const struct addrs *a)
{
	struct addrs_dev *sorted = malloc(sizeof *sorted * (a->n ? a->n : 1));
	char addr[16];

	if (!sorted) {
		err_set(LB_EXIT_VM, "out of memory");
		return -1;
	}
	memcpy(sorted, a->d, sizeof *sorted * a->n);
	qsort(sorted, a->n, sizeof *sorted, by_address);
	fprintf(f, "# address     device  model: every PCI device and controller libvirt placed\n");
	for (size_t i = 0; i < a->n; i++) {
		addrs_address(&sorted[i], addr);
		fprintf(f, "%s %s %s\n", addr, sorted[i].id, sorted[i].model);
	}
	free(sorted);
	return 0;
}

int addrs_read(const char *path, struct addrs *out)
{
	FILE *f = fopen(path, "re");
	char line[512];
	unsigned lineno = 0;

	memset(out, 0, sizeof *out);
	if (!f) {
		err_set(LB_EXIT_USAGE, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof line, f)) {
		struct addrs_dev *d = &out->d[out->n];
		char extra[2];

		lineno++;
		if (line[0] == '#' || line[strspn(line, " \t\r\n")] == '\0')
			continue;
		if (out->n >= ADDRS_MAX) {
			err_set(LB_EXIT_USAGE, "%s: more than %d devices", path, ADDRS_MAX);
			goto bad;
		}
		if (!strchr(line, '\n') && !feof(f)) {
			err_set(LB_EXIT_USAGE, "%s:%u: line too long", path, lineno);
			goto bad;
		}
		if (sscanf(line, "%4x:%2x:%2x.%1x %95s %47s %1s", &d->dom, &d->bus, &d->slot, &d->fn, d->id,
			   d->model, extra) != 6 || d->slot > 0x1f || d->fn > 7 || !strchr(d->id, '/')) {
			err_set(LB_EXIT_USAGE, "%s:%u: not \"DDDD:BB:SS.F DEVICE MODEL\"", path, lineno);
			goto bad;
		}
		out->n++;
	}
	fclose(f);
	return 0;
bad:
	fclose(f);
	return -1;
}
