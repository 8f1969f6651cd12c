/* libFuzzer target: the XML counting behind `leanboot check` (the safe
 * parser of xmlsafe.c, then counts.c over the document), and the count
 * of a guest's PCI listing, which comes from the guest. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "../../launcher/counts.h"
#include "../../launcher/err.h"

static void quiet(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct counts c;
	char *s = malloc(size + 1);

	if (!s)
		return 0;
	xmlSetGenericErrorFunc(NULL, quiet);
	memcpy(s, data, size);
	s[size] = '\0';
	memset(&c, 0, sizeof c);
	counts_count_xml(s, &c);
	counts_free(&c);
	memset(&c, 0, sizeof c);
	counts_count_seen(s, &c);
	counts_free(&c);
	err_clear();
	free(s);
	return 0;
}
