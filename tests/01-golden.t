#!/bin/bash
# The XML and the qemu argv of every topology, diffed against
# tests/golden/.  LEANBOOT_REGEN=1 (make regen-golden) rewrites them.
. "$(dirname "$0")/lib.sh"
tmpdir

# Fixed paths, so the files do not depend on who runs the test.
export LEANBOOT_CACHE=/var/cache/leanboot-golden TMPDIR=/tmp
mapfile -t cases < <(golden_cases)
plan $((${#cases[@]} * 2))

for c in "${cases[@]}"; do
	read -r name args <<<"$c"
	for form in xml argv; do
		flag=; [ $form = argv ] && flag=--argv
		# shellcheck disable=SC2086
		out=$("$LB" xml $args $flag | sed "s|$T|@DIR@|g")
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
