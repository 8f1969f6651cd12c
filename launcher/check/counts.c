/* counts: counts a domain's devices by kind with XPath over a document
 * parsed by xmlsafe.c.  Each kind is one XPath expression, so a kind is
 * one row of the table below. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xpath.h>

#include "check/counts.h"
#include "common/err.h"
#include "common/xmlsafe.h"

#define PCI_CTL(m) "/domain/devices/controller[@type='pci'][@model='" m "']"
#define USB_CTL(m) "/domain/devices/controller[@type='usb'][@model='" m "']"

static const struct {
	const char *name;
	const char *xpath;
	int primary;
} kinds[] = {
	{ "pcie-root", PCI_CTL("pcie-root"), 1 },
	{ "pcie-root-port", PCI_CTL("pcie-root-port"), 1 },
	{ "pci-root", PCI_CTL("pci-root"), 1 },
	{ "pci-bridge", PCI_CTL("pci-bridge"), 1 },
	{ "pcie-to-pci-bridge", PCI_CTL("pcie-to-pci-bridge"), 1 },
	{ "dmi-to-pci-bridge", PCI_CTL("dmi-to-pci-bridge"), 0 },
	{ "pcie-switch-upstream-port", PCI_CTL("pcie-switch-upstream-port"), 0 },
	{ "pcie-switch-downstream-port", PCI_CTL("pcie-switch-downstream-port"), 0 },
	{ "pci-expander-bus", PCI_CTL("pci-expander-bus"), 0 },
	{ "pcie-expander-bus", PCI_CTL("pcie-expander-bus"), 0 },
	/* usb: every USB controller that exists (model='none' means none). */
	{ "usb", "/domain/devices/controller[@type='usb'][not(@model='none')]", 1 },
	{ "qemu-xhci", USB_CTL("qemu-xhci"), 0 },
	{ "nec-xhci", USB_CTL("nec-xhci"), 0 },
	{ "piix3-uhci", USB_CTL("piix3-uhci"), 0 },
	{ "piix4-uhci", USB_CTL("piix4-uhci"), 0 },
	{ "ehci", USB_CTL("ehci"), 0 },
	{ "ich9-ehci1", USB_CTL("ich9-ehci1"), 0 },
	{ "ich9-uhci1", USB_CTL("ich9-uhci1"), 0 },
	{ "pci-ohci", USB_CTL("pci-ohci"), 0 },
	{ "sata", "/domain/devices/controller[@type='sata']", 1 },
	{ "ide", "/domain/devices/controller[@type='ide']", 0 },
	{ "scsi", "/domain/devices/controller[@type='scsi']", 0 },
	{ "virtio-serial", "/domain/devices/controller[@type='virtio-serial']", 1 },
	/* memballoon: a balloon that exists (model='none' means none). */
	{ "memballoon", "/domain/devices/memballoon[not(@model='none')]", 1 },
	{ "pci-endpoints", "/domain/devices/*[address[@type='pci']]"
			   "[not(self::controller[@type='pci'])]", 1 },
};

#define NKINDS (sizeof kinds / sizeof *kinds)

size_t counts_nkinds(void)
{
	return NKINDS;
}

const char *counts_kind_name(size_t i)
{
	return i < NKINDS ? kinds[i].name : NULL;
}

int counts_kind_primary(size_t i)
{
	return i < NKINDS && kinds[i].primary;
}

int counts_kind_find(const char *name)
{
	for (size_t i = 0; i < NKINDS; i++)
		if (!strcmp(name, kinds[i].name))
			return (int)i;
	return -1;
}

static unsigned attr_hex(xmlNodePtr n, const char *name)
{
	xmlChar *v = xmlGetProp(n, BAD_CAST name);
	unsigned long x = v ? strtoul((const char *)v, NULL, 0) : 0;

	xmlFree(v);
	return x > 0xffff ? 0xffff : (unsigned)x;
}

