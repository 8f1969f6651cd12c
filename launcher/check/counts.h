/* counts: what a domain XML holds, by kind: PCI controllers by model, USB
 * controllers, other controllers, the balloon and the PCI endpoints.
 * Kinds carry libvirt's own model names. */
#ifndef LB_COUNTS_H
#define LB_COUNTS_H

#include <stddef.h>
#include <libxml/tree.h>

#define COUNTS_MAX_EP 512

struct counts_endpoint {
	char what[64];            /* "disk vda", "controller usb qemu-xhci", ... */
	unsigned bus, slot, fn;
};

struct counts {
	long *n;                  /* one count per kind, counts_nkinds() of them */
	struct counts_endpoint ep[COUNTS_MAX_EP];
	size_t nep;
	int ep_truncated;
};

size_t counts_nkinds(void);
const char *counts_kind_name(size_t i);
/* The index of a kind name, or -1. */
int counts_kind_find(const char *name);
/* Kinds worth showing even at zero (the ones users ask about). */
int counts_kind_primary(size_t i);

int counts_count(xmlDocPtr doc, struct counts *out);
/* Count what a guest enumerated, from lines "DDDD:BB:SS.F 0xCLASS 0xVENDOR
 * 0xDEVICE" (its /sys/bus/pci/devices).  The machine's own chipset
 * functions that libvirt does not list (host bridge excepted, which is the
 * root bus: ISA bridge, SMBus, PIIX4 ACPI) are left out of pci-endpoints,
 * as are bridges, which are controllers. */
int counts_count_seen(const char *listing, struct counts *out);
int counts_count_xml(const char *xml, struct counts *out);

/* A disk as the guest named it, at the PCI function it hangs off. */
struct counts_disk {
	char name[16];            /* vda, sdb, ... */
	unsigned dom, bus, slot, fn;
};
#define COUNTS_MAX_DISKS 64
/* The guest's disks, from lines "block NAME DDDD:BB:SS.F".  Guest output:
 * a line that does not match exactly is refused.  Returns how many, or
 * -1 after err_set(). */
int counts_disks_seen(const char *listing, struct counts_disk *out, size_t max);
void counts_free(struct counts *c);

#endif
