/* inspect text: the inspection report as text, for people. */
#ifndef LB_INSPECT_TEXT_H
#define LB_INSPECT_TEXT_H

#include <json-c/json.h>

/* Print REPORT, the document inspect_read() fills (report.h), to stdout. */
void inspect_text_print(struct json_object *report);

#endif
