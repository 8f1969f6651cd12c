/* check report: what check found, as a table or one JSON document, and
 * what differs between two expansions (--against, --diff). */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "common/junit.h"
#include "check/report.h"

static const char *report_cell(const struct check_views *v, char which, size_t k, char *buf, size_t len)
{
	const struct counts *c = which == 'w' ? &v->w : which == 'x' ? &v->x : &v->s;

	if (which == 's' && !v->have_seen)
		return "-";
	snprintf(buf, len, "%ld", c->n[k]);
	return buf;
}

static void report_endpoints(const char *title, const struct counts *c)
{
	printf("\nPCI endpoints, %s:\n", title);
	for (size_t i = 0; i < c->nep; i++)
		printf("  %02x:%02x.%x  %s\n", c->ep[i].bus, c->ep[i].slot, c->ep[i].fn, c->ep[i].what);
	if (c->ep_truncated)
		printf("  (more than %d; the rest are not listed)\n", COUNTS_MAX_EP);
}

int check_report_table(const struct check_views *v, const struct check_term *t, size_t nt)
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
			strncat(exp, check_term_text(&t[i], one, sizeof one), sizeof exp - strlen(exp) - 1);
			if (check_term_fails(&t[i], v)) {
				verdict = "FAIL";
				failed++;
			}
		}
		if (!mine && !counts_kind_primary(k) && !v->w.n[k] && !v->x.n[k] &&
		    !(v->have_seen && v->s.n[k]))
			continue;
		printf("%-28s %8s %9s %6s %9s  %s\n", counts_kind_name(k), report_cell(v, 'w', k, b1, sizeof b1),
		       report_cell(v, 'x', k, b2, sizeof b2), report_cell(v, 's', k, b3, sizeof b3), exp, verdict);
	}
	report_endpoints("expanded", &v->x);
	if (v->have_seen) {
		report_endpoints("seen by the guest", &v->s);
		printf("\nseen endpoints %s expanded\n", check_endpoints_match(v) ? "match" : "DIFFER FROM");
		printf("\ndisk names, as targeted and as the guest has them:\n");
		printf("guest disk names %s\n", check_disk_names_match(v, NULL, 1) ? "match" : "DIFFER");
	}
	return failed;
}

int check_report_junit(const char *subject, const struct check_views *v, const struct check_term *t,
		       size_t nt, const char *path)
{
	struct junit j;
	char cls[160], name[96], why[256], one[24], seen[48] = "";
	int r = junit_init(&j, "leanboot check");

	snprintf(cls, sizeof cls, "leanboot.check.%.140s", subject);
	for (size_t i = 0; r == 0 && i < nt; i++) {
		const char *kind = counts_kind_name((size_t)t[i].kind);

		check_term_text(&t[i], one, sizeof one);
		snprintf(name, sizeof name, "%s%s", kind, one);
		if (v->have_seen)
			snprintf(seen, sizeof seen, ", the guest enumerated %ld", v->s.n[t[i].kind]);
		snprintf(why, sizeof why, "%s: expected %s%ld, but libvirt expands it to %ld%s (written: %ld)",
			 kind, t[i].op == CHECK_EQ ? "" : t[i].op == CHECK_LE ? "at most " : "at least ", t[i].n,
			 v->x.n[t[i].kind], seen, v->w.n[t[i].kind]);
		r = junit_add(&j, cls, name, check_term_fails(&t[i], v) ? why : NULL);
	}
	if (r == 0 && v->have_seen)
		r = junit_add(&j, cls, "the guest's PCI endpoints are libvirt's",
			      check_endpoints_match(v) ? NULL :
			      "the endpoints the guest enumerated differ from the expanded domain's") ||
		    junit_add(&j, cls, "the guest names each disk as targeted",
			      check_disk_names_match(v, NULL, 0) ? NULL :
			      "a disk the guest has is not named as the expanded domain targets it");
	if (r == 0)
		r = junit_write(&j, path);
	junit_free(&j);
	return r ? -1 : 0;
}

static json_object *report_json_counts(const struct counts *c)
{
	json_object *o = json_object_new_object();

	for (size_t k = 0; k < counts_nkinds(); k++)
		json_object_object_add(o, counts_kind_name(k), json_object_new_int64(c->n[k]));
	return o;
}

static json_object *report_json_endpoints(const struct counts *c)
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

int check_report_json(const struct check_views *v, const struct check_term *t, size_t nt)
{
	json_object *root = json_object_new_object(), *views = json_object_new_object();
	json_object *eps = json_object_new_object(), *exps = json_object_new_array();
	char one[24];
	int failed = 0;

	json_object_object_add(views, "written", report_json_counts(&v->w));
	json_object_object_add(views, "expanded", report_json_counts(&v->x));
	json_object_object_add(eps, "expanded", report_json_endpoints(&v->x));
	if (v->have_seen) {
		json_object_object_add(views, "seen", report_json_counts(&v->s));
		json_object_object_add(eps, "seen", report_json_endpoints(&v->s));
		json_object *names = json_object_new_array();

		json_object_object_add(root, "seen_matches_expanded",
				       json_object_new_boolean(check_endpoints_match(v)));
		json_object_object_add(root, "disk_names_match",
				       json_object_new_boolean(check_disk_names_match(v, names, 0)));
		json_object_object_add(root, "disk_names", names);
	}
	for (size_t i = 0; i < nt; i++) {
		json_object *e = json_object_new_object();
		int bad = check_term_fails(&t[i], v);

		json_object_object_add(e, "kind", json_object_new_string(counts_kind_name((size_t)t[i].kind)));
		json_object_object_add(e, "expect", json_object_new_string(check_term_text(&t[i], one, sizeof one)));
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

/* --against and --diff: what differs between two expansions, printed
 * or gathered as JSON records. */
struct report_compare {
	json_object *records;     /* NULL: print */
	json_object *counts;
};

static void report_on_diff(void *ctx, const struct addrs_diff *d)
{
	struct report_compare *c = ctx;
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

int check_report_compare(const char *la, const struct check_views *a, const char *lb,
			 const struct check_views *b, int json)
{
	struct report_compare c = { 0 };
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
	n += addrs_compare(a->ax, b->ax, report_on_diff, &c);
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
