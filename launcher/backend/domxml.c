/* domxml: one plan, written as libvirt domain XML.  It states everything
 * leanboot relies on: <features><acpi/> (without it libvirt passes
 * -no-acpi, and the guest enumerates PCI differently), the PCI controllers,
 * every address the plan gives, and model='none' for USB and the balloon
 * where the topology says so. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlwriter.h>

#include "backend/domxml.h"
#include "backend/qemuargv.h"
#include "common/err.h"
#include "backend/lv.h"
#include "plan/machine.h"

/* Each helper returns <0 on failure, like the libxml2 calls; the caller
 * ORs them so that one check at the end covers the document. */
int domxml_start(xmlTextWriterPtr w, const char *name)
{
	return xmlTextWriterStartElement(w, BAD_CAST name);
}

int domxml_end(xmlTextWriterPtr w)
{
	return xmlTextWriterEndElement(w);
}

int domxml_attr(xmlTextWriterPtr w, const char *name, const char *value)
{
	return xmlTextWriterWriteAttribute(w, BAD_CAST name, BAD_CAST value);
}

static int domxml_attrf(xmlTextWriterPtr w, const char *name, const char *fmt, unsigned v)
{
	char buf[32];

	snprintf(buf, sizeof buf, fmt, v);
	return domxml_attr(w, name, buf);
}

int domxml_text(xmlTextWriterPtr w, const char *name, const char *text)
{
	return xmlTextWriterWriteElement(w, BAD_CAST name, BAD_CAST text);
}

static int domxml_address(xmlTextWriterPtr w, const struct plan_addr *a)
{
	int r = 0;

	if (!a->set)
		return 0;
	r |= domxml_start(w, "address");
	if (a->mmio) {
		r |= domxml_attr(w, "type", "virtio-mmio");
		return r | domxml_end(w);
	}
	r |= domxml_attr(w, "type", "pci");
	r |= domxml_attr(w, "domain", "0x0000");
	r |= domxml_attrf(w, "bus", "0x%02x", a->bus);
	r |= domxml_attrf(w, "slot", "0x%02x", a->slot);
	r |= domxml_attrf(w, "function", "0x%x", a->fn);
	if (a->multifunction)
		r |= domxml_attr(w, "multifunction", "on");
	r |= domxml_end(w);
	return r;
}

static int domxml_os(xmlTextWriterPtr w, const struct plan *p)
{
	int r = 0;

	r |= domxml_start(w, "os");
	r |= domxml_start(w, "type");
	r |= domxml_attr(w, "arch", machine_arch_name(machine_of(p->machine)->arch));
	r |= domxml_attr(w, "machine", machine_name(p->machine));
	r |= xmlTextWriterWriteString(w, BAD_CAST "hvm");
	r |= domxml_end(w);
	if (p->firmware == PLAN_FW_QBOOT) {
		r |= domxml_start(w, "loader");
		r |= domxml_attr(w, "type", "rom");
		r |= xmlTextWriterWriteString(w, BAD_CAST PLAN_QBOOT_ROM);
		r |= domxml_end(w);
	}
	r |= domxml_text(w, "kernel", p->kernel);
	r |= domxml_text(w, "initrd", p->initrd);
	r |= domxml_text(w, "cmdline", p->cmdline);
	r |= domxml_end(w);
	r |= domxml_start(w, "features");
	if (machine_of(p->machine)->acpi) {
		r |= domxml_start(w, "acpi");
		r |= domxml_end(w);
	}
	if (p->accel == PLAN_ACCEL_TCG && p->tb_cache_mib) {
		char mib[16];

		snprintf(mib, sizeof mib, "%u", p->tb_cache_mib);
		r |= domxml_start(w, "tcg");
		r |= domxml_start(w, "tb-cache");
		r |= domxml_attr(w, "unit", "MiB");
		r |= xmlTextWriterWriteString(w, BAD_CAST mib);
		r |= domxml_end(w);
		r |= domxml_end(w);
	}
	r |= domxml_end(w);
	return r;
}

static const char *ctl_model(enum plan_ctl_model m)
{
	switch (m) {
	case PLAN_CTL_PCIE_ROOT:
		return "pcie-root";
	case PLAN_CTL_PCI_ROOT:
		return "pci-root";
	case PLAN_CTL_PCIE_ROOT_PORT:
		return "pcie-root-port";
	}
	return "?";
}

