/* domxml: one plan, written as libvirt domain XML.  It states everything
 * leanboot relies on: <features><acpi/> (without it libvirt passes
 * -no-acpi, and the guest enumerates PCI differently), the PCI controllers,
 * every address the plan gives, and model='none' for USB and the balloon
 * where the topology says so. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlwriter.h>

#include "domxml.h"
#include "err.h"

#define QEMU_NS "http://libvirt.org/schemas/domain/qemu/1.0"

/* Each helper returns <0 on failure, like the libxml2 calls; the caller
 * ORs them so that one check at the end covers the document. */
static int dx_start(xmlTextWriterPtr w, const char *name)
{
	return xmlTextWriterStartElement(w, BAD_CAST name);
}

static int dx_end(xmlTextWriterPtr w)
{
	return xmlTextWriterEndElement(w);
}

static int dx_attr(xmlTextWriterPtr w, const char *name, const char *value)
{
	return xmlTextWriterWriteAttribute(w, BAD_CAST name, BAD_CAST value);
}

static int dx_attrf(xmlTextWriterPtr w, const char *name, const char *fmt, unsigned v)
{
	char buf[32];

	snprintf(buf, sizeof buf, fmt, v);
	return dx_attr(w, name, buf);
}

static int dx_text(xmlTextWriterPtr w, const char *name, const char *text)
{
	return xmlTextWriterWriteElement(w, BAD_CAST name, BAD_CAST text);
}

static int dx_address(xmlTextWriterPtr w, const struct plan_addr *a)
{
	int r = 0;

	if (!a->set)
		return 0;
	r |= dx_start(w, "address");
	r |= dx_attr(w, "type", "pci");
	r |= dx_attr(w, "domain", "0x0000");
	r |= dx_attrf(w, "bus", "0x%02x", a->bus);
	r |= dx_attrf(w, "slot", "0x%02x", a->slot);
	r |= dx_attrf(w, "function", "0x%x", a->fn);
	if (a->multifunction)
		r |= dx_attr(w, "multifunction", "on");
	r |= dx_end(w);
	return r;
}

