/* ops: see ops.h. */
#include "backend/ops.h"

const struct backend_ops *backend_ops_of(enum backend_kind k)
{
	return k == BACKEND_DIRECT ? &backend_direct_ops : &backend_libvirt_ops;
}