static int domxml_controller(xmlTextWriterPtr w, const struct plan_ctl *c)
{
	int r = 0;

	r |= domxml_start(w, "controller");
	r |= domxml_attr(w, "type", "pci");
	r |= domxml_attrf(w, "index", "%u", c->index);
	r |= domxml_attr(w, "model", ctl_model(c->model));
	if (c->model == PLAN_CTL_PCIE_ROOT_PORT && c->addr.set) {
		r |= domxml_start(w, "target");
		r |= domxml_attrf(w, "chassis", "%u", c->chassis);
		r |= domxml_attrf(w, "port", "0x%x", c->port);
		r |= domxml_end(w);
	}
	r |= domxml_address(w, &c->addr);
	r |= domxml_end(w);
	return r;
}

/* The fd group of descriptor slot K (diskfd.h), as libvirt.c names it
 * to virDomainFDAssociate. */
void domxml_fdgroup(int k, char *buf, size_t len)
{
	snprintf(buf, len, "leanboot-disk%d", k);
}

/* D's backing files by descriptor, from slot K on: each one's
 * <backingStore> inside the one above, and an empty one to end the chain,
 * so that libvirt neither probes the chain nor has QEMU open a backing
 * file by name. */
static int domxml_chain(xmlTextWriterPtr w, const struct plan_dev *d, int k)
{
	char group[32];
	int r = 0;

	for (size_t i = 0; i < d->nchain; i++) {
		domxml_fdgroup(k + (int)i, group, sizeof group);
		r |= domxml_start(w, "backingStore");
		r |= domxml_attr(w, "type", "file");
		r |= domxml_start(w, "format");
		r |= domxml_attr(w, "type", disk_format_name(d->chain_fmt[i]));
		r |= domxml_end(w);
		r |= domxml_start(w, "source");
		r |= domxml_attr(w, "file", d->chain[i]);
		r |= domxml_attr(w, "fdgroup", group);
		r |= domxml_end(w);
	}
	r |= domxml_start(w, "backingStore");
	r |= domxml_end(w);
	for (size_t i = 0; i < d->nchain; i++)
		r |= domxml_end(w);
	return r;
}

/* LUN: -1 for a virtio disk at its PCI address, else the unit of a SCSI
 * disk on controller 0 (a clone's hot-added disks).  SLOT: the disk's
 * descriptor slot where the caller hands libvirt descriptors, else -1. */
static int domxml_disk(xmlTextWriterPtr w, const struct plan_dev *d, int norelabel, int lun, int slot)
{
	char group[32];
	int r = 0;

	r |= domxml_start(w, "disk");
	r |= domxml_attr(w, "type", d->is_block ? "block" : "file");
	r |= domxml_attr(w, "device", "disk");
	r |= domxml_start(w, "driver");
	r |= domxml_attr(w, "name", "qemu");
	r |= domxml_attr(w, "type", disk_format_name(d->format));
	/* The root overlay is thrown away after the run: nothing to flush. */
	if (d->is_root)
		r |= domxml_attr(w, "cache", "unsafe");
	r |= domxml_end(w);
	r |= domxml_start(w, "source");
	r |= domxml_attr(w, d->is_block ? "dev" : "file", d->path);
	if (slot >= 0) {
		domxml_fdgroup(slot, group, sizeof group);
		r |= domxml_attr(w, "fdgroup", group);
	}
	/* The user's images are not ours to chown: libvirt's DAC driver
	 * would give them, and their backing files, to QEMU's user and leave
	 * them so.  The root overlay is ours. */
	if (norelabel && !d->is_root) {
		r |= domxml_start(w, "seclabel");
		r |= domxml_attr(w, "model", "dac");
		r |= domxml_attr(w, "relabel", "no");
		r |= domxml_end(w);
	}
	r |= domxml_end(w);
	if (slot >= 0 && d->format == DISK_QCOW2)
		r |= domxml_chain(w, d, slot + 1);
	r |= domxml_start(w, "target");
	r |= domxml_attr(w, "dev", d->target);
	r |= domxml_attr(w, "bus", lun < 0 ? "virtio" : "scsi");
	r |= domxml_end(w);
	if (d->readonly) {
		r |= domxml_start(w, "readonly");
		r |= domxml_end(w);
	}
	if (lun < 0) {
		r |= domxml_address(w, &d->addr);
	} else {
		char unit[16];

		snprintf(unit, sizeof unit, "%d", lun);
		r |= domxml_start(w, "address");
		r |= domxml_attr(w, "type", "drive");
		r |= domxml_attr(w, "controller", "0");
		r |= domxml_attr(w, "bus", "0");
		r |= domxml_attr(w, "target", "0");
		r |= domxml_attr(w, "unit", unit);
		r |= domxml_end(w);
	}
	r |= domxml_end(w);
	return r;
}

