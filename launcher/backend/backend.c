/* backend: see backend.h.  The backends' names; ops.c picks the hooks. */
#include "backend/backend.h"
#include "common/names.h"

const struct names backend_names[] = {
	{ "libvirt", BACKEND_LIBVIRT, 1 }, { "direct", BACKEND_DIRECT, 0 }, { NULL, 0, 0 },
};

const char *backend_name(enum backend_kind k)
{
	return names_name(backend_names, (int)k);
}

int backend_parse(const char *s)
{
	return names_parse(backend_names, s);
}
