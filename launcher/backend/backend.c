/* backend: see backend.h.  The backends' names; launch.c picks the
 * hooks. */
#include "backend/backend.h"
#include "common/util.h"

static const char *const names[BACKEND_NKINDS] = {
	[BACKEND_LIBVIRT] = "libvirt", [BACKEND_DIRECT] = "direct",
};

const char *backend_name(enum backend_kind k)
{
	return names[k];
}

int backend_parse(const char *s)
{
	return UTIL_NAME_INDEX(s, names);
}
