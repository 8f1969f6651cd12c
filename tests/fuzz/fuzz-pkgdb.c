/* libFuzzer target: the inspector's readers of files a disk image holds
 * (appliance/inspect/apps.c, release.c): dpkg's status file,
 * apk's installed database, a pacman desc file, xbps's plist, os-release,
 * lsb-release and the release files.  The input's first byte says which file the
 * rest is; it is written into a root of its own, which the readers open
 * as they open an image's (RESOLVE_IN_ROOT), and their records go to
 * /dev/null. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../appliance/inspect/inspect.h"

static const char *const files[] = {
	"var/lib/dpkg/status", "lib/apk/db/installed", "var/lib/pacman/local/x-1-1/desc",
	"etc/os-release", "etc/lsb-release", "etc/redhat-release", "etc/SuSE-release",
	"etc/debian_version", "etc/arch-release", "var/db/xbps/pkgdb-0.38.plist",
};

static char root[64];

static void mkdirs(const char *path)
{
	char p[256];

	snprintf(p, sizeof p, "%s/%s", root, path);
	for (char *s = p + strlen(root) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(p, 0700);
		*s = '/';
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct insp_os os = { .id = "0", .usr = -1, .var = -1 };
	char path[256];
	size_t which;
	int fd;

	if (!ready) {
		snprintf(root, sizeof root, "/tmp/fuzz-pkgdb.%d", (int)getpid());
		mkdir(root, 0700);
		for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
			mkdirs(files[i]);
		if (!freopen("/dev/null", "w", stdout))
			abort();
		ready = 1;
	}
	if (!size)
		return 0;
	which = data[0] % (sizeof files / sizeof files[0]);
	snprintf(path, sizeof path, "%s/%s", root, files[which]);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, data + 1, size - 1) != (ssize_t)(size - 1))
		abort();
	close(fd);
	os.root = open(root, O_PATH | O_DIRECTORY);
	insp_release(&os);
	insp_packages(&os);
	close(os.root);
	unlink(path);
	return 0;
}
