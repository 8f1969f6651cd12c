/* junit: see junit.h.  The document is libxml2's writer's, which
 * escapes whatever a name or sentence holds. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/xmlwriter.h>

#include "common/junit.h"
#include "common/err.h"
#include "common/text.h"
#include "common/util.h"

int junit_init(struct junit *j, const char *suite)
{
	memset(j, 0, sizeof *j);
	if (!(j->suite = strdup(suite))) {
		err_set(LB_EXIT_VM, "out of memory");
		return -1;
	}
	return 0;
}

/* S made printable (text.h): a report may quote a file's line or a
 * message of libvirt's, and XML 1.0 has no place for most control
 * characters, nor libxml2's writer for bytes that are not UTF-8. */
static char *junit_clean(const char *s)
{
	size_t n = strlen(s);
	char *out = malloc(4 * n + 1);

	if (out)
		text_clean((const unsigned char *)s, n, out);
	return out;
}

int junit_clear(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return 0;
	if (!S_ISREG(st.st_mode))
		return err_usage_fail("--junit: %s is not a regular file", path);
	if (unlink(path) < 0 && errno != ENOENT)
		return err_usage_fail("--junit: %s: %s", path, strerror(errno));
	return 0;
}

int junit_add(struct junit *j, const char *classname, const char *name, const char *failure)
{
	struct junit_case *c;

	if (j->n == j->cap) {
		size_t cap = j->cap ? 2 * j->cap : 16;
		struct junit_case *p = realloc(j->c, cap * sizeof *p);

		if (!p) {
			err_set(LB_EXIT_VM, "out of memory");
			return -1;
		}
		j->c = p;
		j->cap = cap;
	}
	c = &j->c[j->n];
	c->classname = junit_clean(classname);
	c->name = junit_clean(name);
	c->failure = failure ? junit_clean(failure) : NULL;
	if (!c->classname || !c->name || (failure && !c->failure)) {
		free(c->classname);
		free(c->name);
		free(c->failure);
		err_set(LB_EXIT_VM, "out of memory");
		return -1;
	}
	j->n++;
	return 0;
}

static size_t junit_failures(const struct junit *j)
{
	size_t f = 0;

	for (size_t i = 0; i < j->n; i++)
		f += j->c[i].failure != NULL;
	return f;
}

/* <testsuites><testsuite ...><testcase ...><failure message=.../>: the
 * shape every reader of the format takes.  Any call that fails sets R. */
static int junit_doc(xmlTextWriterPtr w, const struct junit *j)
{
	char tests[32], failures[32];
	int r = 0;

	snprintf(tests, sizeof tests, "%zu", j->n);
	snprintf(failures, sizeof failures, "%zu", junit_failures(j));
	r |= xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL) < 0;
	r |= xmlTextWriterStartElement(w, BAD_CAST "testsuites") < 0;
	r |= xmlTextWriterWriteAttribute(w, BAD_CAST "tests", BAD_CAST tests) < 0;
	r |= xmlTextWriterWriteAttribute(w, BAD_CAST "failures", BAD_CAST failures) < 0;
	r |= xmlTextWriterStartElement(w, BAD_CAST "testsuite") < 0;
	r |= xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST j->suite) < 0;
	r |= xmlTextWriterWriteAttribute(w, BAD_CAST "tests", BAD_CAST tests) < 0;
	r |= xmlTextWriterWriteAttribute(w, BAD_CAST "failures", BAD_CAST failures) < 0;
	r |= xmlTextWriterWriteAttribute(w, BAD_CAST "errors", BAD_CAST "0") < 0;
	for (size_t i = 0; i < j->n; i++) {
		const struct junit_case *c = &j->c[i];

		r |= xmlTextWriterStartElement(w, BAD_CAST "testcase") < 0;
		r |= xmlTextWriterWriteAttribute(w, BAD_CAST "classname", BAD_CAST c->classname) < 0;
		r |= xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST c->name) < 0;
		if (c->failure) {
			r |= xmlTextWriterStartElement(w, BAD_CAST "failure") < 0;
			r |= xmlTextWriterWriteAttribute(w, BAD_CAST "message", BAD_CAST c->failure) < 0;
			r |= xmlTextWriterWriteString(w, BAD_CAST c->failure) < 0;
			r |= xmlTextWriterEndElement(w) < 0;
		}
		r |= xmlTextWriterEndElement(w) < 0;
	}
	r |= xmlTextWriterEndDocument(w) < 0;
	return r ? -1 : 0;
}

int junit_write(const struct junit *j, const char *path)
{
	/* Made in memory, then written whole by us: a file libxml2 opened
	 * would report its own errors, in lines of its own. */
	xmlBufferPtr buf = xmlBufferCreate();
	xmlTextWriterPtr w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
	int r = -1;

	if (w) {
		xmlTextWriterSetIndent(w, 1);
		r = junit_doc(w, j);
		xmlFreeTextWriter(w);
	}
	if (r < 0) {
		err_set(LB_EXIT_VM, "--junit: cannot make the report");
	} else if (util_write_file(path, (const char *)xmlBufferContent(buf)) < 0) {
		char why[512];

		snprintf(why, sizeof why, "%s", err_msg());
		err_set(LB_EXIT_USAGE, "--junit: %s", why);
		r = -1;
	}
	if (buf)
		xmlBufferFree(buf);
	return r;
}

void junit_free(struct junit *j)
{
	for (size_t i = 0; i < j->n; i++) {
		free(j->c[i].classname);
		free(j->c[i].name);
		free(j->c[i].failure);
	}
	free(j->c);
	free(j->suite);
	memset(j, 0, sizeof *j);
}
