#!/bin/bash
# Every XML leanboot generates (each golden case, made afresh) is valid
# against libvirt's own schema, checked with libxml2's RelaxNG validator.
. "$(dirname "$0")/lib.sh"
schema=/usr/share/libvirt/schemas/domain.rng
[ -r "$schema" ] || skip_all "$schema missing (libvirt-daemon not installed?)"
tmpdir
mapfile -t cases < <(golden_cases | grep -v '^[^ ]*:argv ')
plan ${#cases[@]}
for c in "${cases[@]}"; do
	read -r name args <<<"$c"
	# shellcheck disable=SC2086
	"$LB" xml $args >"$T/$name.xml"
	if out=$("$HELPERS/rngcheck" "$schema" "$T/$name.xml" 2>&1); then
		ok "$name validates against domain.rng"
	else
		not_ok "$name validates against domain.rng"
		diag "$out"
	fi
done
finish
