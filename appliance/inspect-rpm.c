/* inspect-rpm: installed packages counted in rpm's database, in whichever
 * of its three formats the image holds:
 *   - SQLite (rpm 4.16 and later), read with SQLite itself, immutable;
 *   - Berkeley DB (`Packages`, before 4.16: CentOS 7, SUSE before 15.3),
 *     read with rpm's own library and its read-only bdb backend, in a
 *     child (insp_isolated), since the file is the image maker's;
 *   - ndb (`Packages.db`, SUSE): Debian's librpm is built without its
 *     reader, so the format is named and a note says why no count.
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

#include <rpm/rpmdb.h>
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

/* Opened read-only and immutable: a read-only mount has no room for a
 * journal or a lock. */
static long sqlite_count(int fd)
{
	char uri[64];
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	long count = -1;

	snprintf(uri, sizeof uri, "file:/proc/self/fd/%d?immutable=1", fd);
	if (sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT count(*) FROM Packages", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		count = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return count;
}

/* librpm's functions (and librpmio's, which it brings), loaded in the
 * child that reads a Berkeley DB database. */
#define RPM_FNS(X) X(rpmlogSetMask) X(rpmPushMacro) X(rpmtsCreate) X(rpmtsSetVSFlags) \
	X(rpmtsInitIterator) X(rpmdbNextIterator) X(rpmdbFreeIterator) X(rpmtsFree)
#define RPM_FIELD(f) __typeof__(f) *f;
static struct { RPM_FNS(RPM_FIELD) } rp;

static int rpm_load(const char **why)
{
	void *h = insp_dlopen("librpm.so.9", why);

#define RPM_LOAD(f) INSP_DLSYM(h, rp, "", f, why) &&
	return h && RPM_FNS(RPM_LOAD) 1 ? 0 : -1;
}

struct bdb_job {
	const char *id;
	int fd;
};

/* In the child: rpm's database directory is a private one whose
 * Packages is the image's file, through our descriptor. */
static void bdb_count(void *arg)
{
	const struct bdb_job *j = arg;
	char dir[] = "/tmp/rpmdb.XXXXXX", link[64], target[64];
	const char *why = "";
	rpmdbMatchIterator mi;
	rpmts ts;
	long n = 0;

	if (rpm_load(&why) < 0) {
		insp_recf("os", j->id, "note", "rpm database not read: %s", why);
		return;
	}
	if (!mkdtemp(dir)) {
		insp_recf("os", j->id, "note", "rpm database not read: %s", strerror(errno));
		return;
	}
	snprintf(link, sizeof link, "%s/Packages", dir);
	snprintf(target, sizeof target, "/proc/self/fd/%d", j->fd);
	if (symlink(target, link) < 0) {
		insp_recf("os", j->id, "note", "rpm database not read: %s", strerror(errno));
		rmdir(dir);
		return;
	}
	/* rpm complains of the indexes it finds missing; only the
	 * packages are read. */
	rp.rpmlogSetMask(RPMLOG_UPTO(RPMLOG_EMERG));
	rp.rpmPushMacro(NULL, "_dbpath", NULL, dir, RMIL_CMDLINE);
	rp.rpmPushMacro(NULL, "_db_backend", NULL, "bdb_ro", RMIL_CMDLINE);
	ts = rp.rpmtsCreate();
	rp.rpmtsSetVSFlags(ts, _RPMVSF_NOSIGNATURES | _RPMVSF_NODIGESTS);
	mi = rp.rpmtsInitIterator(ts, RPMDBI_PACKAGES, NULL, 0);
	if (mi) {
		while (rp.rpmdbNextIterator(mi))
			n++;
		rp.rpmdbFreeIterator(mi);
		insp_recf("os", j->id, "packages", "%ld", n);
	} else {
		insp_rec("os", j->id, "note", "rpm's Berkeley DB database could not be opened");
	}
	rp.rpmtsFree(ts);
	unlink(link);
	rmdir(dir);
}

void insp_rpm(const struct insp_os *os)
{
	for (size_t i = 0; i < sizeof rpmdb_files / sizeof rpmdb_files[0]; i++) {
		const struct rpmdb_file *r = &rpmdb_files[i];
		int fd = insp_os_open_file(os, r->path);
		long n;

		if (fd < 0)
			continue;
		insp_rec("os", os->id, "package_format", "rpm");
		insp_rec("os", os->id, "package_database", r->name);
		switch (r->format) {
		case RPM_SQLITE:
			if ((n = sqlite_count(fd)) >= 0)
				insp_recf("os", os->id, "packages", "%ld", n);
			else
				insp_rec("os", os->id, "note", "rpm's SQLite database could not be read");
			break;
		case RPM_BDB: {
			struct bdb_job j = { os->id, fd };

			insp_isolated(bdb_count, &j, "os", os->id, "rpm's Berkeley DB database");
			break;
		}
		case RPM_NDB:
			insp_rec("os", os->id, "note",
				 "rpm's ndb database: packages not counted (Debian's librpm has no ndb reader)");
			break;
		}
		close(fd);
		return;
	}
}
