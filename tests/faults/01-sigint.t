#!/bin/bash
# SIGINT at each point of a launch, through both backends: before the VM is
# created, during the firmware, during the kernel and during the command;
# and during a bench, which it stops there (its next run would stop at
# the same point again, and this test would wait for it).
. "$(dirname "$0")/lib.sh"
fault_setup
plan 27
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
LEANBOOT_STOP_AT=ready "$LB" bench --runs 2 --warmup 0 --backend direct --topology minimal >/dev/null 2>"$T/err" &
pid=$!
wait_stopped $pid || diag "bench: did not stop"
kill -INT $pid
kill -CONT $pid
wait $pid
st=$?
faulted "bench, SIGINT in its first run" 130 "bench: interrupted by Interrupt during command"
after_fault "bench, SIGINT in its first run"
finish
