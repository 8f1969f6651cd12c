/* kernel-test CACHE BZIMAGE: make CACHE's vmlinux from BZIMAGE through
 * kernel.c, as a launch does, and say whether it was extracted or found
 * cached.  Exits 1 with the reason when BZIMAGE cannot boot through PVH. */
#include <stdio.h>

#include "common/err.h"
#include "plan/kernel.h"

int main(int argc, char **argv)
{
	char path[4096];
	int hit;

	if (argc != 3) {
		fprintf(stderr, "usage: kernel-test CACHE BZIMAGE\n");
		return 2;
	}
	if (kern_vmlinux(argv[1], argv[2], &hit) < 0) {
		printf("error: %s\n", err_msg());
		return 1;
	}
	kern_vmlinux_path(argv[1], path, sizeof path);
	printf("%s %s\n", hit ? "cached" : "extracted", path);
	return 0;
}
