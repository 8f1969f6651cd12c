# Shared by the fault-injection tests: the checks every fault ends with.
. "$(dirname "$0")/../lib.sh"

# As every launching test starts (boot_setup, tests/lib.sh).
fault_setup() {
	boot_setup
}

# Wait until process PID has stopped itself (LEANBOOT_STOP_AT).
wait_stopped() {
	for _ in $(seq 1 600); do
		[ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = T ] && return 0
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# after_fault NAME: nothing leaked, and the next launch works.
after_fault() {
	check_left "$1: no qemu, no domain, no run directory left"
	if out=$("$LB" run -- echo next 2>&1) && [ "$out" = next ]; then ok "$1: the next launch works"
	else not_ok "$1: the next launch works"; diag "$out"; fi
}

# faulted NAME STATUS PATTERN: the last launch (status in $st, stderr in
# $T/err) exited STATUS with one line matching PATTERN.
faulted() {
	local lines
	lines=$(grep -c . "$T/err")
	if [ "$st" = "$2" ] && [ "$lines" = 1 ] && grep -q "^leanboot: .*$3" "$T/err"; then ok "$1: exit $2, one line: $3"
	else not_ok "$1: exit $2, one line: $3"; diag "exit $st, stderr: $(cat "$T/err")"; fi
}
