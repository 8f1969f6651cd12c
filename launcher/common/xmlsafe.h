/* xmlsafe: the one place leanboot parses XML it did not write (a user's
 * domain XML, libvirt's answers).  Bounded in size, no network, no DTD,
 * no entity expansion. */
#ifndef LB_XMLSAFE_H
#define LB_XMLSAFE_H

#include <stddef.h>
#include <libxml/tree.h>

#define XMLSAFE_MAX_BYTES (4u << 20)

/* Parse a domain document; NULL after err_set() with the parser's reason. */
xmlDocPtr xmlsafe_parse_domain(const char *buf, size_t len);
/* Parse a document whose root element is ROOT_NAME; WHAT names it in the
 * error ("a libvirt domain"). */
xmlDocPtr xmlsafe_parse(const char *buf, size_t len, const char *root_name, const char *what);
/* Read a file of at most XMLSAFE_MAX_BYTES; NULL after err_set(). */
char *xmlsafe_read_file(const char *path, size_t *len);
/* The same document with <name> set to NAME and <uuid> dropped. */
char *xmlsafe_rename_domain(const char *xml, const char *name);

#endif
