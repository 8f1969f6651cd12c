/* inspect/derive: what follows from the facts in a report that
 * inspect_read() has filled (inspect-report.h). */
#ifndef LB_INSPECT_DERIVE_H
#define LB_INSPECT_DERIVE_H

#include <json-c/json.h>

/* Add to each OS in REPORT its distro and family, virt-inspector's names
 * for what it has (product_name, major_version, minor_version, osinfo),
 * and a note for an os-release ID that leanboot does not know. */
void inspect_derive(struct json_object *report);

#endif