static int domxml_usb(xmlTextWriterPtr w, const char *model, const struct plan_addr *a)
{
	int r = 0;

	r |= domxml_start(w, "controller");
	r |= domxml_attr(w, "type", "usb");
	r |= domxml_attr(w, "model", model);
	if (a)
		r |= domxml_address(w, a);
	r |= domxml_end(w);
	return r;
}

static int domxml_balloon(xmlTextWriterPtr w, const char *model, const struct plan_addr *a)
{
	int r = 0;

	r |= domxml_start(w, "memballoon");
	r |= domxml_attr(w, "model", model);
	if (a)
		r |= domxml_address(w, a);
	r |= domxml_end(w);
	return r;
}

static int domxml_rng(xmlTextWriterPtr w, const struct plan_addr *a)
{
	int r = 0;

	r |= domxml_start(w, "rng");
	r |= domxml_attr(w, "model", "virtio");
	r |= domxml_start(w, "backend");
	r |= domxml_attr(w, "model", "random");
	r |= xmlTextWriterWriteString(w, BAD_CAST "/dev/urandom");
	r |= domxml_end(w);
	r |= domxml_address(w, a);
	r |= domxml_end(w);
	return r;
}

/* The console is the machine's UART (the 16550 on ttyS0, an ISA device;
 * virt's PL011, a system device), so it adds nothing to the PCI topology
 * being measured. */
static int domxml_serial(xmlTextWriterPtr w, const struct machine *m)
{
	int r = 0;

	r |= domxml_start(w, "serial");
	r |= domxml_attr(w, "type", "pty");
	r |= domxml_start(w, "target");
	r |= domxml_attr(w, "type", m->console_target);
	r |= domxml_attr(w, "port", "0");
	r |= domxml_start(w, "model");
	r |= domxml_attr(w, "name", m->console_model);
	r |= domxml_end(w);
	r |= domxml_end(w);
	r |= domxml_end(w);
	return r;
}

/* The channel: a virtio-serial controller (a PCI device of its own, with
 * the address the plan gives it) and one port on it, whose chardev
 * connects to the launch's socket (chan.h). */
static int domxml_vserial(xmlTextWriterPtr w, const struct plan_addr *a)
{
	int r = 0;

	r |= domxml_start(w, "controller");
	r |= domxml_attr(w, "type", "virtio-serial");
	r |= domxml_attr(w, "index", "0");
	r |= domxml_address(w, a);
	r |= domxml_end(w);
	return r;
}

/* Where a clone's disks are hot-added as LUNs: libvirt names it scsi0,
 * its bus scsi0.0. */
static int domxml_scsi(xmlTextWriterPtr w, const struct plan_addr *a)
{
	int r = 0;

	r |= domxml_start(w, "controller");
	r |= domxml_attr(w, "type", "scsi");
	r |= domxml_attr(w, "index", "0");
	r |= domxml_attr(w, "model", "virtio-scsi");
	r |= domxml_address(w, a);
	r |= domxml_end(w);
	return r;
}

/* BIND: QEMU listens where libvirt puts the socket, and we reach it
 * through libvirt (virDomainOpenChannel); else QEMU connects to PATH. */
static int domxml_channel(xmlTextWriterPtr w, const char *path, int bind)
{
	int r = 0;

	r |= domxml_start(w, "channel");
	r |= domxml_attr(w, "type", "unix");
	r |= domxml_start(w, "source");
	r |= domxml_attr(w, "mode", bind ? "bind" : "connect");
	if (!bind)
		r |= domxml_attr(w, "path", path);
	r |= domxml_end(w);
	r |= domxml_start(w, "target");
	r |= domxml_attr(w, "type", "virtio");
	r |= domxml_attr(w, "name", WIRE_CHANNEL_NAME);
	r |= domxml_end(w);
	r |= domxml_start(w, "address");
	r |= domxml_attr(w, "type", "virtio-serial");
	r |= domxml_attr(w, "controller", "0");
	r |= domxml_attr(w, "bus", "0");
	r |= domxml_attr(w, "port", "1");
	r |= domxml_end(w);
	r |= domxml_end(w);
	return r;
}

