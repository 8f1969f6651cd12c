/* signals: SIGINT, SIGTERM and SIGHUP during a launch.  The handler only
 * writes the signal's number to a pipe, which the event loop watches, so
 * that a signal ends the loop and teardown runs as on any other end. */
#ifndef LB_LAUNCH_SIGNALS_H
#define LB_LAUNCH_SIGNALS_H

/* Catch the three signals (and ignore SIGPIPE) until signals_restore().
 * Needs the event loop registered.  Returns 0, or -1 after err_set(). */
int signals_install(void);
/* Back to the default handlers; the pipe closed. */
void signals_restore(void);
/* Take in a signal still in the pipe: one that came while the event loop
 * did not run (during set-up). */
void signals_poll(void);
/* The first signal caught since signals_install(), or 0. */
int signals_caught(void);

#endif
