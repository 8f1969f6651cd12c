/* conn: see conn.h.  Only the URI's text is read: nothing is opened, so
 * `leanboot xml` and the resolver decide as a launch will. */
#include <string.h>

#include "plan/conn.h"

/* The embedded driver's URIs (lv.c opens them in a root of ours). */
#define CONN_EMBED_PREFIX "qemu:///embed?root="

int plan_conn_uri_is_remote(const char *uri)
{
	const char *sep = uri ? strstr(uri, "://") : NULL;

	if (!sep)
		return 0;
	/* A transport (driver+transport) is libvirt's remote driver; so is
	 * a host name in the authority (qemu://host/system is TLS). */
	return memchr(uri, '+', (size_t)(sep - uri)) != NULL || (sep[3] && sep[3] != '/');
}

enum plan_conn plan_conn_of(const char *uri)
{
	if (!uri || !*uri || !strncmp(uri, CONN_EMBED_PREFIX, strlen(CONN_EMBED_PREFIX)))
		return PLAN_CONN_LOCAL;
	return plan_conn_uri_is_remote(uri) ? PLAN_CONN_REMOTE : PLAN_CONN_DAEMON;
}
