/* appliance: builds the appliance with supermin into the cache.
 *
 * Layout: CACHE/appliance/{kernel,initrd,root,initramfs,key} (forms in
 * appliance-build.h); CACHE/lock serialises builds.  A build happens in
 * CACHE/build.XXXXXX and is renamed into place only when complete, so a
 * failed or interrupted build leaves the previous appliance intact.  The
 * root image is never written: every launch boots a qcow2 overlay on top
 * of it (libvirt 9.0 did not honour <transient/> on a disk). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "plan/appliance.h"
#include "plan/machine.h"
#include "common/digest.h"
#include "plan/appliance-build.h"
#include "plan/appliance-foreign.h"
#include "common/err.h"
#include "plan/kernel.h"
#include "plan/plan.h"
#include "common/proc.h"
#include "common/strv.h"
#include "common/util.h"

#ifndef LB_DATADIR
#define LB_DATADIR "/usr/local/lib/leanboot"
#endif

#define APPL_KEY_VERSION "leanboot-appliance-4"

/* Programs copied from the host as they are, with only their libraries
 * in the package list.  ntfs-3g's package would bring fuse3, and through
 * it adduser, passwd, debconf and perl: 13 MiB for a program that needs
 * only libntfs-3g (it carries its own FUSE library). */
static const char *const host_programs[][2] = {
	{ "/bin/ntfs-3g", "/usr/bin/ntfs-3g" },
};

static int is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The data directory: $LEANBOOT_DATADIR, then ../lib/leanboot next to
 * the program, where both the build tree and an install (to any prefix)
 * put it, then the location the build was configured for. */
static int appl_find_datadir(struct appl *a)
{
	const char *env = getenv("LEANBOOT_DATADIR");
	char exe[PATH_MAX], probe[PATH_MAX + 32];
	ssize_t n;

	if (env && *env) {
		snprintf(a->datadir, sizeof a->datadir, "%s", env);
		return 0;
	}
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		*strrchr(exe, '/') = '\0';
		snprintf(probe, sizeof probe, "%s/../lib/leanboot/packages", exe);
		if (is_file(probe)) {
			snprintf(probe, sizeof probe, "%s/../lib/leanboot", exe);
			if (realpath(probe, a->datadir))
				return 0;
		}
	}
	snprintf(a->datadir, sizeof a->datadir, "%s", LB_DATADIR);
	return 0;
}

/* The host kernel supermin should take: the newest /boot/vmlinuz-V that
 * has its modules in /lib/modules/V. */
int appl_find_host_kernel(struct appl *a)
{
	DIR *d = opendir("/boot");
	struct dirent *e;
	char mods[PATH_MAX + 64];

	a->kver[0] = '\0';
	if (!d) {
		err_set(LB_EXIT_VM, "/boot: %s", strerror(errno));
		return -1;
	}
	while ((e = readdir(d))) {
		const char *v;
		struct stat st;

		if (strncmp(e->d_name, "vmlinuz-", 8))
			continue;
		v = e->d_name + 8;
		if (strlen(v) >= sizeof a->kver)
			continue;
		snprintf(mods, sizeof mods, "/lib/modules/%s/modules.dep", v);
		if (stat(mods, &st) < 0)
			continue;
		if (!a->kver[0] || strverscmp(v, a->kver) > 0)
			snprintf(a->kver, sizeof a->kver, "%s", v);
	}
	closedir(d);
	if (!a->kver[0]) {
		err_set(LB_EXIT_VM, "no kernel in /boot with modules in /lib/modules "
			"(install linux-image-amd64)");
		return -1;
	}
	snprintf(a->host_kernel, sizeof a->host_kernel, "/boot/vmlinuz-%s", a->kver);
	return 0;
}

/* The appliance's files, in CACHE/DIR. */
static void appl_paths(struct appl *a, const char *dir)
{
	snprintf(a->dir, sizeof a->dir, "%.4000s/%s", a->cache, dir);
	snprintf(a->kernel, sizeof a->kernel, "%.4000s/kernel", a->dir);
	snprintf(a->initrd, sizeof a->initrd, "%.4000s/initrd", a->dir);
	snprintf(a->root, sizeof a->root, "%.4000s/root", a->dir);
	snprintf(a->initramfs, sizeof a->initramfs, "%.4000s/initramfs", a->dir);
}

