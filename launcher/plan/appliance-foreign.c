/* appliance-foreign: see appliance-foreign.h.
 *
 * apt resolves the list for DEBARCH as for a new system (an empty status
 * file) against the host's package lists, and downloads the .debs;
 * dpkg-deb unpacks each.  No maintainer script runs, so nothing needs
 * qemu-user or binfmt; the tree needs none of them (supermin's trees run
 * none either).  The kernel package goes apart: it is 350 MiB unpacked,
 * of which the appliance takes the modules appliance/modules lists. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/err.h"
#include "common/proc.h"
#include "common/util.h"
#include "plan/appliance-foreign.h"

#define APT_LISTS "/var/lib/apt/lists"

int appl_foreign_lists(const char *debarch)
{
	DIR *d = opendir(APT_LISTS);
	struct dirent *e;
	char want[64];
	int found = 0;

	snprintf(want, sizeof want, "_binary-%s_Packages", debarch);
	while (d && !found && (e = readdir(d)))
		found = strstr(e->d_name, want) != NULL;
	if (d)
		closedir(d);
	return found;
}

int appl_foreign_check(const char *arch, const char *debarch, const char *init)
{
	if (!appl_foreign_lists(debarch)) {
		err_set(LB_EXIT_USAGE, "an %s appliance needs apt's %s package lists: run make deps "
			"(as root: dpkg --add-architecture %s; apt-get update)", arch, debarch, debarch);
		return -1;
	}
	if (access(init, R_OK) < 0) {
		err_set(LB_EXIT_USAGE, "%s is missing: run make deps for the cross compiler "
			"(gcc-%s-linux-gnu), then make", init, arch);
		return -1;
	}
	return 0;
}

/* apt-get --download-only into TMP/debs, resolving from nothing. */
static int foreign_download(const char *debarch, const struct strv *packages, const char *tmp,
			    const char *debs, const char *log)
{
	char *status = util_printf("%s/status", tmp), *cache = util_printf("%s/apt-cache", tmp);
	char *partial = util_printf("%s/partial", debs);
	char *o[5] = { util_printf("APT::Architecture=%s", debarch),
		       util_printf("APT::Architectures::=%s", debarch),
		       util_printf("Dir::State::status=%s", status),
		       util_printf("Dir::Cache=%s", cache),
		       util_printf("Dir::Cache::archives=%s", debs) };
	struct strv av = { 0 };
	int r = -1;

	for (size_t i = 0; i < 5; i++)
		if (!o[i])
			goto out;
	if (!status || !cache || !partial || util_mkdirs(partial) < 0 || util_mkdirs(cache) < 0 ||
	    util_write_file(status, "") < 0)
		goto out;
	/* No lock: this apt touches nothing of the host's but its lists,
	 * which it only reads. */
	if (strv_add(&av, "apt-get") || strv_add(&av, "-q") || strv_add(&av, "-y") ||
	    strv_add(&av, "--download-only") || strv_add(&av, "--no-install-recommends") ||
	    strv_add(&av, "-o") || strv_add(&av, "Debug::NoLocking=1"))
		goto out;
	for (size_t i = 0; i < 5; i++)
		if (strv_add(&av, "-o") || strv_add(&av, o[i]))
			goto out;
	if (strv_add(&av, "install"))
		goto out;
	for (size_t i = 0; i < packages->n; i++)
		if (strv_add(&av, packages->v[i]))
			goto out;
	if (strv_addf(&av, "linux-image-%s", debarch))
		goto out;
	r = proc_run((const char *const *)av.v, NULL, log);
out:
	for (size_t i = 0; i < 5; i++)
		free(o[i]);
	free(status);
	free(cache);
	free(partial);
	strv_free(&av);
	return r;
}

/* dpkg-deb -x of every .deb in DEBS: the kernel's into KDIR, the rest
 * into TREE. */
static int foreign_unpack(const char *debs, const char *tree, const char *kdir, const char *log)
{
	DIR *d = opendir(debs);
	struct dirent *e;
	int r = 0, n = 0;

	if (!d) {
		err_set(LB_EXIT_VM, "%s: %s", debs, strerror(errno));
		return -1;
	}
	while (r == 0 && (e = readdir(d))) {
		size_t len = strlen(e->d_name);
		char *deb;

		if (len < 5 || strcmp(e->d_name + len - 4, ".deb"))
			continue;
		if (!(deb = util_printf("%s/%s", debs, e->d_name)))
			r = -1;
		else {
			const char *argv[] = { "dpkg-deb", "-x", deb,
					       strncmp(e->d_name, "linux-image-", 12) ? tree : kdir, NULL };

			r = proc_run(argv, NULL, log);
			n++;
		}
		free(deb);
	}
	closedir(d);
	if (r == 0 && n == 0) {
		err_set(LB_EXIT_VM, "apt-get downloaded nothing into %s", debs);
		r = -1;
	}
	return r;
}

/* The one kernel version under KDIR/lib/modules. */
static int foreign_kver(const char *kdir, char *kver, size_t len)
{
	char *mods = util_printf("%s/lib/modules", kdir);
	DIR *d = mods ? opendir(mods) : NULL;
	struct dirent *e;

	kver[0] = '\0';
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.')
			snprintf(kver, len, "%s", e->d_name);
	if (d)
		closedir(d);
	if (!kver[0])
		err_set(LB_EXIT_VM, "the kernel package has no modules in %s", mods ? mods : kdir);
	free(mods);
	return kver[0] ? 0 : -1;
}

int appl_foreign_tree(const char *debarch, const struct strv *packages, const char *tmp,
		      const char *tree, const char *kdir, char *kver, size_t len, const char *log)
{
	char *debs = util_printf("%s/debs", tmp);
	int r = -1;

	if (!debs || util_mkdirs(tree) < 0 || util_mkdirs(kdir) < 0)
		goto out;
	if (foreign_download(debarch, packages, tmp, debs, log) < 0 ||
	    foreign_unpack(debs, tree, kdir, log) < 0 || foreign_kver(kdir, kver, len) < 0)
		goto out;
	{
		/* The package's postinst would make modules.dep. */
		const char *argv[] = { "depmod", "-b", kdir, kver, NULL };

		r = proc_run(argv, NULL, log);
	}
out:
	free(debs);
	return r;
}