static int dx_os(xmlTextWriterPtr w, const struct plan *p)
{
	int r = 0;

	r |= dx_start(w, "os");
	r |= dx_start(w, "type");
	r |= dx_attr(w, "arch", "x86_64");
	r |= dx_attr(w, "machine", plan_machine_name(p->machine));
	r |= xmlTextWriterWriteString(w, BAD_CAST "hvm");
	r |= dx_end(w);
	if (p->firmware == PLAN_FW_QBOOT) {
		r |= dx_start(w, "loader");
		r |= dx_attr(w, "type", "rom");
		r |= xmlTextWriterWriteString(w, BAD_CAST PLAN_QBOOT_ROM);
		r |= dx_end(w);
	}
	r |= dx_text(w, "kernel", p->kernel);
	r |= dx_text(w, "initrd", p->initrd);
	r |= dx_text(w, "cmdline", p->cmdline);
	r |= dx_end(w);
	r |= dx_start(w, "features");
	r |= dx_start(w, "acpi");
	r |= dx_end(w);
	if (p->accel == PLAN_ACCEL_TCG && p->tb_cache_mib) {
		char mib[16];

		snprintf(mib, sizeof mib, "%u", p->tb_cache_mib);
		r |= dx_start(w, "tcg");
		r |= dx_start(w, "tb-cache");
		r |= dx_attr(w, "unit", "MiB");
		r |= xmlTextWriterWriteString(w, BAD_CAST mib);
		r |= dx_end(w);
		r |= dx_end(w);
	}
	r |= dx_end(w);
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

static int dx_controller(xmlTextWriterPtr w, const struct plan_ctl *c)
{
	int r = 0;

	r |= dx_start(w, "controller");
	r |= dx_attr(w, "type", "pci");
	r |= dx_attrf(w, "index", "%u", c->index);
	r |= dx_attr(w, "model", ctl_model(c->model));
	if (c->model == PLAN_CTL_PCIE_ROOT_PORT && c->addr.set) {
		r |= dx_start(w, "target");
		r |= dx_attrf(w, "chassis", "%u", c->chassis);
		r |= dx_attrf(w, "port", "0x%x", c->port);
		r |= dx_end(w);
	}
	r |= dx_address(w, &c->addr);
	r |= dx_end(w);
	return r;
}

static int dx_disk(xmlTextWriterPtr w, const struct plan_dev *d, int norelabel)
{
	int r = 0;

	r |= dx_start(w, "disk");
	r |= dx_attr(w, "type", d->is_block ? "block" : "file");
	r |= dx_attr(w, "device", "disk");
	r |= dx_start(w, "driver");
	r |= dx_attr(w, "name", "qemu");
	r |= dx_attr(w, "type", disk_format_name(d->format));
	/* The root overlay is thrown away after the run: nothing to flush. */
	if (d->is_root)
		r |= dx_attr(w, "cache", "unsafe");
	r |= dx_end(w);
	r |= dx_start(w, "source");
	r |= dx_attr(w, d->is_block ? "dev" : "file", d->path);
	/* The user's images are not ours to chown: libvirt's DAC driver
	 * would give them, and their backing files, to QEMU's user and leave
	 * them so.  The root overlay is ours. */
	if (norelabel && !d->is_root) {
		r |= dx_start(w, "seclabel");
		r |= dx_attr(w, "model", "dac");
		r |= dx_attr(w, "relabel", "no");
		r |= dx_end(w);
	}
	r |= dx_end(w);
	r |= dx_start(w, "target");
	r |= dx_attr(w, "dev", d->target);
	r |= dx_attr(w, "bus", "virtio");
	r |= dx_end(w);
	if (d->readonly) {
		r |= dx_start(w, "readonly");
		r |= dx_end(w);
	}
	r |= dx_address(w, &d->addr);
	r |= dx_end(w);
	return r;
}

static int dx_usb(xmlTextWriterPtr w, const char *model, const struct plan_addr *a)
{
	int r = 0;

	r |= dx_start(w, "controller");
	r |= dx_attr(w, "type", "usb");
	r |= dx_attr(w, "model", model);
	if (a)
		r |= dx_address(w, a);
	r |= dx_end(w);
	return r;
}

static int dx_balloon(xmlTextWriterPtr w, const char *model, const struct plan_addr *a)
{
	int r = 0;

	r |= dx_start(w, "memballoon");
	r |= dx_attr(w, "model", model);
	if (a)
		r |= dx_address(w, a);
	r |= dx_end(w);
	return r;
}

static int dx_rng(xmlTextWriterPtr w, const struct plan_addr *a)
{
	int r = 0;

	r |= dx_start(w, "rng");
	r |= dx_attr(w, "model", "virtio");
	r |= dx_start(w, "backend");
	r |= dx_attr(w, "model", "random");
	r |= xmlTextWriterWriteString(w, BAD_CAST "/dev/urandom");
	r |= dx_end(w);
	r |= dx_address(w, a);
	r |= dx_end(w);
	return r;
}

/* The console is the 16550 on ttyS0: an ISA device, so it adds nothing
 * to the PCI topology being measured. */
static int dx_serial(xmlTextWriterPtr w)
{
	int r = 0;

	r |= dx_start(w, "serial");
	r |= dx_attr(w, "type", "pty");
	r |= dx_start(w, "target");
	r |= dx_attr(w, "type", "isa-serial");
	r |= dx_attr(w, "port", "0");
	r |= dx_start(w, "model");
	r |= dx_attr(w, "name", "isa-serial");
	r |= dx_end(w);
	r |= dx_end(w);
	r |= dx_end(w);
	return r;
}

static int dx_devices(xmlTextWriterPtr w, const struct plan *p, const struct dx_extra *extra)
{
	int r = 0, balloon = 0;

	r |= dx_start(w, "devices");
	r |= dx_text(w, "emulator", PLAN_QEMU);
	for (size_t i = 0; i < p->nctl; i++)
		r |= dx_controller(w, &p->ctl[i]);
	if (p->usb == PLAN_DEFAULT_NONE) {
		int have = 0;

		for (size_t i = 0; i < p->ndev; i++)
			have |= p->dev[i].kind == PLAN_DEV_XHCI || p->dev[i].kind == PLAN_DEV_UHCI;
		if (!have)
			r |= dx_usb(w, "none", NULL);
	}
	for (size_t i = 0; i < p->ndev; i++) {
		const struct plan_dev *d = &p->dev[i];

		switch (d->kind) {
		case PLAN_DEV_DISK:
			r |= dx_disk(w, d, extra && extra->disk_norelabel);
			break;
		case PLAN_DEV_XHCI:
			r |= dx_usb(w, "qemu-xhci", &d->addr);
			break;
		case PLAN_DEV_UHCI:
			r |= dx_usb(w, "piix3-uhci", &d->addr);
			break;
		case PLAN_DEV_BALLOON:
			balloon = 1;
			r |= dx_balloon(w, "virtio", &d->addr);
			break;
		case PLAN_DEV_RNG:
			r |= dx_rng(w, &d->addr);
			break;
		}
	}
	r |= dx_serial(w);
	if (!balloon && p->balloon == PLAN_DEFAULT_NONE)
		r |= dx_balloon(w, "none", NULL);
	r |= dx_end(w);
	return r;
}

static int dx_qemu_args(xmlTextWriterPtr w, const struct dx_extra *extra)
{
	int r = 0;

	if (!extra || !extra->nqemu_args)
		return 0;
	r |= xmlTextWriterStartElementNS(w, BAD_CAST "qemu", BAD_CAST "commandline", NULL);
	for (size_t i = 0; i < extra->nqemu_args; i++) {
		r |= xmlTextWriterStartElementNS(w, BAD_CAST "qemu", BAD_CAST "arg", NULL);
		r |= dx_attr(w, "value", extra->qemu_args[i]);
		r |= dx_end(w);
	}
	r |= dx_end(w);
	return r;
}

char *dx_render(const struct plan *p, const struct dx_extra *extra)
{
	xmlBufferPtr buf = xmlBufferCreate();
	xmlTextWriterPtr w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
	char mem[16], vcpus[16], *out = NULL;
	int r = 0;

	if (p->machine == PLAN_MICROVM) {
		err_set(LB_EXIT_USAGE, "libvirt cannot run microvm; use --backend direct");
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
	r |= dx_start(w, "domain");
	r |= dx_attr(w, "type", p->accel == PLAN_ACCEL_KVM ? "kvm" : "qemu");
	if (extra && extra->nqemu_args)
		r |= xmlTextWriterWriteAttribute(w, BAD_CAST "xmlns:qemu", BAD_CAST QEMU_NS);
	r |= dx_text(w, "name", p->name);
	r |= dx_start(w, "memory");
	r |= dx_attr(w, "unit", "MiB");
	r |= xmlTextWriterWriteString(w, BAD_CAST mem);
	r |= dx_end(w);
	r |= dx_text(w, "vcpu", vcpus);
	r |= dx_os(w, p);
	r |= dx_text(w, "on_poweroff", "destroy");
	/* A guest panic reboots (panic=1); a reboot ends the VM. */
	r |= dx_text(w, "on_reboot", "destroy");
	r |= dx_text(w, "on_crash", "destroy");
	r |= dx_devices(w, p, extra);
	if (extra && extra->dac_label) {
		/* QEMU runs as LABEL and libvirt relabels nothing at all: not
		 * the disks, not the kernel and initrd in our cache. */
		r |= dx_start(w, "seclabel");
		r |= dx_attr(w, "type", "static");
		r |= dx_attr(w, "model", "dac");
		r |= dx_attr(w, "relabel", "no");
		r |= dx_text(w, "label", extra->dac_label);
		r |= dx_end(w);
	}
	r |= dx_qemu_args(w, extra);
	r |= dx_end(w);
	r |= xmlTextWriterEndDocument(w);
	if (r < 0) {
		err_set(LB_EXIT_VM, "cannot write the domain XML");
		goto out;
	}
	xmlFreeTextWriter(w);
	w = NULL;
	out = strdup((const char *)xmlBufferContent(buf));
	if (!out)
		err_set(LB_EXIT_VM, "out of memory");
out:
	if (w)
		xmlFreeTextWriter(w);
	if (buf)
		xmlBufferFree(buf);
	return out;
}
