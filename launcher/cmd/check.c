/* leanboot check: which controllers and PCI devices a domain has, as
 * written and as libvirt expands it, held against expectations.  This is
 * how a CI job pins "0 pcie-root-ports" across libvirt upgrades. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dirent.h>
#include <errno.h>

#include <json-c/json.h>

#include "check/addrs.h"
#include "plan/appliance.h"
#include "cmd/cmd.h"
#include "check/counts.h"
#include "backend/domxml.h"
#include "common/err.h"
#include "launch/launch.h"
#include "backend/lv.h"
#include "plan/plan.h"
#include "common/util.h"
#include "common/xmlsafe.h"

#define MAX_TERMS 64

struct term {
	int kind;
	enum { T_EQ, T_LE, T_GE } op;
	long n;
};

struct check_opts {
	struct plan_input in;
	int have_plan;
	const char *expect;
	const char *golden;
	const char *against, *diff;   /* a second expansion to compare with */
	int boot, json, regen;
};

/* The three views of one domain, the expanded one's addresses, and the
 * disks as the guest named them (--boot). */
struct views {
	struct counts w, x, s;
	int have_seen;
	struct addrs *ax;
	struct counts_disk disks[COUNTS_MAX_DISKS];
	int ndisks;
};

static int check_opt(int c, char *arg, void *ctx)
{
	struct check_opts *o = ctx;
	int r;

	switch (c) {
	case OPT_EXPECT:
		o->expect = arg;
		return 0;
	case OPT_BOOT:
		o->boot = 1;
		return 0;
	case OPT_JSON:
		o->json = 1;
		return 0;
	case OPT_GOLDEN:
		o->golden = arg;
		return 0;
	case OPT_REGEN:
		o->regen = 1;
		return 0;
	case OPT_AGAINST:
		o->against = arg;
		return 0;
	case OPT_DIFF:
		o->diff = arg;
		return 0;
	}
	r = cmd_plan_opt(c, arg, &o->in, 0);
	if (r == 0)
		o->have_plan = 1;
	return r;
}

/* SPEC: KIND=N, KIND<=N or KIND>=N, comma-separated. */
static int parse_spec(const char *spec, struct term *t, size_t *nt)
{
	char buf[1024], *save, *tok;

	if (strlen(spec) >= sizeof buf)
		return err_usage_fail("--expect: too long");
	snprintf(buf, sizeof buf, "%s", spec);
	*nt = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *op = strpbrk(tok, "<>=");
		size_t skip = 1;

		if (*nt >= MAX_TERMS)
			return err_usage_fail("--expect: at most %d terms", MAX_TERMS);
		if (!op || op == tok)
			return err_usage_fail("--expect: '%s' is not KIND=N, KIND<=N or KIND>=N", tok);
		if (op[0] == '=') {
			t[*nt].op = T_EQ;
		} else if (op[1] == '=') {
			t[*nt].op = op[0] == '<' ? T_LE : T_GE;
			skip = 2;
		} else
			return err_usage_fail("--expect: '%s': use <= or >=", tok);
		if (util_parse_long(op + skip, 0, 1000000, &t[*nt].n) < 0)
			return err_usage_fail("--expect: '%s': N must be a number from 0 to 1000000", tok);
		*op = '\0';
		t[*nt].kind = counts_kind_find(tok);
		if (t[*nt].kind < 0)
			return err_usage_fail("--expect: unknown kind '%s'", tok);
		(*nt)++;
	}
	if (*nt == 0)
		return err_usage_fail("--expect: empty");
	return 0;
}

static int term_holds(const struct term *t, long v)
{
	return t->op == T_EQ ? v == t->n : t->op == T_LE ? v <= t->n : v >= t->n;
}

static const char *term_text(const struct term *t, char *buf, size_t len)
{
	snprintf(buf, len, "%s%ld", t->op == T_EQ ? "=" : t->op == T_LE ? "<=" : ">=", t->n);
	return buf;
}

