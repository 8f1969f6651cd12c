#!/bin/bash
# Soak: SOAK_RUNS (50) launches in a row, each with a fault drawn at random
# (seeded, so a failure can be replayed with SOAK_SEED) and a random
# backend.  Leaked QEMUs, domains and run directories are counted after
# every launch; all must be 0, and the next normal launch must work.
. "$(dirname "$0")/lib.sh"
fault_setup
runs=${SOAK_RUNS:-50}
seed=${SOAK_SEED:-$$}
RANDOM=$seed
plan 3
faults=(sigint@planned sigint@created sigint@kernel sigint@ready kill-qemu@kernel panic deadline
	disk-gone none)
declare -A seen
leaked_q=0 leaked_d=0 leaked_r=0 wrong=0
for ((i = 1; i <= runs; i++)); do
	f=${faults[RANDOM % ${#faults[@]}]}
	b=$( ((RANDOM % 2)) && echo libvirt || echo direct)
	seen[$f]=$((${seen[$f]:-0} + 1))
	truncate -s 8M "$T/disk.img"
	want=3
	case $f in
	sigint@* | kill-qemu@* | disk-gone)
		at=${f#*@}
		[ $f = disk-gone ] && at=planned
		LEANBOOT_STOP_AT=$at "$LB" run --backend $b --start cold --disk "$T/disk.img" -- sleep 30 2>"$T/err" &
		pid=$!
		wait_stopped $pid
		case $f in
		sigint@*) kill -INT $pid; want=130 ;;
		kill-qemu@*) own_kill ;;
		disk-gone) rm -f "$T/disk.img" ;;
		esac
		kill -CONT $pid
		wait $pid
		st=$?
		;;
	panic) "$LB" run --backend $b -- sh -c 'echo c > /proc/sysrq-trigger' 2>"$T/err"; st=$? ;;
	deadline) "$LB" run --backend $b --timeout 5 -- sleep 60 2>"$T/err"; st=$? ;;
	none) "$LB" run --backend $b --disk "$T/disk.img" -- true 2>"$T/err"; st=$?; want=0 ;;
	esac
	read -r q d r <<<"$(nothing_left)"
	leaked_q=$((leaked_q + q)) leaked_d=$((leaked_d + d)) leaked_r=$((leaked_r + r))
	if [ "$st" != "$want" ]; then
		wrong=$((wrong + 1))
		diag "launch $i ($f, $b): exit $st, want $want: $(cat "$T/err")"
	fi
	# Clean up what leaked, so that one leak is counted once.
	own_kill
	rm -rf "$TMPDIR"/*
done
diag "seed $seed; faults: $(for f in "${!seen[@]}"; do printf '%s=%s ' "$f" "${seen[$f]}"; done)"
diag "leaked over $runs launches: $leaked_q qemu, $leaked_d domains, $leaked_r run directories"
check "$runs faulted launches exit as documented" [ $wrong = 0 ]
check "$runs faulted launches leak nothing" [ "$leaked_q $leaked_d $leaked_r" = "0 0 0" ]
out=$("$LB" run -- echo next 2>&1)
check "the next launch works" [ "$out" = next ]
finish
