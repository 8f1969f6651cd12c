/* libFuzzer target: the host's reader of the inspector's records
 * (launcher/inspect-report.c), with two disks attached. */
#include <stdint.h>
#include <stddef.h>

#include "../../launcher/err.h"
#include "../../launcher/inspect-report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object *r = json_object_new_object(), *disks = json_object_new_array();

	json_object_array_add(disks, json_object_new_object());
	json_object_array_add(disks, json_object_new_object());
	json_object_object_add(r, "disks", disks);
	inspect_read((const char *)data, size, r);
	/* What would be printed must be printable. */
	json_object_to_json_string_ext(r, JSON_C_TO_STRING_PRETTY);
	json_object_put(r);
	err_clear();
	return 0;
}
