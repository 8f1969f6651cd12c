#!/bin/bash
# The SBOM writer on reports made by hand (Debian, Fedora, Arch, Windows,
# Alpine): package URLs, versions, references, and every document valid
# against CycloneDX 1.5's official schema.  No VM: the writer alone.
. "$(dirname "$0")/lib.sh"
tmpdir
out=$("$HELPERS/sbom-test" "$T")
status=$?
count=$(printf '%s\n' "$out" | grep -c '^\(not \)\?ok ')
docs=$(ls "$T"/sbom-*.json 2>/dev/null | wc -l)
plan $((count + docs + 2))
# The writer's own checks, renumbered into this file's.
printf '%s\n' "$out" | grep '^\(not \)\?ok \|^#' | while IFS= read -r l; do
	case $l in
	"not ok "*) echo "not ok $((n += 1)) -${l#*-}" ;;
	"ok "*) echo "ok $((n += 1)) -${l#*-}" ;;
	*) echo "$l" ;;
	esac
done
n=$count
failed=$(printf '%s\n' "$out" | grep -c '^not ok ')
check "the writer exits 0, all its checks passed" [ "$status" = 0 ]
for f in "$T"/sbom-*.json; do
	check "$(basename "$f") validates against bom-1.5.schema.json" \
		"$top/tests/helpers/validate-json" "$top/tests/data/cyclonedx/bom-1.5.schema.json" "$f"
done
jq_del() { perl -MJSON::PP -e 'local $/; my $d = decode_json(<STDIN>); delete $d->{bomFormat}; print encode_json($d)'; }
jq_del <"$T/sbom-0.json" >"$T/broken.json"
check "a document without bomFormat does not validate: the validator is live" \
	sh -c "! '$top/tests/helpers/validate-json' '$top/tests/data/cyclonedx/bom-1.5.schema.json' '$T/broken.json' >/dev/null 2>&1"
finish
