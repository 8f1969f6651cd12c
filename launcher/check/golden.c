/* check golden: see golden.h. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check/golden.h"
#include "common/junit.h"
#include "check/views.h"
#include "common/err.h"
#include "common/util.h"
#include "common/xmlsafe.h"

/* NAME.counts: "KIND N" for every kind, the expanded view libvirt gives. */
static int golden_write_counts(const char *path, const struct counts *c)
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

/* Compare against NAME.counts; prints each difference to OUT, returns
 * how many. */
static int golden_compare_counts(FILE *out, const char *path, const struct counts *c)
{
	char line[256], kind[64];
	int diffs = 0, seen[256] = { 0 };
	long n;
	FILE *f = fopen(path, "re");

	if (!f) {
		fprintf(out, "  %s: %s\n", path, strerror(errno));
		return 1;
	}
	while (fgets(line, sizeof line, f)) {
		int k;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%63s %ld", kind, &n) != 2 || (k = counts_kind_find(kind)) < 0) {
			fprintf(out, "  bad line in %s: %s", path, line);
			diffs++;
			continue;
		}
		seen[k] = 1;
		if (c->n[k] != n) {
			fprintf(out, "  %s: expected %ld, libvirt gives %ld\n", kind, n, c->n[k]);
			diffs++;
		}
	}
	fclose(f);
	for (size_t k = 0; k < counts_nkinds(); k++)
		if (!seen[k] && c->n[k]) {
			fprintf(out, "  %s: not pinned, libvirt gives %ld\n", counts_kind_name(k), c->n[k]);
			diffs++;
		}
	return diffs;
}

/* NAME.pci: every PCI device and controller libvirt placed (addrs.h). */
static int golden_write_addrs(const char *path, const struct addrs *a)
{
	FILE *f = fopen(path, "we");

	if (!f || addrs_write(f, a) < 0 || fclose(f) != 0) {
		if (f || !err_msg()[0])
			err_set(LB_EXIT_USAGE, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static void golden_print_diff(void *ctx, const struct addrs_diff *d)
{
	fprintf(ctx, "  %s\n", d->sentence);
}

/* Compare against NAME.pci: a sentence for each device that moved, came
 * or went.  A directory pinned before addresses were (no NAME.pci) says
 * so and passes; a NAME.pci that cannot be read counts in *BROKEN. */
static int golden_compare_addrs(FILE *out, const char *path, const struct addrs *now, int *broken)
{
	struct addrs *pinned = calloc(1, sizeof *pinned);
	int d = 0;

	if (!pinned) {
		fprintf(out, "  addresses: out of memory\n");
		++*broken;
		return 0;
	}
	if (access(path, F_OK) < 0 && errno == ENOENT)
		fprintf(out, "  addresses: not pinned (--regen writes %s)\n", path);
	else if (addrs_read(path, pinned) < 0) {
		fprintf(out, "  addresses: %s\n", err_msg());
		++*broken;
	} else {
		d = addrs_compare(pinned, now, golden_print_diff, out);
	}
	free(pinned);
	return d;
}

static int golden_only_xml(const struct dirent *e)
{
	size_t n = strlen(e->d_name);

	return n > 4 && !strcmp(e->d_name + n - 4, ".xml");
}

/* TEXT's indented lines as one: "a; b", in a new string (NULL: out of
 * memory). */
static char *golden_sentences(const char *text)
{
	char *one = malloc(2 * strlen(text) + 1), *o = one;

	for (const char *p = text; one && *p;) {
		while (*p == ' ')
			p++;
		while (*p && *p != '\n')
			*o++ = *p++;
		if (*p == '\n' && *++p) {
			*o++ = ';';
			*o++ = ' ';
		}
	}
	if (one)
		*o = '\0';
	return one;
}

/* One case, compared: its lines go to stdout, and to J (when not NULL)
 * as a test case that fails with them when it differs.  Returns whether
 * it differs. */
static int golden_case(const char *name, const char *counts, const char *pci, const struct check_views *v,
		       int *broken, struct junit *j)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	int d, was = *broken;

	if (!out) {
		printf("%s: error: %s\n", name, strerror(errno));
		++*broken;
		return 0;
	}
	d = golden_compare_counts(out, counts, &v->x);
	d += golden_compare_addrs(out, pci, v->ax, broken);
	fclose(out);
	printf("%s:\n%s  %s\n", name, text ? text : "", d ? "DIFFERS" : "ok");
	if (j) {
		char *why = d || *broken > was ? golden_sentences(text ? text : "") : NULL;

		if (((d || *broken > was) && !why) || junit_add(j, "leanboot.check.golden", name, why) < 0)
			++*broken;
		free(why);
	}
	free(text);
	return d != 0;
}

int check_golden(const char *dir, int regen, virConnectPtr conn, int verbose, struct junit *j)
{
	struct dirent **names;
	int n = scandir(dir, &names, golden_only_xml, alphasort), differ = 0, broken = 0;

	if (n < 0) {
		err_set(LB_EXIT_USAGE, "--golden %s: %s", dir, strerror(errno));
		return -1;
	}
	if (n == 0)
		printf("no .xml files in %s\n", dir);
	for (int i = 0; i < n; i++) {
		char *xml_path = util_printf("%s/%s", dir, names[i]->d_name);
		char *counts = xml_path ? util_printf("%.*s.counts", (int)strlen(xml_path) - 4, xml_path) : NULL;
		char *pci = counts ? util_printf("%.*s.pci", (int)strlen(xml_path) - 4, xml_path) : NULL;
		struct check_views v = { 0 };
		size_t len;
		char *xml = pci ? xmlsafe_read_file(xml_path, &len) : NULL;

		if (!xml || check_views_expand(conn, xml, &v, verbose) < 0) {
			printf("%s: error: %s\n", names[i]->d_name, err_msg());
			/* A case that cannot be added counts as broken all the same. */
			if (j)
				junit_add(j, "leanboot.check.golden", names[i]->d_name, err_msg());
			broken++;
		} else if (regen) {
			if (golden_write_counts(counts, &v.x) < 0 || golden_write_addrs(pci, v.ax) < 0) {
				printf("%s: error: %s\n", names[i]->d_name, err_msg());
				broken++;
			} else {
				printf("%s: counts and addresses written\n", names[i]->d_name);
			}
		} else {
			differ += golden_case(names[i]->d_name, counts, pci, &v, &broken, j);
		}
		check_views_free(&v);
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
