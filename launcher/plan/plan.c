/* plan: builds the device list every topology starts from, then lets the
 * topology place it; plan_complete() mirrors libvirt 9.0's own defaults
 * for the renderer that has no libvirt behind it. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/names.h"
#include "plan/kernel.h"
#include "plan/machine.h"
#include "plan/plan.h"
#include "common/strv.h"
#include "common/util.h"

/* qboot is usual where QEMU ships it (cmd_default_firmware()). */
const struct names plan_firmware_names[] = {
	{ "seabios", PLAN_FW_SEABIOS, 0 }, { "qboot", PLAN_FW_QBOOT, 1 }, { "none", PLAN_FW_NONE, 0 },
	{ NULL, 0, 0 },
};

int plan_parse_firmware(const char *s)
{
	return names_parse(plan_firmware_names, s);
}

const char *plan_firmware_name(enum plan_firmware f)
{
	return names_name(plan_firmware_names, (int)f);
}

static struct plan_dev *plan_add_dev(struct plan *p, enum plan_dev_kind kind)
{
	struct plan_dev *d;

	if (p->ndev >= PLAN_MAX_DEV) {
		err_set(LB_EXIT_USAGE, "too many devices (at most %d)", PLAN_MAX_DEV);
		return NULL;
	}
	d = &p->dev[p->ndev++];
	memset(d, 0, sizeof *d);
	d->kind = kind;
	return d;
}

/* Disk D's fields: a device of the machine, or a clone's hot-added
 * one, whose letters are SCSI's (N: how many came before it). */
static int plan_fill_disk(struct plan_dev *d, const char *path, enum disk_format format,
			  int is_block, int rw, int is_root, const char *prefix, unsigned n)
{
	memset(d, 0, sizeof *d);
	d->kind = PLAN_DEV_DISK;
	if (!(d->path = strdup(path))) {
		err_set(LB_EXIT_VM, "out of memory");
		return -1;
	}
	d->format = format;
	d->is_block = is_block;
	d->readonly = !rw && !is_root;
	d->is_root = is_root;
	snprintf(d->target, sizeof d->target, "%s%c", prefix, 'a' + n);
	return 0;
}

/* The backing chain of the user's disk IN into D. */
static int plan_fill_chain(struct plan_dev *d, const struct plan_disk_in *in)
{
	for (size_t i = 0; in && i < in->nchain; i++) {
		if (!(d->chain[i] = strdup(in->chain[i]))) {
			err_set(LB_EXIT_VM, "out of memory");
			return -1;
		}
		d->chain_fmt[i] = in->chain_fmt[i];
		d->nchain = i + 1;
	}
	return 0;
}

static int plan_add_disk(struct plan *p, const char *path, enum disk_format format, int is_block,
			 int rw, int is_root, const struct plan_disk_in *in)
{
	struct plan_dev *d;
	unsigned n = 0;

	for (size_t i = 0; i < p->ndev; i++)
		n += p->dev[i].kind == PLAN_DEV_DISK;
	d = plan_add_dev(p, PLAN_DEV_DISK);
	return d && plan_fill_disk(d, path, format, is_block, rw, is_root, "vd", n) == 0 ?
		plan_fill_chain(d, in) : -1;
}

/* The guest names hot-added SCSI disks in the order they come, sda
 * first, as libvirt names their targets. */
static int plan_add_hot(struct plan *p, const struct plan_disk_in *in)
{
	struct plan_dev *d = &p->hot[p->nhot];
	unsigned n = (unsigned)p->nhot;

	if (plan_fill_disk(d, in->path, (enum disk_format)in->format, in->is_block, in->rw, 0, "sd", n) < 0)
		return -1;
	p->nhot++;
	return plan_fill_chain(d, in);
}

const struct names plan_clock_names[] = {
	{ "real", PLAN_CLOCK_REAL, 1 }, { "icount", PLAN_CLOCK_ICOUNT, 0 }, { NULL, 0, 0 },
};

int plan_parse_clock(const char *s)
{
	return names_parse(plan_clock_names, s);
}

const char *plan_clock_name(enum plan_clock c)
{
	return names_name(plan_clock_names, (int)c);
}