static const char *cell(const struct views *v, char which, size_t k, char *buf, size_t len)
{
	const struct counts *c = which == 'w' ? &v->w : which == 'x' ? &v->x : &v->s;

	if (which == 's' && !v->have_seen)
		return "-";
	snprintf(buf, len, "%ld", c->n[k]);
	return buf;
}

/* Expectations hold for every view libvirt or the guest produced. */
static int term_fails(const struct term *t, const struct views *v)
{
	return !term_holds(t, v->x.n[t->kind]) || (v->have_seen && !term_holds(t, v->s.n[t->kind]));
}

/* The guest's endpoints against libvirt's, by address. */
static int endpoints_match(const struct views *v)
{
	if (v->x.nep != v->s.nep)
		return 0;
	for (size_t i = 0; i < v->x.nep; i++) {
		int found = 0;

		for (size_t j = 0; j < v->s.nep && !found; j++)
			found = v->x.ep[i].bus == v->s.ep[j].bus && v->x.ep[i].slot == v->s.ep[j].slot &&
				v->x.ep[i].fn == v->s.ep[j].fn;
		if (!found)
			return 0;
	}
	return 1;
}

/* Whether the guest named each virtio disk as the expanded domain
 * targets it: the disk at a disk's address has the disk's name.  Each
 * disk goes to RECORDS when it is not NULL, and with PRINT to stdout. */
static int disk_names_match(const struct views *v, json_object *records, int print)
{
	int ok = 1;

	for (size_t i = 0; v->ax && i < v->ax->n; i++) {
		const struct addrs_dev *d = &v->ax->d[i];
		const char *guest = "(none)";
		char addr[16];

		if (strncmp(d->id, "disk/", 5) || strcmp(d->model, "virtio"))
			continue;
		for (int k = 0; k < v->ndisks; k++)
			if (v->disks[k].dom == d->dom && v->disks[k].bus == d->bus &&
			    v->disks[k].slot == d->slot && v->disks[k].fn == d->fn)
				guest = v->disks[k].name;
		addrs_address(d, addr);
		ok &= !strcmp(guest, d->id + 5);
		if (records) {
			json_object *e = json_object_new_object();

			json_object_object_add(e, "target", json_object_new_string(d->id + 5));
			json_object_object_add(e, "address", json_object_new_string(addr));
			json_object_object_add(e, "guest", json_object_new_string(guest));
			json_object_array_add(records, e);
		} else if (print) {
			printf("  disk %s at %s: %s in the guest%s\n", d->id + 5, addr, guest,
			       strcmp(guest, d->id + 5) ? "  DIFFERS" : "");
		}
	}
	return ok;
}

static void print_endpoints(const char *title, const struct counts *c)
{
	printf("\nPCI endpoints, %s:\n", title);
	for (size_t i = 0; i < c->nep; i++)
		printf("  %02x:%02x.%x  %s\n", c->ep[i].bus, c->ep[i].slot, c->ep[i].fn, c->ep[i].what);
	if (c->ep_truncated)
		printf("  (more than %d; the rest are not listed)\n", COUNTS_MAX_EP);
}

