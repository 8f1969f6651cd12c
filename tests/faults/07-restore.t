#!/bin/bash
# Faults while a warm launch restores its clone, through both backends
# (the restore stop point: QEMU is up and the template's state not yet
# loaded, or through libvirt loaded and the guest not yet resumed):
# SIGINT, SIGKILL of leanboot and kill -9 of QEMU.  Each leaves no QEMU,
# no domain and no run directory, and the template as it was.  Through
# libvirt, leanboot is also killed earlier, while libvirt still creates
# the clone (the adopted stop point): its watchdog must know QEMU by
# then.  And the launch after a SIGKILL restores the same template, with
# no notice: libvirt's removal of the killed launch's domain is waited
# for, not mistaken for a broken template.
. "$(dirname "$0")/lib.sh"
fault_setup
plan 22

# stop_at_restore B: a warm launch through B, stopped at the restore; its
# pid in $pid.
stop_at_restore() {
	LEANBOOT_STOP_AT=restore "$LB" run --backend $1 --start warm -- sleep 30 2>"$T/err" &
	pid=$!
	wait_stopped $pid || diag "$1: did not stop at the restore"
}

# next_warm B NAME: a warm launch through B works, on its template as it
# is: it says nothing on stderr (no notice of a cold boot or of a template
# made again).  Run before nothing_left, whose virsh would open the
# embedded root first and let libvirt remove the killed launch's domain.
next_warm() {
	local out
	out=$("$LB" run --backend $1 --start warm -- echo next 2>"$T/next.err")
	shift
	if [ $? = 0 ] && [ "$out" = next ] && [ ! -s "$T/next.err" ]; then ok "$1: the next warm launch works, with no notice"
	else not_ok "$1: the next warm launch works, with no notice"; diag "$out $(cat "$T/next.err")"; fi
}

for b in direct libvirt; do
	"$LB" run --backend $b --start warm -- true 2>"$T/err" || diag "$b: the template: $(cat "$T/err")"
	sha256sum "$CACHE"/template/*/* >"$T/template.sum"

	stop_at_restore $b
	kill -INT $pid
	kill -CONT $pid
	wait $pid
	st=$?
	faulted "$b: SIGINT during the restore" 130 "interrupted by Interrupt during restore"
	after_fault "$b: SIGINT during the restore"

	stop_at_restore $b
	own_kill
	kill -CONT $pid
	wait $pid
	st=$?
	faulted "$b: QEMU killed during the restore" 3 "during restore"
	after_fault "$b: QEMU killed during the restore"

	stop_at_restore $b
	kill -9 $pid
	wait $pid 2>/dev/null
	next_warm $b "$b: after SIGKILL"
	l=$(nothing_left)
	check "$b: SIGKILL of leanboot during the restore: no qemu, no domain, no run directory ($l)" \
		[ "$l" = "0 0 0" ]
	check "$b: the template is as it was" sha256sum -c --quiet "$T/template.sum"
done

# libvirt only: the direct backend's QEMU dies with leanboot (its parent
# death signal), the embedded driver's is daemonized and does not.  The
# adopted stop point comes as soon as libvirt's child that becomes QEMU
# is ours, before the restore reads the clone's RAM.
LEANBOOT_STOP_AT=adopted "$LB" run --backend libvirt --start warm -- sleep 30 2>"$T/err" &
pid=$!
stopped=0
wait_stopped $pid && stopped=1
# Stopped there, leanboot has two children: its watchdog, and the process
# libvirt forked to exec QEMU, which waits for libvirt's handshake.
kids=""
for k in $(pgrep -P $pid); do kids="$kids$(own_id "$k")"$'\n'; done
nkids=$(grep -c . <<<"$kids")
kill -9 $pid
wait $pid 2>/dev/null
# The watchdog's work, before any other launch could do it.
for _ in $(seq 1 50); do running "$kids" || break; sleep 0.1; done
all_gone() { [ "$stopped $nkids" = "1 2" ] && ! running "$kids" && [ -z "$(own_qemus)" ]; }
check "libvirt: SIGKILL while libvirt creates the clone (stopped $stopped, children $nkids): the watchdog killed QEMU, and ended" \
	all_gone
next_warm libvirt "libvirt: after SIGKILL mid-restore"
l=$(nothing_left)
check "libvirt: and no qemu, no domain, no run directory ($l)" [ "$l" = "0 0 0" ]
check "libvirt: the template is still as it was" sha256sum -c --quiet "$T/template.sum"
finish
