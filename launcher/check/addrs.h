/* addrs: the guest-visible PCI address of every device and controller of
 * a domain, each under an identity that survives churn (a disk's target,
 * a NIC's MAC, a controller's type and index), so that two expansions of
 * a domain can be compared device by device: "disk vda moved from
 * 0000:03:00.0 to 0000:04:00.0".  A domain's name, UUID and the order of
 * its elements do not enter into it.  Both documents are untrusted: every
 * name is bounded and made printable. */
#ifndef LB_ADDRS_H
#define LB_ADDRS_H

#include <stddef.h>
#include <stdio.h>

#define ADDRS_MAX 512

struct addrs_dev {
	char id[96];              /* "disk/vda", "interface/52:54:00:..", "controller/pci/5" */
	char model[48];           /* "pcie-root-port", "virtio", ...; "-": none */
	unsigned dom, bus, slot, fn;
};

struct addrs {
	struct addrs_dev d[ADDRS_MAX];
	size_t n;
	int truncated;
};

enum addrs_change { ADDRS_MOVED, ADDRS_ADDED, ADDRS_REMOVED, ADDRS_MODEL };

/* What one difference between A and B is, with its sentence. */
struct addrs_diff {
	enum addrs_change what;
	const struct addrs_dev *a, *b;   /* NULL where the device is not */
	char sentence[320];
};

/* The devices with a PCI address in EXPANDED (a domain document).
 * WRITTEN, the document as given (NULL if none), names interfaces by
 * the MACs it gives; without one, an interface is named by its place
 * among the interfaces (libvirt keeps their order), since libvirt would
 * make up a MAC anew on each expansion.  Returns -1 after err_set(). */
int addrs_collect(const char *written, const char *expanded, struct addrs *out);
/* How a sentence names D: "disk vda", "pcie-root-port index 5". */
void addrs_name(const struct addrs_dev *d, char *buf, size_t len);
/* What a change is called in records: moved, added, removed, model. */
const char *addrs_change_name(enum addrs_change c);
/* DDDD:BB:SS.F */
void addrs_address(const struct addrs_dev *d, char buf[16]);
/* Compare A with B; call SINK for each difference, in B's order then
 * A's.  Returns how many there were. */
int addrs_compare(const struct addrs *a, const struct addrs *b,
		  void (*sink)(void *ctx, const struct addrs_diff *d), void *ctx);
/* The golden form: "ADDRESS IDENTITY MODEL" lines, sorted by address. */
int addrs_write(FILE *f, const struct addrs *a);
/* Read PATH in that form ('#' starts a comment).  A bad line is a usage
 * error that names it.  Returns -1 after err_set(). */
int addrs_read(const char *path, struct addrs *out);

#endif