int appl_locate(struct appl *a)
{
	const char *c = getenv("LEANBOOT_CACHE");
	const char *xdg = getenv("XDG_CACHE_HOME");

	memset(a, 0, sizeof *a);
	if (c && *c)
		snprintf(a->cache, sizeof a->cache, "%s", c);
	else if (xdg && *xdg)
		snprintf(a->cache, sizeof a->cache, "%s/leanboot", xdg);
	else
		snprintf(a->cache, sizeof a->cache, "/var/tmp/leanboot-%u", (unsigned)getuid());
	if (a->cache[0] != '/') {
		err_set(LB_EXIT_USAGE, "cache directory '%s' is not an absolute path", a->cache);
		return -1;
	}
	appl_paths(a, "appliance");
	a->arch = machine_host_arch();
	return appl_find_datadir(a);
}

int appl_check_foreign(const struct appl *a)
{
	char init[PATH_MAX + 32];

	snprintf(init, sizeof init, "%s/init%s", a->datadir, a->suffix);
	return !a->foreign ? 0 : appl_foreign_check(machine_arch_name((enum plan_arch)a->arch),
						    machine_arch_debian((enum plan_arch)a->arch), init);
}

int appl_set_arch(struct appl *a, int arch)
{
	char dir[64];

	if (arch == machine_host_arch())
		return 0;
	snprintf(dir, sizeof dir, "appliance-%s", machine_arch_name((enum plan_arch)arch));
	appl_paths(a, dir);
	a->arch = arch;
	a->foreign = 1;
	snprintf(a->suffix, sizeof a->suffix, "-%s", machine_arch_name((enum plan_arch)arch));
	return 0;
}

static void hash_str(struct sha256_ctx *h, const char *s)
{
	sha256_update(h, strlen(s) + 1, (const uint8_t *)s);
}

/* Identity of a file without reading it: path, size, mtime. */
static int hash_stat(struct sha256_ctx *h, const char *path)
{
	char buf[64];
	struct stat st;

	if (stat(path, &st) < 0) {
		err_set(LB_EXIT_VM, "%s: %s", path, strerror(errno));
		return -1;
	}
	hash_str(h, path);
	/* Whole seconds: tar, and so podman commit and every image layer,
	 * keeps no finer time, and a cache copied by one must still match. */
	snprintf(buf, sizeof buf, "%lld:%lld", (long long)st.st_mtim.tv_sec, (long long)st.st_size);
	hash_str(h, buf);
	return 0;
}

/* The inputs: the package list, the init and the inspector (by content), the kernel and
 * its modules, supermin, and dpkg's status file, which changes whenever a
 * package version on the host does. */
int appl_key(const struct appl *a, char key[65])
{
	struct sha256_ctx h;
	uint8_t d[SHA256_DIGEST_SIZE];
	char path[PATH_MAX + 32];
	struct appl k = *a;

	if (!a->foreign && appl_find_host_kernel(&k) < 0)
		return -1;
	sha256_init(&h);
	hash_str(&h, APPL_KEY_VERSION);
	snprintf(path, sizeof path, "%s/packages", a->datadir);
	if (digest_file(&h, path) < 0)
		return -1;
	snprintf(path, sizeof path, "%s/init%s", a->datadir, a->suffix);
	if (digest_file(&h, path) < 0)
		return -1;
	snprintf(path, sizeof path, "%s/inspect%s", a->datadir, a->suffix);
	if (digest_file(&h, path) < 0)
		return -1;
	snprintf(path, sizeof path, "%s/modules", a->datadir);
	if (digest_file(&h, path) < 0)
		return -1;
	/* Another arch's packages, kernel included, are what apt's lists
	 * name: they change when apt-get update brings new ones. */
	if (a->foreign) {
		hash_str(&h, machine_arch_name((enum plan_arch)a->arch));
		if (hash_stat(&h, "/var/lib/apt/lists") < 0)
			return -1;
		goto done;
	}
	if (hash_stat(&h, k.host_kernel) < 0)
		return -1;
	snprintf(path, sizeof path, "/lib/modules/%s/modules.dep", k.kver);
	if (hash_stat(&h, path) < 0 || hash_stat(&h, "/usr/bin/supermin") < 0 ||
	    hash_stat(&h, "/var/lib/dpkg/status") < 0)
		return -1;
	for (size_t i = 0; i < sizeof host_programs / sizeof host_programs[0]; i++)
		if (hash_stat(&h, host_programs[i][0]) < 0)
			return -1;
done:
	sha256_digest(&h, sizeof d, d);
	for (size_t i = 0; i < sizeof d; i++)
		sprintf(key + 2 * i, "%02x", d[i]);
	return 0;
}

