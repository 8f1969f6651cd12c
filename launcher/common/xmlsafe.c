/* xmlsafe: see xmlsafe.h.  libxml2 is told not to fetch anything
 * (XML_PARSE_NONET) and not to substitute entities (no XML_PARSE_NOENT,
 * no XML_PARSE_DTDLOAD); on top of that a document with any DOCTYPE is
 * refused, since libvirt domain XML never needs one and a DOCTYPE is
 * where external entities and entity bombs live. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "common/err.h"
#include "common/xmlsafe.h"

/* Stop at the DOCTYPE itself, before libxml2 reads a single entity
 * declaration: nothing in it is ever parsed or expanded. */
static void xmlsafe_refuse_dtd(void *ctx, const xmlChar *name, const xmlChar *ext,
			  const xmlChar *sys)
{
	xmlParserCtxtPtr p = ctx;

	(void)name;
	(void)ext;
	(void)sys;
	p->_private = (void *)1;
	xmlStopParser(p);
}

xmlDocPtr xmlsafe_parse_domain(const char *buf, size_t len)
{
	return xmlsafe_parse(buf, len, "domain", "a libvirt domain");
}

xmlDocPtr xmlsafe_parse(const char *buf, size_t len, const char *root_name, const char *what)
{
	xmlParserCtxtPtr ctx;
	xmlDocPtr doc = NULL;
	xmlNodePtr root;

	if (len > XMLSAFE_MAX_BYTES) {
		err_set(LB_EXIT_USAGE, "XML larger than %u bytes", XMLSAFE_MAX_BYTES);
		return NULL;
	}
	ctx = xmlNewParserCtxt();
	if (!ctx) {
		err_set(LB_EXIT_VM, "out of memory");
		return NULL;
	}
	ctx->sax->internalSubset = xmlsafe_refuse_dtd;
	doc = xmlCtxtReadMemory(ctx, buf, (int)len, "domain.xml", NULL,
				XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (ctx->_private) {
		err_set(LB_EXIT_USAGE, "XML with a DOCTYPE is not accepted "
			"(no DTDs, external entities or entity definitions)");
		goto fail;
	}
	if (!doc) {
		const xmlError *e = xmlCtxtGetLastError(ctx);
		char msg[256];

		snprintf(msg, sizeof msg, "%s", e && e->message ? e->message : "parse error");
		msg[strcspn(msg, "\n")] = '\0';
		err_set(LB_EXIT_USAGE, "not well-formed XML (line %d): %s", e ? e->line : 0, msg);
		goto out;
	}
	if (doc->intSubset || doc->extSubset) {
		err_set(LB_EXIT_USAGE, "XML with a DOCTYPE is not accepted "
			"(no DTDs, external entities or entity definitions)");
		goto fail;
	}
	root = xmlDocGetRootElement(doc);
	if (!root || xmlStrcmp(root->name, BAD_CAST root_name) || root->ns) {
		err_set(LB_EXIT_USAGE, "not %s: the root element is <%s>", what,
			root ? (const char *)root->name : "");
		goto fail;
	}
	goto out;
fail:
	if (doc)
		xmlFreeDoc(doc);
	doc = NULL;
out:
	xmlFreeParserCtxt(ctx);
	return doc;
}

char *xmlsafe_read_file(const char *path, size_t *len)
{
	struct stat st;
	char *buf = NULL;
	size_t n = 0;
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

	if (fd < 0) {
		err_set(LB_EXIT_USAGE, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		err_set(LB_EXIT_USAGE, "%s: not a regular file", path);
		goto out;
	}
	if ((uint64_t)st.st_size > XMLSAFE_MAX_BYTES) {
		err_set(LB_EXIT_USAGE, "%s: larger than %u bytes", path, XMLSAFE_MAX_BYTES);
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		err_set(LB_EXIT_VM, "out of memory");
		goto out;
	}
	/* The file may grow while we read; never past the size we allocated. */
	while (n < (size_t)st.st_size && (r = read(fd, buf + n, (size_t)st.st_size - n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
	*len = n;
out:
	close(fd);
	return buf;
}

char *xmlsafe_rename_domain(const char *xml, const char *name)
{
	xmlDocPtr doc = xmlsafe_parse_domain(xml, strlen(xml));
	xmlNodePtr root, n, next, named = NULL;
	xmlChar *mem = NULL;
	char *out = NULL;
	int size = 0;

	if (!doc)
		return NULL;
	root = xmlDocGetRootElement(doc);
	for (n = root->children; n; n = next) {
		next = n->next;
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (!xmlStrcmp(n->name, BAD_CAST "uuid")) {
			xmlUnlinkNode(n);
			xmlFreeNode(n);
		} else if (!xmlStrcmp(n->name, BAD_CAST "name")) {
			named = n;
		}
	}
	if (named)
		xmlNodeSetContent(named, BAD_CAST name);
	else
		xmlNewTextChild(root, NULL, BAD_CAST "name", BAD_CAST name);
	xmlDocDumpMemory(doc, &mem, &size);
	if (mem)
		out = strdup((const char *)mem);
	if (!out)
		err_set(LB_EXIT_VM, "out of memory");
	xmlFree(mem);
	xmlFreeDoc(doc);
	return out;
}
