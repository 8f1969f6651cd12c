/* check report: what check found, printed: the counts of each view
 * against the expectations, as a table or one JSON document, and the
 * differences between two expansions. */
#ifndef LB_CHECK_REPORT_H
#define LB_CHECK_REPORT_H

#include <stddef.h>

#include "check/expect.h"
#include "check/views.h"

/* The table: each kind's counts in each view, T's expectations and
 * verdicts, the endpoints (and with a seen view, whether the guest
 * agrees).  Returns the number of the NT expectations that fail. */
int check_report_table(const struct check_views *v, const struct check_term *t, size_t nt);
/* The same facts as one JSON document; returns the same number. */
int check_report_json(const struct check_views *v, const struct check_term *t, size_t nt);
/* The same expectations as JUnit XML written to PATH (junit.h): a test
 * case each, named "KIND=N" in the class "leanboot.check.SUBJECT" (the
 * topology or file checked), and with a seen view one for the guest's
 * endpoints and one for its disk names.  Returns 0, or -1 after
 * err_set(). */
int check_report_junit(const char *subject, const struct check_views *v, const struct check_term *t,
		       size_t nt, const char *path);
/* A (named LA) against B (LB): counts, then addresses, as text or
 * (JSON) one document.  Returns how many differences there are. */
int check_report_compare(const char *la, const struct check_views *a, const char *lb,
			 const struct check_views *b, int json);

#endif
