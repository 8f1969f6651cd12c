/* key-test: the template key's words (plan/key.h), on plans made without
 * a host, as render-test makes them.  Launches of one template, in other
 * directories and under another name and UUID, give the same words;
 * each single change of the input gives others; and wherever either
 * backend's render of two plans differs, once their directories, names
 * and UUIDs are replaced by stand-ins, their words differ too: a field a
 * renderer reads that the key leaves out fails here, as far as the
 * variants change it (vCPUs and the USB and balloon defaults they never
 * change alone).
 *
 * Usage: key-test */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "common/err.h"
#include "plan/key.h"
#include "plan/plan.h"
#include "plan/topology.h"
#include "tap.h"

static void kt_fail(const char *what)
{
	fprintf(stderr, "key-test: %s: %s\n", what, err_msg());
	exit(1);
}

static void kt_topology(struct plan_input *in, const char *spec)
{
	in->topology = spec;
	if (!(in->topo = topo_find(spec, &in->topo_arg)))
		kt_fail(spec);
}

/* A template's input as the resolver leaves it, with paths that are
 * nobody's (render-test's). */
static void kt_base(struct plan_input *in)
{
	*in = (struct plan_input)PLAN_INPUT_INIT;
	kt_topology(in, "minimal");
	in->firmware = PLAN_FW_QBOOT;
	in->kernel_format = 0;
	in->shape = PLAN_SHAPE_EXT2;
	in->kernel = "/appliance/kernel";
	in->initrd = "/appliance/initrd";
	in->root = "/appliance/root";
	in->accel = PLAN_ACCEL_TCG;
	in->tsc_khz = 2000000;
	in->start = PLAN_START_TEMPLATE;
}

static const char *const kt_trace[] = { "-trace", "virtio_blk_*" };
static const char *const kt_trace2[] = { "-trace", "virtio_net_*" };

/* One user disk: templates have none, so these are cold launches. */
static void kt_disk(struct plan_input *in, int rw, int format, int is_block, const char *path)
{
	in->start = PLAN_START_COLD;
	in->disks[0] = (struct plan_disk_in){ .path = path, .rw = rw, .format = format,
					      .is_block = is_block, .probed = 1 };
	in->ndisks = 1;
}

/* The changes, each to the base. */
static void v_none(struct plan_input *in) { (void)in; }
static void v_auto(struct plan_input *in) { kt_topology(in, "auto"); }
static void v_auto_pc(struct plan_input *in) { v_auto(in); in->machine = PLAN_PC; }
static void v_lg(struct plan_input *in) { kt_topology(in, "libguestfs"); }
static void v_lg_pc(struct plan_input *in) { v_lg(in); in->machine = PLAN_PC; }
static void v_ports2(struct plan_input *in) { kt_topology(in, "ports=2"); }
static void v_ports3(struct plan_input *in) { kt_topology(in, "ports=3"); }
static void v_ports4(struct plan_input *in) { kt_topology(in, "ports=4"); }
static void v_vi(struct plan_input *in) { kt_topology(in, "virt-install"); }
static void v_pc(struct plan_input *in) { kt_topology(in, "pc"); }
static void v_microvm(struct plan_input *in) { kt_topology(in, "microvm"); }
static void v_microvm_tsc(struct plan_input *in) { v_microvm(in); in->tsc_khz = 3000000; }
static void v_tsc(struct plan_input *in) { in->tsc_khz = 3000000; }
static void v_seabios(struct plan_input *in) { in->firmware = PLAN_FW_SEABIOS; }
static void v_mem(struct plan_input *in) { in->memory_mib = 256; }
static void v_tb16(struct plan_input *in) { in->tb_cache_mib = 16; }
static void v_tb0(struct plan_input *in) { in->tb_cache_mib = 0; }
static void v_icount(struct plan_input *in) { in->clock = PLAN_CLOCK_ICOUNT; }
static void v_kvm(struct plan_input *in) { in->accel = PLAN_ACCEL_KVM; }
static void v_initramfs(struct plan_input *in) { in->shape = PLAN_SHAPE_INITRAMFS; }
static void v_mem_initramfs(struct plan_input *in) { v_mem(in); v_initramfs(in); }
static void v_noroot(struct plan_input *in) { in->root = NULL; }
static void v_kernel(struct plan_input *in) { in->kernel = "/appliance/kernel.new"; }
static void v_initrd(struct plan_input *in) { in->initrd = "/appliance/initrd.new"; }
static void v_pvh(struct plan_input *in) { in->kernel_format = 1; }
static void v_append(struct plan_input *in) { in->append = "quiet"; }
static void v_kextra(struct plan_input *in) { in->kernel_extra = "initcall_debug"; }
static void v_notuning(struct plan_input *in) { in->tuning = 0; }
static void v_nochannel(struct plan_input *in) { in->channel = 0; }
static void v_trace(struct plan_input *in) { in->qemu_extra = kt_trace; in->nqemu_extra = 2; }
static void v_trace2(struct plan_input *in) { in->qemu_extra = kt_trace2; in->nqemu_extra = 2; }
static void v_cold(struct plan_input *in) { in->start = PLAN_START_COLD; }
static void v_clone(struct plan_input *in) { in->start = PLAN_START_CLONE; }
static void v_daemon(struct plan_input *in) { in->conn = PLAN_CONN_DAEMON; }
static void v_ro(struct plan_input *in) { kt_disk(in, 0, DISK_QCOW2, 0, "/disks/data.qcow2"); }
static void v_rw(struct plan_input *in) { kt_disk(in, 1, DISK_QCOW2, 0, "/disks/data.qcow2"); }
static void v_raw(struct plan_input *in) { kt_disk(in, 0, DISK_RAW, 0, "/disks/data.qcow2"); }
static void v_block(struct plan_input *in) { kt_disk(in, 0, DISK_QCOW2, 1, "/disks/data.qcow2"); }
static void v_path(struct plan_input *in) { kt_disk(in, 0, DISK_QCOW2, 0, "/disks/other.qcow2"); }
static void v_vi_ro(struct plan_input *in) { v_vi(in); v_ro(in); }
static void v_vi_rw(struct plan_input *in) { v_vi(in); v_rw(in); }
static void v_microvm_ro(struct plan_input *in) { v_microvm(in); v_ro(in); }
static void v_microvm_rw(struct plan_input *in) { v_microvm(in); v_rw(in); }

