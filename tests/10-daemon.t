#!/bin/bash
# Through a real libvirt daemon: qemu:///system, where QEMU runs as
# libvirt-qemu rather than as us.  The test starts virtlogd and libvirtd if
# none runs, and stops what it started.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip_all "qemu:///system needs root to start its daemon"
command -v libvirtd >/dev/null || skip_all "libvirtd not installed (libvirt-daemon-system)"
tmpdir
mkdir "$T/tmp"
# QEMU runs as libvirt-qemu here: it must be able to reach the run directory.
chmod 0711 "$T" "$T/tmp"
export TMPDIR="$T/tmp" LEANBOOT_ACCEL=tcg
unset LEANBOOT_CONNECT LEANBOOT_BACKEND

started=""
if ! pgrep -x virtlogd >/dev/null; then virtlogd -d && started="$started virtlogd"; fi
if ! pgrep -x libvirtd >/dev/null; then libvirtd -d && started="$started libvirtd"; fi
trap 'for d in $started; do pkill -x $d; done; rm -rf "$T"' EXIT
for _ in $(seq 50); do virsh -q -c qemu:///system version >/dev/null 2>&1 && break; sleep 0.2; done
plan 4

kver=$(readlink "$("$LB" appliance info | awk '$1=="kernel"{print $2}')" | sed 's|.*/vmlinuz-||')
out=$("$LB" run --connect qemu:///system -- uname -r)
check "qemu:///system: uname -r prints $kver" [ "$out" = "$kver" ]
check "qemu:///system: minimal expands to 0 root ports" \
	"$LB" check -q --connect qemu:///system --topology minimal --expect pcie-root-port=0,usb=0,memballoon=0
left=$(virsh -c qemu:///system list --all --name | grep -c '^leanboot')
check "no leanboot domain left on the daemon" [ "$left" = 0 ]
check "no run directory left" [ -z "$(ls -A "$TMPDIR")" ]
finish
