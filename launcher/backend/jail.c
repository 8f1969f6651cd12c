/* jail: see jail.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "backend/jail.h"
#include "common/err.h"

/* The device nodes QEMU opens here: glib and QEMU read random numbers,
 * and /dev/null stands in for closed streams. */
static const char *const jail_devices[] = {
	"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom",
};

/* The top-level names a merged-/usr system links into /usr, and an older
 * one has as directories of their own. */
static const char *const jail_top[] = { "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32" };

static int jail_add(struct jail *j, const char *path, int rw, int dir)
{
	struct jail_bind *b;

	if (!path)
		return 0;
	if (j->nbind == JAIL_MAX_BIND || strlen(path) >= sizeof b->path || path[0] != '/') {
		err_set(LB_EXIT_VM, "cannot confine QEMU: %s", path);
		return -1;
	}
	b = &j->bind[j->nbind++];
	snprintf(b->path, sizeof b->path, "%s", path);
	b->link[0] = '\0';
	b->rw = rw;
	b->dir = dir;
	return 0;
}

/* /bin and the rest as this system has them: a symlink made again, a
 * directory bound read-only, nothing where there is none. */
static int jail_add_top(struct jail *j)
{
	for (size_t i = 0; i < sizeof jail_top / sizeof *jail_top; i++) {
		struct stat st;

		if (lstat(jail_top[i], &st) < 0)
			continue;
		if (jail_add(j, jail_top[i], 0, 1) < 0)
			return -1;
		if (S_ISLNK(st.st_mode)) {
			struct jail_bind *b = &j->bind[j->nbind - 1];
			ssize_t n = readlink(jail_top[i], b->link, sizeof b->link - 1);

			if (n <= 0)
				j->nbind--;
			else
				b->link[n] = '\0';
		} else if (!S_ISDIR(st.st_mode)) {
			j->nbind--;
		}
	}
	return 0;
}

int jail_give(uid_t uid, gid_t gid, const char *path, int create)
{
	int fd;

	if (!path)
		return 0;
	if (create) {
		if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_CREAT, 0600)) < 0)
			goto fail;
		close(fd);
	}
	/* By name: the sockets cannot be opened. */
	if (fchownat(AT_FDCWD, path, uid, gid, AT_SYMLINK_NOFOLLOW) == 0 || (!create && errno == ENOENT))
		return 0;
fail:
	err_set(LB_EXIT_VM, "cannot hand %s to QEMU's user: %s", path, strerror(errno));
	return -1;
}

int jail_reachable(uid_t uid, const char *dir)
{
	char path[PATH_MAX];
	char *end;

	snprintf(path, sizeof path, "%s", dir);
	for (;;) {
		struct stat st;

		if (stat(path[0] ? path : "/", &st) < 0) {
			err_set(LB_EXIT_VM, "%s: %s", path, strerror(errno));
			return -1;
		}
		if (!(st.st_mode & S_IXOTH) && !(st.st_uid == uid && (st.st_mode & S_IXUSR))) {
			err_set(LB_EXIT_USAGE, "QEMU's user cannot reach %s (mode %04o), where it opens files by name: "
				"make it traversable by others (TMPDIR, as /tmp is), or give --backend direct",
				path[0] ? path : "/", (unsigned)(st.st_mode & 07777));
			return -1;
		}
		if (!path[0] || !(end = strrchr(path, '/')))
			return 0;
		*end = '\0';
	}
}

const struct passwd *jail_root_user(char *lost, size_t len)
{
	const struct passwd *pw = getpwnam(JAIL_USER);

	if (!pw) {
		if (lost)
			snprintf(lost, len, "no user " JAIL_USER " (make deps adds it): QEMU runs as nobody");
		pw = getpwnam("nobody");
	}
	if (!pw || pw->pw_uid == 0) {
		err_set(LB_EXIT_VM, "no unprivileged user to run QEMU as: add " JAIL_USER);
		return NULL;
	}
	return pw;
}

const char *jail_trace_file(const struct plan *p, char *buf, size_t len)
{
	for (size_t i = 0; i + 1 < p->qemu_extra.n; i++) {
		const char *f;

		if (strcmp(p->qemu_extra.v[i], "-trace") || !(f = strstr(p->qemu_extra.v[i + 1], "file=")))
			continue;
		f += 5;
		snprintf(buf, len, "%.*s", (int)strcspn(f, ","), f);
		return buf;
	}
	return NULL;
}

