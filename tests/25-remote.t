#!/bin/bash
# Another host, honestly: a second libvirtd in a mount namespace of its
# own, where our cache and TMPDIR are empty tmpfs mounts, reached through
# libvirt's remote driver (qemu+unix).  The appliance travels as volumes
# of a storage pool, once; the console and the channel come through
# libvirt's streams; disks are volumes or paths on that host.
. "$(dirname "$0")/lib.sh"
remote_setup
plan 30

# The mtimes of our volumes there.
mtimes() { for v in $(vols); do vs vol-dumpxml --pool leanboot "$v" | grep '<mtime>'; done; }
kver=$(readlink "$("$LB" appliance info | awk '$1=="kernel"{print $2}')" | sed 's|.*/vmlinuz-||')

# --- the appliance travels ------------------------------------------------------
out=$("$LB" -v -c "$REMOTE" run -- sh -c 'uname -r; cat' <<<"over the channel" 2>"$T/err")
check "run -- uname -r on the remote host, stdin back through cat" [ "$out" = "$kver"$'\n'"over the channel" ]
grep -q '^libvirt: uploaded [0-9]* bytes' "$T/err" || diag "$(grep -v debug "$T/err" | tail -5)"
check "the first launch uploaded the appliance" grep -q '^libvirt: uploaded [0-9]* bytes' "$T/err"
check "the pool leanboot was made, with the kernel, initrd and root named by the key" \
	[ "$(vols | grep -c "^leanboot-[0-9a-f]\{16\}-\(vmlinux\|initrd\|root\)$")" = 3 ]
check "... and no volume of a launch is left: no overlay, no part" [ "$(launch_vols)" = 0 ]
mtimes >"$T/mtimes"
"$LB" -v -c "$REMOTE" run -- true 2>"$T/err"
check "a second launch uploads nothing" sh -c "! grep -q 'uploaded' '$T/err'"
check "... and the volumes' mtimes (vol-dumpxml) are unchanged" cmp -s <(mtimes) "$T/mtimes"
check "no domain is left on the remote host" [ -z "$(vs list --all --name)" ]

# --- disks on that host ---------------------------------------------------------
"$top/tests/helpers/mkimage" debian "$T/debian.img" >/dev/null 2>&1 || not_ok "mkimage debian"
user_vol() {
	vs vol-create-as leanboot user.img "$(stat -c %s "$T/debian.img")" --format raw >/dev/null &&
		vs vol-upload --pool leanboot user.img "$T/debian.img"
}
check "a volume is made on the remote host (virsh)" user_vol
vs vol-download --pool leanboot user.img "$T/before.img" && sha256sum <"$T/before.img" >"$T/before.sum"
out=$("$LB" -c "$REMOTE" run --disk vol:leanboot/user.img -- \
	sh -c 'blockdev --getsz /dev/disk/leanboot/0; dd if=/dev/zero of=/dev/disk/leanboot/0 count=1 2>/dev/null; echo "dd $?"')
check "--disk vol:leanboot/user.img: the guest reads it" [ "$(echo "$out" | head -1)" = $(( $(stat -c %s "$T/debian.img") / 512 )) ]
check "... and cannot write it (read-only at the device)" [ "$(echo "$out" | tail -1)" = "dd 1" ]
vs vol-download --pool leanboot user.img "$T/after.img"
check "... its sha256, read back through the daemon, is unchanged" \
	sh -c "sha256sum <'$T/after.img' | cmp -s - '$T/before.sum'"
path=$(vs vol-path --pool leanboot user.img)
"$LB" -c "$REMOTE" inspect --json "host:$path" >"$T/inspect.json" 2>"$T/err"
check "inspect host:PATH finds the OS in a file on that host" grep -q '"hostname": "debtest"' "$T/inspect.json"
[ -s "$T/err" ] && diag "$(cat "$T/err")"
out=$("$LB" -c "$REMOTE" --upload run --disk "$T/debian.img" -- blockdev --getsz /dev/disk/leanboot/0)
check "--upload: a local disk is copied there for the launch" [ "$out" = $(( $(stat -c %s "$T/debian.img") / 512 )) ]
check "... and the copy is gone after it" [ "$(launch_vols)" = 0 ]

# --- warm: the template travels too ---------------------------------------------------
"$LB" -c "$REMOTE" run --start warm -- true 2>"$T/err" || diag "the template: $(cat "$T/err")"
check "a template is made there: its root overlay a volume of the pool" \
	[ "$(vols | grep -c '^leanboot-warm-[0-9a-f]*\.template-root\.qcow2$')" = 1 ]
