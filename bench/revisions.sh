#!/bin/bash
# Time `leanboot run -- true` as built at several revisions, through both
# backends, against `guestfish -a /dev/null run`, interleaved round by
# round; print each one's median wall time and its median per-round ratio
# to guestfish.  This is the before-and-after of bench/README.md, for the
# levers no option can turn off (the appliance's shape, module signatures,
# the subreaper).
#
#   bench/revisions.sh [-n ROUNDS] REV...      (run from the repository)
#
# Each revision is built in a temporary worktree with its own appliance
# cache; nothing in the checkout changes.  TCG is forced throughout.
set -eu
rounds=5
[ "${1:-}" = -n ] && { rounds=$2; shift 2; }
[ $# -ge 1 ] || { echo "usage: $0 [-n ROUNDS] REV..." >&2; exit 2; }
top=$(git rev-parse --show-toplevel)
work=$(mktemp -d "${TMPDIR:-/tmp}/leanboot-revs.XXXXXX")
trap 'for r in "${revs[@]}"; do git -C "$top" worktree remove --force "$work/$r" 2>/dev/null || true; done; rm -rf "$work"' EXIT
revs=()
for r in "$@"; do
	short=$(git -C "$top" rev-parse --short "$r")
	revs+=("$short")
	git -C "$top" worktree add -q --detach "$work/$short" "$short"
	make -s -C "$work/$short" >/dev/null
	LEANBOOT_CACHE="$work/cache-$short" "$work/$short/launcher/leanboot" appliance build -q
done

now() { date +%s.%N; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f\n", a - b }'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f\n", a / b }'; }
declare -A t
for ((i = 1; i <= rounds; i++)); do
	for r in "${revs[@]}"; do
		for b in direct libvirt; do
			s=$(now)
			LEANBOOT_CACHE="$work/cache-$r" LEANBOOT_ACCEL=tcg \
				"$work/$r/launcher/leanboot" run --backend $b -- true
			t[$r-$b-$i]=$(sub "$(now)" "$s")
		done
	done
	s=$(now)
	LIBGUESTFS_BACKEND=direct LIBGUESTFS_BACKEND_SETTINGS=force_tcg \
		timeout 300 guestfish -a /dev/null run
	t[guestfish-$i]=$(sub "$(now)" "$s")
	echo "round $i of $rounds done" >&2
done

median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
g=$(for ((i = 1; i <= rounds; i++)); do echo "${t[guestfish-$i]}"; done | median)
printf '%-22s %12s %22s\n' "launcher" "median wall" "ratio to guestfish"
for r in "${revs[@]}"; do
	for b in direct libvirt; do
		w=$(for ((i = 1; i <= rounds; i++)); do echo "${t[$r-$b-$i]}"; done | median)
		q=$(for ((i = 1; i <= rounds; i++)); do div "${t[$r-$b-$i]}" "${t[guestfish-$i]}"; done | median)
		printf '%-22s %11.2fs %22.3f\n' "$r $b" "$w" "$q"
	done
done
printf '%-22s %11.2fs\n' "guestfish" "$g"
