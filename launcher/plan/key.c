/* key: see key.h.  One helper per group of the plan's fields; where a
 * field is left out, a comment there says why.  Each word is tagged, and a path or the command line
 * ends its word, so that no two plans give the same words. */
#define _GNU_SOURCE
#include <stdio.h>

#include "common/names.h"
#include "common/strv.h"
#include "plan/disk.h"
#include "plan/kernel.h"
#include "plan/key.h"
#include "plan/machine.h"
#include "plan/plan.h"

/* Names for the plan's enums that no option parses, and so have no
 * table of their own. */
static const struct names key_accels[] = {
	{ "tcg", PLAN_ACCEL_TCG, 0 }, { "kvm", PLAN_ACCEL_KVM, 0 }, { NULL, 0, 0 },
};
static const struct names key_starts[] = {
	{ "cold", PLAN_START_COLD, 0 }, { "template", PLAN_START_TEMPLATE, 0 },
	{ "clone", PLAN_START_CLONE, 0 }, { NULL, 0, 0 },
};
static const struct names key_conns[] = {
	{ "local", PLAN_CONN_LOCAL, 0 }, { "daemon", PLAN_CONN_DAEMON, 0 },
	{ "remote", PLAN_CONN_REMOTE, 0 }, { NULL, 0, 0 },
};
static const struct names key_defaults[] = {
	{ "libvirt", PLAN_DEFAULT_LIBVIRT, 0 }, { "none", PLAN_DEFAULT_NONE, 0 }, { NULL, 0, 0 },
};
static const struct names key_ctl_models[] = {
	{ "pcie-root", PLAN_CTL_PCIE_ROOT, 0 }, { "pci-root", PLAN_CTL_PCI_ROOT, 0 },
	{ "pcie-root-port", PLAN_CTL_PCIE_ROOT_PORT, 0 }, { NULL, 0, 0 },
};
static const struct names key_dev_kinds[] = {
	{ "disk", PLAN_DEV_DISK, 0 }, { "xhci", PLAN_DEV_XHCI, 0 }, { "uhci", PLAN_DEV_UHCI, 0 },
	{ "balloon", PLAN_DEV_BALLOON, 0 }, { "rng", PLAN_DEV_RNG, 0 },
	{ "vserial", PLAN_DEV_VSERIAL, 0 }, { "scsi", PLAN_DEV_SCSI, 0 }, { NULL, 0, 0 },
};

/* NAME, or "#VALUE" in BUF when its table has none: a value added to an
 * enum before its name still keys apart from the others. */
static const char *key_name(const char *name, int value, char *buf, size_t len)
{
	if (name)
		return name;
	snprintf(buf, len, "#%d", value);
	return buf;
}

static int key_enum(struct strv *out, const char *tag, const char *name, int value)
{
	char buf[16];

	return strv_addf(out, "%s=%s", tag, key_name(name, value, buf, sizeof buf));
}

/* The machine, its clock and its size. */
static int key_machine(const struct plan *p, struct strv *out)
{
	int r = 0;

	r |= strv_addf(out, "topology=%s", p->topology ? p->topology : "");
	r |= key_enum(out, "machine", machine_name(p->machine), (int)p->machine);
	r |= key_enum(out, "firmware", plan_firmware_name(p->firmware), (int)p->firmware);
	r |= key_enum(out, "accel", names_name(key_accels, (int)p->accel), (int)p->accel);
	r |= key_enum(out, "clock", plan_clock_name(p->clock), (int)p->clock);
	r |= strv_addf(out, "memory=%u", p->memory_mib);
	r |= strv_addf(out, "tb-cache=%u", p->tb_cache_mib);
	r |= strv_addf(out, "vcpus=%u", p->vcpus);
	/* The host's TSC rate comes from /proc/cpuinfo's "cpu MHz", which
	 * follows frequency scaling on some hosts.  Keyed on a machine that
	 * never tells the guest (plan.c), it would make a template per
	 * launch there. */
	if (machine_of(p->machine)->tsc_hint)
		r |= strv_addf(out, "tsc-khz=%u", p->tsc_khz);
	r |= strv_addf(out, "rtc-start=%lld", p->rtc_start);
	r |= strv_addf(out, "hpet=%d", p->hpet);
	return r;
}

/* What the guest boots.  The kernel and initrd are the appliance's, at
 * the same paths for every launch (template.c keys their identity as
 * well); the command line names no path of a launch's. */
