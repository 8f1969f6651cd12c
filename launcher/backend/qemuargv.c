/* qemuargv: the direct backend's renderer.  It works on a completed copy
 * of the plan (plan_complete), so that a topology that leaves choices to
 * libvirt gets the same choices here; device ids and the root port
 * numbering follow what libvirt 9.0 generates. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/err.h"
#include "backend/qemuargv.h"
#include "common/strv.h"
#include "plan/machine.h"

/* QEMU option values are comma-separated: a literal comma is doubled. */
static char *qemuargv_escape(const char *s)
{
	size_t n = 0;
	char *out, *o;

	for (const char *c = s; *c; c++)
		n += *c == ',' ? 2 : 1;
	out = malloc(n + 1);
	if (!out) {
		err_set(LB_EXIT_VM, "out of memory");
		return NULL;
	}
	for (o = out; *s; s++) {
		*o++ = *s;
		if (*s == ',')
			*o++ = ',';
	}
	*o = '\0';
	return out;
}

/* Whether the device at A is a virtio-mmio one: on a machine without
 * PCI, or placed there by the topology. */
static int qemuargv_mmio(const struct plan *p, const struct plan_addr *a)
{
	return machine_of(p->machine)->pci == MACHINE_NO_PCI || (a->set && a->mmio);
}

/* ",bus=pci.N,addr=0xS.0xF[,multifunction=on]" for an address; "" for
 * virtio-mmio, whose devices QEMU places itself. */
static int qemuargv_where(const struct plan *p, const struct plan_addr *a, char *buf, size_t len)
{
	char bus[16];

	if (qemuargv_mmio(p, a)) {
		buf[0] = '\0';
		return 0;
	}
	if (a->bus == 0)
		snprintf(bus, sizeof bus, "%s", machine_of(p->machine)->root_bus);
	else
		snprintf(bus, sizeof bus, "pci.%u", a->bus);
	if (a->fn)
		snprintf(buf, len, ",bus=%s,addr=0x%x.0x%x%s", bus, a->slot, a->fn,
			 a->multifunction ? ",multifunction=on" : "");
	else
		snprintf(buf, len, ",bus=%s,addr=0x%x%s", bus, a->slot,
			 a->multifunction ? ",multifunction=on" : "");
	return 0;
}

int qemuargv_disk_index(const struct plan *p, const struct plan_dev *d)
{
	int hot = d >= p->hot && d < p->hot + p->nhot, k = 0;

	if (d->kind != PLAN_DEV_DISK || d->is_root)
		return -1;
	for (size_t i = 0; i < p->ndev && (hot || &p->dev[i] != d); i++)
		if (p->dev[i].kind == PLAN_DEV_DISK && !p->dev[i].is_root)
			k += 1 + (int)p->dev[i].nchain;
	for (const struct plan_dev *h = p->hot; hot && h < d; h++)
		k += 1 + (int)h->nchain;
	return k;
}

/* The fd sets of user disk D and of its backing files, for -add-fd. */
static int qemuargv_add_fd(const struct plan *p, const struct plan_dev *d, struct strv *av)
{
	int k = qemuargv_disk_index(p, d), r = 0;

	for (int i = 0; i <= (int)d->nchain; i++) {
		r |= strv_add(av, "-add-fd");
		r |= strv_addf(av, "fd=%d,set=%d", QEMUARGV_DISK_FD + k + i, k + i + 1);
	}
	return r;
}

/* User disk D's node, by descriptor, down its backing chain: each link
 * named as the one below's "backing", so that QEMU opens no backing file
 * by the name in the image. */
static void qemuargv_chain(const struct plan *p, const struct plan_dev *d, char *buf, size_t len)
{
	int k = qemuargv_disk_index(p, d);
	char pre[8 * (DISK_MAX_CHAIN + 1) + 1] = "";
	size_t n;

	n = (size_t)snprintf(buf, len, "file.driver=%s,file.filename=/dev/fdset/%d",
			     d->is_block ? "host_device" : "file", k + 1);
	for (size_t i = 0; i < d->nchain && n < len; i++) {
		strcat(pre, "backing.");
		n += (size_t)snprintf(buf + n, len - n, ",%sdriver=%s,%sfile.driver=file,%sfile.filename=/dev/fdset/%d",
				      pre, disk_format_name(d->chain_fmt[i]), pre, pre, k + (int)i + 2);
	}
}

