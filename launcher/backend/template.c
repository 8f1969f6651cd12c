/* template: see template.h.  The key is computed from the template's
 * plan as plan_key_words() reads it (plan/key.h), not from the argv or
 * XML it renders to, which every warm launch would render only to hash;
 * tests/helpers/key-test.c holds the words to what the renderers read. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/backend.h"
#include "common/err.h"
#include "common/proc.h"
#include "backend/template.h"
#include "common/util.h"
#include "plan/key.h"

/* The running program's file, by identity (appliance.h). */
#define TPL_PROGRAM "/proc/self/exe"

/* Stand-ins for the directories a template's plan names: plan_make()
 * wants them, and the key leaves out every path under them. */
#define TPL_KEY_RUNDIR "/run-directory/leanboot-template"
#define TPL_KEY_DIR "/template-directory"

int tpl_locate(const struct appl *a, const struct plan_input *in, const struct backend_ops *b,
	       const char *connect, struct tpl *t)
{
	struct plan_input kin = *in;
	struct plan p;
	struct strv words = { 0 }, none = { 0 };
	char key[65], owner[65];
	/* The words see the plan, not the code that renders it: the program
	 * itself is among the files, so that a leanboot that writes another
	 * machine for the same plan (a new QEMU option, a changed row of the
	 * machine table) never restores a template an older one saved. */
	const char *files[] = { TPL_PROGRAM, NULL, in->kernel, in->initrd, NULL, NULL, NULL };
	const char *program[] = { TPL_PROGRAM, NULL };
	size_t nf = 4;
	int r = -1;

	memset(t, 0, sizeof *t);
	kin.start = PLAN_START_TEMPLATE;
	kin.rundir = TPL_KEY_RUNDIR;
	kin.template_dir = TPL_KEY_DIR;
	if (plan_make(&kin, &p) < 0)
		return -1;
	files[1] = machine_of(p.machine)->qemu;
	if (p.firmware == PLAN_FW_QBOOT)
		files[nf++] = PLAN_QBOOT_ROM;
	if (in->root)
		files[nf++] = in->root;
	/* Who runs the machine, where, and what machine it is. */
	if (strv_add(&words, b->name) < 0 || strv_add(&words, connect ? connect : "default") < 0 ||
	    plan_key_words(&p, &words) < 0)
		goto out;
	/* The name starts with a key of the appliance and the program: a
	 * template of either's older build is evicted (tpl_evict), not
	 * left to fill the cache. */
	if (appl_derived_key(a, files, &words, key) < 0 || appl_derived_key(a, program, &none, owner) < 0)
		goto out;
	snprintf(t->root, sizeof t->root, "%.4000s/" APPL_TEMPLATES, a->cache);
	snprintf(t->name, sizeof t->name, "%.16s-%.32s", owner, key);
	snprintf(t->dir, sizeof t->dir, "%.4000s/%s", t->root, t->name);
	snprintf(t->domain, sizeof t->domain, "leanboot-warm-%.12s", key);
	snprintf(t->uuid, sizeof t->uuid, "%.8s-%.4s-%.4s-%.4s-%.12s", key, key + 8, key + 12,
		 key + 16, key + 20);
	r = 0;
out:
	strv_free(&words);
	plan_free(&p);
	return r;
}

int tpl_ready(const struct tpl *t)
{
	char path[PATH_MAX + 16];

	snprintf(path, sizeof path, "%.4000s/" TPL_STATE, t->dir);
	return access(path, R_OK) == 0;
}

/* Templates of other appliances, or of another build of leanboot: their
 * names start with another key. */
static void tpl_evict(const struct tpl *t)
{
	DIR *d = opendir(t->root);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char path[PATH_MAX + 300];

		/* leanboot-*: one being built now, which is not ours to touch. */
		if (e->d_name[0] == '.' || !strncmp(e->d_name, "leanboot-", 9) ||
		    !strncmp(e->d_name, t->name, 16))
			continue;
		snprintf(path, sizeof path, "%.4000s/%s", t->root, e->d_name);
		util_rmtree(path);
	}
	if (d)
		closedir(d);
}

/* The overlay clones copy, made once the template is in place, since it
 * names its backing file by the template's own path; renamed in whole.
 * A template without one (a remote host's holds no root here) leaves
 * each clone to run qemu-img itself. */
static void tpl_overlay(const struct tpl *t)
{
	char base[PATH_MAX + 16], tmp[PATH_MAX + 32], dst[PATH_MAX + 16];

	snprintf(base, sizeof base, "%.4000s/" PLAN_OVERLAY, t->dir);
	snprintf(tmp, sizeof tmp, "%.4000s/" TPL_OVERLAY ".part", t->dir);
	snprintf(dst, sizeof dst, "%.4000s/" TPL_OVERLAY, t->dir);
	if (access(base, F_OK) < 0)
		return;
	/* A shortcut only: its failure is no error of the launch's. */
	if (proc_overlay(base, "qcow2", tmp, NULL) < 0 || rename(tmp, dst) < 0) {
		unlink(tmp);
		err_clear();
	}
}

int tpl_commit(const struct tpl *t, const char *built)
{
	static const char *const scratch[] = { PLAN_CHANNEL, PLAN_MONITOR, "qemu.log", "qemu-img.log" };
	char path[PATH_MAX + 32];

	for (size_t i = 0; i < sizeof scratch / sizeof *scratch; i++) {
		snprintf(path, sizeof path, "%.4000s/%s", built, scratch[i]);
		unlink(path);
	}
	/* Clones read it; nobody writes it again. */
	if (util_rmtree(t->dir) < 0)
		return -1;
	if (chmod(built, 0755) < 0 || rename(built, t->dir) < 0) {
		err_set(LB_EXIT_VM, "%s: %s", t->dir, strerror(errno));
		return -1;
	}
	tpl_overlay(t);
	tpl_evict(t);
	return 0;
}

int tpl_discard(const struct tpl *t)
{
	return util_rmtree(t->dir);
}
