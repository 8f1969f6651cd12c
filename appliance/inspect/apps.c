/* apps: the applications a Linux root has installed, one record each
 * (name, epoch, version, release, arch, and where the format keeps them
 * URL, source package and summary, sent by app.c), read from its package
 * manager's own database: dpkg's status file, pacman's local database,
 * apk's installed file; xbps's, Portage's and rpm's are in files of
 * their own (xbps.c, portage.c, rpm.c).  These are the image maker's
 * files: each is read as a bounded stream, a line longer than the
 * reader's buffer is cut, and the list stops at INSPECT_MAX_APPS with a
 * note. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inspect.h"

#define DB_MAX (64u << 20)      /* bytes of one database file read: several times Debian's largest */
#define FIELD_MAX 1024          /* bytes kept of one field */
#define PACMAN_DIRS 100000      /* entries of pacman's local directory looked at */
#define PACMAN_DESC (64u << 10) /* bytes of one package's desc read */

static size_t db_total;        /* bytes read of the file db_open() opened last */

/* S into OUT, cut to LEN-1 bytes: a field's value is bounded. */
static void cut(char *out, size_t len, const char *s)
{
	size_t n = strnlen(s, len - 1);

	memcpy(out, s, n);
	out[n] = '\0';
}

/* One database file as a stream of lines; NULL if there is none. */
static FILE *db_open(const struct insp_os *os, const char *path)
{
	int fd = insp_os_open_file(os, path);
	FILE *f;

	if (fd < 0)
		return NULL;
	if (!(f = fdopen(fd, "r")))
		close(fd);
	db_total = 0;
	return f;
}

/* A line, its newline gone; NULL at the end or past DB_MAX.  A line
 * longer than the buffer is cut: the rest of it is skipped, never taken
 * for a line of its own.  Every byte is counted, a NUL too, so the
 * limit holds whatever the file holds. */
static char *db_line(FILE *f, char *line, size_t cap)
{
	size_t n = 0;
	int c = EOF;

	while (db_total < DB_MAX && (c = getc_unlocked(f)) != EOF) {
		db_total++;
		if (c == '\n')
			break;
		if (n + 1 < cap)
			line[n++] = (char)c;
	}
	if (c == EOF && !n)
		return NULL;
	line[n] = '\0';
	return line;
}

/* --- dpkg ------------------------------------------------------------ */

struct deb {
	char name[FIELD_MAX], version[FIELD_MAX], arch[64], source[FIELD_MAX], url[FIELD_MAX],
	     summary[FIELD_MAX], description[FIELD_MAX];
	int installed, in_description;
};

/* A stanza ends: send it if it is an installed package. */
static void deb_flush(const struct insp_os *os, struct deb *d, long *count)
{
	char epoch[16], version[FIELD_MAX], release[FIELD_MAX];
	const char *v[INSPECT_APP_NFIELDS] = { 0 };

	if (d->installed && d->name[0]) {
		++*count;
		insp_split_evr(d->version, epoch, version, release, sizeof version);
		v[INSPECT_APP_NAME] = d->name;
		v[INSPECT_APP_EPOCH] = epoch;
		v[INSPECT_APP_VERSION] = version;
		v[INSPECT_APP_RELEASE] = release;
		v[INSPECT_APP_ARCH] = d->arch;
		/* "Source: name (version)" when the versions differ. */
		d->source[strcspn(d->source, " ")] = '\0';
		v[INSPECT_APP_SOURCE] = d->source[0] ? d->source : d->name;
		v[INSPECT_APP_URL] = d->url;
		v[INSPECT_APP_SUMMARY] = d->summary;
		v[INSPECT_APP_DESCRIPTION] = d->description;
		insp_app(os->id, v);
	}
	memset(d, 0, sizeof *d);
}

static int field(const char *line, const char *name, char *out, size_t len)
{
	size_t n = strlen(name);

	if (strncmp(line, name, n) || line[n] != ':')
		return 0;
	line += n + 1;
	cut(out, len, line + strspn(line, " \t"));
	return 1;
}

