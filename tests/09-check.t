#!/bin/bash
# leanboot check: the counts of each topology as libvirt expands them, the
# golden directory, JSON, and the guest's own view after a real boot.
. "$(dirname "$0")/lib.sh"
tmpdir
export LEANBOOT_ACCEL=tcg
unset LEANBOOT_CONNECT LEANBOOT_BACKEND
truncate -s 1M "$T/a.img" "$T/b.img"
plan 26

# The channel's controller, the root disk and 2 user disks = 4 PCIe devices.
check "libguestfs with 4 PCIe devices: 4 + 1 root ports" \
	"$LB" check -q --topology libguestfs --disk "$T/a.img" --disk "$T/b.img" --expect pcie-root-port=5
check "auto: a port each for the channel, the root disk, USB and the balloon, plus the spare" \
	"$LB" check -q --topology auto --expect pcie-root-port=5,usb=1,memballoon=1,virtio-serial=1
check "virt-install: 14 ports, no spare, whatever the device count" \
	"$LB" check -q --topology virt-install --disk "$T/a.img" --expect pcie-root-port=14
check "minimal with 3 disks: still 0 ports" \
	"$LB" check -q --topology minimal --disk "$T/a.img" --disk "$T/b.img" --expect 'pcie-root-port=0,pci-endpoints>=3'

out=$("$LB" check --golden "$GOLDEN/../check-golden")
st=$?
if [ $st = 0 ] && grep -q '^5 checked, 0 differ, 0 could not be checked$' <<<"$out"; then
	ok "golden mode passes on tests/check-golden"
else
	not_ok "golden mode passes on tests/check-golden"; diag "exit $st" "$out"
fi

cp -r "$GOLDEN/../check-golden" "$T/golden"
sed -i 's/^pcie-root-port 1$/pcie-root-port 2/' "$T/golden/q35-one-port.counts"
out=$("$LB" check --golden "$T/golden")
st=$?
if [ $st = 1 ] && grep -q 'pcie-root-port: expected 2, libvirt gives 1' <<<"$out"; then
	ok "an edited .counts file makes golden mode exit 1 and say what differs"
else
	not_ok "an edited .counts file makes golden mode exit 1"; diag "exit $st" "$out"
fi
"$LB" check --golden "$T/golden" --regen >/dev/null
check "--regen rewrites it, after which golden mode passes" "$LB" check --golden "$T/golden" -q

# Addresses pinned: NAME.pci beside NAME.counts.
cp -r "$GOLDEN/../check-golden" "$T/golden-pci"
sed -i 's|^0000:01:00.0 disk/vda virtio$|0000:02:00.0 disk/vda virtio|' "$T/golden-pci/q35-one-port.pci"
out=$("$LB" check --golden "$T/golden-pci")
st=$?
if [ $st = 1 ] && grep -q '^  disk vda moved from 0000:02:00.0 to 0000:01:00.0$' <<<"$out"; then
	ok "an address edited in a .pci file: exit 1, and the disk named as moved"
else
	not_ok "an address edited in a .pci file: exit 1, and the disk named as moved"; diag "exit $st" "$out"
fi
rm "$T/golden-pci/q35-one-port.pci"
out=$("$LB" check --golden "$T/golden-pci")
st=$?
if [ $st = 0 ] && grep -q 'addresses: not pinned' <<<"$out"; then
	ok "a directory pinned before addresses were (no .pci) still passes (exit 0), and says so"
else
	not_ok "a directory pinned before addresses were (no .pci) still passes (exit 0), and says so"; diag "exit $st" "$out"
fi

# Two domains on one connection: what moves when a NIC is added.
D="$top/tests/data/check"
out=$("$LB" check "$D/nic-one.xml" --diff "$D/nic-two.xml")
st=$?
if [ $st = 1 ] && grep -q '^  disk vda moved from 0000:03:00.0 to 0000:04:00.0$' <<<"$out" &&
   grep -q '^  pcie-root-port: 5 in a, 6 in b$' <<<"$out"; then
	ok "--diff, a second NIC: exit 1, vda moved from 03:00.0 to 04:00.0, one more root port"
else
	not_ok "--diff, a second NIC: exit 1, vda moved from 03:00.0 to 04:00.0, one more root port"; diag "exit $st" "$out"
fi
out=$("$LB" check "$D/nic-one.xml" --diff "$D/disk-two.xml")
st=$?
if [ $st = 1 ] && grep -q '^  disk vdb added at ' <<<"$out" && ! grep -q 'disk vda' <<<"$out"; then
	ok "--diff, a second disk: exit 1, vdb added, vda stays (disks go in target order)"
else
	not_ok "--diff, a second disk: exit 1, vdb added, vda stays (disks go in target order)"; diag "exit $st" "$out"
fi
"$LB" check --json "$D/nic-one.xml" --diff "$D/nic-two.xml" >"$T/diff.json"
st=$?
got="$st $(jget "$T/diff.json" addresses.id=disk/vda.change) $(jget "$T/diff.json" addresses.id=disk/vda.to) $(jget "$T/diff.json" ok)"
check "--diff --json: exit 1, the differences as records ($got)" [ "$got" = "1 moved 0000:04:00.0 0" ]
check_status "another name, a UUID and another element order: exit 0" 0 "$LB" check "$D/nic-one.xml" --diff "$D/nic-one-churn.xml"
grep -q '^0 differences$' <<<"$out" || diag "$out"
check "... 0 differences" grep -q '^0 differences$' <<<"$out"

