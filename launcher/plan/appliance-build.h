/* appliance-build: the appliance's forms, made from the tree supermin
 * builds (--format chroot):
 *   root       an ext2 image of the whole tree, the root disk;
 *   initrd     a small cpio with our init and only the modules that reach
 *              the root disk, which it mounts and switches to;
 *   initramfs  a cpio of the whole tree but documentation and locales,
 *              booted with no root disk at all.
 * Modules come from the host's /lib/modules/KVER (or another arch's
 * kernel package, appliance-foreign.h) as appliance/modules lists them,
 * with the dependencies modprobe resolves for them. */
#ifndef LB_APPLIANCE_BUILD_H
#define LB_APPLIANCE_BUILD_H

/* Copy the modules LIST names (BOOT_ONLY: those marked "boot") and their
 * dependencies from MODROOT/lib/modules/KVER (MODROOT "": the host's)
 * into TREE/lib/modules/KVER and run depmod there.  LOG collects the
 * tools' output. */
int appl_add_modules(const char *tree, const char *modroot, const char *kver, const char *list,
		     int boot_only, const char *log);

/* An ext2 image of TREE at OUT, sized to the tree with room to spare. */
int appl_ext2(const char *tree, const char *out, const char *log);

/* A newc cpio of TREE at OUT, as the kernel unpacks an initramfs.  PRUNE
 * leaves out what nothing in the appliance reads (documentation, locales,
 * iconv modules). */
int appl_cpio(const char *tree, const char *out, int prune);

#endif
