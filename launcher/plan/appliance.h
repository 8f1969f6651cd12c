/* appliance: the supermin-built appliance as a cached data product.  Its
 * cache key is a SHA-256 of every input; a build with an unchanged key is
 * a cache hit and runs nothing. */
#ifndef LB_APPLIANCE_H
#define LB_APPLIANCE_H

#include <limits.h>

#include "common/strv.h"

/* The templates warm launches restore (template.h), under the cache. */
#define APPL_TEMPLATES "template"

/* Where the appliance carries the inspector (appliance/inspect/). */
#define APPL_INSPECT "/usr/lib/leanboot/inspect"

struct appl {
	char cache[PATH_MAX];     /* the cache directory */
	char dir[PATH_MAX];       /* cache/appliance */
	char kernel[PATH_MAX], initrd[PATH_MAX], root[PATH_MAX], initramfs[PATH_MAX];
	char datadir[PATH_MAX];   /* where packages and init come from */
	char host_kernel[PATH_MAX];
	char kver[128];
	char boot_kernel[PATH_MAX];  /* what appl_boot_kernel() picked */
	int arch;                 /* enum plan_arch: the host's, or */
	int foreign;              /* another (appliance-foreign.h) */
	char suffix[16];          /* of init and inspect in datadir: "" or
				     "-ARCH" */
};

/* Fill in the paths; builds nothing and needs no appliance. */
int appl_locate(struct appl *a);
/* The appliance for ARCH (enum plan_arch): the host's is CACHE/appliance,
 * another arch's CACHE/appliance-ARCH. */
int appl_set_arch(struct appl *a, int arch);
/* For another arch's appliance: whether the host can build it (apt's
 * lists for that arch, the cross-built init), else a one-line error
 * saying what to install. */
int appl_check_foreign(const struct appl *a);
/* The host kernel supermin takes (a->host_kernel, a->kver); another
 * arch's appliance takes its kernel from Debian's package instead. */
int appl_find_host_kernel(struct appl *a);
/* The key the inputs give now (64 hex digits). */
int appl_key(const struct appl *a, char key[65]);
/* The key of what is built, or "" when nothing is. */
void appl_built_key(const struct appl *a, char key[65]);
/* A key for something made from the built appliance: its key, the
 * identity (path, size, mtime) of each of FILES (NULL-ended), and WORDS. */
int appl_derived_key(const struct appl *a, const char *const *files, const struct strv *words,
		     char key[65]);
/* Take CACHE/lock, which serialises what is built in the cache: the fd
 * to close, or -1 after err_set(). */
int appl_lock(const struct appl *a);
/* Build unless the cache holds the same key; *hit says which. */
int appl_build(struct appl *a, int verbose, int *hit);
/* Remove the appliance and the templates made from it. */
int appl_clean(struct appl *a);
/* Pick the kernel image to boot into a->boot_kernel.  WANT is a
 * kern_format, or -1 for PVH where the host kernel has it.  With PREPARE
 * the vmlinux is extracted (or found cached) and checked; without, auto
 * goes by the bzImage's payload alone and nothing is written.  On an auto
 * fallback to the bzImage, *WHY says why (else NULL). */
int appl_boot_kernel(struct appl *a, int want, int prepare, int *got, const char **why);
/* The initrd to boot for SHAPE (enum plan_shape), and whether it wants
 * the root disk. */
const char *appl_shape_initrd(const struct appl *a, int shape, int *needs_root);

#endif
