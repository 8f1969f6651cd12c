/* jail: what stands between a hostile guest and the host on the direct
 * backend.  A crafted image can take over the appliance's kernel; QEMU is
 * then the boundary, and these layers bound what a QEMU taken over next
 * can reach.  Each is set up between the clone and the exec, and each
 * stands alone, so that a system that forbids one still gets the rest:
 *
 *   namespaces  its own pid, mount, network (lo only), ipc and uts
 *               namespaces; as an ordinary user, inside a user namespace
 *               that maps the caller's own uid and gid and nothing else;
 *   root        a read-only tmpfs holding /usr, the device nodes QEMU
 *               opens, and, at their own paths so that the argv is the
 *               same, the appliance, the run directory and the template;
 *   user        run as root, QEMU runs as JAIL_USER, never as root;
 *   limits      no core dump, a bounded number of open files, and
 *               no_new_privs, under which QEMU's own -sandbox (qemuargv.c)
 *               installs its seccomp filter.
 *
 * The disks the caller names never appear in that root: leanboot opens
 * them, as the caller, and QEMU gets the descriptors (qemuargv.h). */
#ifndef LB_JAIL_H
#define LB_JAIL_H

#include <limits.h>
#include <pwd.h>
#include <sys/types.h>

#include "backend/backend.h"

/* Who QEMU runs as when leanboot runs as root: a system user of its own
 * (make deps, or the package, creates it), so that a QEMU taken over
 * shares no uid with libvirt's guests or anything else; "nobody" where
 * it is missing, with a notice. */
#define JAIL_USER "leanboot-qemu"
#define JAIL_NOFILE 1024      /* QEMU here holds fewer than 100 */
#define JAIL_MAX_BIND 24

struct jail_bind {
	char path[PATH_MAX];
	char link[PATH_MAX];      /* a symlink to make instead ("" if none) */
	int rw, dir;
};

struct jail {
	int flags;                /* clone()'s namespaces; 0 once they failed */
	int userns;               /* an ordinary user's: map our own ids */
	uid_t uid;                /* whom QEMU runs as */
	gid_t gid, groups[1];
	size_t ngroups;
	char root[PATH_MAX];      /* where the new root is put together */
	char maps[3][64];         /* setgroups, uid_map and gid_map's text */
	struct jail_bind bind[JAIL_MAX_BIND];
	size_t nbind;
	char lost[256];           /* the layers that could not be set up */
};

/* Run as root, the user QEMU runs as through either backend: JAIL_USER,
 * or else nobody, said in LOST (may be NULL).  NULL after err_set(). */
const struct passwd *jail_root_user(char *lost, size_t len);
/* Hand PATH (a file QEMU writes, in a directory it may not write) to
 * UID:GID; CREATE: make it first.  A missing PATH is fine unless CREATE.
 * Returns 0, or -1 after err_set(). */
int jail_give(uid_t uid, gid_t gid, const char *path, int create);
/* Whether UID may traverse every directory down to DIR, by the others'
 * or owner's x bit (its groups are not looked at), for a QEMU that opens
 * files there by name.  -1 after err_set(LB_EXIT_USAGE) with the first
 * that it may not. */
int jail_reachable(uid_t uid, const char *dir);
/* The file P's -trace argument's "file=" names (bench's), into BUF; NULL
 * if none.  QEMU writes it. */
const char *jail_trace_file(const struct plan *p, char *buf, size_t len);
/* Plan the jail of A's QEMU: who it runs as, and what its root holds.
 * Run as root, hands QEMU the files it writes (the overlay, the sockets,
 * a template's RAM file, a trace).  Returns 0, or -1 after err_set(). */
int jail_plan(struct jail *j, const struct backend_args *a);
/* fork(), into the jail's namespaces where the system allows them (else
 * noted in j->lost).  In the child, call jail_enter() next. */
pid_t jail_clone(struct jail *j);
/* In the child: the root, the user and the limits.  A layer that cannot
 * be set up is written as a line to REPORT and skipped, except the
 * user: QEMU never runs as root.  Returns -1 then, with the reason on
 * stderr.  Only system calls: the parent may have threads. */
int jail_enter(const struct jail *j, int report);

#endif