/* Print the table; returns the number of expectations that fail. */
static int check_table(const struct views *v, const struct term *t, size_t nt)
{
	int failed = 0;
	char b1[24], b2[24], b3[24];

	printf("%-28s %8s %9s %6s %9s  %s\n", "kind", "written", "expanded", "seen", "expected",
	       "verdict");
	for (size_t k = 0; k < counts_nkinds(); k++) {
		char exp[64] = "-", one[24];
		const char *verdict = "";
		int mine = 0;

		for (size_t i = 0; i < nt; i++) {
			if ((size_t)t[i].kind != k)
				continue;
			if (!mine++) {
				exp[0] = '\0';
				verdict = "ok";
			}
			strncat(exp, term_text(&t[i], one, sizeof one), sizeof exp - strlen(exp) - 1);
			if (term_fails(&t[i], v)) {
				verdict = "FAIL";
				failed++;
			}
		}
		if (!mine && !counts_kind_primary(k) && !v->w.n[k] && !v->x.n[k] &&
		    !(v->have_seen && v->s.n[k]))
			continue;
		printf("%-28s %8s %9s %6s %9s  %s\n", counts_kind_name(k), cell(v, 'w', k, b1, sizeof b1),
		       cell(v, 'x', k, b2, sizeof b2), cell(v, 's', k, b3, sizeof b3), exp, verdict);
	}
	print_endpoints("expanded", &v->x);
	if (v->have_seen) {
		print_endpoints("seen by the guest", &v->s);
		printf("\nseen endpoints %s expanded\n", endpoints_match(v) ? "match" : "DIFFER FROM");
		printf("\ndisk names, as targeted and as the guest has them:\n");
		printf("guest disk names %s\n", disk_names_match(v, NULL, 1) ? "match" : "DIFFER");
	}
	return failed;
}

static json_object *json_counts(const struct counts *c)
{
	json_object *o = json_object_new_object();

	for (size_t k = 0; k < counts_nkinds(); k++)
		json_object_object_add(o, counts_kind_name(k), json_object_new_int64(c->n[k]));
	return o;
}

static json_object *json_endpoints(const struct counts *c)
{
	json_object *a = json_object_new_array();
	char addr[16];

	for (size_t i = 0; i < c->nep; i++) {
		json_object *e = json_object_new_object();

		snprintf(addr, sizeof addr, "%02x:%02x.%x", c->ep[i].bus, c->ep[i].slot, c->ep[i].fn);
		json_object_object_add(e, "address", json_object_new_string(addr));
		json_object_object_add(e, "device", json_object_new_string(c->ep[i].what));
		json_object_array_add(a, e);
	}
	return a;
}

/* The same facts as the table, as one JSON document. */
static int check_json(const struct views *v, const struct term *t, size_t nt)
{
	json_object *root = json_object_new_object(), *views = json_object_new_object();
	json_object *eps = json_object_new_object(), *exps = json_object_new_array();
	char one[24];
	int failed = 0;

	json_object_object_add(views, "written", json_counts(&v->w));
	json_object_object_add(views, "expanded", json_counts(&v->x));
	json_object_object_add(eps, "expanded", json_endpoints(&v->x));
	if (v->have_seen) {
		json_object_object_add(views, "seen", json_counts(&v->s));
		json_object_object_add(eps, "seen", json_endpoints(&v->s));
		json_object *names = json_object_new_array();

		json_object_object_add(root, "seen_matches_expanded",
				       json_object_new_boolean(endpoints_match(v)));
		json_object_object_add(root, "disk_names_match",
				       json_object_new_boolean(disk_names_match(v, names, 0)));
		json_object_object_add(root, "disk_names", names);
	}
	for (size_t i = 0; i < nt; i++) {
		json_object *e = json_object_new_object();
		int bad = term_fails(&t[i], v);

		json_object_object_add(e, "kind", json_object_new_string(counts_kind_name((size_t)t[i].kind)));
		json_object_object_add(e, "expect", json_object_new_string(term_text(&t[i], one, sizeof one)));
		json_object_object_add(e, "ok", json_object_new_boolean(!bad));
		json_object_array_add(exps, e);
		failed += bad;
	}
	json_object_object_add(root, "views", views);
	json_object_object_add(root, "endpoints", eps);
	json_object_object_add(root, "expectations", exps);
	json_object_object_add(root, "ok", json_object_new_boolean(!failed));
	puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED));
	json_object_put(root);
	return failed;
}

