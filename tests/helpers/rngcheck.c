/* rngcheck: validate XML files against a RelaxNG schema with libxml2.
 * usage: rngcheck SCHEMA.rng FILE...   (exit 0 when all are valid) */
#include <stdio.h>

#include <libxml/parser.h>
#include <libxml/relaxng.h>

int main(int argc, char **argv)
{
	xmlRelaxNGParserCtxtPtr pctx;
	xmlRelaxNGPtr schema;
	int bad = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: rngcheck SCHEMA.rng FILE...\n");
		return 2;
	}
	pctx = xmlRelaxNGNewParserCtxt(argv[1]);
	schema = pctx ? xmlRelaxNGParse(pctx) : NULL;
	if (!schema) {
		fprintf(stderr, "rngcheck: cannot load %s\n", argv[1]);
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		xmlRelaxNGValidCtxtPtr v = xmlRelaxNGNewValidCtxt(schema);
		xmlDocPtr doc = xmlReadFile(argv[i], NULL, XML_PARSE_NONET);
		int r = doc && v ? xmlRelaxNGValidateDoc(v, doc) : -1;

		printf("%s: %s\n", argv[i], r == 0 ? "valid" : "INVALID");
		bad |= r != 0;
		xmlFreeDoc(doc);
		xmlRelaxNGFreeValidCtxt(v);
	}
	xmlRelaxNGFree(schema);
	xmlRelaxNGFreeParserCtxt(pctx);
	return bad;
}
