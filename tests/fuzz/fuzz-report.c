/* libFuzzer target: the host's reader of the inspector's records
 * (launcher/inspect/report.c) and what it derives from a report it reads
 * (launcher/inspect/derive.c), with two disks attached. */
#include <stdint.h>
#include <stddef.h>

#include "common/err.h"
#include "inspect/derive.h"
#include "inspect/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object *r = json_object_new_object(), *disks = json_object_new_array();

	json_object_array_add(disks, json_object_new_object());
	json_object_array_add(disks, json_object_new_object());
	json_object_object_add(r, "disks", disks);
	if (inspect_read((const char *)data, size, r) == 0)
		inspect_derive(r);
	/* What would be printed must be printable. */
	json_object_to_json_string_ext(r, JSON_C_TO_STRING_PRETTY);
	json_object_put(r);
	err_clear();
	return 0;
}
