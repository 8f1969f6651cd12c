#!/bin/bash
# Faults while a warm launch restores its clone, through both backends
# (the restore stop point: QEMU is up and the template's state not yet
# loaded, or through libvirt loaded and the guest not yet resumed):
# SIGINT, SIGKILL of leanboot and kill -9 of QEMU.  Each leaves no QEMU,
# no domain and no run directory, and the template as it was.
. "$(dirname "$0")/lib.sh"
fault_setup
plan 16

# stop_at_restore B: a warm launch through B, stopped at the restore; its
# pid in $pid.
stop_at_restore() {
	LEANBOOT_STOP_AT=restore "$LB" run --backend $1 --start warm -- sleep 30 2>"$T/err" &
	pid=$!
	wait_stopped $pid || diag "$1: did not stop at the restore"
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
	l=$(nothing_left)
	check "$b: SIGKILL of leanboot during the restore: no qemu, no domain, no run directory ($l)" \
		[ "$l" = "0 0 0" ]
	check "$b: the template is as it was" sha256sum -c --quiet "$T/template.sum"
done
finish
