#!/bin/bash
# Through a real libvirt daemon: qemu:///system, where QEMU runs as
# libvirt-qemu rather than as us, unless we are root: then leanboot asks
# for QEMU as root and for no relabelling, so the images, the kernel and
# the initrd keep their owners and carry no libvirt xattrs.  The test
# starts virtlogd and libvirtd if none runs, and stops those by pid.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip_all "qemu:///system needs root to start its daemon"
command -v libvirtd >/dev/null || skip_all "libvirtd not installed (libvirt-daemon-system)"
tmpdir
# QEMU runs as libvirt-qemu here: it must be able to reach the run directory.
chmod 0711 "$T" "$T/tmp"
export LEANBOOT_ACCEL=tcg
unset LEANBOOT_CONNECT LEANBOOT_BACKEND

mkdir "$T/daemon"
trap 'daemons_stop; rm -rf "$T"' EXIT
daemons_start "$T/daemon" || skip_all "libvirtd did not start"
plan 12

kver=$(readlink "$("$LB" appliance info | awk '$1=="kernel"{print $2}')" | sed 's|.*/vmlinuz-||')
# The daemon's QEMU connects to our channel's socket: stdin in, stdout out.
out=$(printf 'through the daemon' | "$LB" run --connect qemu:///system -- sh -c 'uname -r; cat')
check "qemu:///system: uname -r prints $kver, and stdin comes back through cat" \
	[ "$out" = "$kver"$'\n''through the daemon' ]
check "qemu:///system: minimal expands to 0 root ports" \
	"$LB" check -q --connect qemu:///system --topology minimal --expect pcie-root-port=0,usb=0,memballoon=0
out=$("$LB" check "$top/tests/data/check/nic-two.xml" --against qemu:///system)
st=$?
if [ $st = 0 ] && grep -q '^0 differences$' <<<"$out"; then
	ok "check --against qemu:///system: exit 0, the embedded driver and the daemon place every device alike"
else
	not_ok "check --against qemu:///system: exit 0, the embedded driver and the daemon place every device alike"
	diag "exit $st" "$out"
fi

# An image another user owns, inspected through the daemon.
"$top/tests/helpers/mkimage" debian "$T/debian.img" || not_ok "mkimage debian"
chown nobody:nogroup "$T/debian.img"
chmod 0640 "$T/debian.img"
setfattr -n user.leanboot.test -v mine "$T/debian.img"
kernel=$("$LB" xml | sed -n 's|.*<kernel>\(.*\)</kernel>.*|\1|p')
initrd=$("$LB" xml | sed -n 's|.*<initrd>\(.*\)</initrd>.*|\1|p')
state() {
	for f in "$T/debian.img" "$kernel" "$initrd"; do
		stat -c '%n %U:%G %a %z' "$f"
		getfattr -d -m - --absolute-names "$f" 2>/dev/null
	done
}
state >"$T/before"
"$LB" --connect qemu:///system inspect --json "$T/debian.img" >"$T/inspect.json" 2>"$T/err"
check "qemu:///system: inspect finds the OS in another user's image" grep -q '"hostname": "debtest"' "$T/inspect.json"
out=$("$LB" -c qemu:///system run --disk "$T/debian.img" -- blockdev --getsz /dev/disk/leanboot/0 2>>"$T/err")
check "qemu:///system: run --disk reads it" [ "$out" = $(( $(stat -c %s "$T/debian.img") / 512 )) ]
[ -s "$T/err" ] && diag "$(cat "$T/err")"
state >"$T/after"
check "its owner, mode, ctime and xattrs, and the kernel's and initrd's, are unchanged" cmp -s "$T/before" "$T/after"
cmp -s "$T/before" "$T/after" || diag "$(diff "$T/before" "$T/after")"
check "no trusted.libvirt record on any of them" sh -c "! grep -q 'trusted.libvirt' '$T/after'"

# Warm through the daemon: clones of a template saved through it.  One
# clone at a time per connection (they share the template's name): a
# second at once boots cold, with a notice.
"$LB" -c qemu:///system run --start warm -- true 2>"$T/err" || diag "the template: $(cat "$T/err")"
out=$("$LB" -c qemu:///system run --start warm -- echo warm 2>"$T/err")
st=$?
check "qemu:///system: a warm launch runs in a clone: exit 0, its output, nothing on stderr" \
	[ "$st $out $(wc -c <"$T/err")" = "0 warm 0" ]
[ -s "$T/err" ] && diag "$(cat "$T/err")"
for i in 1 2; do "$LB" -c qemu:///system run -- echo $i >"$T/w$i" 2>"$T/werr$i" & done
wait
check "qemu:///system: two warm launches at once both run" [ "$(cat "$T/w1" "$T/w2")" = $'1\n2' ]
check "... and a notice says so when one booted cold" \
	sh -c "! cat '$T'/werr? | grep -v 'notice: another clone of the template runs on qemu:///system; booting cold' | grep -q ."

# The daemon may be the machine's, with domains of others: this test's
# are those that name its files.
check "no domain of this test left on the daemon" [ "$(own_domains qemu:///system)" = 0 ]
check_left "nothing else left: no qemu, no domain on the embedded roots, no run directory"
finish
