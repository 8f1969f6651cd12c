/* modules: loading a kernel module and what it depends on, from
 * modules.dep, with finit_module: there is no modprobe in the appliance. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "init.h"

#define MAX_MODULE_DEPTH 16

static char moddir[256];

/* Find MOD's line in modules.dep; its dependencies are loaded first.
 * Names match with '-' and '_' taken as the same, as modprobe does. */
static int same_name(const char *path, const char *mod)
{
	const char *base = strrchr(path, '/');
	size_t i;

	base = base ? base + 1 : path;
	for (i = 0; mod[i]; i++) {
		char a = base[i] == '-' ? '_' : base[i];
		char b = mod[i] == '-' ? '_' : mod[i];

		if (a != b)
			return 0;
	}
	return !strncmp(base + i, ".ko", 3);
}

static int load_path(const char *rel, int depth);

static int load_deps_of(const char *rel, int depth)
{
	char path[512], line[4096];
	FILE *f;
	int r = -1;

	snprintf(path, sizeof path, "%s/modules.dep", moddir);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f)) {
		char *colon = strchr(line, ':'), *dep, *save;

		if (!colon)
			continue;
		*colon = '\0';
		if (strcmp(line, rel))
			continue;
		r = 0;
		for (dep = strtok_r(colon + 1, " \n", &save); dep; dep = strtok_r(NULL, " \n", &save))
			if (load_path(dep, depth + 1) < 0)
				r = -1;
		break;
	}
	fclose(f);
	return r;
}

/* Whether the module at REL is in the kernel already (or built in):
 * finit_module would find out only after reading and checking the whole
 * file, tens of milliseconds under TCG. */
static int loaded(const char *rel)
{
	const char *base = strrchr(rel, '/');
	char name[128], path[160];
	size_t i;

	base = base ? base + 1 : rel;
	for (i = 0; base[i] && base[i] != '.' && i < sizeof name - 1; i++)
		name[i] = base[i] == '-' ? '_' : base[i];
	name[i] = '\0';
	snprintf(path, sizeof path, "/sys/module/%s", name);
	return access(path, F_OK) == 0;
}

static int load_path(const char *rel, int depth)
{
	char path[768];
	int fd, r;

	if (depth > MAX_MODULE_DEPTH)
		return -1;
	if (loaded(rel))
		return 0;
	if (load_deps_of(rel, depth) < 0)
		return -1;
	snprintf(path, sizeof path, "%s/%s", moddir, rel);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = (int)syscall(SYS_finit_module, fd, "", 0);
	close(fd);
	return r < 0 && errno != EEXIST ? -1 : 0;
}

void init_load_module(const char *mod)
{
	char path[512], line[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s/modules.dep", moddir);
	f = fopen(path, "re");
	if (!f) {
		init_say("%s: %s", path, strerror(errno));
		return;
	}
	while (fgets(line, sizeof line, f)) {
		char *colon = strchr(line, ':');

		if (!colon)
			continue;
		*colon = '\0';
		if (same_name(line, mod)) {
			fclose(f);
			/* ENODEV: hardware this CPU lacks (crc32c-intel under
			 * TCG); another module does the job. */
			if (load_path(line, 0) < 0 && errno != ENODEV)
				init_say("module %s: %s", mod, strerror(errno));
			return;
		}
	}
	fclose(f);
	/* Not a module: it may be built in, which is fine. */
}

void init_set_moddir(void)
{
	struct utsname u;

	uname(&u);
	snprintf(moddir, sizeof moddir, "/lib/modules/%s", u.release);
}
