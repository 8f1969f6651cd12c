#!/bin/bash
# SIGINT at each point of a launch, through both backends: before the VM is
# created, during the firmware, during the kernel and during the command.
. "$(dirname "$0")/lib.sh"
fault_setup
plan 24
for b in libvirt direct; do
	for p in "planned:start; no VM was started" "created:firmware; VM destroyed" "kernel:kernel; VM destroyed" "ready:command; VM destroyed"; do
		at=${p%%:*} stage=${p#*:}
		LEANBOOT_STOP_AT=$at "$LB" run --backend $b -- sleep 30 2>"$T/err" &
		pid=$!
		wait_stopped $pid || diag "$b $at: did not stop"
		kill -INT $pid
		kill -CONT $pid
		wait $pid
		st=$?
		faulted "$b, SIGINT at $at" 130 "interrupted by Interrupt during $stage"
		after_fault "$b, SIGINT at $at"
	done
done
finish
