/* leanboot check: which controllers and PCI devices a domain has, as
 * written and as libvirt expands it, held against expectations.  This is
 * how a CI job pins "0 pcie-root-ports" across libvirt upgrades. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appliance.h"
#include "cmd.h"
#include "counts.h"
#include "domxml.h"
#include "err.h"
#include "lv.h"
#include "plan.h"
#include "util.h"
#include "xmlsafe.h"

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
};

static int check_opt(int c, char *arg, void *ctx)
{
	struct check_opts *o = ctx;
	int r;

	if (c == 'e') {
		o->expect = arg;
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
		return err_usage("--expect: too long"), -1;
	snprintf(buf, sizeof buf, "%s", spec);
	*nt = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *op = strpbrk(tok, "<>=");
		size_t skip = 1;

		if (*nt >= MAX_TERMS)
			return err_usage("--expect: at most %d terms", MAX_TERMS), -1;
		if (!op || op == tok)
			return err_usage("--expect: '%s' is not KIND=N, KIND<=N or KIND>=N", tok), -1;
		if (op[0] == '=') {
			t[*nt].op = T_EQ;
		} else if (op[1] == '=') {
			t[*nt].op = op[0] == '<' ? T_LE : T_GE;
			skip = 2;
		} else {
			return err_usage("--expect: '%s': use <= or >=", tok), -1;
		}
		if (util_parse_long(op + skip, 0, 1000000, &t[*nt].n) < 0)
			return err_usage("--expect: '%s': N must be a number from 0 to 1000000", tok), -1;
		*op = '\0';
		t[*nt].kind = cnt_kind_find(tok);
		if (t[*nt].kind < 0)
			return err_usage("--expect: unknown kind '%s'", tok), -1;
		(*nt)++;
	}
	if (*nt == 0)
		return err_usage("--expect: empty"), -1;
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

/* Print the table; returns the number of expectations that fail. */
static int check_table(const struct cnt *w, const struct cnt *x, const struct term *t, size_t nt)
{
	int failed = 0;

	printf("%-28s %8s %9s %9s  %s\n", "kind", "written", "expanded", "expected", "verdict");
	for (size_t k = 0; k < cnt_nkinds(); k++) {
		const struct term *mine[MAX_TERMS];
		size_t nm = 0;
		char exp[64] = "-", one[24];
		const char *verdict = "";

		for (size_t i = 0; i < nt; i++)
			if ((size_t)t[i].kind == k)
				mine[nm++] = &t[i];
		if (!nm && !cnt_kind_primary(k) && !w->n[k] && !x->n[k])
			continue;
		if (nm) {
			exp[0] = '\0';
			verdict = "ok";
			for (size_t i = 0; i < nm; i++) {
				strncat(exp, term_text(mine[i], one, sizeof one),
					sizeof exp - strlen(exp) - 1);
				if (!term_holds(mine[i], x->n[k])) {
					verdict = "FAIL";
					failed++;
				}
			}
		}
		printf("%-28s %8ld %9ld %9s  %s\n", cnt_kind_name(k), w->n[k], x->n[k], exp, verdict);
	}
	printf("\nPCI endpoints, expanded:\n");
	for (size_t i = 0; i < x->nep; i++)
		printf("  %02x:%02x.%x  %s\n", x->ep[i].bus, x->ep[i].slot, x->ep[i].fn,
		       x->ep[i].what);
	if (x->ep_truncated)
		printf("  (more than %d; the rest are not listed)\n", CNT_MAX_EP);
	return failed;
}

int cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		LB_PLAN_LONGOPTS,
		{ "expect", required_argument, NULL, 'e' },
		LB_GLOBAL_LONGOPTS,
	};
	struct check_opts o = { .in = { .machine = -1 } };
	struct term terms[MAX_TERMS];
	struct cnt written = { 0 }, expanded = { 0 };
	virConnectPtr conn = NULL;
	char *xml = NULL, *exp = NULL;
	size_t nterms = 0, len;
	struct appl a;
	struct plan p;
	int r, status = LB_EXIT_USAGE;

	r = cmd_parse("check", argc, argv, longopts, check_opt, &o);
	if (r)
		return r > 0 ? 0 : LB_EXIT_USAGE;
	if (o.expect && parse_spec(o.expect, terms, &nterms) < 0)
		return LB_EXIT_USAGE;
	if (optind < argc && (o.have_plan || optind + 1 < argc))
		return err_usage("check: give either --topology options or one FILE.xml");
	if (appl_locate(&a) < 0)
		return err_report("check");
	if (optind < argc) {
		xml = xs_read_file(argv[optind], &len);
		if (!xml)
			return err_report("check");
	} else {
		if (cmd_make_plan(&o.in, &a, NULL, &p) < 0)
			return err_report("check");
		xml = dx_render(&p, NULL);
		plan_free(&p);
		if (!xml)
			return err_report("check");
	}
	if (cnt_count_xml(xml, &written) < 0) {
		status = err_report("check");
		goto out;
	}
	conn = lv_open(lb_global.connect, a.cache);
	if (!conn || !(exp = lv_expand(conn, xml)) || cnt_count_xml(exp, &expanded) < 0) {
		status = err_report("check");
		goto out;
	}
	if (lb_global.verbose)
		fputs(exp, stdout);
	status = check_table(&written, &expanded, terms, nterms) ? LB_EXIT_SHORT : LB_EXIT_OK;
out:
	if (conn)
		virConnectClose(conn);
	cnt_free(&written);
	cnt_free(&expanded);
	free(xml);
	free(exp);
	return status;
}