struct kt_variant {
	const char *what;
	const char *than;         /* the variant it is one change from */
	void (*set)(struct plan_input *in);
	/* 1: its words must be THAN's (the change is one the key leaves
	 * out); 0: they must differ. */
	int same;
};

static const struct kt_variant kt_variants[] = {
	{ "the base", NULL, v_none, 0 },
	{ "the same, elsewhere", "the base", v_none, 1 },
	{ "topology auto", "the base", v_auto, 0 },
	{ "machine pc", "topology auto", v_auto_pc, 0 },
	{ "topology libguestfs", "the base", v_lg, 0 },
	{ "libguestfs on pc", "topology libguestfs", v_lg_pc, 0 },
	{ "topology ports=2", "the base", v_ports2, 0 },
	{ "topology ports=3", "topology ports=2", v_ports3, 0 },
	/* A port more than the devices: only the controllers differ. */
	{ "topology ports=4", "topology ports=3", v_ports4, 0 },
	{ "topology virt-install", "the base", v_vi, 0 },
	{ "topology pc", "the base", v_pc, 0 },
	{ "machine microvm", "the base", v_microvm, 0 },
	{ "another TSC rate on microvm", "machine microvm", v_microvm_tsc, 0 },
	{ "another TSC rate on q35, which its guest is not told", "the base", v_tsc, 1 },
	{ "firmware seabios", "the base", v_seabios, 0 },
	{ "memory 256", "the base", v_mem, 0 },
	{ "tb cache 16", "the base", v_tb16, 0 },
	{ "tb cache 0", "the base", v_tb0, 0 },
	{ "clock icount", "the base", v_icount, 0 },
	{ "accel kvm", "the base", v_kvm, 0 },
	{ "shape initramfs", "the base", v_initramfs, 0 },
	{ "shape initramfs at the same memory", "memory 256", v_mem_initramfs, 0 },
	{ "no root image", "the base", v_noroot, 0 },
	{ "another kernel path", "the base", v_kernel, 0 },
	{ "another initrd path", "the base", v_initrd, 0 },
	{ "kernel format pvh", "the base", v_pvh, 0 },
	{ "--append", "the base", v_append, 0 },
	{ "bench's kernel arguments", "the base", v_kextra, 0 },
	{ "no tuning", "the base", v_notuning, 0 },
	{ "no channel", "the base", v_nochannel, 0 },
	{ "a qemu_extra trace", "the base", v_trace, 0 },
	{ "another qemu_extra word", "a qemu_extra trace", v_trace2, 0 },
	{ "start cold", "the base", v_cold, 0 },
	{ "start clone", "the base", v_clone, 0 },
	{ "a daemon's connection", "the base", v_daemon, 0 },
	{ "a read-only user disk", "start cold", v_ro, 0 },
	{ "the disk writable", "a read-only user disk", v_rw, 0 },
	{ "the disk raw", "a read-only user disk", v_raw, 0 },
	{ "the disk a block device", "a read-only user disk", v_block, 0 },
	{ "the disk at another path", "a read-only user disk", v_path, 0 },
	{ "a disk on virt-install", "a read-only user disk", v_vi_ro, 0 },
	{ "writable on virt-install", "a disk on virt-install", v_vi_rw, 0 },
	{ "a disk on microvm", "a read-only user disk", v_microvm_ro, 0 },
	{ "writable on microvm", "a disk on microvm", v_microvm_rw, 0 },
};
#define KT_N (sizeof kt_variants / sizeof *kt_variants)

