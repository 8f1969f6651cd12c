/* inspect/report: the appliance inspector's records (appliance/inspect/)
 * read into the JSON document `leanboot inspect` prints.  The records come
 * from whoever made the disk images, so the reader is strict and bounded:
 * every kind and key is in a table, every ID names a disk the host
 * attached, numbers are numbers, lists and strings have limits, and
 * anything else fails the whole report. */
#ifndef LB_INSPECT_REPORT_H
#define LB_INSPECT_REPORT_H

#include <stddef.h>

#include <json-c/json.h>

#include "inspect-vocab.h"
#include "wire.h"

#define INSPECT_MAX_REPORT (16u << 20)  /* bytes of records in one report */
#define INSPECT_MAX_FIELDS (3 + INSPECT_APP_NFIELDS) /* of one record */
#define INSPECT_MAX_PARTS 1024              /* partitions on one disk */
#define INSPECT_MAX_OS 64
#define INSPECT_MAX_LIST 256                /* kernels or fstab entries of one OS */

/* A string from an image, cleaned by text_clean(), as a new JSON string. */
struct json_object *inspect_string(const char *s);

/* Read the records in TEXT (LEN bytes) into REPORT, whose "disks" array
 * the caller has filled with one object per attached disk, in order.
 * Returns 0, or -1 after err_set() naming the line at fault. */
int inspect_read(const char *text, size_t len, struct json_object *report);

#endif
