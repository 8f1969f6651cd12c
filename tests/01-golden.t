#!/bin/bash
# The XML and the qemu argv of every topology, diffed against
# tests/golden/.  LEANBOOT_REGEN=1 (make regen-golden) rewrites them.
. "$(dirname "$0")/lib.sh"
tmpdir

# Fixed paths, so the files do not depend on who runs the test.
export LEANBOOT_CACHE=/var/cache/leanboot-golden TMPDIR=/tmp
mapfile -t cases < <(golden_cases)
argv_only=$(printf '%s\n' "${cases[@]}" | grep -c '^[^ ]*:argv ')
plan $((${#cases[@]} * 2 - argv_only))

for c in "${cases[@]}"; do
	read -r name args <<<"$c"
	forms="xml argv"
	[ "${name%:argv}" = "$name" ] || { name=${name%:argv}; forms=argv; }
	for form in $forms; do
		flag=; [ $form = argv ] && flag=--argv
		# The TSC's rate microvm's guest is told is this host's.
		# shellcheck disable=SC2086
		out=$("$LB" xml $args $flag | sed "s|$T|@DIR@|g; s|tsc_early_khz=[0-9]*|tsc_early_khz=@KHZ@|")
		file="$GOLDEN/$name.$form"
		if [ -n "${LEANBOOT_REGEN:-}" ]; then
			printf '%s\n' "$out" >"$file"
			ok "$name $form # SKIP regenerated, not compared"
		elif d=$(printf '%s\n' "$out" | diff -u "$file" -); then
			ok "$name $form matches golden"
		else
			not_ok "$name $form matches golden"
			diag "$d"
		fi
	done
done
finish