const struct names plan_shape_names[] = {
	{ "ext2", PLAN_SHAPE_EXT2, PLAN_SHAPE_EXT2 == PLAN_SHAPE_DEFAULT },
	{ "initramfs", PLAN_SHAPE_INITRAMFS, PLAN_SHAPE_INITRAMFS == PLAN_SHAPE_DEFAULT },
	{ NULL, 0, 0 },
};

int plan_parse_shape(const char *s)
{
	return names_parse(plan_shape_names, s);
}

const char *plan_shape_name(enum plan_shape s)
{
	return names_name(plan_shape_names, (int)s);
}

/* The appliance boots in 96 MiB and panics in 80 (the kernel image alone
 * is 60); 16 more leave a job room.  The initramfs shape holds its 50 MB
 * cpio and the files unpacked from it besides. */
unsigned plan_default_memory(int shape)
{
	return shape == PLAN_SHAPE_INITRAMFS ? PLAN_MEMORY_MIB_INITRAMFS : PLAN_MEMORY_MIB;
}

size_t plan_user_disks(const struct plan *p)
{
	size_t n = p->nhot;

	for (size_t i = 0; i < p->ndev; i++)
		n += p->dev[i].kind == PLAN_DEV_DISK && !p->dev[i].is_root;
	return n;
}

enum plan_machine plan_input_machine(const struct plan_input *in)
{
	unsigned set = in->topo->machines;

	if (in->machine >= 0)
		return (enum plan_machine)in->machine;
	if (in->arch >= 0 && (set & machine_arch_set((enum plan_arch)in->arch)))
		set &= machine_arch_set((enum plan_arch)in->arch);
	return machine_first(set);
}

