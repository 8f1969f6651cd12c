/* xbps: Void Linux's installed packages, from xbps's package
 * database, an XML property list (/var/db/xbps/pkgdb-0.38.plist): a
 * dict whose keys are package names and whose values are dicts of
 * pkgver ("name-1.2.3_4": version 1.2.3, revision 4), architecture,
 * homepage, short_desc and state.  The file is the image maker's: it
 * is read whole up to a limit, and scanned by hand for the few tags
 * xbps writes; anything else is skipped, never followed. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inspect.h"

#define PLIST_MAX (32u << 20)    /* bytes of the database read */
#define VALUE_MAX 1024

/* The text of an element that starts at P (after its start tag) and
 * ends at "</TAG>", entities decoded, into OUT; where the scan goes on,
 * or NULL if the element does not end. */
static const char *element_text(const char *p, const char *tag, char *out, size_t len)
{
	static const char *const ents[][2] = {
		{ "&amp;", "&" }, { "&lt;", "<" }, { "&gt;", ">" }, { "&quot;", "\"" }, { "&apos;", "'" },
	};
	char end[32];
	const char *e;
	size_t o = 0;

	snprintf(end, sizeof end, "</%s>", tag);
	if (!(e = strstr(p, end)))
		return NULL;
	while (p < e) {
		size_t k = 0;

		if (*p == '&')
			for (k = 0; k < sizeof ents / sizeof ents[0]; k++)
				if (!strncmp(p, ents[k][0], strlen(ents[k][0])))
					break;
		if (*p == '&' && k < sizeof ents / sizeof ents[0]) {
			if (o + 1 < len)
				out[o++] = ents[k][1][0];
			p += strlen(ents[k][0]);
		} else {
			if (o + 1 < len)
				out[o++] = *p;
			p++;
		}
	}
	out[o] = '\0';
	return e + strlen(end);
}

struct xbps_pkg {
	char name[VALUE_MAX], pkgver[VALUE_MAX], arch[64], url[VALUE_MAX], summary[VALUE_MAX], state[32];
};

static int xbps_send(const struct insp_os *os, struct xbps_pkg *k)
{
	const char *v[INSPECT_APP_NFIELDS] = { 0 };
	char *dash = strrchr(k->pkgver, '-'), *rev;

	/* Only what xbps calls installed; a pkgver that is not
	 * NAME-VERSION_REVISION is still listed, by its name. */
	if (!k->name[0] || (k->state[0] && strcmp(k->state, "installed")))
		return 0;
	v[INSPECT_APP_NAME] = k->name;
	if (dash && !strncmp(k->pkgver, k->name, (size_t)(dash - k->pkgver)) &&
	    (size_t)(dash - k->pkgver) == strlen(k->name)) {
		v[INSPECT_APP_VERSION] = dash + 1;
		if ((rev = strrchr(dash + 1, '_'))) {
			*rev = '\0';
			v[INSPECT_APP_RELEASE] = rev + 1;
		}
	}
	v[INSPECT_APP_ARCH] = k->arch;
	v[INSPECT_APP_URL] = k->url;
	v[INSPECT_APP_SUMMARY] = k->summary;
	insp_app(os->id, v);
	return 1;
}

/* The scan: depth 1 is the database's dict, whose keys name packages;
 * depth 2 is a package's, whose keys name its fields. */
static long xbps_scan(const struct insp_os *os, const char *p)
{
	static struct xbps_pkg k;
	char key[VALUE_MAX] = "", text[VALUE_MAX];
	int depth = 0;
	long count = 0;

	while ((p = strchr(p, '<'))) {
		if (!strncmp(p, "<dict>", 6)) {
			if (++depth == 2) {
				memset(&k, 0, sizeof k);
				snprintf(k.name, sizeof k.name, "%s", key);
			}
			p += 6;
		} else if (!strncmp(p, "</dict>", 7)) {
			if (depth-- == 2)
				count += xbps_send(os, &k);
			p += 7;
		} else if (!strncmp(p, "<key>", 5)) {
			if (!(p = element_text(p + 5, "key", key, sizeof key)))
				break;
		} else if (!strncmp(p, "<string>", 8)) {
			if (!(p = element_text(p + 8, "string", text, sizeof text)))
				break;
			if (depth != 2)
				continue;
			if (!strcmp(key, "pkgver"))
				snprintf(k.pkgver, sizeof k.pkgver, "%s", text);
			else if (!strcmp(key, "architecture"))
				snprintf(k.arch, sizeof k.arch, "%.63s", text);
			else if (!strcmp(key, "homepage"))
				snprintf(k.url, sizeof k.url, "%s", text);
			else if (!strcmp(key, "short_desc"))
				snprintf(k.summary, sizeof k.summary, "%s", text);
			else if (!strcmp(key, "state"))
				snprintf(k.state, sizeof k.state, "%.31s", text);
		} else {
			p++;
		}
	}
	return count;
}

int insp_xbps(const struct insp_os *os)
{
	int fd = insp_os_open_file(os, "var/db/xbps/pkgdb-0.38.plist");
	size_t got = 0;
	char *buf;
	ssize_t n;

	if (fd < 0)
		return 0;
	insp_rec(IK_OS_PACKAGE_FORMAT, os->id, "xbps");
	if (!(buf = malloc(PLIST_MAX + 1))) {
		close(fd);
		insp_rec(IK_OS_NOTE, os->id, "xbps's database not read: out of memory");
		return 1;
	}
	while (got < PLIST_MAX && (n = read(fd, buf + got, PLIST_MAX - got)) > 0)
		got += (size_t)n;
	close(fd);
	buf[got] = '\0';
	/* A NUL ends the text there, as it ends what a string may hold. */
	insp_recf(IK_OS_PACKAGES, os->id, "%ld", xbps_scan(os, buf));
	if (got >= PLIST_MAX)
		insp_recf(IK_OS_NOTE, os->id, "xbps's database: read up to %u MiB, the rest left out", PLIST_MAX >> 20);
	free(buf);
	return 1;
}
