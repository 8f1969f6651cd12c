#!/bin/bash
# What libvirt makes of each topology: defined in the embedded driver
# (no daemon), read back with virDomainGetXMLDesc, undefined.
. "$(dirname "$0")/lib.sh"
tmpdir
export LEANBOOT_CACHE="$T/cache"
unset LEANBOOT_CONNECT
plan 21
truncate -s 1M "$T/d.img"

check "minimal: 0 root ports, no USB, no balloon" \
	"$LB" check --topology minimal --expect pcie-root-port=0,usb=0,memballoon=0 -q
check "auto: root ports, qemu-xhci and a virtio balloon" \
	"$LB" check --topology auto --expect 'pcie-root-port>=1,qemu-xhci=1,memballoon=1'
check "virt-install: exactly 14 root ports" \
	"$LB" check --topology virt-install --expect pcie-root-port=14
check "libguestfs, root disk and channel: a port each plus the spare" \
	"$LB" check --topology libguestfs --expect pcie-root-port=3,usb=0,memballoon=0,virtio-serial=1
check "ports=5: exactly 5, no spare" \
	"$LB" check --topology ports=5 --expect pcie-root-port=5

"$LB" check --topology auto --expect pcie-root-port=0,usb=0,memballoon=0 >"$T/out"
st=$?
if [ $st = 1 ] && grep -q '^pcie-root-port .* FAIL' "$T/out"; then
	ok "auto fails the minimal expectation with exit 1 and says why"
else
	not_ok "auto fails the minimal expectation with exit 1 and says why"
	diag "exit $st" "$(cat "$T/out")"
fi

# aarch64's virt: libvirt expands it as q35, bar USB and the balloon,
# which it adds on neither.
check "aarch64 minimal: 0 root ports, no USB, no balloon" \
	"$LB" check --arch aarch64 --topology minimal --expect pcie-root-port=0,usb=0,memballoon=0 -q
check "aarch64 auto: root ports, and no USB or balloon" \
	"$LB" check --arch aarch64 --topology auto --expect 'pcie-root-port>=1,usb=0,memballoon=0' -q
check "aarch64 virt-install: 14 root ports, qemu-xhci, a balloon" \
	"$LB" check --arch aarch64 --topology virt-install --expect pcie-root-port=14,qemu-xhci=1,memballoon=1 -q
check "aarch64 mmio: no root port and no PCI endpoint" \
	"$LB" check --arch aarch64 --topology mmio --disk "$T/d.img" --expect pcie-root-port=0,pci-endpoints=0 -q
check "--machine virt alone means aarch64" \
	"$LB" check --machine virt --topology minimal --expect pcie-root-port=0 -q

# mmio through libvirt itself: every virtio device at a virtio-mmio
# address, and none at a PCI one.
ROOT="$T/root"
mkdir -p "$ROOT/etc"
printf 'stdio_handler = "file"\nsecurity_driver = "none"\n%s' \
	"$([ "$(id -u)" = 0 ] && printf 'user = "root"\ngroup = "root"\n')" >"$ROOT/etc/qemu.conf"
"$LB" xml --arch aarch64 --topology mmio --disk "$T/d.img" | sed 's/leanboot-XXXXXX/lb-mmio/' >"$T/mmio.xml"
virsh -q -c "qemu:///embed?root=$ROOT" define "$T/mmio.xml" >/dev/null 2>"$T/err" || diag "$(cat "$T/err")"
virsh -q -c "qemu:///embed?root=$ROOT" dumpxml lb-mmio >"$T/mmio.out" 2>>"$T/err"
virsh -q -c "qemu:///embed?root=$ROOT" undefine lb-mmio >/dev/null 2>&1
n_mmio=$(grep -c "<address type='virtio-mmio'/>" "$T/mmio.out")
n_pci=$(grep -c "<address type='pci'" "$T/mmio.out")
check "aarch64 mmio expanded: the disks and virtio-serial at virtio-mmio addresses, none on PCI ($n_mmio, $n_pci)" \
	[ "$n_mmio $n_pci" = "3 0" ]

# The direct backend has no libvirt to add defaults, so the argv renderer
# adds them itself; it must add exactly what libvirt adds.
for t in auto libguestfs virt-install ports=3 pc-auto arm-auto arm-virt-install arm-libguestfs; do
	args="--topology $t"
	[ $t = pc-auto ] && args="--topology auto --machine pc"
	case $t in arm-*) args="--arch aarch64 --topology ${t#arm-}" ;; esac
	# shellcheck disable=SC2086
	want=$("$LB" check $args | awk '$1=="pcie-root-port"{p=$3} $1=="usb"{u=$3}
		$1=="memballoon"{m=$3} END{print p, u, m}')
	# shellcheck disable=SC2086
	argv=$("$LB" xml --argv $args)
	got="$(grep -c '^pcie-root-port' <<<"$argv") $(grep -Ec '^(qemu-xhci|piix3-usb-uhci)' <<<"$argv") $(grep -c '^virtio-balloon' <<<"$argv")"
	if [ "$want" = "$got" ]; then
		ok "$t: argv has what libvirt adds (ports, usb, balloon: $got)"
	else
		not_ok "$t: argv has what libvirt adds"
		diag "libvirt: $want" "argv: $got"
	fi
done

# Nothing may stay defined on the connection.
left=$(virsh -c "qemu:///embed?root=$LEANBOOT_CACHE/libvirt" list --all --name 2>/dev/null | grep -c .)
if [ "$left" = 0 ]; then ok "no domain left defined"; else not_ok "no domain left defined ($left)"; fi
finish