int plan_make(const struct plan_input *in, struct plan *p)
{
	const struct topo *t = in->topo;
	long arg = in->topo_arg;
	enum plan_machine machine;
	const struct machine *m;

	memset(p, 0, sizeof *p);
	if (!t || !in->rundir || !in->kernel || !in->initrd) {
		err_set(LB_EXIT_VM, "the plan's input is not resolved");
		return -1;
	}
	machine = plan_input_machine(in);
	if (!(t->machines & MACHINE_BIT(machine))) {
		err_set(LB_EXIT_USAGE, "topology %s does not work on machine %s",
			t->name, machine_name(machine));
		return -1;
	}
	m = machine_of(machine);
	if (in->ndisks > PLAN_MAX_DISKS) {
		err_set(LB_EXIT_USAGE, "too many disks (at most %d)", PLAN_MAX_DISKS);
		return -1;
	}

	p->topology = t->name;
	/* The domain is named after its run directory, which mkdtemp made
	 * unique on this host: a name that cannot clash between concurrent
	 * launches, and one that `leanboot xml` shows as it will be. */
	{
		const char *slash = strrchr(in->rundir, '/');

		snprintf(p->name, sizeof p->name, "%s", in->name ? in->name : slash ? slash + 1 : in->rundir);
	}
	p->machine = machine;
	p->firmware = in->firmware >= 0 ? (enum plan_firmware)in->firmware : m->firmware;
	if (!(m->firmwares & MACHINE_BIT(p->firmware)))
		p->firmware = m->firmware;
	p->accel = in->accel;
	p->clock = (enum plan_clock)in->clock;
	p->rtc_start = p->clock == PLAN_CLOCK_ICOUNT ? PLAN_ICOUNT_RTC_START : 0;
	p->hpet = p->clock == PLAN_CLOCK_ICOUNT ? PLAN_ICOUNT_HPET : 1;
	p->shape = in->shape < 0 ? PLAN_SHAPE_DEFAULT : (enum plan_shape)in->shape;
	p->memory_mib = in->memory_mib ? in->memory_mib : plan_default_memory(p->shape);
	p->tb_cache_mib = in->tb_cache_mib < 0 ? PLAN_TB_CACHE_MIB : (unsigned)in->tb_cache_mib;
	p->vcpus = 1;
	p->tsc_khz = in->tsc_khz;
	p->usb = p->balloon = PLAN_DEFAULT_LIBVIRT;
	/* root=/dev/vda: the root disk is always the first disk and takes the
	 * lowest PCI address, so virtio-blk probes it first.  panic=1 turns a
	 * guest panic into a reboot, which both backends treat as the end. */
	p->kernel = strdup(in->kernel);
	p->kernel_format = in->kernel_format < 0 ? 0 : in->kernel_format;
	p->initrd = strdup(in->initrd);
	p->cmdline = util_printf("console=%s%s panic=1%s%s%s%s%s%s", m->console,
				 in->root ? " root=/dev/vda" : "", in->tuning ? " " : "", in->tuning ? m->tuning : "",
				 in->append ? " " : "", in->append ? in->append : "",
				 in->kernel_extra ? " " : "",
				 in->kernel_extra ? in->kernel_extra : "");
	if (!p->kernel || !p->initrd || !p->cmdline) {
		err_set(LB_EXIT_VM, "out of memory");
		goto fail;
	}
	if (!(m->kernel_formats & MACHINE_BIT(p->kernel_format))) {
		err_set(LB_EXIT_USAGE, "machine %s does not boot a %s kernel", machine_name(machine),
			kern_format_name((enum kern_format)p->kernel_format));
		goto fail;
	}
	/* The TSC's rate, last on the line (machine.c says why). */
	if (m->tsc_hint && p->tsc_khz) {
		char *c = util_printf("%s tsc_early_khz=%u", p->cmdline, p->tsc_khz);

		if (!c)
			goto fail;
		free(p->cmdline);
		p->cmdline = c;
	}
	/* x86's COMMAND_LINE_SIZE, the whole line counted: the kernel would
	 * cut the rest off. */
	if (strlen(p->cmdline) > 2047) {
		err_set(LB_EXIT_USAGE, "the kernel command line would be %zu bytes; at most 2047 fit",
			strlen(p->cmdline));
		goto fail;
	}
	/* No element of libvirt's domain XML sets icount: both renderers
	 * pass it as they pass bench's trace, as QEMU arguments. */
	if (p->clock == PLAN_CLOCK_ICOUNT &&
	    (strv_add(&p->qemu_extra, "-icount") < 0 || strv_add(&p->qemu_extra, PLAN_ICOUNT_ARG) < 0)) {
		err_set(LB_EXIT_VM, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < in->nqemu_extra; i++)
		if (strv_add(&p->qemu_extra, in->qemu_extra[i]) < 0)
			goto fail;
	/* Controllers are the first devices: libvirt addresses them before
	 * disks, SCSI before virtio-serial, and plan_complete() follows it.
	 * A template and its clones take their disks as SCSI LUNs, and
	 * their RAM from the template's file. */
	p->start = in->start;
	p->conn = in->conn;
	if (in->uuid)
		snprintf(p->uuid, sizeof p->uuid, "%s", in->uuid);
	if (in->start != PLAN_START_COLD) {
		if (!in->template_dir) {
			err_set(LB_EXIT_VM, "the plan's input is not resolved");
			goto fail;
		}
		p->memory_path = util_printf("%.4000s/" PLAN_RAM, in->template_dir);
		p->monitor = util_printf("%.4000s/" PLAN_MONITOR, in->rundir);
		if (!p->memory_path || !p->monitor || !plan_add_dev(p, PLAN_DEV_SCSI))
			goto fail;
	}
	if (in->channel) {
		p->channel = util_printf("%.4000s/" PLAN_CHANNEL, in->rundir);
		if (!p->channel || !plan_add_dev(p, PLAN_DEV_VSERIAL))
			goto fail;
	}
	/* The root overlay is made per launch, in its run directory. */
	if (in->root) {
		char overlay[4200];

		snprintf(overlay, sizeof overlay, "%.4000s/" PLAN_OVERLAY, in->rundir);
		if (plan_add_disk(p, overlay, DISK_QCOW2, 0, 0, 1, NULL) < 0)
			goto fail;
	}
	/* The user's disks: the machine's own on a cold boot; a clone's
	 * are attached to the template's machine, and a template has none. */
	for (size_t i = 0; i < in->ndisks && in->start != PLAN_START_TEMPLATE; i++) {
		const struct plan_disk_in *d = &in->disks[i];

		if (!d->probed || d->format < 0) {
			err_set(LB_EXIT_VM, "disk %s was not probed", d->path);
			goto fail;
		}
		if (in->start == PLAN_START_CLONE ? plan_add_hot(p, d) < 0 :
		    plan_add_disk(p, d->path, (enum disk_format)d->format, d->is_block, d->rw, 0, d) < 0)
			goto fail;
	}
	if (t->apply(p, arg) < 0)
		goto fail;
	return 0;
fail:
	plan_free(p);
	return -1;
}

static void plan_free_dev(struct plan_dev *d)
{
	free(d->path);
	for (size_t k = 0; k < d->nchain; k++)
		free(d->chain[k]);
}

void plan_free(struct plan *p)
{
	for (size_t i = 0; i < p->ndev; i++)
		plan_free_dev(&p->dev[i]);
	for (size_t i = 0; i < p->nhot; i++)
		plan_free_dev(&p->hot[i]);
	free(p->kernel);
	free(p->initrd);
	free(p->cmdline);
	free(p->channel);
	free(p->memory_path);
	free(p->monitor);
	strv_free(&p->qemu_extra);
	memset(p, 0, sizeof *p);
}

/* --- plan_complete: libvirt's defaults, made explicit ----------------- */

static int slot_used(const struct plan *p, unsigned slot)
{
	for (size_t i = 0; i < p->ndev; i++)
		if (p->dev[i].addr.set && p->dev[i].addr.bus == 0 && p->dev[i].addr.slot == slot)
			return 1;
	for (size_t i = 0; i < p->nctl; i++)
		if (p->ctl[i].addr.set && p->ctl[i].addr.bus == 0 && p->ctl[i].addr.slot == slot)
			return 1;
	return 0;
}

static int bus_has_device(const struct plan *p, unsigned bus)
{
	for (size_t i = 0; i < p->ndev; i++)
		if (p->dev[i].addr.set && p->dev[i].addr.bus == bus)
			return 1;
	return 0;
}

/* libvirt 9.0 puts root ports that have no address on the first free
 * slot of pcie.0 from 00:01, filling functions 0-7 with multifunction on,
 * and numbers each port's chassis after its index and its port after its
 * address (slot << 3 | function). */
static int address_port(struct plan *p, struct plan_ctl *c, unsigned *slot, unsigned *fn)
{
	unsigned last = machine_of(p->machine)->libvirt_last_slot;

	if (*fn == 0)
		while (*slot <= last && slot_used(p, *slot))
			(*slot)++;
	if (*slot > last) {
		err_set(LB_EXIT_USAGE, "no free slot on the root bus for another root port");
		return -1;
	}
	c->chassis = c->index;
	c->port = (*slot << 3) | *fn;
	c->addr = (struct plan_addr){ 1, 0, *slot, *fn, *fn == 0, 0 };
	if (++*fn == 8) {
		*fn = 0;
		(*slot)++;
	}
	return 0;
}

/* A root port libvirt adds, placed as it places them. */
static int add_root_port(struct plan *p, unsigned *slot, unsigned *fn)
{
	struct plan_ctl *c;
	unsigned index = 0;

	if (p->nctl >= PLAN_MAX_CTL) {
		err_set(LB_EXIT_USAGE, "too many PCI controllers");
		return -1;
	}
	for (size_t i = 0; i < p->nctl; i++)
		if (p->ctl[i].index >= index)
			index = p->ctl[i].index + 1;
	c = &p->ctl[p->nctl];
	memset(c, 0, sizeof *c);
	c->model = PLAN_CTL_PCIE_ROOT_PORT;
	c->index = index;
	if (address_port(p, c, slot, fn) < 0)
		return -1;
	p->nctl++;
	return (int)index;
}

/* A PCIe root bus (q35's): a root port for each device, and the spare. */
static int complete_pcie(struct plan *p)
{
	int had_bus_ctl = 0, added = 0;
	unsigned slot = machine_of(p->machine)->first_slot, fn = 0;

	for (size_t i = 0; i < p->nctl; i++)
		had_bus_ctl |= p->ctl[i].index >= 1;
	/* The root ports the XML has without addresses (virt-install's)
	 * come first. */
	for (size_t i = 0; i < p->nctl; i++)
		if (p->ctl[i].model == PLAN_CTL_PCIE_ROOT_PORT && !p->ctl[i].addr.set &&
		    address_port(p, &p->ctl[i], &slot, &fn) < 0)
			return -1;
	/* libvirt assigns PCI addresses in this order: controllers
	 * (virtio-serial, then USB), disks, memballoon, rng.  The device list
	 * is kept in that order. */
	for (size_t i = 0; i < p->ndev; i++) {
		struct plan_dev *d = &p->dev[i];
		int bus = -1;

		if (d->addr.set)
			continue;
		/* An empty root port the XML already has takes the device first. */
		for (size_t c = 0; c < p->nctl && bus < 0; c++)
			if (p->ctl[c].model == PLAN_CTL_PCIE_ROOT_PORT &&
			    !bus_has_device(p, p->ctl[c].index))
				bus = (int)p->ctl[c].index;
		if (bus < 0) {
			bus = add_root_port(p, &slot, &fn);
			if (bus < 0)
				return -1;
			added = 1;
		}
		d->addr = (struct plan_addr){ 1, (unsigned)bus, 0, 0, 0, 0 };
	}
	/* The spare hot-plug port, unless the XML had any PCI controller with
	 * index >= 1 or nothing had to be added ("the libguestfs clause"). */
	if (added && !had_bus_ctl && add_root_port(p, &slot, &fn) < 0)
		return -1;
	return 0;
}

/* A PCI root bus (pc's): each device in a slot of its own. */
static int complete_pci(struct plan *p)
{
	const struct machine *m = machine_of(p->machine);
	unsigned slot = m->first_slot;

	for (size_t i = 0; i < p->ndev; i++) {
		struct plan_dev *d = &p->dev[i];

		if (d->addr.set)
			continue;
		if (d->kind == PLAN_DEV_UHCI) {
			/* piix3-uhci is function 2 of the PIIX3 in slot 1. */
			d->addr = (struct plan_addr){ 1, 0, 1, 2, 0, 0 };
			continue;
		}
		while (slot <= m->libvirt_last_slot && slot_used(p, slot))
			slot++;
		if (slot > m->libvirt_last_slot) {
			err_set(LB_EXIT_USAGE, "no free slot on the PCI root bus");
			return -1;
		}
		d->addr = (struct plan_addr){ 1, 0, slot, 0, 0, 0 };
	}
	return 0;
}

static int insert_dev(struct plan *p, size_t at, enum plan_dev_kind kind)
{
	if (!plan_add_dev(p, kind))
		return -1;
	memmove(&p->dev[at + 1], &p->dev[at], (p->ndev - 1 - at) * sizeof *p->dev);
	memset(&p->dev[at], 0, sizeof *p->dev);
	p->dev[at].kind = kind;
	return 0;
}

/* libvirt addresses a USB controller after SCSI and virtio-serial (its
 * controllers go in order of type) and before any disk. */
int plan_add_usb(struct plan *p, enum plan_dev_kind kind)
{
	size_t at = 0;

	while (at < p->ndev && (p->dev[at].kind == PLAN_DEV_SCSI || p->dev[at].kind == PLAN_DEV_VSERIAL))
		at++;
	return insert_dev(p, at, kind);
}

int plan_complete(struct plan *p)
{
	const struct machine *m = machine_of(p->machine);

	/* Without PCI, virtio-mmio devices need no addresses. */
	if (m->pci == MACHINE_NO_PCI)
		return 0;
	if (p->nctl == 0) {
		struct plan_ctl *c = &p->ctl[p->nctl++];

		memset(c, 0, sizeof *c);
		c->model = m->pci == MACHINE_PCIE ? PLAN_CTL_PCIE_ROOT : PLAN_CTL_PCI_ROOT;
	}
	if (p->usb == PLAN_DEFAULT_LIBVIRT) {
		if (m->usb != MACHINE_USB_NONE &&
		    plan_add_usb(p, m->usb == MACHINE_USB_XHCI ? PLAN_DEV_XHCI : PLAN_DEV_UHCI) < 0)
			return -1;
		p->usb = PLAN_DEFAULT_NONE;
	}
	if (p->balloon == PLAN_DEFAULT_LIBVIRT && !m->balloon)
		p->balloon = PLAN_DEFAULT_NONE;
	if (p->balloon == PLAN_DEFAULT_LIBVIRT) {
		size_t at = p->ndev;

		while (at > 0 && p->dev[at - 1].kind == PLAN_DEV_RNG)
			at--;
		if (insert_dev(p, at, PLAN_DEV_BALLOON) < 0)
			return -1;
		p->balloon = PLAN_DEFAULT_NONE;
	}
	return m->pci == MACHINE_PCIE ? complete_pcie(p) : complete_pci(p);
}
