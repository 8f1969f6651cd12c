#!/bin/bash
# The XML and the qemu argv of every topology, diffed against
# tests/golden/, and what each backend is given for cold, template and
# clone plans (render-test: the clone's hot-added disks included).
# LEANBOOT_REGEN=1 (make regen-golden) rewrites them.
. "$(dirname "$0")/lib.sh"
tmpdir

# Fixed paths, so the files do not depend on who runs the test.
export LEANBOOT_CACHE=/var/cache/leanboot-golden TMPDIR=/tmp
mapfile -t cases < <(golden_cases)
# "TOPOLOGY[:MACHINE[:kvm]]": aarch64's virt through its own paths, and
# under KVM (an aarch64 host's), where its CPU is the host's.
renders=(minimal libguestfs mmio:virt minimal:virt:kvm)
argv_only=$(printf '%s\n' "${cases[@]}" | grep -c '^[^ ]*:argv ')
plan $((${#cases[@]} * 2 - argv_only + ${#renders[@]}))

# compare NAME FILE OUTPUT: OUTPUT against the golden FILE.
compare() {
	if [ -n "${LEANBOOT_REGEN:-}" ]; then
		printf '%s\n' "$3" >"$2"
		ok "$1 # SKIP regenerated, not compared"
	elif d=$(printf '%s\n' "$3" | diff -u "$2" -); then
		ok "$1 matches golden"
	else
		not_ok "$1 matches golden"
		diag "$d"
	fi
}

for c in "${cases[@]}"; do
	read -r name args <<<"$c"
	forms="xml argv"
	[ "${name%:argv}" = "$name" ] || { name=${name%:argv}; forms=argv; }
	for form in $forms; do
		flag=; [ $form = argv ] && flag=--argv
		# The TSC's rate microvm's guest is told is this host's.
		# shellcheck disable=SC2086
		out=$("$LB" xml $args $flag | sed "s|$T|@DIR@|g; s|tsc_early_khz=[0-9]*|tsc_early_khz=@KHZ@|")
		compare "$name $form" "$GOLDEN/$name.$form" "$out"
	done
done
for t in "${renders[@]}"; do
	# shellcheck disable=SC2046
	compare "render $t" "$GOLDEN/render-${t//:/-}.txt" "$("$HELPERS/render-test" $(tr : ' ' <<<"$t"))"
done
finish