/* "disk vda", "controller usb qemu-xhci", "memballoon virtio", ... */
static void describe(xmlNodePtr dev, char *buf, size_t len)
{
	xmlChar *type = xmlGetProp(dev, BAD_CAST "type");
	xmlChar *model = xmlGetProp(dev, BAD_CAST "model");
	xmlChar *target = NULL;

	for (xmlNodePtr c = dev->children; c && !target; c = c->next)
		if (c->type == XML_ELEMENT_NODE && !xmlStrcmp(c->name, BAD_CAST "target"))
			target = xmlGetProp(c, BAD_CAST "dev");
	snprintf(buf, len, "%s%s%.24s%s%.24s%s%.16s", (const char *)dev->name,
		 type ? " " : "", type ? (const char *)type : "",
		 model ? " " : "", model ? (const char *)model : "",
		 target ? " " : "", target ? (const char *)target : "");
	/* Names come from untrusted XML: keep them printable. */
	for (char *p = buf; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	xmlFree(type);
	xmlFree(model);
	xmlFree(target);
}

static void list_endpoints(xmlNodeSetPtr set, struct counts *out)
{
	for (int i = 0; set && i < set->nodeNr; i++) {
		xmlNodePtr dev = set->nodeTab[i], addr = NULL;
		struct counts_endpoint *e;

		if (out->nep >= COUNTS_MAX_EP) {
			out->ep_truncated = 1;
			return;
		}
		for (xmlNodePtr c = dev->children; c; c = c->next)
			if (c->type == XML_ELEMENT_NODE && !xmlStrcmp(c->name, BAD_CAST "address"))
				addr = c;
		if (!addr)
			continue;
		e = &out->ep[out->nep++];
		describe(dev, e->what, sizeof e->what);
		e->bus = attr_hex(addr, "bus");
		e->slot = attr_hex(addr, "slot");
		e->fn = attr_hex(addr, "function");
	}
}

int counts_count(xmlDocPtr doc, struct counts *out)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	int r = -1;

	memset(out, 0, sizeof *out);
	out->n = calloc(NKINDS, sizeof *out->n);
	if (!ctx || !out->n) {
		err_set(LB_EXIT_VM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < NKINDS; i++) {
		xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST kinds[i].xpath, ctx);

		if (!o) {
			err_set(LB_EXIT_VM, "XPath %s failed", kinds[i].xpath);
			goto out;
		}
		out->n[i] = o->nodesetval ? o->nodesetval->nodeNr : 0;
		if (!strcmp(kinds[i].name, "pci-endpoints"))
			list_endpoints(o->nodesetval, out);
		xmlXPathFreeObject(o);
	}
	r = 0;
out:
	xmlXPathFreeContext(ctx);
	if (r < 0)
		counts_free(out);
	return r;
}

int counts_count_xml(const char *xml, struct counts *out)
{
	xmlDocPtr doc = xmlsafe_parse_domain(xml, strlen(xml));
	int r;

	if (!doc)
		return -1;
	r = counts_count(doc, out);
	xmlFreeDoc(doc);
	return r;
}

/* Which kinds a guest-seen PCI function is, by what QEMU's devices report:
 * Red Hat's QEMU bridges (1b36), virtio (1af4) and Intel's chipsets. */
