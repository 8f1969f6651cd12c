/* expect: see expect.h. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/conf.h"
#include "bench/expect.h"
#include "bench/stats.h"
#include "bench/sweep.h"
#include "common/err.h"

static const struct {
	const char *text;
	enum bench_op op;
} ops[] = {
	/* Two-character operators first, so that "<=" is not read as "<". */
	{ "<=", BENCH_LE }, { ">=", BENCH_GE }, { "<", BENCH_LT }, { ">", BENCH_GT }, { "=", BENCH_EQ },
};

static const char *op_text(enum bench_op op)
{
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
		if (ops[i].op == op)
			return ops[i].text;
	return "?";
}

/* METRIC, or METRIC_ratio, of LEN bytes at S. */
static int parse_metric(const char *s, size_t len, struct bench_expect *e)
{
	static const char suffix[] = "_ratio";
	size_t sl = sizeof suffix - 1;

	e->ratio = len > sl && !strncmp(s + len - sl, suffix, sl);
	if (e->ratio)
		len -= sl;
	for (int m = 0; m < BM_COUNT; m++) {
		const char *key = bench_metric_key((enum bench_metric)m);

		if (strlen(key) == len && !strncmp(s, key, len)) {
			e->metric = m;
			return 0;
		}
	}
	return -1;
}

/* S less the blanks at either end, in place. */
static char *trim(char *s)
{
	char *end;

	s += strspn(s, " \t");
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	return s;
}

/* One term, its blanks around METRIC, OP and N allowed, as the synopsis
 * spells it. */
static int parse_term(char *t, struct bench_expect *e)
{
	char *colon, *m = t, *opat = NULL, *num, *end;
	size_t oplen = 0, len;

	memset(e, 0, sizeof *e);
	t = trim(t);
	m = t;
	if (!*t)
		return err_usage_fail("--expect: an empty term");
	len = strlen(t);
	if (len >= sizeof e->text)
		return err_usage_fail("--expect: '%.40s...' is too long", t);
	memcpy(e->text, t, len + 1);
	/* The last colon: a configuration's name may hold one (a URI's),
	 * a metric and a number never do. */
	colon = strrchr(t, ':');
	if (colon) {
		if (colon == t || (size_t)(colon - t) >= sizeof e->conf)
			return err_usage_fail("--expect: '%s': CONF: names a configuration", e->text);
		*colon = '\0';
		snprintf(e->conf, sizeof e->conf, "%s", trim(t));
		m = colon + 1;
	}
	for (char *p = m; *p && !opat; p++)
		for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
			if (!strncmp(p, ops[i].text, strlen(ops[i].text))) {
				opat = p;
				oplen = strlen(ops[i].text);
				e->op = ops[i].op;
				break;
			}
	if (!opat)
		return err_usage_fail("--expect: '%s' is not [CONF:]METRIC OP N (OP: <, <=, >, >=, =)", t);
	num = trim(opat + oplen);
	*opat = '\0';
	m = trim(m);
	if (parse_metric(m, strlen(m), e) < 0)
		return err_usage_fail("--expect: '%s': unknown metric '%s' (pci_cfg, to_ready, wall, ...; "
				      "leanboot(1) lists them)", e->text, m);
	e->value = strtod(num, &end);
	if (end == num || *end || !isfinite(e->value))
		return err_usage_fail("--expect: '%s': '%s' is not a number", e->text, num);
	return 0;
}

int bench_expect_parse(const char *list, struct bench_expect *e, size_t *n)
{
	char *copy = strdup(list), *save = NULL;
	int r = 0;

	if (!copy)
		return err_usage_fail("out of memory");
	/* An empty list is a mistake (an unset variable in a CI job), not a
	 * bench with nothing to meet. */
	if (!list[strspn(list, " \t,")]) {
		free(copy);
		return err_usage_fail("--expect: no term in '%s'", list);
	}
	for (char *t = strtok_r(copy, ",", &save); t && r == 0; t = strtok_r(NULL, ",", &save)) {
		if (*n >= BENCH_MAX_EXPECT)
			r = err_usage_fail("--expect: at most %d terms", BENCH_MAX_EXPECT);
		else if ((r = parse_term(t, &e[*n])) == 0)
			(*n)++;
	}
	free(copy);
	return r;
}

int bench_expect_confs(const struct bench *b, const struct bench_expect *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;

		while (e[i].conf[0] && k < b->nconf && strcmp(b->conf[k].name, e[i].conf))
			k++;
		if (k == b->nconf)
			return err_usage_fail("--expect: '%s': no configuration is named '%s' (the first is '%s')",
					      e[i].text, e[i].conf, b->conf[0].name);
	}
	return 0;
}

static int meets(double v, enum bench_op op, double want)
{
	switch (op) {
	case BENCH_LT: return v < want;
	case BENCH_LE: return v <= want;
	case BENCH_GT: return v > want;
	case BENCH_GE: return v >= want;
	case BENCH_EQ: return v == want;
	}
	return 0;
}

/* One term against configuration C: its verdict into WHY (the sentence a
 * failed test case carries).  Returns 1 when met. */
static int verdict(const struct bench *b, const struct bench_conf *c, const struct bench_expect *e,
		   char *why, size_t len)
{
	const char *key = bench_metric_key((enum bench_metric)e->metric);
	struct stats st = e->ratio ? bench_conf_ratio(b, c, (enum bench_metric)e->metric)
				   : bench_conf_stats(b, c, e->metric, 0);
	char what[160];

	if (e->ratio)
		snprintf(what, sizeof what, "%s: %s against %s, per round,", c->name, key, b->conf[0].name);
	else
		snprintf(what, sizeof what, "%s: %s", c->name, key);
	if (!st.n) {
		snprintf(why, len, "%s was not measured in any run (a failed run, or --plain)", what);
		return 0;
	}
	snprintf(why, len, "%s is %.6g, the median of %zu runs [%.6g-%.6g]; expected %s %.6g", what,
		 st.median, st.n, st.min, st.max, op_text(e->op), e->value);
	return meets(st.median, e->op, e->value);
}

int bench_expect_check(const struct bench *b, const struct bench_expect *e, size_t n, struct junit *j)
{
	char cls[160], why[384], runs[128];
	int failed = 0;

	if (n)
		printf("\nexpectations\n");
	for (size_t k = 0; k < b->nconf; k++) {
		const struct bench_conf *c = &b->conf[k];

		snprintf(cls, sizeof cls, "leanboot.bench.%s", c->name);
		snprintf(runs, sizeof runs, "%d of %ld runs failed (leanboot's messages say why)", c->failed,
			 b->runs);
		/* A failed run fails the bench too: the report and the exit
		 * status must not disagree. */
		failed += c->failed > 0;
		if (j && junit_add(j, cls, "runs", c->failed ? runs : NULL) < 0)
			return -1;
		for (size_t i = 0; i < n; i++) {
			int ok;

			if (e[i].conf[0] && strcmp(e[i].conf, c->name))
				continue;
			ok = verdict(b, c, &e[i], why, sizeof why);
			printf("  %-8s %s\n", ok ? "met" : "NOT MET", why);
			failed += !ok;
			if (j && junit_add(j, cls, e[i].text, ok ? NULL : why) < 0)
				return -1;
		}
	}
	return failed;
}