static int domxml_devices(xmlTextWriterPtr w, const struct plan *p, const struct domxml_extra *extra)
{
	int r = 0, balloon = 0;

	r |= domxml_start(w, "devices");
	r |= domxml_text(w, "emulator", machine_of(p->machine)->qemu);
	for (size_t i = 0; i < p->nctl; i++)
		r |= domxml_controller(w, &p->ctl[i]);
	if (p->usb == PLAN_DEFAULT_NONE) {
		int have = 0;

		for (size_t i = 0; i < p->ndev; i++)
			have |= p->dev[i].kind == PLAN_DEV_XHCI || p->dev[i].kind == PLAN_DEV_UHCI;
		if (!have)
			r |= domxml_usb(w, "none", NULL);
	}
	for (size_t i = 0; i < p->ndev; i++) {
		const struct plan_dev *d = &p->dev[i];

		switch (d->kind) {
		case PLAN_DEV_DISK:
			r |= domxml_disk(w, d, extra && extra->disk_norelabel, -1,
					 extra && extra->fdgroups ? qemuargv_disk_index(p, d) : -1);
			break;
		case PLAN_DEV_XHCI:
			r |= domxml_usb(w, "qemu-xhci", &d->addr);
			break;
		case PLAN_DEV_UHCI:
			r |= domxml_usb(w, "piix3-uhci", &d->addr);
			break;
		case PLAN_DEV_BALLOON:
			balloon = 1;
			r |= domxml_balloon(w, "virtio", &d->addr);
			break;
		case PLAN_DEV_RNG:
			r |= domxml_rng(w, &d->addr);
			break;
		case PLAN_DEV_VSERIAL:
			r |= domxml_vserial(w, &d->addr);
			break;
		case PLAN_DEV_SCSI:
			r |= domxml_scsi(w, &d->addr);
			break;
		}
	}
	r |= domxml_serial(w, machine_of(p->machine));
	if (p->channel)
		r |= domxml_channel(w, p->channel, extra && extra->channel_bind);
	if (!balloon && p->balloon == PLAN_DEFAULT_NONE)
		r |= domxml_balloon(w, "none", NULL);
	r |= domxml_end(w);
	return r;
}

static int domxml_qemu_args(xmlTextWriterPtr w, const struct plan *p)
{
	int r = 0;

	if (!p->qemu_extra.n)
		return 0;
	r |= xmlTextWriterStartElementNS(w, BAD_CAST "qemu", BAD_CAST "commandline", NULL);
	for (size_t i = 0; i < p->qemu_extra.n; i++) {
		r |= xmlTextWriterStartElementNS(w, BAD_CAST "qemu", BAD_CAST "arg", NULL);
		r |= domxml_attr(w, "value", p->qemu_extra.v[i]);
		r |= domxml_end(w);
	}
	r |= domxml_end(w);
	return r;
}

/* End the document W writes into BUF and release both: the text
 * malloc'd, or NULL after err_set() (R < 0: writing WHAT failed; WHAT
 * NULL: the caller has set the error already). */
char *domxml_finish(xmlBufferPtr buf, xmlTextWriterPtr w, int r, const char *what)
{
	char *out = NULL;

	if (w && r >= 0)
		r = xmlTextWriterEndDocument(w);
	if (w)
		xmlFreeTextWriter(w);
	if (r < 0 && what)
		err_set(LB_EXIT_VM, "cannot write %s", what);
	if (r >= 0 && !(out = strdup((const char *)xmlBufferContent(buf))))
		err_set(LB_EXIT_VM, "out of memory");
	if (buf)
		xmlBufferFree(buf);
	return out;
}