out=$("$LB" -c "$REMOTE" run --start warm --disk vol:leanboot/user.img -- \
	sh -c 'blockdev --getsz /dev/disk/leanboot/0; dd if=/dev/zero of=/dev/disk/leanboot/0 count=1 2>/dev/null; echo "dd $?"' 2>"$T/err")
st=$?
if [ $st = 0 ] && [ "$(echo "$out" | head -1)" = $(( $(stat -c %s "$T/debian.img") / 512 )) ] &&
   [ "$(echo "$out" | tail -1)" = "dd 1" ] && [ ! -s "$T/err" ]; then
	ok "a clone restored there reads vol:leanboot/user.img, hot-added read-only: exit 0, nothing on stderr"
else
	not_ok "a clone restored there reads vol:leanboot/user.img, hot-added read-only: exit 0, nothing on stderr"
	diag "exit $st" "$out" "$(cat "$T/err")"
fi
vs vol-download --pool leanboot user.img "$T/after2.img"
check "... its sha256 is unchanged" sh -c "sha256sum <'$T/after2.img' | cmp -s - '$T/before.sum'"

# --clock icount there: the host's libvirt keeps QEMU's namespace, so the
# boot runs (leanboot refuses a domain that lost it, tests/28), and the
# guest's RTC is icount's fixed one, not the host's.  (Its system clock
# is not: the appliance's init sets it from the host's.)
out=$("$LB" -c "$REMOTE" run --start cold --clock icount -- cat /sys/class/rtc/rtc0/date 2>"$T/err")
st=$?
check "run --clock icount on the remote host: exit 0, the guest's RTC starts at 2026-01-01 ($out)" \
	[ "$st $out" = "0 2026-01-01" ]
[ -s "$T/err" ] && diag "$(cat "$T/err")"

# --- check and bench ------------------------------------------------------------------
check "check --topology minimal: 0 root ports as that host's libvirt expands it" \
	"$LB" check -q -c "$REMOTE" --topology minimal --expect pcie-root-port=0,usb=0,memballoon=0
check_status -o "$T/bench.txt" -e "$T/err" "bench --connect default,URI: two hosts, side by side: exit 0" 0 \
	"$LB" bench -q --plain --runs 1 --warmup 0 --topology minimal --connect "default,$REMOTE" --json "$T/bench.json"
[ -s "$T/err" ] && diag "$(tail -3 "$T/err")"
check "... both in the table" grep -q 'minimal/libvirt/default .*minimal/libvirt/qemu+unix:///system' "$T/bench.txt"
check "... the remote host named with its QEMU and libvirt" \
	grep -q '^minimal/libvirt/qemu+unix:///system on host .*: qemu [0-9.]*, libvirt [0-9.]*$' "$T/bench.txt"
check "... and in the JSON's conditions" [ "$(jget "$T/bench.json" conditions.remote.0.connect)" = "$REMOTE" ]

# --- bad input ------------------------------------------------------------------------------
expect_fail "a local disk without --upload: exit 2, and what to write" 2 "give --upload" \
	"$LB" -c "$REMOTE" run --disk "$T/debian.img" -- true
expect_fail "vol: with no remote connection: exit 2" 2 "give --connect" "$LB" run --disk vol:leanboot/user.img -- true
expect_fail "vol: naming no volume: exit 2" 2 "no storage vol" "$LB" -c "$REMOTE" run --disk vol:leanboot/nosuch -- true
expect_fail "--pool naming no pool: exit 2" 2 "no storage pool 'nosuch'" "$LB" -c "$REMOTE" --pool nosuch run -- true
expect_fail "an unreachable host: exit 2" 2 "cannot connect" \
	"$LB" -c "qemu+unix:///system?socket=$T/nosuch" run -- true

# --- nothing left -------------------------------------------------------------------------
# What is there: domains, volumes of a launch, and volumes that are
# neither the appliance's, the template's nor the user's.
there() {
	echo "$(vs list --all --name | grep -c .) $(launch_vols)" \
		"$(vols | grep -vc '^leanboot-[0-9a-f]\{16\}-\(vmlinux\|initrd\|root\)$\|^leanboot-warm-.*\.template-\|^user\.img$')"
}
check "no domain, overlay or copy is left there: the appliance's, the template's and the user's volumes alone" \
	[ "$(there)" = "0 0 0" ]
[ "$(launch_vols)" = 0 ] || diag "$(vols)"
# The remote host's QEMUs share our pid namespace; its domains, counted
# above, are what it runs.  Here: this test's own.
check_left "no qemu, no domain and no run directory is left here"
finish