# --junit: the expectations as JUnit XML, read as a CI system's reader
# reads them (junit_read).
"$LB" check -q --topology auto --expect pcie-root-port=0,usb=0,memballoon=0,virtio-serial=1 --junit "$T/auto.junit"
st=$?
junit_read "$T/auto.junit" >"$T/auto.read" 2>&1
check "--junit, auto: exit 1; four cases, three failed, each with why" \
	sh -c "[ $st = 1 ] && grep -qx 'cases 4 failures 3' '$T/auto.read' &&
	       grep -qx 'failure pcie-root-port=0: pcie-root-port: expected 0, but libvirt expands it to 5 (written: 0)' '$T/auto.read' &&
	       ! grep -q 'failure virtio-serial' '$T/auto.read'"
[ $st = 1 ] || diag "exit $st: $(cat "$T/auto.read")"
"$LB" check -q --topology minimal --expect pcie-root-port=0,usb=0 --junit "$T/minimal.junit"
st=$?
junit_read "$T/minimal.junit" >"$T/minimal.read" 2>&1
check "--junit, minimal: exit 0, two cases, none failed" \
	sh -c "[ $st = 0 ] && [ \"\$(tail -n 1 '$T/minimal.read')\" = 'cases 2 failures 0' ]"
expect_fail "--junit into a folder that is not there: exit 2, one line" 2 "--junit: .*/none/r.xml: No such file or directory" \
	"$LB" check -q --topology minimal --expect pcie-root-port=0 --junit "$T/none/r.xml"
expect_fail "--junit onto a device: refused, exit 2, one line, the device untouched" 2 \
	"--junit: /dev/null is not a regular file" "$LB" check -q --topology minimal --junit /dev/null
check "... /dev/null is still a character device" [ -c /dev/null ]
echo stale >"$T/stale.junit"
"$LB" check -q --connect bogus:///nowhere --topology minimal --expect pcie-root-port=0 --junit "$T/stale.junit" 2>/dev/null
st=$?
check "--junit: a check that fails before its verdict leaves no earlier report to be read as this one's" \
	sh -c "[ $st = 2 ] && [ ! -e '$T/stale.junit' ]"
expect_fail "--junit with --regen: exit 2, one line" 2 "--junit reports --expect, --boot and --golden" \
	"$LB" check --golden "$T" --regen --junit "$T/g.xml"
# --golden --junit: a case per pinned domain; one whose count moved fails
# with the difference.
mkdir "$T/golden" && cp "$top/tests/check-golden"/* "$T/golden/"
sed -i 's/^pcie-root-port .*/pcie-root-port 3/' "$T/golden/pc.counts"
ncases=$(ls "$T/golden"/*.xml | wc -l)
"$LB" check --golden "$T/golden" --junit "$T/golden.junit" >/dev/null
st=$?
junit_read "$T/golden.junit" >"$T/golden.read" 2>&1
check "--golden --junit: exit 1; $ncases cases, pc.xml failed with its difference" \
	sh -c "[ $st = 1 ] && grep -qx 'cases $ncases failures 1' '$T/golden.read' &&
	       grep -qx 'failure pc.xml: pcie-root-port: expected 3, libvirt gives 0' '$T/golden.read'"
[ $st = 1 ] || diag "exit $st: $(cat "$T/golden.read")"

"$LB" check --json --topology auto --expect pcie-root-port=0 >"$T/json"
st=$?
if [ $st = 1 ] && json_pp <"$T/json" >/dev/null &&
   grep -Eq '"ok": *false' "$T/json" && grep -Eq '"pcie-root-port": *5' "$T/json"; then
	ok "--json: one valid document with the counts and the failed expectation"
else
	not_ok "--json"; diag "exit $st" "$(cat "$T/json")"
fi

check "it works over another URI (libvirt's test driver)" \
	"$LB" check -q --connect test:///default --topology minimal --expect pcie-root-port=0

"$LB" check --boot --topology minimal --disk "$T/a.img" --expect pcie-root-port=0,usb=0,memballoon=0 >"$T/out"
st=$?
if [ $st = 0 ] && grep -q '^seen endpoints match expanded$' "$T/out" &&
   grep -q '^guest disk names match$' "$T/out" && grep -q '^  disk vdb at 0000:00:0.\.0: vdb in the guest$' "$T/out" &&
   grep -Eq '^pci-endpoints +3 +4 +4 ' "$T/out"; then
	ok "--boot on minimal: the guest sees exactly the endpoints the plan placed, and names its disks as targeted"
else
	not_ok "--boot on minimal: the guest sees exactly the endpoints the plan placed, and names its disks as targeted"
	diag "exit $st" "$(cat "$T/out")"
fi
check_left "--boot leaves no qemu, no domain and no run directory"
finish