/* Who QEMU runs as.  An ordinary user's QEMU is that user, mapped into
 * its user namespace; root's is JAIL_USER. */
static int jail_user(struct jail *j, const struct plan *p)
{
	const struct passwd *pw;
	const struct group *kvm;

	j->userns = geteuid() != 0;
	if (j->userns) {
		j->uid = geteuid();
		j->gid = getegid();
		snprintf(j->maps[0], sizeof j->maps[0], "deny");
		snprintf(j->maps[1], sizeof j->maps[1], "%u %u 1\n", (unsigned)j->uid, (unsigned)j->uid);
		snprintf(j->maps[2], sizeof j->maps[2], "%u %u 1\n", (unsigned)j->gid, (unsigned)j->gid);
		return 0;
	}
	if (!(pw = jail_root_user(j->lost, sizeof j->lost)))
		return -1;
	j->uid = pw->pw_uid;
	j->gid = pw->pw_gid;
	/* KVM is reached through its group, as libvirt's QEMU reaches it. */
	if (p->accel == PLAN_ACCEL_KVM && (kvm = getgrnam("kvm")))
		j->groups[j->ngroups++] = kvm->gr_gid;
	return 0;
}

int jail_plan(struct jail *j, const struct backend_args *a)
{
	const struct plan *p = a->plan;
	char path[PATH_MAX + 32], trace[PATH_MAX];
	const char *tfile = jail_trace_file(p, trace, sizeof trace);

	memset(j, 0, sizeof *j);
	if (jail_user(j, p) < 0)
		return -1;
	j->flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS |
		   (j->userns ? CLONE_NEWUSER : 0);
	snprintf(j->root, sizeof j->root, "%.4000s/jail", a->rundir);
	if (mkdir(j->root, 0755) < 0 && errno != EEXIST) {
		err_set(LB_EXIT_VM, "%s: %s", j->root, strerror(errno));
		return -1;
	}
	if (jail_add(j, "/usr", 0, 1) < 0 || jail_add_top(j) < 0)
		return -1;
	if (access("/etc/ld.so.cache", F_OK) == 0 && jail_add(j, "/etc/ld.so.cache", 0, 0) < 0)
		return -1;
	for (size_t i = 0; i < sizeof jail_devices / sizeof *jail_devices; i++)
		if (jail_add(j, jail_devices[i], 1, 0) < 0)
			return -1;
	if ((p->accel == PLAN_ACCEL_KVM && jail_add(j, "/dev/kvm", 1, 0) < 0) ||
	    jail_add(j, p->kernel, 0, 0) < 0 || jail_add(j, p->initrd, 0, 0) < 0 ||
	    jail_add(j, a->root, 0, 0) < 0 || jail_add(j, a->rundir, 1, 1) < 0 ||
	    (a->template_dir && strcmp(a->template_dir, a->rundir) &&
	     jail_add(j, a->template_dir, 1, 1) < 0) ||
	    (tfile && jail_add(j, tfile, 1, 0) < 0))
		return -1;
	/* What QEMU writes in directories it may not write itself. */
	snprintf(path, sizeof path, "%.4000s/" PLAN_OVERLAY, a->rundir);
	if (j->userns)
		return 0;
	if (jail_give(j->uid, j->gid, path, 0) < 0 || jail_give(j->uid, j->gid, p->channel, 0) < 0 ||
	    jail_give(j->uid, j->gid, p->monitor, 0) < 0 ||
	    jail_give(j->uid, j->gid, p->memory_path, p->start == PLAN_START_TEMPLATE) < 0 ||
	    jail_give(j->uid, j->gid, tfile, 0) < 0)
		return -1;
	return 0;
}

pid_t jail_clone(struct jail *j)
{
	pid_t pid;

	/* A raw clone() is fork() with namespaces: the child runs on, on a
	 * copy of our stack, and is pid 1 of its pid namespace. */
	pid = (pid_t)syscall(SYS_clone, (long)(j->flags | SIGCHLD), 0L, 0L, 0L, 0L);
	if (pid >= 0 || !j->flags)
		return pid;
	/* Containers often forbid namespaces (EPERM), or have run out of
	 * them (ENOSPC, EUSERS): QEMU runs without, and the rest stands. */
	snprintf(j->lost + strlen(j->lost), sizeof j->lost - strlen(j->lost), "%snamespaces: %s",
		 j->lost[0] ? "; " : "", strerror(errno));
	j->flags = 0;
	return fork();
}

