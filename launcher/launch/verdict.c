/* verdict: see verdict.h.  The causes are tried in order and the first
 * that applies is given: a signal, a job not sent or a template not
 * saved, a broken stream, a lost connection, the guest's failure, the
 * deadline; then the exit status; then a panic, QEMU's last words or the
 * console's tail. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/proc.h"
#include "launch/signals.h"
#include "launch/state.h"
#include "launch/verdict.h"

int verdict_decide(struct launch *l)
{
	const char *stage = stages_stage_name(l->stage);
	int sig = signals_caught();
	char tail[600];

	proto_tail(&l->proto, tail, sizeof tail);
	if (sig) {
		err_set(128 + sig, "interrupted by %s during %s; %s", strsignal(sig), stage,
			l->t.at[STAGES_M_CREATED] ? "VM destroyed" : "no VM was started");
		return -1;
	}
	if (l->job_error[0]) {
		err_set(LB_EXIT_VM, "the job could not be sent: %s; VM destroyed", l->job_error);
		return -1;
	}
	if (l->save_error[0]) {
		err_set(LB_EXIT_VM, "saving the template: %s", l->save_error);
		return -1;
	}
	if (l->proto.error[0] || chan_error(l->chan)) {
		err_set(LB_EXIT_VM, "%s during %s; VM destroyed",
			l->proto.error[0] ? l->proto.error : chan_error(l->chan), stage);
		return -1;
	}
	if (l->conn_lost && !l->got_exit && !l->done) {
		err_set(LB_EXIT_VM, "the connection to libvirt was lost during %s; %s", stage, l->lost_outcome);
		return -1;
	}
	if (l->guest_error[0]) {
		err_set(LB_EXIT_VM, "the appliance failed: %s", l->guest_error);
		return -1;
	}
	if (l->timed_out && !(l->got_exit || (!l->o->cmd && l->t.at[STAGES_M_READY]))) {
		err_set(LB_EXIT_VM, "deadline of %g s passed during %s%s%s; VM destroyed",
			l->o->timeout, stage, tail[0] ? ": " : "", tail);
		return -1;
	}
	/* The command is done, but its output is not: say so rather than
	 * drop the tail in silence. */
	if (l->timed_out && l->got_exit && chan_unwritten(l->chan)) {
		err_set(LB_EXIT_VM, "deadline of %g s passed with %zu bytes of output not yet written; "
			"VM destroyed", l->o->timeout, chan_unwritten(l->chan));
		return -1;
	}
	if (l->got_exit)
		return l->exit_status;
	if (l->start == PLAN_START_TEMPLATE ? l->saved : !l->o->cmd && l->t.at[STAGES_M_READY])
		return 0;
	if (l->panic[0]) {
		err_set(LB_EXIT_VM, "the guest's kernel panicked during %s: %s", stage, l->panic);
		return -1;
	}
	/* With no console output, QEMU's own last word (the direct backend
	 * logs its stderr) says why: a disk it could not open, say. */
	if (!tail[0] && l->b->last_words) {
		char why[PROC_LINE_MAX];

		l->b->last_words(l->vm, why, sizeof why);
		if (why[0]) {
			err_set(LB_EXIT_VM, "the VM stopped during %s: %s", stage, why);
			return -1;
		}
	}
	err_set(LB_EXIT_VM, "the VM stopped during %s: %s", stage, tail[0] ? tail : "no console output");
	return -1;
}