static int qemuargv_disk(const struct plan *p, const struct plan_dev *d, struct strv *av)
{
	int pci = !qemuargv_mmio(p, &d->addr), user = qemuargv_disk_index(p, d) >= 0;
	char where[96] = "", file[8192];
	char *path = qemuargv_escape(d->path);
	int r = 0;

	if (!path)
		return -1;
	if (pci)
		qemuargv_where(p, &d->addr, where, sizeof where);
	/* The root overlay is ours, in the run directory; the user's disks
	 * come as descriptors. */
	if (user) {
		r |= qemuargv_add_fd(p, d, av);
		qemuargv_chain(p, d, file, sizeof file);
	}
	r |= strv_add(av, "-drive");
	r |= strv_addf(av, "%s%s,format=%s,if=none,id=drive-%s%s%s", user ? "" : "file=",
		       user ? file : path, disk_format_name(d->format), d->target,
		       d->is_root ? ",cache=unsafe" : "", d->readonly ? ",readonly=on" : "");
	r |= strv_add(av, "-device");
	r |= strv_addf(av, "%s%s,drive=drive-%s,id=%s",
		       pci ? "virtio-blk-pci" : "virtio-blk-device", where,
		       d->target, d->target);
	free(path);
	return r ? -1 : 0;
}

/* A virtio controller: MODEL-device on virtio-mmio, else MODEL-pci at
 * WHERE. */
static int qemuargv_virtio(const struct plan *p, const struct plan_dev *d, const char *model,
			   const char *id, const char *where, struct strv *av)
{
	int r = strv_add(av, "-device");

	if (qemuargv_mmio(p, &d->addr))
		r |= strv_addf(av, "%s-device,id=%s", model, id);
	else
		r |= strv_addf(av, "%s-pci,id=%s%s", model, id, where);
	return r;
}

static int qemuargv_device(const struct plan *p, const struct plan_dev *d, struct strv *av)
{
	char where[96];
	int r = 0;

	qemuargv_where(p, &d->addr, where, sizeof where);
	switch (d->kind) {
	case PLAN_DEV_DISK:
		return qemuargv_disk(p, d, av);
	case PLAN_DEV_XHCI:
		r |= strv_add(av, "-device");
		r |= strv_addf(av, "qemu-xhci,id=usb%s", where);
		break;
	case PLAN_DEV_UHCI:
		r |= strv_add(av, "-device");
		r |= strv_addf(av, "piix3-usb-uhci,id=usb%s", where);
		break;
	case PLAN_DEV_BALLOON:
		r |= qemuargv_virtio(p, d, "virtio-balloon", "balloon0", where, av);
		break;
	case PLAN_DEV_VSERIAL:
		r |= qemuargv_virtio(p, d, "virtio-serial", "virtio-serial0", where, av);
		break;
	case PLAN_DEV_SCSI:
		r |= qemuargv_virtio(p, d, "virtio-scsi", "scsi0", where, av);
		break;
	case PLAN_DEV_RNG:
		r |= strv_add(av, "-object");
		r |= strv_add(av, "rng-random,id=objrng0,filename=/dev/urandom");
		r |= strv_add(av, "-device");
		r |= strv_addf(av, "virtio-rng-pci,rng=objrng0,id=rng0%s", where);
		break;
	}
	return r ? -1 : 0;
}

/* A chardev ID that connects to our UNIX socket at PATH. */
static int qemuargv_socket(struct strv *av, const char *id, const char *path)
{
	char *esc = qemuargv_escape(path);
	int r;

	if (!esc)
		return -1;
	r = strv_add(av, "-chardev");
	r |= strv_addf(av, "socket,id=%s,path=%s", id, esc);
	free(esc);
	return r ? -1 : 0;
}

