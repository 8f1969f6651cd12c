/* libFuzzer target: the XML counting behind `leanboot check` (the safe
 * parser of xmlsafe.c, then counts.c over the document, and addrs.c's
 * identities and addresses), and the count of a guest's PCI listing and
 * its disk listing, which come from the guest. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "check/addrs.h"
#include "check/counts.h"
#include "common/err.h"

static void quiet(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct addrs a;
	static struct counts_disk disks[COUNTS_MAX_DISKS];
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
	counts_disks_seen(s, disks, COUNTS_MAX_DISKS);
	if (addrs_collect(s, s, &a) == 0) {
		char name[160], addr[16];

		for (size_t i = 0; i < a.n; i++) {
			addrs_name(&a.d[i], name, sizeof name);
			addrs_address(&a.d[i], addr);
		}
	}
	err_clear();
	free(s);
	return 0;
}
