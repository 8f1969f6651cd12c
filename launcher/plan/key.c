/* key: see key.h.  One helper per group of the plan's fields; where a
 * field is left out, a comment there says why.  Each word is tagged, and
 * a path or the command line ends its word, so that no two plans give
 * the same words.  Enums are keyed by value: the words are only hashed,
 * and a value needs no name table to key apart from the others. */
#define _GNU_SOURCE
#include <stdio.h>

#include "common/strv.h"
#include "plan/key.h"
#include "plan/machine.h"
#include "plan/plan.h"

/* The machine, its clock and its size. */
static int key_machine(const struct plan *p, struct strv *out)
{
	int r = 0;

	r |= strv_addf(out, "topology=%s", p->topology ? p->topology : "");
	r |= strv_addf(out, "machine=%d", (int)p->machine);
	r |= strv_addf(out, "firmware=%d", (int)p->firmware);
	r |= strv_addf(out, "accel=%d", (int)p->accel);
	r |= strv_addf(out, "clock=%d", (int)p->clock);
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
	int r = 0;

	r |= strv_addf(out, "kernel=%s", p->kernel ? p->kernel : "");
	r |= strv_addf(out, "kernel-format=%d", p->kernel_format);
	r |= strv_addf(out, "initrd=%s", p->initrd ? p->initrd : "");
	r |= strv_addf(out, "cmdline=%s", p->cmdline ? p->cmdline : "");
	r |= strv_addf(out, "shape=%d", (int)p->shape);
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
	r |= strv_addf(out, "start=%d,conn=%d,usb=%d,balloon=%d", (int)p->start, (int)p->conn,
		       (int)p->usb, (int)p->balloon);
	return r;
}

/* "addr=BUS:SLOT.FN[,multifunction]", "addr=mmio", or "addr=auto" for
 * one left to libvirt: domxml.c writes no address then, and qemuargv.c
 * renders plan_complete()'s, which follows from the rest of the plan. */
static void key_addr(const struct plan_addr *a, char *buf, size_t len)
{
	if (!a->set)
		snprintf(buf, len, "addr=auto");
	else if (a->mmio)
		snprintf(buf, len, "addr=mmio");
	else
		snprintf(buf, len, "addr=%u:%u.%u%s", a->bus, a->slot, a->fn,
			 a->multifunction ? ",multifunction" : "");
}

static int key_ctl(const struct plan_ctl *c, size_t i, struct strv *out)
{
	char addr[64];

	key_addr(&c->addr, addr, sizeof addr);
	return strv_addf(out, "ctl%zu=%d,index=%u,chassis=%u,port=%u,%s", i, (int)c->model, c->index,
			 c->chassis, c->port, addr);
}

/* A device; a disk's fields only for a disk, as the renderers read them.
 * The root overlay's path is left out: it is made for each launch in
 * its run directory (plan.c).  Another disk's path is the user's image,
 * the same whichever launch names it. */
static int key_dev(const struct plan_dev *d, size_t i, struct strv *out)
{
	char addr[64];

	key_addr(&d->addr, addr, sizeof addr);
	if (d->kind != PLAN_DEV_DISK)
		return strv_addf(out, "dev%zu=%d,%s", i, (int)d->kind, addr);
	return strv_addf(out, "dev%zu=%d,%d,%s,%s,%s,%s,%s%s%s", i, (int)d->kind, (int)d->format,
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
