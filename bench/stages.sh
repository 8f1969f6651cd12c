#!/bin/bash
# Where a whole `leanboot run -- true` goes, stage by stage, through each
# backend: the stages `leanboot -v` reports at the end of a launch (wall,
# the launcher's CPU with libvirt's embedded driver in it, and QEMU's),
# plus the process as a shell sees it, interleaved round by round, as
# medians.  With -i IMAGE, `inspect --json IMAGE` instead; with -s START,
# --start START for every launch (warm: templates are made first, in one
# launch each).
#
#   bench/stages.sh [-n ROUNDS] [-s START] [-i IMAGE] [-b BACKEND,...]   (run from the repository)
#
# Uses the build in the checkout and the caller's own cache; TCG is forced.
set -eu
rounds=7 start=() image="" backends=direct,libvirt
while getopts n:s:i:b: o; do
	case $o in
	n) rounds=$OPTARG ;;
	s) start=(--start "$OPTARG") ;;
	i) image=$(realpath "$OPTARG") ;;
	b) backends=$OPTARG ;;
	*) exit 2 ;;
	esac
done
top=$(git rev-parse --show-toplevel)
lb=$top/build/bin/leanboot
IFS=, read -ra bs <<<"$backends"
work=$(mktemp -d "${TMPDIR:-/tmp}/leanboot-stages.XXXXXX")
trap 'rm -rf "$work"' EXIT
export LEANBOOT_ACCEL=tcg

launch() {
	if [ -n "$image" ]; then
		"$lb" -v --backend "$1" inspect "${start[@]}" --json "$image" >/dev/null
	else
		"$lb" -v --backend "$1" run "${start[@]}" -- true
	fi
}
now() { date +%s.%N; }

# The first launch of each makes its template (warm), or warms the page
# cache (cold): not counted.
for b in "${bs[@]}"; do
	launch "$b" 2>"$work/first.err" || { echo "$b: $(tail -n 1 "$work/first.err")" >&2; exit 1; }
done
for ((i = 1; i <= rounds; i++)); do
	for b in "${bs[@]}"; do
		s=$(now)
		launch "$b" 2>"$work/$b-$i.err" || { echo "$b: $(tail -n 1 "$work/$b-$i.err")" >&2; exit 1; }
		awk -v a="$(now)" -v b="$s" 'BEGIN { printf "launch: stage %-11s wall %.3f s\n", "process", a - b }' \
			>>"$work/$b-$i.err"
	done
	echo "round $i of $rounds done" >&2
done

median() { sort -g | awk '{v[NR] = $1} END { if (!NR) print "-"; else print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# Field F (wall, CPU or QEMU) of stage S through backend B, each round.
field() {
	for ((i = 1; i <= rounds; i++)); do
		sed -n "s/^launch: stage $2 *wall \([0-9.]*\) s\(, CPU \([0-9.]*\) s, QEMU \([0-9.-]*\).*\)\?$/\1 \3 \4/p" \
			"$work/$1-$i.err" | awk -v f="$3" '$f != "" && $f != "-" { print $f }'
	done
}
# In the launch's order; a stage no launch went through is left out.
stages=$(for s in plan connect render create restore attach start firmware kernel+init command poweroff \
	teardown total process; do
	grep -q "^launch: stage $s " "$work"/*-1.err && echo "$s"
done)
printf '%-12s' stage
for b in "${bs[@]}"; do printf ' | %-8s %7s %7s %7s' "$b" wall CPU QEMU; done
printf '\n'
for s in $stages; do
	printf '%-12s' "$s"
	for b in "${bs[@]}"; do
		printf ' | %-8s %7s %7s %7s' "" "$(field "$b" "$s" 1 | median)" "$(field "$b" "$s" 2 | median)" \
			"$(field "$b" "$s" 3 | median)"
	done
	printf '\n'
done
echo "medians of $rounds rounds, seconds; process: the whole leanboot process, from the shell"
