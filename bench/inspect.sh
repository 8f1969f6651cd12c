#!/bin/bash
# Time `leanboot inspect` (through both backends, booted cold and
# restored warm) against `virt-inspector` on the same image, interleaved
# round by round; print
# each one's median wall time and its median per-round ratio to
# virt-inspector, and check that they agree on the facts both report.
#
#   bench/inspect.sh [-n ROUNDS] [IMAGE | KIND]   (run from the repository)
#
# KIND names a test image, made here (tests/helpers/mkimage KIND:
# debian, the default, windows, btrfs, splitusr, ...).  TCG is forced
# throughout.
set -eu
rounds=3
[ "${1:-}" = -n ] && { rounds=$2; shift 2; }
top=$(git rev-parse --show-toplevel)
LB="$top/build/bin/leanboot"
work=$(mktemp -d "${TMPDIR:-/tmp}/leanboot-inspect.XXXXXX")
trap 'rm -rf "$work"' EXIT
img=${1:-debian}
if [ ! -f "$img" ]; then
	LB="$LB" "$top/tests/helpers/mkimage" "$img" "$work/$img.img"
	img="$work/$img.img"
fi
command -v virt-inspector >/dev/null || { echo "virt-inspector is not installed (libguestfs-tools)" >&2; exit 2; }
"$LB" appliance build -q

now() { date +%s.%N; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f\n", a - b }'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f\n", a / b }'; }
declare -A t
kinds="direct/cold direct/warm libvirt/cold libvirt/warm"
# The templates are made first, untimed.
for b in direct libvirt; do
	LEANBOOT_ACCEL=tcg "$LB" inspect --backend $b --start warm "$img" >/dev/null
done
for ((i = 1; i <= rounds; i++)); do
	for k in $kinds; do
		s=$(now)
		LEANBOOT_ACCEL=tcg "$LB" inspect --backend ${k%/*} --start ${k#*/} --json "$img" \
			>"$work/lb-${k%/*}.json"
		t[$k-$i]=$(sub "$(now)" "$s")
	done
	s=$(now)
	LIBGUESTFS_BACKEND=direct LIBGUESTFS_BACKEND_SETTINGS=force_tcg \
		timeout 600 virt-inspector --format=raw -a "$img" >"$work/vi.xml" 2>"$work/vi.err"
	t[vi-$i]=$(sub "$(now)" "$s")
	echo "round $i of $rounds done" >&2
done

median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
printf '%-32s %12s %26s\n' "inspector" "median wall" "ratio to virt-inspector"
for k in $kinds; do
	w=$(for ((i = 1; i <= rounds; i++)); do echo "${t[$k-$i]}"; done | median)
	q=$(for ((i = 1; i <= rounds; i++)); do div "${t[$k-$i]}" "${t[vi-$i]}"; done | median)
	printf '%-32s %11.2fs %26.3f\n' "leanboot inspect ($k)" "$w" "$q"
done
w=$(for ((i = 1; i <= rounds; i++)); do echo "${t[vi-$i]}"; done | median)
printf '%-32s %11.2fs\n' "virt-inspector" "$w"

# The facts both report, side by side: each system leanboot found, and
# the one virt-inspector found with the same hostname.
perl -MJSON::PP -e '
	local $/; open my $j, "<", $ARGV[0] or die; my $r = decode_json(<$j>);
	open my $x, "<", $ARGV[1] or die; my $xml = <$x>;
	my @vi = $xml =~ m{<operatingsystem>(.*?)</operatingsystem>}gs;
	for my $os (@{ $r->{operating_systems} }) {
		my ($v) = grep { m{<hostname>\Q$os->{hostname}\E</hostname>} } @vi;
		$v //= "";
		printf "\n%-16s %-40s %s\n", "fact", "leanboot", "virt-inspector";
		for my $f (qw(distro product_name major_version minor_version hostname arch osinfo)) {
			my ($w) = $v =~ m{<$f>(.*?)</$f>}s;
			printf "%-16s %-40s %s\n", $f, $os->{$f} // "-", $w // "-";
		}
		my $n = () = $v =~ /<application>/g;
		printf "%-16s %-40s %s\n", "applications", $os->{packages} // $os->{applications} // "-", $n;
	}' "$work/lb-libvirt.json" "$work/vi.xml"
