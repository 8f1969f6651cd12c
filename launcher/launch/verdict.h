/* verdict: what a launch's end means, once its loop is over and the VM
 * is gone: the command's exit status, or the one reason it failed, with
 * the stage it failed in. */
#ifndef LB_LAUNCH_VERDICT_H
#define LB_LAUNCH_VERDICT_H

struct launch;

/* The exit status (0 for a launch with no command, or a template saved),
 * or -1 after err_set(): 128+N after signal N, else LB_EXIT_VM. */
int verdict_decide(struct launch *l);

#endif