/* Boot the plan's appliance and list what the guest enumerated. */
static int boot_seen(struct check_opts *o, struct appl *a, struct counts *seen, struct views *v)
{
	static char *const listing[] = {
		"sh", "-c",
		"cd /sys/bus/pci/devices && for d in *; do "
		"echo \"$d $(cat $d/class) $(cat $d/vendor) $(cat $d/device)\"; done; echo --; "
		/* Each disk and the PCI function its device path runs through
		 * last: a virtio disk's own, a SCSI disk's controller. */
		"for b in /sys/block/vd* /sys/block/sd*; do [ -e $b/device ] || continue; a=; "
		"for c in $(readlink -f $b/device | tr / ' '); do case $c in "
		"[0-9a-f][0-9a-f][0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f].[0-7]) a=$c;; esac; done; "
		"[ -n \"$a\" ] && echo \"block ${b##*/} $a\"; done",
		NULL,
	};
	struct launch_capture cap = { 0 };
	struct launch_opts lo = {
		.in = o->in, .appl = a, .cmd = listing, .timeout = 120, .capture = &cap,
	};
	int r;

	cmd_launch_opts(&lo);
	r = launch_run(&lo, NULL);
	if (r > 0)
		err_set(LB_EXIT_VM, "listing the guest's PCI devices failed with status %d", r);
	if (r == 0) {
		char *sep = cap.buf ? strstr(cap.buf, "\n--\n") : NULL;

		if (!sep) {
			err_set(LB_EXIT_VM, "the guest's listing has no disk section");
			r = -1;
		} else {
			sep[1] = '\0';
			r = counts_count_seen(cap.buf, seen);
			if (r == 0 && (v->ndisks = counts_disks_seen(sep + 4, v->disks, COUNTS_MAX_DISKS)) < 0)
				r = -1;
		}
	}
	free(cap.buf);
	return r == 0 ? 0 : -1;
}