/* Write TEXT to the /proc/self file NAME. */
static int jail_write(const char *name, const char *text)
{
	int fd = open(name, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* mkdir -p of PATH's parents, in the jail's tmpfs. */
static int jail_parents(char *path)
{
	for (char *s = strchr(path + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST) {
			*s = '/';
			return -1;
		}
		*s = '/';
	}
	return 0;
}

/* The flags a bind mount must keep when remounted: in a user namespace
 * the kernel refuses to clear those its source has. */
static unsigned long jail_locked(const char *path)
{
	struct statvfs s;
	unsigned long f = 0;

	if (statvfs(path, &s) < 0)
		return 0;
	f |= s.f_flag & ST_NOSUID ? MS_NOSUID : 0;
	f |= s.f_flag & ST_NODEV ? MS_NODEV : 0;
	f |= s.f_flag & ST_NOEXEC ? MS_NOEXEC : 0;
	f |= s.f_flag & ST_NOATIME ? MS_NOATIME : 0;
	f |= s.f_flag & ST_NODIRATIME ? MS_NODIRATIME : 0;
	f |= s.f_flag & ST_RELATIME ? MS_RELATIME : 0;
	return f;
}

static int jail_bind_one(const struct jail *j, const struct jail_bind *b)
{
	char dst[2 * PATH_MAX];
	int fd;

	snprintf(dst, sizeof dst, "%s%s", j->root, b->path);
	if (jail_parents(dst) < 0)
		return -1;
	if (b->link[0])
		return symlink(b->link, dst);
	if (b->dir) {
		if (mkdir(dst, 0755) < 0 && errno != EEXIST)
			return -1;
	} else {
		if ((fd = open(dst, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) < 0)
			return -1;
		close(fd);
	}
	/* Not recursive: the run directory holds the jail's own root. */
	if (mount(b->path, dst, NULL, MS_BIND, NULL) < 0)
		return -1;
	return mount(NULL, dst, NULL,
		     MS_BIND | MS_REMOUNT | MS_NOSUID | (b->rw ? 0 : MS_RDONLY) | jail_locked(dst), NULL);
}

/* The new root: a tmpfs of mount points and binds, made read-only, and
 * the host's tree detached from under it.  WHY: what failed. */
static int jail_root(const struct jail *j, const char **why)
{
	*why = "private mounts";
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -1;
	*why = "tmpfs";
	if (mount("leanboot", j->root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m") < 0)
		return -1;
	for (size_t i = 0; i < j->nbind; i++) {
		*why = j->bind[i].path;
		if (jail_bind_one(j, &j->bind[i]) < 0)
			return -1;
	}
	*why = "pivot_root";
	if (chdir(j->root) < 0 || syscall(SYS_pivot_root, ".", ".") < 0 ||
	    umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		return -1;
	*why = "read-only root";
	return mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL);
}

static void jail_report(int fd, const char *layer, const char *what)
{
	dprintf(fd, "%s: %s: %s\n", layer, what, strerror(errno));
}

int jail_enter(const struct jail *j, int report)
{
	struct rlimit core = { 0, 0 }, files;
	const char *why;

	if (j->flags && j->userns &&
	    (jail_write("/proc/self/setgroups", j->maps[0]) < 0 ||
	     jail_write("/proc/self/uid_map", j->maps[1]) < 0 ||
	     jail_write("/proc/self/gid_map", j->maps[2]) < 0)) {
		dprintf(2, "leanboot: cannot map ids into QEMU's user namespace: %s\n", strerror(errno));
		return -1;
	}
	if (j->flags && jail_root(j, &why) < 0)
		jail_report(report, "root", why);
	if (!j->userns && (setgroups(j->ngroups, j->groups) < 0 || setresgid(j->gid, j->gid, j->gid) < 0 ||
			   setresuid(j->uid, j->uid, j->uid) < 0 || getuid() == 0)) {
		dprintf(2, "leanboot: cannot run QEMU as uid %u: %s\n", (unsigned)j->uid, strerror(errno));
		return -1;
	}
	if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_max > JAIL_NOFILE) {
		files.rlim_cur = files.rlim_max = JAIL_NOFILE;
		if (setrlimit(RLIMIT_NOFILE, &files) < 0)
			jail_report(report, "limits", "open files");
	}
	if (setrlimit(RLIMIT_CORE, &core) < 0)
		jail_report(report, "limits", "core dumps");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		dprintf(2, "leanboot: no_new_privs: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}
