/* junit: what check and bench found, as JUnit XML, the report format GitLab,
 * Jenkins and GitHub's test reporters read, so that a topology that
 * grew a root port fails as a test in the CI a user already has.  One
 * test case per expectation; a failed one carries the sentence that
 * says why. */
#ifndef LB_COMMON_JUNIT_H
#define LB_COMMON_JUNIT_H

#include <stddef.h>

struct junit_case {
	char *classname, *name;
	char *failure;            /* NULL: it passed */
};

struct junit {
	char *suite;
	struct junit_case *c;
	size_t n, cap;
};

/* An empty report of the suite named SUITE. */
int junit_init(struct junit *j, const char *suite);
/* A case CLASSNAME.NAME, failed with the sentence FAILURE, or passed
 * (FAILURE NULL).  Returns 0, or -1 after err_set(). */
int junit_add(struct junit *j, const char *classname, const char *name, const char *failure);
/* Make way at PATH for this run's report, as soon as --junit is read: an
 * earlier run's report must not pass for this one's if this one stops
 * first, so a regular file there is removed.  Anything else there (a
 * device, a directory, a link) is refused: -1 after a one-line message,
 * as an option handler returns (err_usage_fail). */
int junit_clear(const char *path);
/* The report, written whole to PATH (renamed into place).  Returns 0, or
 * -1 after err_set(). */
int junit_write(const struct junit *j, const char *path);
void junit_free(struct junit *j);

#endif