/* NAME.counts: "KIND N" for every kind, the expanded view libvirt gives. */
static int write_counts(const char *path, const struct counts *c)
{
	FILE *f = fopen(path, "we");

	if (!f) {
		err_set(LB_EXIT_USAGE, "%s: %s", path, strerror(errno));
		return -1;
	}
	for (size_t k = 0; k < counts_nkinds(); k++)
		fprintf(f, "%s %ld\n", counts_kind_name(k), c->n[k]);
	if (fclose(f) != 0) {
		err_set(LB_EXIT_USAGE, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Compare against NAME.counts; prints each difference, returns how many. */
static int compare_counts(const char *path, const struct counts *c)
{
	char line[256], kind[64];
	int diffs = 0, seen[256] = { 0 };
	long n;
	FILE *f = fopen(path, "re");

	if (!f) {
		printf("  %s: %s\n", path, strerror(errno));
		return 1;
	}
	while (fgets(line, sizeof line, f)) {
		int k;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%63s %ld", kind, &n) != 2 || (k = counts_kind_find(kind)) < 0) {
			printf("  bad line in %s: %s", path, line);
			diffs++;
			continue;
		}
		seen[k] = 1;
		if (c->n[k] != n) {
			printf("  %s: expected %ld, libvirt gives %ld\n", kind, n, c->n[k]);
			diffs++;
		}
	}
	fclose(f);
	for (size_t k = 0; k < counts_nkinds(); k++)
		if (!seen[k] && c->n[k]) {
			printf("  %s: not pinned, libvirt gives %ld\n", counts_kind_name(k), c->n[k]);
			diffs++;
		}
	return diffs;
}

/* NAME.pci: every PCI device and controller libvirt placed (addrs.h). */
static int write_addrs(const char *path, const struct addrs *a)
{
	FILE *f = fopen(path, "we");

	if (!f || addrs_write(f, a) < 0 || fclose(f) != 0) {
		if (f || !err_msg()[0])
			err_set(LB_EXIT_USAGE, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static void print_diff(void *ctx, const struct addrs_diff *d)
{
	(void)ctx;
	printf("  %s\n", d->sentence);
}

/* Compare against NAME.pci: a sentence for each device that moved, came
 * or went.  A directory pinned before addresses were (no NAME.pci) says
 * so and passes; a NAME.pci that cannot be read counts in *BROKEN. */
static int compare_addrs(const char *path, const struct addrs *now, int *broken)
{
	struct addrs *pinned = calloc(1, sizeof *pinned);
	int d = 0;

	if (!pinned) {
		printf("  addresses: out of memory\n");
		++*broken;
		return 0;
	}
	if (access(path, F_OK) < 0 && errno == ENOENT)
		printf("  addresses: not pinned (--regen writes %s)\n", path);
	else if (addrs_read(path, pinned) < 0) {
		printf("  addresses: %s\n", err_msg());
		++*broken;
	} else {
		d = addrs_compare(pinned, now, print_diff, NULL);
	}
	free(pinned);
	return d;
}

static int expand_xml(virConnectPtr conn, const char *xml, struct views *v)
{
	char *exp = NULL;
	int r = -1;

	if (counts_count_xml(xml, &v->w) < 0)
		return -1;
	exp = lv_expand(conn, xml);
	if (!v->ax && !(v->ax = calloc(1, sizeof *v->ax)))
		err_set(LB_EXIT_VM, "out of memory");
	else if (exp && counts_count_xml(exp, &v->x) == 0 && addrs_collect(xml, exp, v->ax) == 0)
		r = 0;
	if (exp && cmd_global.verbose > 1)
		fputs(exp, stderr);
	free(exp);
	return r;
}

static void views_free(struct views *v)
{
	counts_free(&v->w);
	counts_free(&v->x);
	counts_free(&v->s);
	free(v->ax);
	v->ax = NULL;
}

static int only_xml(const struct dirent *e)
{
	size_t n = strlen(e->d_name);

	return n > 4 && !strcmp(e->d_name + n - 4, ".xml");
}

/* --golden DIR: every NAME.xml against its NAME.counts. */
static int check_golden(const struct check_opts *o, virConnectPtr conn)
{
	struct dirent **names;
	int n = scandir(o->golden, &names, only_xml, alphasort), differ = 0, broken = 0;

	if (n < 0)
		return err_usage("check: --golden %s: %s", o->golden, strerror(errno));
	if (n == 0)
		printf("no .xml files in %s\n", o->golden);
	for (int i = 0; i < n; i++) {
		char *xml_path = util_printf("%s/%s", o->golden, names[i]->d_name);
		char *counts = xml_path ? util_printf("%.*s.counts", (int)strlen(xml_path) - 4, xml_path) : NULL;
		char *pci = counts ? util_printf("%.*s.pci", (int)strlen(xml_path) - 4, xml_path) : NULL;
		struct views v = { 0 };
		size_t len;
		char *xml = pci ? xmlsafe_read_file(xml_path, &len) : NULL;

		if (!xml || expand_xml(conn, xml, &v) < 0) {
			printf("%s: error: %s\n", names[i]->d_name, err_msg());
			broken++;
		} else if (o->regen) {
			if (write_counts(counts, &v.x) < 0 || write_addrs(pci, v.ax) < 0) {
				printf("%s: error: %s\n", names[i]->d_name, err_msg());
				broken++;
			} else {
				printf("%s: counts and addresses written\n", names[i]->d_name);
			}
		} else {
			int d;

			printf("%s:\n", names[i]->d_name);
			d = compare_counts(counts, &v.x);
			d += compare_addrs(pci, v.ax, &broken);
			printf("  %s\n", d ? "DIFFERS" : "ok");
			differ += d != 0;
		}
		views_free(&v);
		free(xml);
		free(pci);
		free(counts);
		free(xml_path);
		free(names[i]);
	}
	free(names);
	printf("%d checked, %d differ, %d could not be checked\n", n, differ, broken);
	return broken ? LB_EXIT_USAGE : differ ? LB_EXIT_SHORT : LB_EXIT_OK;
}


/* --against and --diff: what differs between two expansions. */
struct compare {
	json_object *records;     /* NULL: print */
	json_object *counts;
};

static void on_diff(void *ctx, const struct addrs_diff *d)
{
	struct compare *c = ctx;
	json_object *e;
	char name[160], addr[16];

	if (!c->records) {
		printf("  %s\n", d->sentence);
		return;
	}
	e = json_object_new_object();
	addrs_name(d->a ? d->a : d->b, name, sizeof name);
	json_object_object_add(e, "change", json_object_new_string(addrs_change_name(d->what)));
	json_object_object_add(e, "device", json_object_new_string(name));
	json_object_object_add(e, "id", json_object_new_string((d->a ? d->a : d->b)->id));
	if (d->a) {
		addrs_address(d->a, addr);
		json_object_object_add(e, "from", json_object_new_string(addr));
		json_object_object_add(e, "model_from", json_object_new_string(d->a->model));
	}
	if (d->b) {
		addrs_address(d->b, addr);
		json_object_object_add(e, "to", json_object_new_string(addr));
		json_object_object_add(e, "model_to", json_object_new_string(d->b->model));
	}
	json_object_object_add(e, "sentence", json_object_new_string(d->sentence));
	json_object_array_add(c->records, e);
}

/* A (named LA) against B (LB): counts, then addresses.  Returns how many
 * differences there are. */
static int compare_views(const char *la, const struct views *a, const char *lb, const struct views *b,
			 int json)
{
	struct compare c = { 0 };
	json_object *root = NULL;
	int n = 0;

	if (json) {
		root = json_object_new_object();
		c.records = json_object_new_array();
		c.counts = json_object_new_array();
	} else {
		printf("a: %s\nb: %s\ncounts:\n", la, lb);
	}
	for (size_t k = 0; k < counts_nkinds(); k++) {
		if (a->x.n[k] == b->x.n[k])
			continue;
		n++;
		if (json) {
			json_object *e = json_object_new_object();

			json_object_object_add(e, "kind", json_object_new_string(counts_kind_name(k)));
			json_object_object_add(e, "a", json_object_new_int64(a->x.n[k]));
			json_object_object_add(e, "b", json_object_new_int64(b->x.n[k]));
			json_object_array_add(c.counts, e);
		} else {
			printf("  %s: %ld in a, %ld in b\n", counts_kind_name(k), a->x.n[k], b->x.n[k]);
		}
	}
	if (!json)
		printf("addresses:\n");
	n += addrs_compare(a->ax, b->ax, on_diff, &c);
	if (json) {
		json_object_object_add(root, "a", json_object_new_string(la));
		json_object_object_add(root, "b", json_object_new_string(lb));
		json_object_object_add(root, "counts", c.counts);
		json_object_object_add(root, "addresses", c.records);
		json_object_object_add(root, "differences", json_object_new_int(n));
		json_object_object_add(root, "ok", json_object_new_boolean(!n));
		puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
							 JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(root);
	} else {
		printf("%d difference%s\n", n, n == 1 ? "" : "s");
	}
	return n;
}

/* The second expansion: XML on --against's connection OTHER, or
 * --diff's file on CONN. */
static int second_view(const struct check_opts *o, virConnectPtr conn, virConnectPtr other,
		       const char *xml, struct views *b)
{
	char *bxml = NULL;
	size_t len;
	int r = -1;

	if (o->against)
		return expand_xml(other, xml, b);
	if ((bxml = xmlsafe_read_file(o->diff, &len)))
		r = expand_xml(conn, bxml, b);
	free(bxml);
	return r;
}

int cmd_check(int argc, char **argv)
{
	struct check_opts o = { .in = PLAN_INPUT_INIT };
	struct term terms[MAX_TERMS];
	struct views v = { 0 };
	virConnectPtr conn = NULL, other = NULL;
	char *xml = NULL;
	size_t nterms = 0, len;
	struct appl a;
	struct plan p;
	int r, failed, status = LB_EXIT_USAGE;

	r = cmd_parse(CMD_CHECK, argc, argv, check_opt, &o);
	if (r)
		return r > 0 ? 0 : LB_EXIT_USAGE;
	if (o.expect && parse_spec(o.expect, terms, &nterms) < 0)
		return LB_EXIT_USAGE;
	if (o.regen && !o.golden)
		return err_usage("check: --regen goes with --golden DIR");
	if (o.golden && (o.have_plan || optind < argc || o.boot || o.expect))
		return err_usage("check: --golden DIR takes no other domain, --boot or --expect");
	if (!o.golden && optind < argc && (o.have_plan || optind + 1 < argc))
		return err_usage("check: give either --topology options or one FILE.xml");
	if (o.boot && optind < argc)
		return err_usage("check: --boot needs --topology: leanboot boots only its own appliance");
	if (o.against && o.diff)
		return err_usage("check: give --against URI or --diff FILE.xml, not both");
	if ((o.against || o.diff) && (o.golden || o.boot || o.expect))
		return err_usage("check: --against and --diff compare two expansions; they take no --golden, "
				 "--boot or --expect");
	/* A topology's plan is resolved as a launch's is (and for --boot,
	 * as the launch that boots it); a file or a golden directory needs
	 * only the cache. */
	/* --against's connection first: once a process has opened the
	 * embedded driver, libvirt 9.0 routes qemu:/// URIs to it ("Missing
	 * URI parameter 'root'"), but one opened before keeps its daemon. */
	if ((o.golden || optind < argc ? appl_locate(&a) : cmd_resolve(&o.in, &a, o.boot)) < 0 ||
	    (o.against && !(other = lv_open(o.against, a.cache, cmd_global.verbose))) ||
	    !(conn = lv_open(cmd_global.connect, a.cache, cmd_global.verbose))) {
		status = err_report("check");
		goto out;
	}
	if (o.golden) {
		status = check_golden(&o, conn);
		goto out;
	}
	if (optind < argc) {
		xml = xmlsafe_read_file(argv[optind], &len);
	} else if (plan_make(&o.in, &p) == 0) {
		xml = domxml_render(&p, NULL);
		plan_free(&p);
	}
	if (!xml || expand_xml(conn, xml, &v) < 0) {
		status = err_report("check");
		goto out;
	}
	if (o.against || o.diff) {
		struct views b = { 0 };
		/* a is named by what differs from b: the connection, or the file. */
		const char *la = o.against ? (cmd_global.connect ? cmd_global.connect : "the embedded driver") :
				 optind < argc ? argv[optind] : "the topology's domain";

		if (second_view(&o, conn, other, xml, &b) < 0) {
			status = err_report("check");
		} else {
			status = compare_views(la, &v, o.against ? o.against : o.diff, &b, o.json) ?
				 LB_EXIT_SHORT : LB_EXIT_OK;
		}
		views_free(&b);
		goto out;
	}
	if (o.boot) {
		if (boot_seen(&o, &a, &v.s, &v) < 0) {
			status = err_report("check");
			goto out;
		}
		v.have_seen = 1;
	}
	if (o.json) {
		failed = check_json(&v, terms, nterms);
	} else if (cmd_global.quiet) {
		failed = 0;
		for (size_t i = 0; i < nterms; i++)
			failed += term_fails(&terms[i], &v);
	} else {
		failed = check_table(&v, terms, nterms);
	}
	if (v.have_seen && !endpoints_match(&v))
		failed++;
	if (v.have_seen && !disk_names_match(&v, NULL, 0))
		failed++;
	status = failed ? LB_EXIT_SHORT : LB_EXIT_OK;
out:
	if (conn)
		virConnectClose(conn);
	if (other)
		virConnectClose(other);
	cmd_resolve_free(&o.in);
	views_free(&v);
	free(xml);
	return status;
}
