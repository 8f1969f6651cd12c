#!/bin/bash
# What a launch's QEMU costs in memory, booted cold and restored warm,
# one at a time and N at once: start N launches of a command that waits,
# and once every guest is running it read each QEMU's Rss and Pss
# (/proc/PID/smaps_rollup).  Clones map the template's RAM file, so the
# pages they only read are shared and counted once over all of them in
# Pss; a cold boot's RAM is its own.
#
#   bench/memory.sh [-n N] [BACKEND]      (run from the repository)
#
# BACKEND is direct (the default) or libvirt.  TCG is forced throughout.
set -eu
many=10
[ "${1:-}" = -n ] && { many=$2; shift 2; }
backend=${1:-direct}
top=$(git rev-parse --show-toplevel)
LB="$top/build/bin/leanboot"
work=$(mktemp -d "${TMPDIR:-/tmp}/leanboot-memory.XXXXXX")
trap 'pkill -TERM -f "leanboot-memory-wait" 2>/dev/null || true; wait; rm -rf "$work"' EXIT
export LEANBOOT_ACCEL=tcg LEANBOOT_BACKEND=$backend
"$LB" appliance build -q
"$LB" run --start warm -- true   # the template, made untimed

median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# measure START N: N launches at once; prints "N START rss_median pss_median rss_total pss_total" (MiB).
measure() {
	local start=$1 n=$2 i up pids=()
	rm -f "$work"/up.*
	if [ "$(pgrep -c qemu-system)" != 0 ]; then echo "another QEMU is running; measure alone" >&2; exit 1; fi
	for ((i = 1; i <= n; i++)); do
		# The marker in the command line names these processes for cleanup.
		"$LB" run --start "$start" --timeout 600 -- sh -c 'echo up; exec sleep 600 # leanboot-memory-wait' \
			>"$work/up.$i" 2>/dev/null &
		pids+=($!)
	done
	for _ in $(seq 1 1200); do
		up=$(cat "$work"/up.* 2>/dev/null | grep -c up || true)
		[ "$up" = "$n" ] && break
		sleep 0.5
	done
	[ "$up" = "$n" ] || { echo "only $up of $n guests came up" >&2; exit 1; }
	sleep 1
	for q in $(pgrep -f '^/usr/bin/qemu-system'); do
		awk '/^Rss:/ {r = $2} /^Pss:/ {p = $2} END {print r / 1024, p / 1024}' "/proc/$q/smaps_rollup"
	done >"$work/mem"
	kill -TERM "${pids[@]}"
	wait "${pids[@]}" 2>/dev/null || true
	printf '%-5s %2d  %8.1f %8.1f  %9.1f %9.1f\n' "$start" "$n" \
		"$(cut -d' ' -f1 "$work/mem" | median)" "$(cut -d' ' -f2 "$work/mem" | median)" \
		"$(awk '{t += $1} END {print t}' "$work/mem")" "$(awk '{t += $2} END {print t}' "$work/mem")"
}

printf '%-5s %2s  %8s %8s  %9s %9s   (MiB, QEMU processes, %s backend)\n' \
	start n rss pss rss_sum pss_sum "$backend"
for n in 1 "$many"; do
	for start in cold warm; do
		measure $start "$n"
	done
done
