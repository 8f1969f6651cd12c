#!/bin/bash
# The channel's throughput: how long moving SIZE MiB takes beyond a
# launch that moves nothing, through each backend, in interleaved rounds.
# Out:  leanboot run -- head -c SIZE /dev/zero | wc -c
# In:   head -c SIZE /dev/zero | leanboot run -- wc -c
# Base: leanboot run -- true
# Each round runs the three back to back for each backend; MiB/s is SIZE
# over (stream wall - base wall) of the same round, and the table gives
# the median of the rounds with their range.
#
# Usage: bench/throughput.sh [ROUNDS [SIZE_MIB]]   (default 5 rounds, 256 MiB)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
LB="$top/build/bin/leanboot"
rounds=${1:-5} size=${2:-256}
export LEANBOOT_ACCEL=${LEANBOOT_ACCEL:-tcg}
"$LB" appliance build -q

wall() { local t0=$EPOCHREALTIME; "$@" || { echo "failed: $*" >&2; return 1; }; awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }'; }
rate() { awk -v s="$size" -v t="$1" -v b="$2" 'BEGIN { print s / (t - b) }'; }
stream_out() { [ "$("$LB" --backend "$1" run -- head -c "${size}M" /dev/zero | wc -c)" = $((size << 20)) ]; }
stream_in() { [ "$(head -c "${size}M" /dev/zero | "$LB" --backend "$1" run -- wc -c)" = $((size << 20)) ]; }
boot_only() { "$LB" --backend "$1" run -- true; }

declare -A rate
for r in $(seq 1 "$rounds"); do
	for b in direct libvirt; do
		tb=$(wall boot_only $b)
		to=$(wall stream_out $b)
		ti=$(wall stream_in $b)
		rate[$b,out]+="$(rate "$to" "$tb") "
		rate[$b,in]+="$(rate "$ti" "$tb") "
		rate[$b,base]+="$tb "
		echo "round $r $b: base $tb s, out $to s, in $ti s" >&2
	done
done

med() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END {
	m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
	printf "%8.1f [%.1f-%.1f]", m, v[1], v[NR] }'; }
echo "channel throughput, ${size} MiB, $rounds interleaved rounds (median [min-max])"
printf '%-8s %28s %28s %24s\n' backend "out, MiB/s" "in, MiB/s" "run -- true, s"
for b in direct libvirt; do
	printf '%-8s %28s %28s %24s\n' $b "$(med <<<"${rate[$b,out]}")" "$(med <<<"${rate[$b,in]}")" \
		"$(med <<<"${rate[$b,base]}")"
done
