/* rpm: installed packages listed from rpm's database, in
 * whichever of its three formats the image holds:
 *   - SQLite (rpm 4.16 and later): the header blobs read with SQLite
 *     itself, immutable, each parsed by rpm's own library;
 *   - Berkeley DB (`Packages`, before 4.16: CentOS 7, SUSE before 15.3),
 *     read with rpm's own library and its read-only bdb backend;
 *   - ndb (`Packages.db`, SUSE): Debian's librpm is built without its
 *     reader, so the format is named and a note says why no count.
 * Both are read in a child (insp_isolated), since a header is the image
 * maker's bytes and librpm parses them.
 * Each file is opened inside the image (RESOLVE_IN_ROOT) and handed to
 * its reader as /proc/self/fd/N, so no path in the image is followed
 * by anyone else. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rpm/header.h>
#include <rpm/rpmdb.h>
#include <rpm/rpmtag.h>
#include <rpm/rpmlog.h>
#include <rpm/rpmmacro.h>
#include <rpm/rpmts.h>
#include <sqlite3.h>

#include "inspect.h"

enum rpm_format { RPM_SQLITE, RPM_BDB, RPM_NDB };

static const struct rpmdb_file {
	const char *path;
	enum rpm_format format;
	const char *name;
} rpmdb_files[] = {
	{ "usr/lib/sysimage/rpm/rpmdb.sqlite", RPM_SQLITE, "sqlite" },
	{ "var/lib/rpm/rpmdb.sqlite", RPM_SQLITE, "sqlite" },
	{ "usr/lib/sysimage/rpm/Packages.db", RPM_NDB, "ndb" },
	{ "var/lib/rpm/Packages.db", RPM_NDB, "ndb" },
	{ "usr/lib/sysimage/rpm/Packages", RPM_BDB, "bdb" },
	{ "var/lib/rpm/Packages", RPM_BDB, "bdb" },
};

/* librpm's functions (and librpmio's, which it brings), loaded in the
 * child that reads a database. */
#define RPM_FNS(X) X(rpmlogSetMask) X(rpmPushMacro) X(rpmtsCreate) X(rpmtsSetVSFlags) \
	X(rpmtsInitIterator) X(rpmdbNextIterator) X(rpmdbFreeIterator) X(rpmtsFree) \
	X(headerImport) X(headerFree) X(headerGetString) X(headerGetNumber)
#define RPM_FIELD(f) __typeof__(f) *f;
static struct { RPM_FNS(RPM_FIELD) } rp;

static int rpm_load(const char **why)
{
	void *h = insp_dlopen("librpm.so.9", why);

#define RPM_LOAD(f) INSP_DLSYM(h, rp, "", f, why) &&
	return h && RPM_FNS(RPM_LOAD) 1 ? 0 : -1;
}

struct rpm_job {
	const char *id;
	int fd;
	enum rpm_format format;
};

/* One package's record, from its header. */
static void rpm_app(const char *osid, Header h)
{
	const char *v[INSPECT_APP_NFIELDS] = { 0 }, *src;
	char epoch[24] = "", source[WIRE_VALUE_MAX];
	uint64_t e = rp.headerGetNumber(h, RPMTAG_EPOCH);

	/* An epoch past what rpm itself allows (int32) is left out. */
	if (e && e <= INT32_MAX)
		snprintf(epoch, sizeof epoch, "%llu", (unsigned long long)e);
	v[INSPECT_APP_NAME] = rp.headerGetString(h, RPMTAG_NAME);
	if (!v[INSPECT_APP_NAME] || !v[INSPECT_APP_NAME][0])
		return;
	v[INSPECT_APP_EPOCH] = epoch;
	v[INSPECT_APP_VERSION] = rp.headerGetString(h, RPMTAG_VERSION);
	v[INSPECT_APP_RELEASE] = rp.headerGetString(h, RPMTAG_RELEASE);
	v[INSPECT_APP_ARCH] = rp.headerGetString(h, RPMTAG_ARCH);
	v[INSPECT_APP_URL] = rp.headerGetString(h, RPMTAG_URL);
	v[INSPECT_APP_SUMMARY] = rp.headerGetString(h, RPMTAG_SUMMARY);
	/* "bash-5.2.26-3.fc40.src.rpm": the source package's name is what
	 * stands before its version and release. */
	if ((src = rp.headerGetString(h, RPMTAG_SOURCERPM))) {
		char *dash;

		snprintf(source, sizeof source, "%s", src);
		for (int i = 0; i < 2 && (dash = strrchr(source, '-')); i++)
			*dash = '\0';
		if (strcmp(source, src))
			v[INSPECT_APP_SOURCE] = source;
	}
	insp_app(osid, v);
}