int appl_derived_key(const struct appl *a, const char *const *files, const struct strv *words,
		     char key[65])
{
	struct sha256_ctx h;
	uint8_t d[SHA256_DIGEST_SIZE];
	char built[65];

	appl_built_key(a, built);
	if (!built[0]) {
		err_set(LB_EXIT_VM, "the appliance is not built");
		return -1;
	}
	sha256_init(&h);
	hash_str(&h, built);
	for (size_t i = 0; files[i]; i++)
		if (hash_stat(&h, files[i]) < 0)
			return -1;
	for (size_t i = 0; i < words->n; i++)
		hash_str(&h, words->v[i]);
	sha256_digest(&h, sizeof d, d);
	for (size_t i = 0; i < sizeof d; i++)
		sprintf(key + 2 * i, "%02x", d[i]);
	return 0;
}

void appl_built_key(const struct appl *a, char key[65])
{
	char path[PATH_MAX + 8];
	FILE *f;

	key[0] = '\0';
	snprintf(path, sizeof path, "%s/key", a->dir);
	f = fopen(path, "re");
	if (!f)
		return;
	if (!fgets(key, 65, f) || strlen(key) != 64)
		key[0] = '\0';
	fclose(f);
	if (key[0] && !(is_file(a->initrd) && is_file(a->root) && is_file(a->initramfs)))
		key[0] = '\0';
}

