#!/bin/bash
# kill -9 of QEMU mid-boot, through both backends.
. "$(dirname "$0")/lib.sh"
fault_setup
plan 6
for b in libvirt direct; do
	LEANBOOT_STOP_AT=kernel "$LB" run --backend $b --start cold -- sleep 30 2>"$T/err" &
	pid=$!
	wait_stopped $pid || diag "$b: did not stop"
	own_kill
	kill -CONT $pid
	wait $pid
	st=$?
	faulted "$b, QEMU killed" 3 "the VM stopped during kernel"
	after_fault "$b, QEMU killed"
done
finish