int qemuargv_render(const struct plan *plan, struct strv *av)
{
	/* The completed copy shares the plan's strings; it is never freed
	 * with plan_free(), only released as memory. */
	struct plan *p = malloc(sizeof *p);
	const struct machine *m = machine_of(plan->machine);
	int r = -1;

	if (!p) {
		err_set(LB_EXIT_VM, "out of memory");
		return -1;
	}
	memcpy(p, plan, sizeof *p);
	if (plan_complete(p) < 0)
		goto out;

	r = strv_add(av, m->qemu);
	r |= strv_add(av, "-name");
	r |= strv_addf(av, "guest=%s", p->name);
	r |= strv_add(av, "-machine");
	r |= strv_addf(av, "%s%s%s%s", machine_name(p->machine), m->options,
		       !p->hpet && m->hpet_switch ? ",hpet=off" : "",
		       p->memory_path ? ",memory-backend=pc.ram" : "");
	if (p->memory_path) {
		/* A template writes its RAM to the file (share=on); a clone
		 * maps the file privately, copy-on-write, so it never writes
		 * it, and the restore sends no page of it (x-ignore-shared). */
		char *path = qemuargv_escape(p->memory_path);

		if (!path)
			goto out;
		r |= strv_add(av, "-object");
		r |= strv_addf(av, "memory-backend-file,id=pc.ram,size=%uM,mem-path=%s,share=%s",
			       p->memory_mib, path, p->start == PLAN_START_TEMPLATE ? "on" : "off");
		free(path);
	}
	r |= strv_add(av, "-accel");
	if (p->accel == PLAN_ACCEL_KVM)
		r |= strv_add(av, "kvm");
	else if (p->tb_cache_mib)
		r |= strv_addf(av, "tcg,tb-size=%u", p->tb_cache_mib);
	else
		r |= strv_add(av, "tcg");
	r |= strv_add(av, "-m");
	r |= strv_addf(av, "%u", p->memory_mib);
	r |= strv_add(av, "-smp");
	r |= strv_addf(av, "%u", p->vcpus);
	if (machine_cpu(p->machine, p->accel == PLAN_ACCEL_KVM)) {
		r |= strv_add(av, "-cpu");
		r |= strv_add(av, machine_cpu(p->machine, p->accel == PLAN_ACCEL_KVM));
	}
	if (p->rtc_start) {
		time_t t = (time_t)p->rtc_start;
		struct tm tm;
		char base[32];

		gmtime_r(&t, &tm);
		strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
		r |= strv_add(av, "-rtc");
		r |= strv_addf(av, "base=%s,clock=vm", base);
	}
	r |= strv_add(av, "-nodefaults");
	r |= strv_add(av, "-no-user-config");
	r |= strv_add(av, "-sandbox");
	r |= strv_add(av, QEMUARGV_SANDBOX);
	r |= strv_add(av, "-display");
	r |= strv_add(av, "none");
	/* panic=1 reboots the guest; -no-reboot makes that the end of qemu. */
	r |= strv_add(av, "-no-reboot");
	if (p->firmware == PLAN_FW_QBOOT) {
		r |= strv_add(av, "-bios");
		r |= strv_add(av, PLAN_QBOOT_ROM);
	}
	r |= strv_add(av, "-kernel");
	r |= strv_add(av, p->kernel);
	r |= strv_add(av, "-initrd");
	r |= strv_add(av, p->initrd);
	r |= strv_add(av, "-append");
	r |= strv_add(av, p->cmdline);
	for (size_t i = 0; i < p->nctl; i++) {
		const struct plan_ctl *c = &p->ctl[i];
		char where[96];

		if (c->model != PLAN_CTL_PCIE_ROOT_PORT)
			continue;   /* the root bus is the machine's own */
		qemuargv_where(p, &c->addr, where, sizeof where);
		r |= strv_add(av, "-device");
		r |= strv_addf(av, "pcie-root-port,port=0x%x,chassis=%u,id=pci.%u%s",
			       c->port, c->chassis, c->index, where);
	}
	for (size_t i = 0; i < p->ndev; i++)
		r |= qemuargv_device(p, &p->dev[i], av);
	r |= strv_add(av, "-chardev");
	/* The serial console on our pipe; ^C reaches us, not QEMU. */
	r |= strv_add(av, "stdio,signal=off,id=charserial0");
	if (m->console_builtin) {
		r |= strv_add(av, "-serial");
		r |= strv_add(av, "chardev:charserial0");
	} else {
		r |= strv_add(av, "-device");
		r |= strv_addf(av, "%s,chardev=charserial0,id=serial0", m->console_model);
	}
	if (p->channel) {
		/* QEMU connects to the launch's socket (chan.h), as libvirt's
		 * <source mode='connect'> makes it do. */
		if (qemuargv_socket(av, "charchannel0", p->channel) < 0)
			goto out;
		r |= strv_add(av, "-device");
		r |= strv_add(av, "virtserialport,bus=virtio-serial0.0,nr=1,chardev=charchannel0,"
			      "id=channel0,name=" WIRE_CHANNEL_NAME);
	}
	if (p->monitor) {
		/* Its monitor too (qmp.h). */
		if (qemuargv_socket(av, "charmonitor", p->monitor) < 0)
			goto out;
		r |= strv_add(av, "-mon");
		r |= strv_add(av, "chardev=charmonitor,id=monitor,mode=control");
	}
	if (p->start == PLAN_START_CLONE) {
		/* Paused until the template's state is in and the disks are
		 * added; the state comes over the monitor. */
		r |= strv_add(av, "-S");
		r |= strv_add(av, "-incoming");
		r |= strv_add(av, "defer");
	}
	/* A clone's disks are hot-added by descriptor (direct-attach.h). */
	for (size_t i = 0; i < p->nhot; i++)
		r |= qemuargv_add_fd(p, &p->hot[i], av);
	for (size_t i = 0; i < p->qemu_extra.n; i++)
		r |= strv_add(av, p->qemu_extra.v[i]);
	r = r ? -1 : 0;
out:
	free(p);
	return r;
}

