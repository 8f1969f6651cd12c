/* inspect/sbom: one operating system of `leanboot inspect`'s report as a
 * CycloneDX 1.5 SBOM, so the packages found in a disk image can go to
 * the scanners and inventories that read that format. */
#ifndef LB_INSPECT_SBOM_H
#define LB_INSPECT_SBOM_H

#include <stddef.h>

#include <json-c/json.h>

/* The number of operating systems in REPORT: the valid OS_INDEXes. */
size_t sbom_os_count(struct json_object *report);

/* A new CycloneDX 1.5 document for the OS at OS_INDEX of REPORT (as
 * inspect_read() and inspect_derive() leave it): the OS is the BOM's
 * metadata.component, each of its applications a component, in order.
 * IMAGE_PATHS and IMAGE_SHA256 (NIMAGES each; either may be NULL, and so
 * may an entry) name the disk images inspected, as properties of the OS.
 * REPORT is only read.  Returns NULL with errno set when OS_INDEX names
 * no OS (EINVAL), on allocation failure (ENOMEM), or when no random
 * bytes could be had for the serial number. */
struct json_object *sbom_cyclonedx(struct json_object *report, size_t os_index,
				   const char *const *image_paths, const char *const *image_sha256,
				   size_t nimages);

#endif