/* Where a plan's launch is, and what it is called: each variant its own. */
struct kt_dirs {
	char rundir[64], template_dir[64], name[32], uuid[40];
};

static void kt_dirs_of(size_t i, struct kt_dirs *d)
{
	snprintf(d->rundir, sizeof d->rundir, "/run/user/leanboot-%zu", i);
	snprintf(d->template_dir, sizeof d->template_dir, "/cache/template/key-%zu", i);
	snprintf(d->name, sizeof d->name, "leanboot-warm-%zu", i);
	snprintf(d->uuid, sizeof d->uuid, "%08zx-0000-4000-8000-000000000000", i);
}

/* The plan of IN launched in D: NAMED, under D's name and UUID, as a
 * clone is; else under its run directory's name, as a template is. */
static void kt_plan(const struct plan_input *in, const struct kt_dirs *d, int named,
		    struct plan *p)
{
	struct plan_input din = *in;

	din.rundir = d->rundir;
	din.template_dir = d->template_dir;
	din.name = named ? d->name : NULL;
	din.uuid = named ? d->uuid : NULL;
	if (plan_make(&din, p) < 0)
		kt_fail("plan_make");
}

static void kt_words(const struct plan *p, struct strv *w)
{
	memset(w, 0, sizeof *w);
	if (plan_key_words(p, w) < 0)
		kt_fail("plan_key_words");
}

static int kt_same(const struct strv *a, const struct strv *b)
{
	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]))
			return 0;
	return 1;
}

/* The first word where A and B differ, for a failure's note. */
static void kt_diag_words(const struct strv *a, const struct strv *b)
{
	for (size_t i = 0; i < a->n || i < b->n; i++)
		if (i >= a->n || i >= b->n || strcmp(a->v[i], b->v[i])) {
			tap_diag("  word %zu: %s / %s", i, i < a->n ? a->v[i] : "(none)",
				 i < b->n ? b->v[i] : "(none)");
			return;
		}
	tap_diag("  the words are the same: %zu of them", a->n);
}

/* S (malloc'd) with every FROM in it replaced by TO. */
static char *kt_replace(char *s, const char *from, const char *to)
{
	size_t nf = strlen(from), nt = strlen(to), n = 0;
	char *out, *o;

	if (!nf)
		return s;
	for (const char *c = strstr(s, from); c; c = strstr(c + nf, from))
		n++;
	if (!(out = malloc(strlen(s) + n * nt + 1)))
		kt_fail("malloc");
	o = out;
	for (const char *c = s, *hit; ; c = hit + nf) {
		hit = strstr(c, from);
		if (!hit) {
			strcpy(o, c);
			break;
		}
		memcpy(o, c, (size_t)(hit - c));
		o += hit - c;
		memcpy(o, to, nt);
		o += nt;
	}
	free(s);
	return out;
}

/* What backend B hands over for P, launched in D, as one text with D's
 * directories and P's name and UUID as stand-ins: the same for any two
 * launches of one machine.  A render that fails gives its reason. */
static char *kt_render(const struct backend_ops *b, const struct plan *p, const struct kt_dirs *d)
{
	struct strv out = { 0 };
	size_t len = 1;
	char *s;

	if (b->render(p, &out) < 0) {
		if (asprintf(&s, "no render: %s", err_msg()) < 0)
			kt_fail("asprintf");
		strv_free(&out);
		return s;
	}
	for (size_t i = 0; i < out.n; i++)
		len += strlen(out.v[i]) + 1;
	if (!(s = calloc(1, len)))
		kt_fail("calloc");
	for (size_t i = 0; i < out.n; i++)
		strcat(strcat(s, out.v[i]), "\n");
	strv_free(&out);
	/* The paths first: the name may be a part of them. */
	s = kt_replace(s, d->rundir, "@RUNDIR@");
	s = kt_replace(s, d->template_dir, "@TEMPLATE_DIR@");
	s = kt_replace(s, p->name, "@NAME@");
	return p->uuid[0] ? kt_replace(s, p->uuid, "@UUID@") : s;
}

