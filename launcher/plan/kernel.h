/* kernel: the boot path's kernel image.  The host ships an xz-compressed
 * bzImage; under TCG its decompressor and the linuxboot option ROM cost
 * seconds on every boot.  The same bzImage carries the ELF vmlinux, and a
 * kernel built with CONFIG_PVH can be started straight from it through the
 * PVH entry point, so we extract it once and cache it. */
#ifndef LB_KERNEL_H
#define LB_KERNEL_H

#include <stddef.h>

#include "common/names.h"

/* image: arm64's Image, which QEMU enters as it is. */
enum kern_format { KERN_BZIMAGE, KERN_PVH, KERN_IMAGE };

extern const struct names kern_format_names[];   /* names.h */
int kern_parse_format(const char *s);      /* -1 if unknown */
const char *kern_format_name(enum kern_format f);

/* Where the vmlinux of CACHE lives (it may not exist yet). */
void kern_vmlinux_path(const char *cache, char *out, size_t len);

/* Make CACHE/kernel/vmlinux the PVH-bootable ELF image inside BZIMAGE,
 * extracting it unless the cached one came from this very file (same
 * path, size, mtime and inode).  *HIT says which.  Fails with LB_EXIT_VM
 * and a reason when BZIMAGE cannot boot through PVH. */
int kern_vmlinux(const char *cache, const char *bzimage, int *hit);

/* Without extracting anything: NULL if BZIMAGE's payload is one we can
 * extract, else the reason it is not. */
const char *kern_probe(const char *bzimage);

/* The reason a vmlinux image cannot boot through PVH, or NULL if it can.
 * Checks the ELF header and looks for the PVH entry note. */
const char *kern_pvh_check(const unsigned char *elf, size_t len);

#endif
