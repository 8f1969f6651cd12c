#!/bin/bash
# One real boot of the minimal plan: qemu run straight from the argv
# renderer, under TCG, with a deadline, must reach the init's ready marker.
# Without the channel (nobody here listens on its socket), the init then
# sends its kernel log and powers off.
. "$(dirname "$0")/lib.sh"
tmpdir
plan 3

if ! out=$("$LB" appliance build 2>&1); then
	not_ok "appliance builds"; diag "$out"; finish
fi
ok "appliance builds ($out)"
root=$("$LB" appliance info | awk '$1=="root"{print $2}')
before=$(stat -c %Y.%s "$root")

mapfile -t argv < <(TMPDIR="$T" "$LB" xml --topology minimal --argv --accel tcg --channel off)
overlay=$(printf '%s\n' "${argv[@]}" | sed -n 's/^file=\([^,]*root\.qcow2\),.*/\1/p')
mkdir -p "$(dirname "$overlay")"
qemu-img create -q -f qcow2 -b "$root" -F raw "$overlay"
timeout 300 "${argv[@]}" </dev/null >"$T/console" 2>&1
st=$?
if grep -q '^LEANBOOT-READY [0-9.]*' "$T/console" && [ $st = 0 ]; then
	ok "minimal boots to the ready marker ($(grep -a '^LEANBOOT-READY' "$T/console"))"
else
	not_ok "minimal boots to the ready marker (exit $st)"
	diag "$(tail -20 "$T/console")"
fi
if [ "$(stat -c %Y.%s "$root")" = "$before" ]; then
	ok "the appliance root was not written"
else
	not_ok "the appliance root was not written"
fi
finish