/* Whether a word of W names D's directories, or P's name or UUID. */
static const char *kt_names_launch(const struct strv *w, const struct kt_dirs *d,
				   const struct plan *p)
{
	for (size_t i = 0; i < w->n; i++)
		if (strstr(w->v[i], d->rundir) || strstr(w->v[i], d->template_dir) ||
		    strstr(w->v[i], p->name) || (p->uuid[0] && strstr(w->v[i], p->uuid)))
			return w->v[i];
	return NULL;
}

/* 1: a template's launches in two places, one named after its run
 * directory, one named as a clone, give the same words. */
static void kt_check_elsewhere(void)
{
	struct plan_input in;
	struct kt_dirs d0, d1;
	struct plan p0, p1;
	struct strv w0, w1;
	const char *bad;

	kt_base(&in);
	kt_dirs_of(100, &d0);
	kt_dirs_of(101, &d1);
	kt_plan(&in, &d0, 0, &p0);
	kt_plan(&in, &d1, 1, &p1);
	kt_words(&p0, &w0);
	kt_words(&p1, &w1);
	tap_ok(kt_same(&w0, &w1), "a template in other directories, named otherwise, has the same words");
	if (!kt_same(&w0, &w1))
		kt_diag_words(&w0, &w1);
	bad = kt_names_launch(&w1, &d1, &p1);
	tap_ok(!bad, "no word names the run or template directory, the name or the UUID");
	if (bad)
		tap_diag("  %s", bad);
	strv_free(&w0);
	strv_free(&w1);
	plan_free(&p0);
	plan_free(&p1);
}

static size_t kt_index(const char *what)
{
	for (size_t i = 0; i < KT_N; i++)
		if (!strcmp(kt_variants[i].what, what))
			return i;
	fprintf(stderr, "key-test: no variant '%s'\n", what);
	exit(1);
}

/* 2: each variant's words against those of the one it changes. */
static void kt_check_changes(const struct strv *w)
{
	for (size_t i = 0; i < KT_N; i++) {
		const struct kt_variant *v = &kt_variants[i];
		size_t t;
		int same;

		if (!v->than)
			continue;
		t = kt_index(v->than);
		same = kt_same(&w[i], &w[t]);
		tap_okf(same == v->same, "%s: words %s %s's", v->what, v->same ? "the same as" : "other than",
			v->than);
		if (same != v->same)
			kt_diag_words(&w[i], &w[t]);
	}
}

/* 3: for each pair of variants, backend B's renders differ only where
 * the words do. */
static void kt_check_renders(const struct backend_ops *b, struct plan *p, const struct kt_dirs *d,
			     const struct strv *w)
{
	char *r[KT_N];
	size_t pairs = 0, told = 0, bad = 0;

	for (size_t i = 0; i < KT_N; i++)
		r[i] = kt_render(b, &p[i], &d[i]);
	for (size_t i = 0; i < KT_N; i++)
		for (size_t j = i + 1; j < KT_N; j++) {
			int differ = strcmp(r[i], r[j]) != 0;

			pairs++;
			told += differ;
			if (differ && kt_same(&w[i], &w[j]) && bad++ < 5)
				tap_diag("  %s and %s: renders differ, words do not", kt_variants[i].what,
					 kt_variants[j].what);
		}
	tap_okf(!bad, "%s: wherever two renders differ, the words do (%zu of %zu pairs rendered apart)",
		b->name, told, pairs);
	/* Renders that never differ would make the check above hold of
	 * any words at all. */
	tap_okf(told > pairs / 2, "%s: most pairs render apart", b->name);
	for (size_t i = 0; i < KT_N; i++)
		free(r[i]);
}

int main(void)
{
	static struct plan plans[KT_N];
	struct kt_dirs dirs[KT_N];
	struct strv words[KT_N];
	size_t leaks = 0;

	kt_check_elsewhere();
	for (size_t i = 0; i < KT_N; i++) {
		struct plan_input in;

		kt_base(&in);
		kt_variants[i].set(&in);
		kt_dirs_of(i, &dirs[i]);
		kt_plan(&in, &dirs[i], 1, &plans[i]);
		kt_words(&plans[i], &words[i]);
		leaks += kt_names_launch(&words[i], &dirs[i], &plans[i]) != NULL;
	}
	tap_okf(!leaks, "no variant's words name its directories, name or UUID (%zu do)", leaks);
	kt_check_changes(words);
	kt_check_renders(&backend_direct_ops, plans, dirs, words);
	kt_check_renders(&backend_libvirt_ops, plans, dirs, words);
	for (size_t i = 0; i < KT_N; i++) {
		strv_free(&words[i]);
		plan_free(&plans[i]);
	}
	return tap_done();
}
