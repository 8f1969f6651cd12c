/* topology: the table of PCI topologies leanboot can give a guest.  Each
 * entry is one function that places the plan's devices; adding a topology
 * means one row and one function here. */
#define _GNU_SOURCE
#include <string.h>

#include "common/err.h"
#include "plan/machine.h"
#include "plan/plan.h"
#include "plan/topology.h"
#include "common/util.h"

#define Q35 MACHINE_BIT(PLAN_Q35)
#define PC MACHINE_BIT(PLAN_PC)
#define MICROVM MACHINE_BIT(PLAN_MICROVM)
#define VIRT MACHINE_BIT(PLAN_VIRT)

static struct plan_ctl *add_ctl(struct plan *p, enum plan_ctl_model model, unsigned index)
{
	struct plan_ctl *c;

	if (p->nctl >= PLAN_MAX_CTL) {
		err_set(LB_EXIT_USAGE, "too many PCI controllers");
		return NULL;
	}
	c = &p->ctl[p->nctl++];
	memset(c, 0, sizeof *c);
	c->model = model;
	c->index = index;
	return c;
}

/* Put every device still without an address on the root bus, one slot
 * each from FIRST, up to the machine's last. */
static int place_on_root_bus(struct plan *p, unsigned first)
{
	unsigned slot = first, last = machine_of(p->machine)->last_slot;

	for (size_t i = 0; i < p->ndev; i++) {
		if (p->dev[i].addr.set)
			continue;
		while (slot <= last) {
			int used = 0;

			for (size_t c = 0; c < p->nctl; c++)
				used |= p->ctl[c].addr.set && p->ctl[c].addr.bus == 0 &&
					p->ctl[c].addr.slot == slot;
			if (!used)
				break;
			slot++;
		}
		if (slot > last) {
			err_set(LB_EXIT_USAGE, "no free slot on the root bus");
			return -1;
		}
		p->dev[i].addr = (struct plan_addr){ 1, 0, slot++, 0, 0, 0 };
	}
	return 0;
}

/* pcie-root, every device addressed on bus 0, no USB, no balloon: libvirt
 * has nothing to add, so it adds no root port at all. */
static int topo_minimal(struct plan *p, long arg)
{
	(void)arg;
	if (!add_ctl(p, PLAN_CTL_PCIE_ROOT, 0))
		return -1;
	p->usb = p->balloon = PLAN_DEFAULT_NONE;
	return place_on_root_bus(p, machine_of(p->machine)->first_slot);
}

/* What libguestfs writes: no USB and no balloon, but no addresses, so
 * libvirt gives each device a root port and adds the spare. */
static int topo_libguestfs(struct plan *p, long arg)
{
	(void)arg;
	p->usb = p->balloon = PLAN_DEFAULT_NONE;
	return 0;
}

/* Nothing stated: whatever libvirt adds by default. */
static int topo_auto(struct plan *p, long arg)
{
	(void)p;
	(void)arg;
	return 0;
}

/* N root ports on the root bus, with devices behind them and any left
 * over on the root bus.  The kernel probes the root bus before what is
 * behind its bridges, so the ports take the last devices of the list:
 * the root disk, which must be vda, then comes before every user disk
 * wherever it is.  With ports written out libvirt adds no spare, so N is
 * exactly what the guest gets. */
static int topo_ports(struct plan *p, long n)
{
	size_t d = p->ndev > (size_t)n ? p->ndev - (size_t)n : 0;
	unsigned first = machine_of(p->machine)->first_slot;

	if (!add_ctl(p, PLAN_CTL_PCIE_ROOT, 0))
		return -1;
	for (long i = 0; i < n; i++) {
		unsigned slot = first + (unsigned)(i / 8), fn = (unsigned)(i % 8);
		struct plan_ctl *c = add_ctl(p, PLAN_CTL_PCIE_ROOT_PORT, (unsigned)i + 1);

		if (!c)
			return -1;
		c->chassis = c->index;
		c->port = (slot << 3) | fn;
		/* Function 0 must say multifunction when the slot has others. */
		c->addr = (struct plan_addr){ 1, 0, slot, fn, fn == 0 && i + 1 < n, 0 };
		if (d < p->ndev)
			p->dev[d++].addr = (struct plan_addr){ 1, c->index, 0, 0, 0, 0 };
	}
	p->usb = p->balloon = PLAN_DEFAULT_NONE;
	return place_on_root_bus(p, first + (unsigned)((n + 7) / 8));
}

