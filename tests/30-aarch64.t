#!/bin/bash
# aarch64's virt under TCG on this host: the appliance built from Debian's
# arm64 packages, booted through both backends, with stdin, exit status
# and streams as on x86_64; the mmio topology; what the guest enumerates;
# inspection through it; bench's counts.  Each boot is 2-3 s.
. "$(dirname "$0")/lib.sh"
plan 16
tmpdir
export LEANBOOT_ACCEL=tcg
unset LEANBOOT_CONNECT LEANBOOT_BACKEND LEANBOOT_STOP_AT

# Without make deps's aarch64 part there is nothing to boot; CI sets it
# up, so there a missing set-up is a failure, not a skip.
why=$("$LB" appliance --arch aarch64 build -q 2>&1 >/dev/null)
if [ $? != 0 ]; then
	if [ "${CI:-}" = true ] || ! grep -q "run make deps" <<<"$why"; then
		not_ok "the aarch64 appliance builds"
		diag "$why"
	else
		for _ in $(seq 1 16); do skip "no aarch64 set-up: $why"; done
	fi
	finish
fi
ok "the aarch64 appliance builds"

for b in libvirt direct; do
	out=$("$LB" run --backend $b --arch aarch64 -- uname -m 2>"$T/err")
	check "$b: uname -m prints aarch64 ($out)" [ "$out" = aarch64 -a ! -s "$T/err" ]
	# stdin in, stdout and stderr apart, the exit status out.
	out=$(printf 'one\ntwo\n' | "$LB" run --backend $b --arch aarch64 -i -- \
		sh -c 'cat; echo to-stderr >&2; exit 7' 2>"$T/err")
	st=$?
	check "$b: stdin, both streams and exit 7 come through ($st)" \
		[ "$st $out $(cat "$T/err")" = "7 one"$'\n'"two to-stderr" ]
	# Output streams while the command runs: the first line is in before
	# the command ends (it sleeps 4 s after it).
	"$LB" run --backend $b --arch aarch64 -- sh -c 'echo early; sleep 4; echo late' >"$T/stream" &
	p=$!
	for _ in $(seq 1 100); do grep -q early "$T/stream" && break; sleep 0.1; done
	early=$(cat "$T/stream")
	wait $p
	check "$b: output streams: 'early' is in before the command ends" \
		[ "$early" = early -a "$(cat "$T/stream")" = "early"$'\n'"late" ]
done

# mmio: every virtio device on virtio-mmio; the guest's only PCI function
# is virt's host bridge, and its root disk is a virtio-mmio device.
out=$("$LB" run --backend direct --arch aarch64 --topology mmio --start cold -- \
	sh -c 'ls /sys/bus/pci/devices | wc -l; readlink -f /sys/block/vda')
check "mmio, direct: one PCI function, vda on virtio-mmio ($(tr '\n' ' ' <<<"$out"))" \
	grep -q '^1$' <<<"$out"
check "mmio: vda's device is a virtio_mmio one" grep -q 'virtio_mmio.*/block/vda$' <<<"$out"
out=$("$LB" run --backend libvirt --arch aarch64 --topology mmio --start cold -- uname -m)
check "mmio through libvirt boots ($out)" [ "$out" = aarch64 ]

# What the guest enumerates, against what libvirt expanded.
check "check --boot: minimal, the guest sees no root port" \
	"$LB" check --arch aarch64 --topology minimal --boot --expect pcie-root-port=0 -q
"$LB" check --arch aarch64 --topology auto --boot --json >"$T/auto.json"
exp=$(jget "$T/auto.json" views.expanded.pcie-root-port)
seen=$(jget "$T/auto.json" views.seen.pcie-root-port)
ports_seen() { [ "$exp" -ge 1 ] 2>/dev/null && [ "$exp" = "$seen" ]; }
check "check --boot: auto, the guest sees the root ports libvirt added ($exp, $seen)" ports_seen

# Inspection through the aarch64 appliance: the x86_64 appliance's facts,
# and the image as it was.
"$top/tests/helpers/mkimage" debian "$T/debian.img" || diag "mkimage debian failed"
sum=$(sha256sum <"$T/debian.img")
"$LB" inspect --json "$T/debian.img" >"$T/x86.json" 2>"$T/err"
"$LB" inspect --arch aarch64 --json "$T/debian.img" >"$T/arm.json" 2>>"$T/err"
same_report() { [ -s "$T/arm.json" ] && cmp -s "$T/x86.json" "$T/arm.json"; }
check "inspect --arch aarch64 reports what x86_64's appliance does" same_report
check "the image is unchanged" [ "$(sha256sum <"$T/debian.img")" = "$sum" ]
[ -s "$T/err" ] && diag "$(cat "$T/err")"

# Config accesses are deterministic: root ports cost aarch64 a few
# hundred each, and minimal has none.
"$LB" bench --arch aarch64 --topology minimal,auto --runs 1 --warmup 0 --json "$T/b.json" >/dev/null 2>"$T/err"
acc() { echo $(($(jget "$T/b.json" "configurations.$1.runs.0.pci_cfg_reads") + \
		$(jget "$T/b.json" "configurations.$1.runs.0.pci_cfg_writes"))); }
min=$(acc 0) auto=$(acc 1)
fewer() { [ "$min" -gt 0 ] && [ "$auto" -gt $((2 * min)) ]; }
check "bench: minimal makes under half auto's config accesses ($min, $auto)" fewer
check "nothing left: no qemu, no domain, an empty TMPDIR" [ "$(nothing_left)" = "0 0 0" ]
finish