/* Opened read-only and immutable: a read-only mount has no room for a
 * journal or a lock.  Each row's blob is a header as rpm keeps it. */
static long sqlite_list(const struct rpm_job *j)
{
	char uri[64];
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	long count = -1;
	int r;

	snprintf(uri, sizeof uri, "file:/proc/self/fd/%d?immutable=1", j->fd);
	if (sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT blob FROM Packages ORDER BY hnum", -1, &st, NULL) == SQLITE_OK) {
		count = 0;
		while ((r = sqlite3_step(st)) == SQLITE_ROW) {
			const void *blob = sqlite3_column_blob(st, 0);
			int len = sqlite3_column_bytes(st, 0);
			Header h;

			count++;
			if (!blob || len <= 0 || !(h = rp.headerImport((void *)blob, (unsigned)len, HEADERIMPORT_COPY)))
				continue;
			rpm_app(j->id, h);
			rp.headerFree(h);
		}
		if (r != SQLITE_DONE)
			count = -1;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return count;
}

/* rpm's database directory is a private one whose Packages is the
 * image's file, through our descriptor. */
static long bdb_list(const struct rpm_job *j)
{
	char dir[] = "/tmp/rpmdb.XXXXXX", link[64], target[64];
	rpmdbMatchIterator mi;
	rpmts ts;
	Header h;
	long n = -1;

	if (!mkdtemp(dir))
		return -1;
	snprintf(link, sizeof link, "%s/Packages", dir);
	snprintf(target, sizeof target, "/proc/self/fd/%d", j->fd);
	if (symlink(target, link) < 0) {
		rmdir(dir);
		return -1;
	}
	rp.rpmPushMacro(NULL, "_dbpath", NULL, dir, RMIL_CMDLINE);
	rp.rpmPushMacro(NULL, "_db_backend", NULL, "bdb_ro", RMIL_CMDLINE);
	ts = rp.rpmtsCreate();
	rp.rpmtsSetVSFlags(ts, _RPMVSF_NOSIGNATURES | _RPMVSF_NODIGESTS);
	mi = rp.rpmtsInitIterator(ts, RPMDBI_PACKAGES, NULL, 0);
	if (mi) {
		for (n = 0; (h = rp.rpmdbNextIterator(mi)); n++)
			rpm_app(j->id, h);
		rp.rpmdbFreeIterator(mi);
	}
	rp.rpmtsFree(ts);
	unlink(link);
	rmdir(dir);
	return n;
}

/* In the child: the list, then the count. */
static void rpm_list(void *arg)
{
	const struct rpm_job *j = arg;
	const char *why = "";
	long n;

	if (rpm_load(&why) < 0) {
		insp_recf(IK_OS_NOTE, j->id, "rpm database not read: %s", why);
		return;
	}
	/* rpm complains of the indexes it finds missing; only the
	 * packages are read. */
	rp.rpmlogSetMask(RPMLOG_UPTO(RPMLOG_EMERG));
	n = j->format == RPM_SQLITE ? sqlite_list(j) : bdb_list(j);
	if (n >= 0)
		insp_recf(IK_OS_PACKAGES, j->id, "%ld", n);
	else
		insp_recf(IK_OS_NOTE, j->id, "rpm's %s database could not be read",
			  j->format == RPM_SQLITE ? "SQLite" : "Berkeley DB");
}

void insp_rpm(const struct insp_os *os)
{
	for (size_t i = 0; i < sizeof rpmdb_files / sizeof rpmdb_files[0]; i++) {
		const struct rpmdb_file *r = &rpmdb_files[i];
		int fd = insp_os_open_file(os, r->path);

		if (fd < 0)
			continue;
		insp_rec(IK_OS_PACKAGE_FORMAT, os->id, "rpm");
		insp_rec(IK_OS_PACKAGE_DATABASE, os->id, r->name);
		switch (r->format) {
		case RPM_SQLITE:
		case RPM_BDB: {
			struct rpm_job j = { os->id, fd, r->format };

			insp_isolated(rpm_list, &j, IK_OS_NOTE, os->id,
				      r->format == RPM_SQLITE ? "rpm's SQLite database" : "rpm's Berkeley DB database");
			break;
		}
		case RPM_NDB:
			insp_rec(IK_OS_NOTE, os->id,
				 "rpm's ndb database: packages not counted (Debian's librpm has no ndb reader)");
			break;
		}
		close(fd);
		return;
	}
}
