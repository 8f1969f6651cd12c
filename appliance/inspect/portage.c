/* portage: Gentoo's installed packages, from Portage's database:
 * a directory /var/db/pkg/CATEGORY/PN-PV[-rN] a package, holding a file
 * a fact (DESCRIPTION, HOMEPAGE, ...).  The name and version come from
 * the directory's name, split as Portage splits it: the version is the
 * last part that starts with a digit, the revision its -rN.  Both
 * levels are read in name order, bounded in count. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inspect.h"

#define MAX_ENTRIES 100000      /* directory entries looked at: per level, and packages in all */
#define VALUE_MAX 1024

/* PF ("bash-5.2_p26-r1") split into PN, PV and the revision: the
 * version is the part after the last hyphen that a digit follows. */
static int split_pf(char *pf, const char **pn, const char **pv, const char **rev)
{
	char *r = strrchr(pf, '-'), *v = NULL;

	*rev = "";
	if (r && r[1] == 'r' && r[2] && strspn(r + 2, "0123456789") == strlen(r + 2)) {
		*r = '\0';
		*rev = r + 2;
	}
	for (char *p = pf; (p = strchr(p, '-')); p++)
		if (p[1] >= '0' && p[1] <= '9')
			v = p;
	if (!v || v == pf)
		return -1;
	*v = '\0';
	*pn = pf;
	*pv = v + 1;
	return 0;
}

/* One line of a package's file FILE, the newline gone. */
static void fact(const struct insp_os *os, const char *dir, const char *file, char *out, size_t len)
{
	char path[700];

	out[0] = '\0';
	snprintf(path, sizeof path, "%s/%s", dir, file);
	if (insp_os_read(os, path, out, len) >= 0)
		out[strcspn(out, "\n")] = '\0';
}

int insp_portage(const struct insp_os *os)
{
	int fd = insp_os_open(os, "var/db/pkg", O_RDONLY | O_DIRECTORY);
	char **cats, dir[600], copy[300], desc[VALUE_MAX], url[VALUE_MAX], source[600];
	size_t ncats;
	long count = 0, bad = 0;
	int more;

	if (fd < 0)
		return 0;
	insp_rec(IK_OS_PACKAGE_FORMAT, os->id, "ebuild");
	cats = insp_dir_names(fd, MAX_ENTRIES, &ncats, &more);
	for (size_t c = 0; c < ncats; c++) {
		char **pkgs;
		size_t npkgs;

		snprintf(dir, sizeof dir, "var/db/pkg/%s", cats[c]);
		if (count + bad >= MAX_ENTRIES)
			break;
		if ((fd = insp_os_open(os, dir, O_RDONLY | O_DIRECTORY)) < 0)
			continue;
		pkgs = insp_dir_names(fd, MAX_ENTRIES, &npkgs, &more);
		/* The whole database, not each category, is bounded. */
		for (size_t i = 0; i < npkgs && count + bad < MAX_ENTRIES; i++) {
			const char *v[INSPECT_APP_NFIELDS] = { 0 }, *pn, *pv, *rev;

			snprintf(copy, sizeof copy, "%s", pkgs[i]);
			if (split_pf(copy, &pn, &pv, &rev) < 0) {
				bad++;
				continue;
			}
			snprintf(dir, sizeof dir, "var/db/pkg/%s/%s", cats[c], pkgs[i]);
			fact(os, dir, "DESCRIPTION", desc, sizeof desc);
			fact(os, dir, "HOMEPAGE", url, sizeof url);
			/* Several URLs, space-separated: the first. */
			url[strcspn(url, " \t")] = '\0';
			snprintf(source, sizeof source, "%s/%s", cats[c], pn);
			v[INSPECT_APP_NAME] = pn;
			v[INSPECT_APP_VERSION] = pv;
			v[INSPECT_APP_RELEASE] = rev;
			v[INSPECT_APP_URL] = url;
			v[INSPECT_APP_SUMMARY] = desc;
			v[INSPECT_APP_SOURCE] = source;
			insp_app(os->id, v);
			count++;
		}
		insp_dir_names_free(pkgs, npkgs);
	}
	insp_dir_names_free(cats, ncats);
	insp_recf(IK_OS_PACKAGES, os->id, "%ld", count);
	if (bad)
		insp_recf(IK_OS_NOTE, os->id, "Portage's database: %ld entries whose names hold no version", bad);
	return 1;
}
