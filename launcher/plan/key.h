/* key: the facts of a plan that decide what machine QEMU builds, as
 * words, for the template key (backend/template.h).  They are read from
 * the plan's fields, not from a rendering of it, and leave out what
 * differs between launches of one template: the paths in its run and
 * template directories, and the domain's name and UUID. */
#ifndef LB_KEY_H
#define LB_KEY_H

#include "common/strv.h"
#include "plan/plan.h"

/* Append to OUT one word per fact of P, each "tag=value", in a fixed
 * order.  Returns 0, or -1 after err_set(). */
int plan_key_words(const struct plan *p, struct strv *out);

#endif