static int seen_is(const char *kind, unsigned cls, unsigned v, unsigned d)
{
	static const struct {
		const char *kind;
		unsigned vendor;
		unsigned device[2];
	} ids[] = {
		{ "pcie-root", 0x8086, { 0x29c0 } },          /* q35 host bridge */
		{ "pcie-root", 0x1b36, { 0x0008 } },          /* virt's (gpex) */
		{ "pci-root", 0x8086, { 0x1237 } },           /* i440FX host bridge */
		{ "pcie-root-port", 0x1b36, { 0x000c } },
		{ "pci-bridge", 0x1b36, { 0x0001 } },
		{ "pcie-to-pci-bridge", 0x1b36, { 0x000e } },
		{ "dmi-to-pci-bridge", 0x8086, { 0x244e } },
		{ "pci-expander-bus", 0x1b36, { 0x0009 } },
		{ "pcie-expander-bus", 0x1b36, { 0x000b } },
		{ "qemu-xhci", 0x1b36, { 0x000d } },
		{ "nec-xhci", 0x1033, { 0x0194 } },
		{ "piix3-uhci", 0x8086, { 0x7020 } },
		{ "piix4-uhci", 0x8086, { 0x7112 } },
		{ "virtio-serial", 0x1af4, { 0x1003, 0x1043 } },
		{ "memballoon", 0x1af4, { 0x1002, 0x1045 } },
		{ "scsi", 0x1af4, { 0x1004, 0x1048 } },   /* virtio-scsi */
	};

	int known = 0;

	/* A kind may have a row for each machine's device. */
	for (size_t i = 0; i < sizeof ids / sizeof *ids; i++)
		if (!strcmp(kind, ids[i].kind)) {
			known = 1;
			if (v == ids[i].vendor && (d == ids[i].device[0] || d == ids[i].device[1]))
				return 1;
		}
	if (known)
		return 0;
	if (!strcmp(kind, "usb"))
		return (cls >> 8) == 0x0c03;
	if (!strcmp(kind, "sata"))
		return (cls >> 8) == 0x0106;
	if (!strcmp(kind, "ide"))
		return (cls >> 8) == 0x0101;
	if (!strcmp(kind, "pci-endpoints")) {
		unsigned sub = cls >> 8;

		return sub != 0x0600 && sub != 0x0601 && sub != 0x0604 && sub != 0x0c05 &&
		       sub != 0x0680;
	}
	return 0;
}

int counts_count_seen(const char *listing, struct counts *out)
{
	const char *line = listing;

	memset(out, 0, sizeof *out);
	out->n = calloc(NKINDS, sizeof *out->n);
	if (!out->n) {
		err_set(LB_EXIT_VM, "out of memory");
		return -1;
	}
	while (line && *line) {
		unsigned dom, bus, slot, fn, cls, v, d;
		const char *next = strchr(line, '\n');
		char tail;

		/* Guest output: each line must match exactly, or it is refused. */
		if (sscanf(line, "%4x:%2x:%2x.%1x 0x%6x 0x%4x 0x%4x%c", &dom, &bus, &slot, &fn,
			   &cls, &v, &d, &tail) != 8 || tail != '\n' || slot > 0x1f || fn > 7) {
			err_set(LB_EXIT_VM, "the guest's PCI listing has a malformed line");
			counts_free(out);
			return -1;
		}
		for (size_t k = 0; k < NKINDS; k++)
			out->n[k] += seen_is(kinds[k].name, cls, v, d);
		if (seen_is("pci-endpoints", cls, v, d)) {
			struct counts_endpoint *e;

			if (out->nep >= COUNTS_MAX_EP) {
				out->ep_truncated = 1;
			} else {
				e = &out->ep[out->nep++];
				snprintf(e->what, sizeof e->what, "class %06x %04x:%04x", cls, v, d);
				e->bus = bus;
				e->slot = slot;
				e->fn = fn;
			}
		}
		line = next ? next + 1 : NULL;
	}
	return 0;
}

int counts_disks_seen(const char *listing, struct counts_disk *out, size_t max)
{
	const char *line = listing;
	size_t n = 0;

	while (line && *line) {
		struct counts_disk *d = &out[n];
		const char *next = strchr(line, '\n');
		char tail;
		int len = 0;

		if (n >= max) {
			err_set(LB_EXIT_VM, "the guest lists more than %zu disks", max);
			return -1;
		}
		if (sscanf(line, "block %15[a-z0-9]%n %4x:%2x:%2x.%1x%c", d->name, &len, &d->dom, &d->bus,
			   &d->slot, &d->fn, &tail) != 6 || tail != '\n' || d->slot > 0x1f || d->fn > 7 ||
		    len < 7) {
			err_set(LB_EXIT_VM, "the guest's disk listing has a malformed line");
			return -1;
		}
		n++;
		line = next ? next + 1 : NULL;
	}
	return (int)n;
}

void counts_free(struct counts *c)
{
	free(c->n);
	c->n = NULL;
}