char *domxml_render(const struct plan *p, const struct domxml_extra *extra)
{
	xmlBufferPtr buf = xmlBufferCreate();
	xmlTextWriterPtr w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
	const struct machine *m = machine_of(p->machine);
	const char *cpu = machine_cpu(p->machine, p->accel == PLAN_ACCEL_KVM);
	char mem[16], vcpus[16];
	int r = 0;

	if (!m->libvirt) {
		err_set(LB_EXIT_USAGE, "libvirt cannot run %s; use --backend direct",
			machine_name(p->machine));
		goto out;
	}
	if (!w) {
		err_set(LB_EXIT_VM, "cannot create an XML writer");
		goto out;
	}
	snprintf(mem, sizeof mem, "%u", p->memory_mib);
	snprintf(vcpus, sizeof vcpus, "%u", p->vcpus);
	r |= xmlTextWriterSetIndent(w, 1);
	r |= xmlTextWriterSetIndentString(w, BAD_CAST "  ");
	r |= domxml_start(w, "domain");
	r |= domxml_attr(w, "type", p->accel == PLAN_ACCEL_KVM ? "kvm" : "qemu");
	if (p->qemu_extra.n)
		r |= xmlTextWriterWriteAttribute(w, BAD_CAST "xmlns:qemu", BAD_CAST LV_QEMU_NS);
	r |= domxml_text(w, "name", p->name);
	if (p->uuid[0])
		r |= domxml_text(w, "uuid", p->uuid);
	/* Which host and process launched it, so that a later launch can
	 * tell a live one from one whose launcher is gone. */
	if (extra && extra->owner)
		r |= domxml_text(w, "description", extra->owner);
	r |= domxml_start(w, "memory");
	r |= domxml_attr(w, "unit", "MiB");
	r |= xmlTextWriterWriteString(w, BAD_CAST mem);
	r |= domxml_end(w);
	r |= domxml_text(w, "vcpu", vcpus);
	r |= domxml_os(w, p);
	if (cpu && !strcmp(cpu, "host")) {
		r |= domxml_start(w, "cpu");
		r |= domxml_attr(w, "mode", "host-passthrough");
		r |= domxml_end(w);
	} else if (cpu) {
		r |= domxml_start(w, "cpu");
		r |= domxml_attr(w, "mode", "custom");
		r |= domxml_attr(w, "match", "exact");
		r |= domxml_text(w, "model", cpu);
		r |= domxml_end(w);
	}
	if (p->rtc_start || (!p->hpet && m->hpet_switch)) {
		r |= domxml_start(w, "clock");
		if (p->rtc_start) {
			/* QEMU's -rtc base=START,clock=vm: see PLAN_ICOUNT_RTC_START. */
			char start[24];

			snprintf(start, sizeof start, "%lld", p->rtc_start);
			r |= domxml_attr(w, "offset", "absolute");
			r |= domxml_attr(w, "start", start);
			r |= domxml_start(w, "timer");
			r |= domxml_attr(w, "name", "rtc");
			r |= domxml_attr(w, "track", "guest");
			r |= domxml_end(w);
		}
		/* QEMU's hpet=off: see PLAN_ICOUNT_HPET. */
		if (!p->hpet && m->hpet_switch) {
			r |= domxml_start(w, "timer");
			r |= domxml_attr(w, "name", "hpet");
			r |= domxml_attr(w, "present", "no");
			r |= domxml_end(w);
		}
		r |= domxml_end(w);
	}
	r |= domxml_text(w, "on_poweroff", "destroy");
	/* A guest panic reboots (panic=1); a reboot ends the VM. */
	r |= domxml_text(w, "on_reboot", "destroy");
	r |= domxml_text(w, "on_crash", "destroy");
	r |= domxml_devices(w, p, extra);
	if (extra && extra->dac_label) {
		/* QEMU runs as LABEL and libvirt relabels nothing at all: not
		 * the disks, not the kernel and initrd in our cache. */
		r |= domxml_start(w, "seclabel");
		r |= domxml_attr(w, "type", "static");
		r |= domxml_attr(w, "model", "dac");
		r |= domxml_attr(w, "relabel", "no");
		r |= domxml_text(w, "label", extra->dac_label);
		r |= domxml_end(w);
	}
	r |= domxml_qemu_args(w, p);
	r |= domxml_end(w);
	return domxml_finish(buf, w, r, "the domain XML");
out:
	return domxml_finish(buf, w, -1, NULL);
}

char *domxml_render_hot(const struct plan *p, size_t n, int norelabel, int fdgroups)
{
	xmlBufferPtr buf = xmlBufferCreate();
	xmlTextWriterPtr w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
	int r = 0;

	if (n >= p->nhot) {
		err_set(LB_EXIT_VM, "the plan has no hot-added disk %zu", n);
		goto out;
	}
	if (!w) {
		err_set(LB_EXIT_VM, "cannot create an XML writer");
		goto out;
	}
	r |= domxml_disk(w, &p->hot[n], norelabel, (int)n, fdgroups ? qemuargv_disk_index(p, &p->hot[n]) : -1);
	return domxml_finish(buf, w, r, "the disk's XML");
out:
	return domxml_finish(buf, w, -1, NULL);
}