/* virt-install 4.x on q35: 14 root ports written without addresses, a
 * qemu-xhci controller, a virtio balloon and a virtio rng. */
static int topo_virt_install(struct plan *p, long arg)
{
	(void)arg;
	if (!add_ctl(p, PLAN_CTL_PCIE_ROOT, 0))
		return -1;
	for (unsigned i = 1; i <= 14; i++)
		if (!add_ctl(p, PLAN_CTL_PCIE_ROOT_PORT, i))
			return -1;
	if (p->ndev + 3 > PLAN_MAX_DEV) {
		err_set(LB_EXIT_USAGE, "too many devices for virt-install's topology");
		return -1;
	}
	/* Keep libvirt's assignment order: controllers, disks, balloon, rng. */
	if (plan_add_usb(p, PLAN_DEV_XHCI) < 0)
		return -1;
	memset(&p->dev[p->ndev], 0, 2 * sizeof *p->dev);
	p->dev[p->ndev++].kind = PLAN_DEV_BALLOON;
	p->dev[p->ndev++].kind = PLAN_DEV_RNG;
	p->usb = p->balloon = PLAN_DEFAULT_NONE;
	return 0;
}

/* i440fx: pci-root, every device addressed on bus 0, no USB, no balloon. */
static int topo_pc(struct plan *p, long arg)
{
	(void)arg;
	if (!add_ctl(p, PLAN_CTL_PCI_ROOT, 0))
		return -1;
	p->usb = p->balloon = PLAN_DEFAULT_NONE;
	return place_on_root_bus(p, machine_of(p->machine)->first_slot);
}

/* QEMU's microvm: virtio-mmio, no PCI at all.  libvirt 9.0 cannot run it,
 * so it is for the direct backend only. */
static int topo_microvm(struct plan *p, long arg)
{
	(void)arg;
	p->usb = p->balloon = PLAN_DEFAULT_NONE;
	return 0;
}

/* virt with virtio-mmio instead of PCI: every device at a virtio-mmio
 * address and none on PCI, what "no PCI controller" would mean on
 * aarch64 had libvirt not chosen root ports.  libvirt still adds
 * virt's pcie-root, an empty bus. */
static int topo_mmio(struct plan *p, long arg)
{
	(void)arg;
	for (size_t i = 0; i < p->ndev; i++)
		p->dev[i].addr = (struct plan_addr){ .set = 1, .mmio = 1 };
	p->usb = p->balloon = PLAN_DEFAULT_NONE;
	return 0;
}

const struct topo topo_table[] = {
	{ "minimal", Q35 | VIRT, topo_minimal, "pcie-root, all devices on bus 0, no USB, no balloon" },
	{ "libguestfs", Q35 | PC | VIRT, topo_libguestfs, "no USB or balloon, addresses left to libvirt" },
	{ "auto", Q35 | PC | VIRT, topo_auto, "plain libvirt defaults" },
	{ "virt-install", Q35 | VIRT, topo_virt_install, "14 root ports, xhci, balloon, rng" },
	{ "ports", Q35 | VIRT, topo_ports, "ports=N: N root ports, devices behind them" },
	{ "pc", PC, topo_pc, "i440fx, all devices on bus 0, no USB, no balloon" },
	{ "microvm", MICROVM, topo_microvm, "virtio-mmio, no PCI (direct backend only)" },
	{ "mmio", VIRT, topo_mmio, "aarch64 virt: virtio-mmio devices, no PCI device" },
	{ NULL, 0, NULL, NULL },
};

const struct topo *topo_find(const char *spec, long *arg)
{
	const char *eq = strchr(spec, '=');
	size_t len = eq ? (size_t)(eq - spec) : strlen(spec);

	*arg = 0;
	for (const struct topo *t = topo_table; t->name; t++) {
		if (strlen(t->name) != len || strncmp(t->name, spec, len))
			continue;
		if (t->apply == topo_ports) {
			if (!eq || util_parse_long(eq + 1, 0, PLAN_MAX_PORTS, arg) < 0) {
				err_set(LB_EXIT_USAGE,
					"topology '%s': ports=N takes N from 0 to %d", spec,
					PLAN_MAX_PORTS);
				return NULL;
			}
		} else if (eq) {
			break;
		}
		return t;
	}
	err_set(LB_EXIT_USAGE, "unknown topology '%s' (try: minimal, libguestfs, auto, "
		"virt-install, ports=N, pc, microvm, mmio)", spec);
	return NULL;
}