static long dpkg(const struct insp_os *os, FILE *f)
{
	static char line[4096];
	static struct deb d;
	char status[256];
	long count = 0;

	memset(&d, 0, sizeof d);
	while (db_line(f, line, sizeof line)) {
		if (!line[0]) {
			deb_flush(os, &d, &count);
			continue;
		}
		/* The long description: the lines after Description's,
		 * each indented by a space, " ." an empty one. */
		if (line[0] == ' ' || line[0] == '\t') {
			size_t o = strlen(d.description);

			if (d.in_description && o + 2 < sizeof d.description) {
				if (o)
					d.description[o++] = '\n';
				cut(d.description + o, sizeof d.description - o, strcmp(line + 1, ".") ? line + 1 : "");
			}
			continue;
		}
		d.in_description = 0;
		if (field(line, "Status", status, sizeof status)) {
			size_t l = strlen(status);

			/* "install ok installed": the last word says. */
			d.installed = l >= 9 && !strcmp(status + l - 9, "installed") &&
				      (l == 9 || status[l - 10] == ' ');
		} else if (!field(line, "Package", d.name, sizeof d.name) &&
			   !field(line, "Version", d.version, sizeof d.version) &&
			   !field(line, "Architecture", d.arch, sizeof d.arch) &&
			   !field(line, "Source", d.source, sizeof d.source) &&
			   !field(line, "Homepage", d.url, sizeof d.url))
			d.in_description = field(line, "Description", d.summary, sizeof d.summary);
	}
	/* dpkg ends each stanza with a blank line: a file cut short ends
	 * inside one. */
	if (d.name[0])
		insp_recf(IK_OS_NOTE, os->id, "dpkg's status file ends inside the stanza of %s: cut short?", d.name);
	deb_flush(os, &d, &count);
	return count;
}

/* --- apk ------------------------------------------------------------- */

/* apk's installed database: a stanza a package, a letter a field. */
static long apk(const struct insp_os *os, FILE *f)
{
	static char line[4096], name[FIELD_MAX], evr[FIELD_MAX], arch[64], url[FIELD_MAX], description[FIELD_MAX],
		origin[FIELD_MAX];
	char epoch[16], version[FIELD_MAX], release[FIELD_MAX];
	long count = 0;
	int more = 1;

	name[0] = evr[0] = arch[0] = url[0] = description[0] = origin[0] = '\0';
	while (more) {
		more = db_line(f, line, sizeof line) != NULL;
		if (more && line[0]) {
			char *out = NULL;
			size_t len = FIELD_MAX;

			switch (line[1] == ':' ? line[0] : 0) {
			case 'P': out = name; break;
			case 'V': out = evr; break;
			case 'A': out = arch; len = sizeof arch; break;
			case 'U': out = url; break;
			case 'T': out = description; break;
			case 'o': out = origin; break;
			}
			if (out)
				cut(out, len, line + 2);
			continue;
		}
		if (name[0]) {
			const char *v[INSPECT_APP_NFIELDS] = { 0 };

			count++;
			/* "1.36.1-r15": the release is apk's -rN, N as
			 * virt-inspector gives it. */
			insp_split_evr(evr, epoch, version, release, sizeof version);
			v[INSPECT_APP_NAME] = name;
			v[INSPECT_APP_VERSION] = version;
			v[INSPECT_APP_RELEASE] = release + (release[0] == 'r');
			v[INSPECT_APP_ARCH] = arch;
			v[INSPECT_APP_URL] = url;
			v[INSPECT_APP_DESCRIPTION] = description;
			v[INSPECT_APP_SOURCE] = origin;
			insp_app(os->id, v);
		}
		name[0] = evr[0] = arch[0] = url[0] = description[0] = origin[0] = '\0';
	}
	return count;
}

/* --- pacman ---------------------------------------------------------- */

/* One package's desc file: %SECTION% lines, each followed by its value
 * lines, up to a blank line. */
