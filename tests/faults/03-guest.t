#!/bin/bash
# What the guest does to itself: a kernel panic (sysrq c), a command that
# never ends (the deadline), a deadline that ends the boot itself, and a
# flood of output on its channel and on its console, which must stay
# bounded in the launcher; and a reader that stops reading.
. "$(dirname "$0")/lib.sh"
fault_setup
plan 24

# peak_kib PID: the launcher's peak RSS, sampled until it exits.
peak_kib() {
	local hwm=0 v
	while kill -0 "$1" 2>/dev/null; do
		v=$(awk '/^VmHWM/{print $2}' "/proc/$1/status" 2>/dev/null)
		[ -n "$v" ] && hwm=$v
		sleep 0.2
	done
	echo $hwm
}

for b in libvirt direct; do
	"$LB" run --backend $b -- sh -c 'echo c > /proc/sysrq-trigger' 2>"$T/err"
	st=$?
	faulted "$b, guest panic" 3 "the guest.s kernel panicked during command: Kernel panic - not syncing: sysrq triggered crash"
	after_fault "$b, guest panic"

	"$LB" run --backend $b --timeout 8 -- sleep 60 2>"$T/err"
	st=$?
	faulted "$b, a command past the deadline" 3 "deadline of 8 s passed during command"
	after_fault "$b, a command past the deadline"
done

"$LB" run --start cold --timeout 1 -- true 2>"$T/err"
st=$?
faulted "a boot past the deadline" 3 "deadline of 1 s passed during \(firmware\|kernel\)"
after_fault "a boot past the deadline"

# The launcher's peak RSS on a quiet command, to measure floods against
# (a sanitizer build starts far higher than a plain one).
"$LB" run -- sleep 5 >/dev/null 2>&1 &
base=$(peak_kib $!)
wait

# flood NAME COMMAND...: a guest that floods for 20 s; the launch ends at
# the deadline, and the launcher's memory stays within 16 MiB of a quiet
# launch's meanwhile.
flood() {
	local name=$1
	shift
	"$LB" run --timeout 20 -- "$@" >/dev/null 2>"$T/err" &
	pid=$!
	hwm=$(peak_kib $pid)
	wait $pid
	st=$?
	faulted "$name" 3 "during command"
	check "$name: the launcher's peak RSS stays within 16 MiB of a quiet launch's ($hwm against $base KiB)" \
		[ "$hwm" -lt $((base + 16384)) ]
}
flood "a flood of output" yes
after_fault "a flood of output"
flood "a flood on the console" sh -c 'exec yes > /dev/ttyS0'

# A reader that stops reading: the command is done, but 100000 bytes of
# its output do not fit in the pipe (64 KiB), while the rest and the exit
# status fit in what leanboot queues; at the deadline that is an error,
# not a silent loss.
mkfifo "$T/fifo"
exec 3<>"$T/fifo"
"$LB" run --timeout 15 -- head -c 100000 /dev/zero >"$T/fifo" 2>"$T/err"
st=$?
exec 3<&-
faulted "a reader that stops" 3 "deadline of 15 s passed with [0-9]* bytes of output not yet written"
after_fault "a reader that stops"
finish
