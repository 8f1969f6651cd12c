#!/bin/bash
# Faults while a warm launch restores its clone (the restore stop point:
# QEMU is up, the template's state not yet loaded): SIGINT, SIGKILL of
# leanboot and kill -9 of QEMU.  Each leaves no QEMU and no run
# directory, and the template as it was.
. "$(dirname "$0")/lib.sh"
fault_setup
plan 8
export LEANBOOT_BACKEND=direct

"$LB" run --start warm -- true 2>"$T/err" || diag "making the template: $(cat "$T/err")"
sha256sum "$CACHE"/template/*/* >"$T/template.sum"

# stop_at_restore: a warm launch, stopped at the restore; its pid in $pid.
stop_at_restore() {
	LEANBOOT_STOP_AT=restore "$LB" run --start warm -- sleep 30 2>"$T/err" &
	pid=$!
	wait_stopped $pid || diag "did not stop at the restore"
}

stop_at_restore
kill -INT $pid
kill -CONT $pid
wait $pid
st=$?
faulted "SIGINT during the restore" 130 "interrupted by Interrupt during restore"
after_fault "SIGINT during the restore"

stop_at_restore
pkill -9 -f '^/usr/bin/qemu-system'
kill -CONT $pid
wait $pid
st=$?
faulted "QEMU killed during the restore" 3 "during restore"
after_fault "QEMU killed during the restore"

stop_at_restore
kill -9 $pid
wait $pid 2>/dev/null
l=$(leaks)
check "SIGKILL of leanboot during the restore: no qemu, no domain, no run directory ($l)" [ "$l" = "0 0 0" ]
check "the template is as it was" sha256sum -c --quiet "$T/template.sum"
finish