static int pacman_desc(const struct insp_os *os, const char *path)
{
	static char line[4096], name[FIELD_MAX], evr[FIELD_MAX], arch[64], url[FIELD_MAX], desc[FIELD_MAX],
		base[FIELD_MAX];
	char epoch[16], version[FIELD_MAX], release[FIELD_MAX];
	const char *v[INSPECT_APP_NFIELDS] = { 0 };
	char *out = NULL;
	size_t len = FIELD_MAX;
	FILE *f = db_open(os, path);

	if (!f)
		return 0;
	name[0] = evr[0] = arch[0] = url[0] = desc[0] = base[0] = '\0';
	while (db_total < PACMAN_DESC && db_line(f, line, sizeof line)) {
		if (line[0] == '%') {
			len = FIELD_MAX;
			out = !strcmp(line, "%NAME%") ? name : !strcmp(line, "%VERSION%") ? evr :
			      !strcmp(line, "%URL%") ? url : !strcmp(line, "%DESC%") ? desc :
			      !strcmp(line, "%BASE%") ? base : NULL;
			if (!strcmp(line, "%ARCH%")) {
				out = arch;
				len = sizeof arch;
			}
		} else if (out && line[0]) {
			/* A section's first value line only. */
			cut(out, len, line);
			out = NULL;
		}
	}
	fclose(f);
	if (!name[0])
		return 0;
	insp_split_evr(evr, epoch, version, release, sizeof version);
	v[INSPECT_APP_NAME] = name;
	v[INSPECT_APP_EPOCH] = epoch;
	v[INSPECT_APP_VERSION] = version;
	v[INSPECT_APP_RELEASE] = release;
	v[INSPECT_APP_ARCH] = arch;
	v[INSPECT_APP_URL] = url;
	v[INSPECT_APP_DESCRIPTION] = desc;
	v[INSPECT_APP_SOURCE] = base;
	insp_app(os->id, v);
	return 1;
}

/* pacman's local database: a directory NAME-VERSION-RELEASE a package,
 * its desc file saying what it is.  Read in name order, so that a report
 * does not depend on the order the filesystem keeps. */
static long pacman(const struct insp_os *os, int dfd)
{
	char path[512];
	size_t n;
	long count = 0, bad = 0;
	int more;
	char **names = insp_dir_names(dfd, PACMAN_DIRS, &n, &more);

	if (more)
		insp_recf(IK_OS_NOTE, os->id, "pacman's database: read up to %d entries", PACMAN_DIRS);
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(names[i], "ALPM_DB_VERSION"))
			continue;
		snprintf(path, sizeof path, "var/lib/pacman/local/%s/desc", names[i]);
		if (pacman_desc(os, path))
			count++;
		else
			bad++;
	}
	insp_dir_names_free(names, n);
	if (bad)
		insp_recf(IK_OS_NOTE, os->id,
			  "pacman's database: %ld entries with no readable desc (links that loop or lead out, "
			  "not a file, no name)", bad);
	return count;
}

void insp_packages(const struct insp_os *os)
{
	static const struct { const char *path, *format; long (*read)(const struct insp_os *, FILE *); } dbs[] = {
		{ "var/lib/dpkg/status", "deb", dpkg },
		{ "lib/apk/db/installed", "apk", apk },
	};
	int fd;

	for (size_t i = 0; i < sizeof dbs / sizeof dbs[0]; i++) {
		FILE *f = db_open(os, dbs[i].path);

		if (!f)
			continue;
		insp_rec(IK_OS_PACKAGE_FORMAT, os->id, dbs[i].format);
		insp_recf(IK_OS_PACKAGES, os->id, "%ld", dbs[i].read(os, f));
		if (db_total >= DB_MAX)
			insp_recf(IK_OS_NOTE, os->id, "%s: read up to %u MiB, the rest left out", dbs[i].path,
				  DB_MAX >> 20);
		fclose(f);
		return;
	}
	fd = insp_os_open(os, "var/lib/pacman/local", O_RDONLY | O_DIRECTORY);
	if (fd >= 0) {
		insp_rec(IK_OS_PACKAGE_FORMAT, os->id, "pacman");
		insp_recf(IK_OS_PACKAGES, os->id, "%ld", pacman(os, fd));
		return;
	}
	if (insp_xbps(os) || insp_portage(os))
		return;
	insp_rpm(os);
}
