/* key: the facts of a plan that decide what machine QEMU builds, as
 * words, for the template key (backend/template.h).  They are read from
 * the plan's fields, not from a rendering of it, and leave out what
 * differs between launches of one template: the paths in its run and
 * template directories, and the domain's name and UUID. */
#ifndef LB_KEY_H
#define LB_KEY_H

#include "common/strv.h"
#include "plan/plan.h"

/* The first word's value.  The words see the plan, not the renderers'
 * code: bump this when a renderer writes another machine for the same
 * plan (a new QEMU option, a changed row of machine.c's table), so that
 * templates saved from the old machine are not restored into the new. */
#define PLAN_KEY_VERSION 1

/* Append to OUT one word per fact of P, each "tag=value", in a fixed
 * order.  Returns 0, or -1 after err_set(). */
int plan_key_words(const struct plan *p, struct strv *out);

#endif