int appl_lock(const struct appl *a)
{
	char path[PATH_MAX + 8];
	int fd;

	/* 0711: QEMU run by a libvirt daemon as another user must reach the
	 * kernel, initrd and root inside; nobody else needs to list it. */
	if (util_mkdirs(a->cache) < 0)
		return -1;
	if (chmod(a->cache, 0711) < 0) {
		err_set(LB_EXIT_VM, "%s: %s", a->cache, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof path, "%s/lock", a->cache);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX) < 0) {
		err_set(LB_EXIT_VM, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* supermin --prepare takes packages as arguments; read them from the list. */
static int read_packages(const struct appl *a, struct strv *argv)
{
	char path[PATH_MAX + 16], line[256];
	FILE *f;
	int n = 0;

	snprintf(path, sizeof path, "%s/packages", a->datadir);
	f = fopen(path, "re");
	if (!f) {
		err_set(LB_EXIT_VM, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof line, f)) {
		char *s = line + strspn(line, " \t");

		s[strcspn(s, " \t\r\n#")] = '\0';
		if (!*s)
			continue;
		if (strv_add(argv, s) < 0) {
			fclose(f);
			return -1;
		}
		n++;
	}
	fclose(f);
	/* supermin 5.2.2 fails with a single package: apt-get download gets
	 * an empty list.  The shipped list has many. */
	if (n < 2) {
		err_set(LB_EXIT_VM, "%s: list at least two packages", path);
		return -1;
	}
	return 0;
}

/* supermin builds the tree (another arch's: appliance-foreign.h); appliance-build
 * makes the forms from it. */
static int appl_make_forms(struct appl *a, const char *tmp, int verbose)
{
	char sd[PATH_MAX], tree[PATH_MAX], boot[PATH_MAX], out[PATH_MAX], log[PATH_MAX];
	char init[PATH_MAX + 32], insp[PATH_MAX + 32], list[PATH_MAX + 16], ek[PATH_MAX + 32], ev[200],
		em[PATH_MAX + 32];
	char dst[PATH_MAX + 32], lib[PATH_MAX + 16], kdir[PATH_MAX];
	const char *modroot = a->foreign ? kdir : "";
	const char *env[] = { ek, ev, em, NULL };
	const char *logp = verbose ? NULL : log;
	struct strv av = { 0 };
	int r = -1;

	snprintf(sd, sizeof sd, "%.4000s/supermin.d", tmp);
	snprintf(tree, sizeof tree, "%.4000s/tree", tmp);
	snprintf(boot, sizeof boot, "%.4000s/boot", tmp);
	snprintf(out, sizeof out, "%.4000s/appliance", tmp);
	snprintf(log, sizeof log, "%.4000s/build.log", tmp);
	snprintf(ek, sizeof ek, "SUPERMIN_KERNEL=%s", a->host_kernel);
	snprintf(ev, sizeof ev, "SUPERMIN_KERNEL_VERSION=%s", a->kver);
	snprintf(em, sizeof em, "SUPERMIN_MODULES=/lib/modules/%s", a->kver);
	snprintf(init, sizeof init, "%s/init%s", a->datadir, a->suffix);
	snprintf(insp, sizeof insp, "%s/inspect%s", a->datadir, a->suffix);
	snprintf(list, sizeof list, "%s/modules", a->datadir);
	snprintf(kdir, sizeof kdir, "%.4000s/kernel-package", tmp);

	if (a->foreign) {
		/* The same list, from Debian's archive; the package's own
		 * ntfs-3g, where the host's is copied in below. */
		if (read_packages(a, &av) < 0 || strv_add(&av, "ntfs-3g") < 0 ||
		    appl_foreign_tree(machine_arch_debian((enum plan_arch)a->arch), &av, tmp, tree, kdir,
				      a->kver, sizeof a->kver, logp) < 0)
			goto out;
	} else {
		/* --use-installed: the packages' files come from the host's
		 * own installed copies.  Without it supermin asks apt to
		 * download every package again, which fails with no network
		 * or no package lists, as in a container or a CI runner.
		 * Local edits to their configuration files come along, and
		 * are not in the key (leanboot(1), FILES). */
		if (strv_add(&av, "supermin") || strv_add(&av, "--prepare") ||
		    strv_add(&av, "--use-installed") ||
		    strv_add(&av, "-o") || strv_add(&av, sd) || read_packages(a, &av) < 0)
			goto out;
		if (proc_run((const char *const *)av.v, env, logp) < 0)
			goto out;
		strv_free(&av);
		if (strv_add(&av, "supermin") || strv_add(&av, "--build") ||
		    strv_add(&av, "--format") || strv_add(&av, "chroot") ||
		    strv_add(&av, "--host-cpu") ||
		    strv_add(&av, machine_arch_name((enum plan_arch)a->arch)) ||
		    strv_add(&av, "-o") || strv_add(&av, tree) || strv_add(&av, sd))
			goto out;
		if (proc_run((const char *const *)av.v, env, logp) < 0)
			goto out;
	}

	/* The whole tree: our init as /init, the inspector, the listed
	 * modules. */
	snprintf(dst, sizeof dst, "%s/init", tree);
	if (util_install(init, dst, 0755) < 0)
		goto out;
	snprintf(dst, sizeof dst, "%s%s", tree, APPL_INSPECT);
	if (util_install(insp, dst, 0755) < 0)
		goto out;
	for (size_t i = 0; i < sizeof host_programs / sizeof host_programs[0]; i++) {
		char src[PATH_MAX + 32];

		snprintf(src, sizeof src, "%s%s", a->foreign ? tree : "", host_programs[i][0]);
		snprintf(dst, sizeof dst, "%s%s", tree, host_programs[i][1]);
		if (util_install(src, dst, 0755) < 0)
			goto out;
	}
	if (appl_add_modules(tree, modroot, a->kver, list, 0, log) < 0 || util_mkdirs(out) < 0)
		goto out;
	/* QEMU run by a libvirt daemon as another user reads what is inside. */
	if (chmod(out, 0755) < 0) {
		err_set(LB_EXIT_VM, "%s: %s", out, strerror(errno));
		goto out;
	}
	snprintf(dst, sizeof dst, "%s/root", out);
	if (appl_ext2(tree, dst, log) < 0)
		goto out;
	snprintf(dst, sizeof dst, "%s/initramfs", out);
	if (appl_cpio(tree, dst, 1) < 0)
		goto out;

	/* The small initrd: init and the boot modules, laid out as in the
	 * tree (lib is usr/lib) so that init finds them the same way. */
	snprintf(dst, sizeof dst, "%s/init", boot);
	snprintf(lib, sizeof lib, "%s/usr/lib", boot);
	if (util_mkdirs(lib) < 0 || util_install(init, dst, 0755) < 0)
		goto out;
	snprintf(lib, sizeof lib, "%s/lib", boot);
	if (symlink("usr/lib", lib) < 0) {
		err_set(LB_EXIT_VM, "%s: %s", lib, strerror(errno));
		goto out;
	}
	if (appl_add_modules(boot, modroot, a->kver, list, 1, log) < 0)
		goto out;
	snprintf(dst, sizeof dst, "%s/initrd", out);
	if (appl_cpio(boot, dst, 0) < 0)
		goto out;
	snprintf(dst, sizeof dst, "%s/kernel", out);
	if (a->foreign) {
		/* arm64's vmlinuz is the uncompressed Image; the package's
		 * directory goes with the build's. */
		char src[PATH_MAX + 160];

		snprintf(src, sizeof src, "%s/boot/vmlinuz-%s", kdir, a->kver);
		if (util_install(src, dst, 0644) < 0)
			goto out;
	} else if (symlink(a->host_kernel, dst) < 0) {
		err_set(LB_EXIT_VM, "%s: %s", dst, strerror(errno));
		goto out;
	}
	r = 0;
out:
	strv_free(&av);
	return r;
}

static int write_key(const char *dir, const char *key)
{
	char path[PATH_MAX + 8];
	FILE *f;

	snprintf(path, sizeof path, "%.4000s/key", dir);
	f = fopen(path, "we");
	if (!f || fprintf(f, "%s\n", key) < 0 || fclose(f) != 0) {
		err_set(LB_EXIT_VM, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int appl_build(struct appl *a, int verbose, int *hit)
{
	char key[65], have[65], tmp[PATH_MAX], old[PATH_MAX], built[PATH_MAX + 16];
	int lock, r = -1;

	*hit = 0;
	if (appl_check_foreign(a) < 0 || (!a->foreign && appl_find_host_kernel(a) < 0) ||
	    appl_key(a, key) < 0)
		return -1;
	appl_built_key(a, have);
	if (!strcmp(key, have)) {
		*hit = 1;
		return 0;
	}
	lock = appl_lock(a);
	if (lock < 0)
		return -1;
	/* Someone else may have built it while we waited for the lock. */
	appl_built_key(a, have);
	if (!strcmp(key, have)) {
		*hit = 1;
		close(lock);
		return 0;
	}
	snprintf(tmp, sizeof tmp, "%.4000s/build.XXXXXX", a->cache);
	if (!mkdtemp(tmp)) {
		err_set(LB_EXIT_VM, "%s: %s", tmp, strerror(errno));
		goto out_lock;
	}
	if (appl_make_forms(a, tmp, verbose) < 0) {
		char msg[1024];

		snprintf(msg, sizeof msg, "%s", err_msg());
		err_set(LB_EXIT_VM, "%s: %s", a->foreign ? "the appliance's packages" : "supermin", msg);
		goto out;
	}
	snprintf(built, sizeof built, "%.4000s/appliance", tmp);
	if (write_key(built, key) < 0)
		goto out;
	snprintf(old, sizeof old, "%.4000s/old.XXXXXX", a->cache);
	if (!mkdtemp(old)) {
		err_set(LB_EXIT_VM, "%s: %s", old, strerror(errno));
		goto out;
	}
	/* Swap by rename: a running VM keeps its open files either way. */
	if (rename(a->dir, old) < 0 && errno != ENOENT) {
		err_set(LB_EXIT_VM, "rename %s: %s", a->dir, strerror(errno));
		goto out;
	}
	if (rename(built, a->dir) < 0) {
		err_set(LB_EXIT_VM, "rename %s: %s", built, strerror(errno));
		goto out;
	}
	util_rmtree(old);
	r = 0;
out:
	util_rmtree(tmp);
out_lock:
	close(lock);
	return r;
}

int appl_clean(struct appl *a)
{
	char path[PATH_MAX + 16];
	int lock = appl_lock(a), r;

	if (lock < 0)
		return -1;
	r = util_rmtree(a->dir);
	snprintf(path, sizeof path, "%s/" APPL_TEMPLATES, a->cache);
	if (util_rmtree(path) < 0)
		r = -1;
	close(lock);
	return r;
}

const char *appl_shape_initrd(const struct appl *a, int shape, int *needs_root)
{
	*needs_root = shape != PLAN_SHAPE_INITRAMFS;
	return *needs_root ? a->initrd : a->initramfs;
}

int appl_boot_kernel(struct appl *a, int want, int prepare, int *got, const char **why)
{
	static char reason[512];
	const char *fail;
	int hit;

	*why = NULL;
	*got = KERN_BZIMAGE;
	snprintf(a->boot_kernel, sizeof a->boot_kernel, "%s", a->kernel);
	if (want == KERN_BZIMAGE)
		return 0;
	if (!a->host_kernel[0] && appl_find_host_kernel(a) < 0)
		return -1;
	if (prepare)
		fail = kern_vmlinux(a->cache, a->host_kernel, &hit) < 0 ? err_msg() : NULL;
	else
		fail = kern_probe(a->host_kernel);
	if (fail) {
		snprintf(reason, sizeof reason, "%s", fail);
		if (want == KERN_PVH) {
			err_set(LB_EXIT_VM, "--kernel-format pvh: %s", reason);
			return -1;
		}
		err_clear();
		*why = reason;
		return 0;
	}
	*got = KERN_PVH;
	kern_vmlinux_path(a->cache, a->boot_kernel, sizeof a->boot_kernel);
	return 0;
}