static int key_boot(const struct plan *p, struct strv *out)
{
	char buf[16];
	int r = 0;

	r |= strv_addf(out, "kernel=%s", p->kernel ? p->kernel : "");
	r |= strv_addf(out, "kernel-format=%s",
		       key_name(kern_format_name((enum kern_format)p->kernel_format),
				p->kernel_format, buf, sizeof buf));
	r |= strv_addf(out, "initrd=%s", p->initrd ? p->initrd : "");
	r |= strv_addf(out, "cmdline=%s", p->cmdline ? p->cmdline : "");
	r |= key_enum(out, "shape", plan_shape_name(p->shape), (int)p->shape);
	for (size_t i = 0; i < p->qemu_extra.n; i++)
		r |= strv_addf(out, "extra%zu=%s", i, p->qemu_extra.v[i]);
	return r;
}

/* How the VM starts and is reached.  Of the channel's and the monitor's
 * sockets and of the RAM file, only whether there is one counts: the
 * sockets are in the launch's run directory and the RAM file in the
 * template's directory, which differ between the template's making and
 * each clone. */
static int key_launch(const struct plan *p, struct strv *out)
{
	int r = 0;

	r |= strv_addf(out, "channel=%s", p->channel ? "yes" : "no");
	r |= strv_addf(out, "monitor=%s", p->monitor ? "yes" : "no");
	r |= strv_addf(out, "ram=%s", p->memory_path ? "file" : "anonymous");
	r |= key_enum(out, "start", names_name(key_starts, (int)p->start), (int)p->start);
	r |= key_enum(out, "conn", names_name(key_conns, (int)p->conn), (int)p->conn);
	r |= key_enum(out, "usb", names_name(key_defaults, (int)p->usb), (int)p->usb);
	r |= key_enum(out, "balloon", names_name(key_defaults, (int)p->balloon), (int)p->balloon);
	return r;
}

/* "addr=BUS:SLOT.FN[,multifunction]", or "addr=auto" for one left to
 * libvirt: domxml.c writes no address then, and qemuargv.c renders
 * plan_complete()'s, which follows from the rest of the plan. */
static void key_addr(const struct plan_addr *a, char *buf, size_t len)
{
	if (!a->set)
		snprintf(buf, len, "addr=auto");
	else
		snprintf(buf, len, "addr=%u:%u.%u%s", a->bus, a->slot, a->fn,
			 a->multifunction ? ",multifunction" : "");
}

static int key_ctl(const struct plan_ctl *c, size_t i, struct strv *out)
{
	char addr[64], buf[16];

	key_addr(&c->addr, addr, sizeof addr);
	return strv_addf(out, "ctl%zu=%s,index=%u,chassis=%u,port=%u,%s", i,
			 key_name(names_name(key_ctl_models, (int)c->model), (int)c->model, buf,
				  sizeof buf),
			 c->index, c->chassis, c->port, addr);
}

/* A device; a disk's fields only for a disk, as the renderers read them.
 * The root overlay's path is left out: it is made for each launch in
 * its run directory (plan.c).  Another disk's path is the user's image,
 * the same whichever launch names it. */
static int key_dev(const struct plan_dev *d, size_t i, struct strv *out)
{
	char addr[64], buf[16], fbuf[16];
	const char *kind = key_name(names_name(key_dev_kinds, (int)d->kind), (int)d->kind, buf,
				    sizeof buf);

	key_addr(&d->addr, addr, sizeof addr);
	if (d->kind != PLAN_DEV_DISK)
		return strv_addf(out, "dev%zu=%s,%s", i, kind, addr);
	return strv_addf(out, "dev%zu=%s,%s,%s,%s,%s,%s,%s%s%s", i, kind,
			 key_name(disk_format_name(d->format), (int)d->format, fbuf, sizeof fbuf),
			 d->is_block ? "block" : "file", d->readonly ? "ro" : "rw",
			 d->is_root ? "root" : "user", d->target, addr, d->is_root ? "" : ",path=",
			 d->is_root || !d->path ? "" : d->path);
}

/* Not the domain's name or UUID: a template's are made from this key
 * (template.c), and its clones take the same, since libvirt restores an
 * image only as a domain of the same; a cold launch's name is its run
 * directory's.  Not hot[]: a clone's disks are attached to the machine,
 * not part of it, and a template has none. */
int plan_key_words(const struct plan *p, struct strv *out)
{
	int r = key_machine(p, out);

	r |= key_boot(p, out);
	r |= key_launch(p, out);
	for (size_t i = 0; i < p->nctl; i++)
		r |= key_ctl(&p->ctl[i], i, out);
	for (size_t i = 0; i < p->ndev; i++)
		r |= key_dev(&p->dev[i], i, out);
	/* strv_add() and strv_addf() have said why. */
	return r ? -1 : 0;
}
