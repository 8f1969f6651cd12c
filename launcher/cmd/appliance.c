/* leanboot appliance build|info|clean: the appliance as a cached product. */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "plan/appliance.h"
#include "cmd/cmd.h"
#include "common/err.h"
#include "launch/launch.h"
#include "common/util.h"
#include "plan/machine.h"

static void info_file(const char *label, const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		printf("%-10s %s (missing)\n", label, path);
		return;
	}
	/* The root image is sparse: say both what it holds and its size. */
	printf("%-10s %s (%.1f MiB, %.1f MiB on disk)\n", label, path,
	       st.st_size / 1048576.0, st.st_blocks * 512 / 1048576.0);
}

/* The templates warm launches restore, each with what it takes on disk
 * (its RAM file is sparse). */
static void info_templates(const struct appl *a)
{
	char dir[PATH_MAX + 16];
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof dir, "%.4000s/" APPL_TEMPLATES, a->cache);
	if (!(d = opendir(dir)))
		return;
	while ((e = readdir(d))) {
		char path[PATH_MAX + 600];
		double mib = 0;
		DIR *t;
		struct dirent *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (!(t = opendir(path)))
			continue;
		while ((f = readdir(t))) {
			char file[PATH_MAX + 900];
			struct stat st;

			snprintf(file, sizeof file, "%s/%s", path, f->d_name);
			if (f->d_name[0] != '.' && stat(file, &st) == 0)
				mib += st.st_blocks * 512 / 1048576.0;
		}
		closedir(t);
		printf("template   %s (%.1f MiB on disk)\n", path, mib);
	}
	closedir(d);
}

static int appliance_info(struct appl *a)
{
	char key[65], have[65];

	if (appl_key(a, key) < 0)
		return err_report("appliance info");
	appl_built_key(a, have);
	printf("cache      %s\n", a->cache);
	printf("data       %s\n", a->datadir);
	info_file("kernel", a->kernel);
	info_file("initrd", a->initrd);
	info_file("initramfs", a->initramfs);
	info_file("root", a->root);
	printf("key        %s\n", key);
	printf("state      %s\n", !have[0] ? "not built" : strcmp(have, key) ? "out of date" : "up to date");
	info_templates(a);
	return 0;
}

/* The template run's warm launches restore, made now rather than by the
 * first of them: run's default machine, through the backend asked for. */
static int appliance_template(struct appl *a, int arch)
{
	struct launch_opts lo = {
		.in = PLAN_INPUT_INIT, .appl = a, .start = LAUNCH_START_WARM, .timeout = 120,
	};
	double t0 = util_now();
	int r;

	lo.in.arch = arch;
	cmd_launch_opts(&lo);
	r = cmd_resolve(&lo.in, a, 1) < 0 ? -1 : launch_prepare(&lo);
	cmd_resolve_free(&lo.in);
	if (r < 0)
		return err_report("appliance build: the template");
	if (!cmd_global.quiet)
		printf("template for %s launches ready in %.3f s\n", backend_name(lo.backend),
		       util_now() - t0);
	return 0;
}

enum { APPLIANCE_BUILD, APPLIANCE_INFO, APPLIANCE_CLEAN };

const struct names cmd_appliance_verbs[] = {
	{ "build", APPLIANCE_BUILD, 0 }, { "info", APPLIANCE_INFO, 0 }, { "clean", APPLIANCE_CLEAN, 0 },
	{ NULL, 0, 0 },
};

/* --arch: which arch's appliance (default the host's). */
static int appliance_opt(int c, char *arg, void *ctx)
{
	return c == OPT_ARCH ? cmd_choice(ctx, arch_names, "--arch", arg) : -2;
}

int cmd_appliance(int argc, char **argv)
{
	char list[64];
	struct appl a;
	int r, hit, verb, arch = -1;
	double t0;

	r = cmd_parse(CMD_APPLIANCE, argc, argv, appliance_opt, &arch);
	if (r)
		return r > 0 ? 0 : LB_EXIT_USAGE;
	if (optind + 1 != argc)
		return err_usage("appliance: give one of %s",
				 names_join(cmd_appliance_verbs, ", ", ", ", 0, list, sizeof list));
	if (arch < 0)
		arch = machine_host_arch();
	if (appl_locate(&a) < 0 || (arch >= 0 && appl_set_arch(&a, arch) < 0))
		return err_report("appliance");
	if ((verb = names_parse(cmd_appliance_verbs, argv[optind])) < 0)
		return err_usage("appliance: '%s' is not %s", argv[optind],
				 names_join(cmd_appliance_verbs, ", ", " or ", 0, list, sizeof list));
	if (verb == APPLIANCE_INFO)
		return appliance_info(&a);
	if (verb == APPLIANCE_CLEAN) {
		if (appl_clean(&a) < 0)
			return err_report("appliance clean");
		if (!cmd_global.quiet)
			printf("removed %s\n", a.dir);
		return 0;
	}
	t0 = util_now();
	if (appl_build(&a, cmd_global.verbose, &hit) < 0)
		return err_report("appliance build");
	if (!cmd_global.quiet)
		printf("%s %s in %.3f s\n", hit ? "cache hit:" : "built", a.dir, util_now() - t0);
	return appliance_template(&a, arch);
}
