/* check expect: see expect.h. */
#include <stdio.h>
#include <string.h>

#include "check/expect.h"
#include "common/err.h"
#include "common/util.h"

int check_expect_parse(const char *spec, struct check_term *t, size_t *nt)
{
	char buf[1024], *save, *tok;

	if (strlen(spec) >= sizeof buf) {
		err_set(LB_EXIT_USAGE, "too long");
		return -1;
	}
	snprintf(buf, sizeof buf, "%s", spec);
	*nt = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *op = strpbrk(tok, "<>=");
		size_t skip = 1;

		if (*nt >= CHECK_MAX_TERMS) {
			err_set(LB_EXIT_USAGE, "at most %d terms", CHECK_MAX_TERMS);
			return -1;
		}
		if (!op || op == tok) {
			err_set(LB_EXIT_USAGE, "'%s' is not KIND=N, KIND<=N or KIND>=N", tok);
			return -1;
		}
		if (op[0] == '=') {
			t[*nt].op = CHECK_EQ;
		} else if (op[1] == '=') {
			t[*nt].op = op[0] == '<' ? CHECK_LE : CHECK_GE;
			skip = 2;
		} else {
			err_set(LB_EXIT_USAGE, "'%s': use <= or >=", tok);
			return -1;
		}
		if (util_parse_long(op + skip, 0, 1000000, &t[*nt].n) < 0) {
			err_set(LB_EXIT_USAGE, "'%s': N must be a number from 0 to 1000000", tok);
			return -1;
		}
		*op = '\0';
		t[*nt].kind = counts_kind_find(tok);
		if (t[*nt].kind < 0) {
			err_set(LB_EXIT_USAGE, "unknown kind '%s'", tok);
			return -1;
		}
		(*nt)++;
	}
	if (*nt == 0) {
		err_set(LB_EXIT_USAGE, "empty");
		return -1;
	}
	return 0;
}

static int expect_holds(const struct check_term *t, long v)
{
	return t->op == CHECK_EQ ? v == t->n : t->op == CHECK_LE ? v <= t->n : v >= t->n;
}

const char *check_term_text(const struct check_term *t, char *buf, size_t len)
{
	snprintf(buf, len, "%s%ld", t->op == CHECK_EQ ? "=" : t->op == CHECK_LE ? "<=" : ">=", t->n);
	return buf;
}

/* Expectations hold for every view libvirt or the guest produced. */
int check_term_fails(const struct check_term *t, const struct check_views *v)
{
	return !expect_holds(t, v->x.n[t->kind]) || (v->have_seen && !expect_holds(t, v->s.n[t->kind]));
}
