#!/bin/bash
# Time `leanboot run -- true` as built at several revisions, through both
# backends, against `guestfish -a /dev/null run`, interleaved round by
# round; print each one's median wall time and its median per-round ratio
# to guestfish (to the first revision where guestfish is not installed).
# This is the before-and-after of bench/README.md, for the
# levers no option can turn off (the appliance's shape, module signatures,
# the subreaper).  With -i KIND, what is timed is `leanboot inspect` of
# the test image KIND (tests/helpers/mkimage), or of the image file KIND
# names (a debootstrapped system, say), and each revision is set
# against the first one instead of guestfish: what a change to the
# inspector costs.  -s START passes --start START (cold, auto or warm)
# to every launch; without it each revision starts as it does by default.
# A warm series makes its templates in one launch each before the first
# round.  -b names the backends (direct,libvirt unless told): "default"
# passes no --backend, and so times what a user gets without one.
#
#   bench/revisions.sh [-n ROUNDS] [-s START] [-i KIND|IMAGE] [-b B,...] REV...   (run from the repository)
#
# Each revision is built in a temporary worktree with its own appliance
# cache; nothing in the checkout changes.  TCG is forced throughout.
set -eu
rounds=5 kind="" start=() backends=direct,libvirt
while getopts n:i:s:b: o; do
	case $o in
	n) rounds=$OPTARG ;;
	b) backends=$OPTARG ;;
	s) start=(--start "$OPTARG") ;;
	i) kind=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
IFS=, read -ra bs <<<"$backends"
[ $# -ge 1 ] || { echo "usage: $0 [-n ROUNDS] [-s START] [-i KIND] REV..." >&2; exit 2; }
top=$(git rev-parse --show-toplevel)
work=$(mktemp -d "${TMPDIR:-/tmp}/leanboot-revs.XXXXXX")
# Traversable, as /tmp is: run as root, QEMU runs as another user and
# reaches the caches in it by name.
chmod 0711 "$work"
trap 'for r in "${revs[@]}"; do git -C "$top" worktree remove --force "$work/$r" 2>/dev/null || true; done; rm -rf "$work"' EXIT
revs=()
# The program as revision R built it: build/bin since the build went
# under build/, launcher/ before that.
lb() {
	if [ -x "$work/$1/build/bin/leanboot" ]; then echo "$work/$1/build/bin/leanboot"; else echo "$work/$1/launcher/leanboot"; fi
}
for r in "$@"; do
	short=$(git -C "$top" rev-parse --short "$r")
	revs+=("$short")
	git -C "$top" worktree add -q --detach "$work/$short" "$short"
	make -s -C "$work/$short" >/dev/null
	LEANBOOT_CACHE="$work/cache-$short" "$(lb "$short")" appliance build -q
done
if [ -f "$kind" ]; then
	img=$(realpath "$kind")
elif [ -n "$kind" ]; then
	img="$work/$kind.img"
	LB="$top/build/bin/leanboot" "$top/tests/helpers/mkimage" "$kind" "$img"
fi
# One launch of revision R through backend B ("default": none named).
launch() {
	local b=(--backend "$2")

	[ "$2" != default ] || b=()
	if [ -n "$kind" ]; then
		LEANBOOT_CACHE="$work/cache-$1" LEANBOOT_ACCEL=tcg \
			"$(lb "$1")" inspect "${b[@]}" "${start[@]}" --json "$img" >/dev/null
	else
		LEANBOOT_CACHE="$work/cache-$1" LEANBOOT_ACCEL=tcg "$(lb "$1")" run "${b[@]}" "${start[@]}" -- true
	fi
}

now() { date +%s.%N; }
# guestfish is the reference where it is installed and `run` is timed;
# otherwise each revision is set against the first.
gf=0
if [ -z "$kind" ] && command -v guestfish >/dev/null; then gf=1; fi
# A warm series times clones, not the boot that makes each template.
if [ "${start[1]:-}" = warm ] || [ "${start[1]:-}" = auto ]; then
	for r in "${revs[@]}"; do for b in "${bs[@]}"; do launch "$r" $b; done; done
fi
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f\n", a - b }'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f\n", a / b }'; }
declare -A t
for ((i = 1; i <= rounds; i++)); do
	for r in "${revs[@]}"; do
		for b in "${bs[@]}"; do
			s=$(now)
			launch "$r" $b
			t[$r-$b-$i]=$(sub "$(now)" "$s")
		done
	done
	if [ "$gf" = 1 ]; then
		s=$(now)
		LIBGUESTFS_BACKEND=direct LIBGUESTFS_BACKEND_SETTINGS=force_tcg \
			timeout 300 guestfish -a /dev/null run
		t[guestfish-$i]=$(sub "$(now)" "$s")
	fi
	echo "round $i of $rounds done" >&2
done

median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
# The reference of each round: guestfish, or the first revision through
# the same backend.
ref() { if [ "$gf" = 0 ]; then echo "${t[${revs[0]}-$1-$2]}"; else echo "${t[guestfish-$2]}"; fi; }
printf '%-22s %12s %22s\n' "launcher" "median wall" "ratio to $(if [ "$gf" = 0 ]; then echo "${revs[0]}"; else echo guestfish; fi)"
for r in "${revs[@]}"; do
	for b in "${bs[@]}"; do
		w=$(for ((i = 1; i <= rounds; i++)); do echo "${t[$r-$b-$i]}"; done | median)
		q=$(for ((i = 1; i <= rounds; i++)); do div "${t[$r-$b-$i]}" "$(ref $b $i)"; done | median)
		printf '%-22s %11.2fs %22.3f\n' "$r $b" "$w" "$q"
	done
done
[ "$gf" = 0 ] || printf '%-22s %11.2fs\n' "guestfish" "$(for ((i = 1; i <= rounds; i++)); do echo "${t[guestfish-$i]}"; done | median)"
