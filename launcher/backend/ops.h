/* ops: the hooks of a backend kind.  Apart from backend.h, which each
 * backend includes, so that the backends are not among their own users. */
#ifndef LB_OPS_H
#define LB_OPS_H

#include "backend/backend.h"

/* The hooks of kind K: its launch, its renderer. */
const struct backend_ops *backend_ops_of(enum backend_kind k);

#endif
