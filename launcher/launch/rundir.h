/* rundir: a launch's own directory, which holds its root overlay, its
 * sockets and logs, and is removed whole at teardown; a template's
 * becomes the template. */
#ifndef LB_LAUNCH_RUNDIR_H
#define LB_LAUNCH_RUNDIR_H

struct launch;

/* Make L's directory from NAMED (mkdtemp's template) into l->rundir.
 * Returns 0, or -1 after err_set(). */
int rundir_make(struct launch *l, const char *named);
/* Make the root overlay the plan names in it, unless the VM runs on
 * another host.  Returns 0, or -1 after err_set(). */
int rundir_overlay(struct launch *l);

#endif
