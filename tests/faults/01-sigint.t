#!/bin/bash
# SIGINT at each point of a launch, through both backends: before the VM is
# created, during the firmware, during the kernel, during the command, and
# mid-stream, while the channel carries output both ways; and during a bench, which it stops there (its next run would stop at
# the same point again, and this test would wait for it).
. "$(dirname "$0")/lib.sh"
fault_setup
plan 33

# interrupt PID WHAT: once PID has stopped itself, SIGINT and let it go
# on; its exit status in $st.
interrupt() {
	wait_stopped "$1" || diag "$2: did not stop"
	kill -INT "$1"
	kill -CONT "$1"
	wait "$1"
	st=$?
}
for b in libvirt direct; do
	for p in "planned:start; no VM was started" "created:firmware; VM destroyed" "kernel:kernel; VM destroyed" "ready:command; VM destroyed"; do
		at=${p%%:*} stage=${p#*:}
		LEANBOOT_STOP_AT=$at "$LB" run --backend $b --start cold -- sleep 30 2>"$T/err" &
		interrupt $! "$b $at"
		faulted "$b, SIGINT at $at" 130 "interrupted by Interrupt during $stage"
		after_fault "$b, SIGINT at $at"
	done
done
# Mid-stream: cat copies an endless stdin to stdout, and SIGINT comes
# once a MiB of it is back.
for b in libvirt direct; do
	"$LB" run --backend $b -- cat </dev/zero >"$T/stream" 2>"$T/err" &
	pid=$!
	for _ in $(seq 1 600); do
		[ "$(stat -c %s "$T/stream" 2>/dev/null || echo 0)" -gt 1048576 ] && break
		kill -0 $pid 2>/dev/null || break
		sleep 0.1
	done
	kill -INT $pid
	wait $pid
	st=$?
	faulted "$b, SIGINT mid-stream" 130 "interrupted by Interrupt during command"
	after_fault "$b, SIGINT mid-stream"
done
LEANBOOT_STOP_AT=ready "$LB" bench --runs 2 --warmup 0 --backend direct --topology minimal >/dev/null 2>"$T/err" &
interrupt $! bench
faulted "bench, SIGINT in its first run" 130 "bench: interrupted by Interrupt during command"
after_fault "bench, SIGINT in its first run"
finish
