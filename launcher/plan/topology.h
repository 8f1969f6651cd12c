/* topology: the table of PCI topologies leanboot can give a guest, and
 * the lookup of a --topology value in it.  Above plan: it fills plans,
 * and the plan only calls the row the resolver found. */
#ifndef LB_TOPOLOGY_H
#define LB_TOPOLOGY_H

#include "plan/plan.h"

/* Ends with a NULL name. */
extern const struct topo topo_table[];
/* The row SPEC names ("ports=8": *ARG 8), or NULL after err_set(). */
const struct topo *topo_find(const char *spec, long *arg);

#endif
