#!/bin/bash
# leanboot run: real boots under TCG, each with a deadline.  Every launch
# must leave no qemu, no domain and no run directory behind.
. "$(dirname "$0")/lib.sh"
plan 21
boot_setup
mkdir "$T/src"
kver=$(readlink "$CACHE/appliance/kernel" | sed 's|.*/vmlinuz-||')

# Nothing left behind: none of this test's QEMUs or domains, an empty
# TMPDIR (check_left).
clean_after() { check_left "$1: nothing left"; }

out=$("$LB" run --backend libvirt -- uname -r)
check "embedded libvirt, minimal: uname -r prints $kver" [ "$out" = "$kver" ]
# On this host, run goes straight to QEMU unless told otherwise.
out=$("$LB" -v run -- uname -r 2>"$T/err")
check "direct qemu, the default for run here: uname -r prints $kver" \
	sh -c "[ '$out' = '$kver' ] && grep -qx 'launch: the direct backend' '$T/err'"
# -v says what each stage took: on the host's clock, in the launcher's
# CPU and in QEMU's.
check "-v: a line for each stage, and one for the whole, with wall and CPU" \
	sh -c "grep -q '^launch: stage command  *wall [0-9][0-9.]* s, CPU [0-9][0-9.]* s, QEMU [0-9][0-9.]* s$' '$T/err' &&
	       grep -q '^launch: stage total  *wall [0-9][0-9.]* s, CPU [0-9][0-9.]* s, QEMU [0-9][0-9.]* s$' '$T/err'"
LEANBOOT_BACKEND=libvirt "$LB" -v run -- true 2>"$T/err"
check "\$LEANBOOT_BACKEND=libvirt: the embedded driver, and the driver's start is a stage of its own" \
	sh -c "grep -qx 'launch: the libvirt backend, embedded driver' '$T/err' &&
	       grep -q '^launch: stage connect  *wall [0-9][0-9.]* s, CPU [0-9][0-9.]* s' '$T/err'"
# xml prints what a launch runs: the QEMU a direct launch starts has
# xml --argv's words, with the run directory's name for the XXXXXX.  The
# job travels on the channel, so the kernel's arguments carry none.
truncate -s 1M "$T/data.img"
LEANBOOT_STOP_AT=created "$LB" run --backend direct --start cold --topology ports=2 --disk "$T/data.img" -- true &
pid=$!
for _ in $(seq 1 600); do [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = T ] && break; sleep 0.1; done
q=$(pgrep -P $pid -f qemu-system)
ran=$(tr '\0' '\n' <"/proc/$q/cmdline")
kill -CONT $pid
wait $pid
name=$(sed -n 's/^guest=//p' <<<"$ran")
want=$("$LB" --backend direct xml --argv --topology ports=2 --disk "$T/data.img" | sed "s/leanboot-XXXXXX/$name/g")
check "the argv a launch runs is xml --argv's, bar the run directory ($name)" [ -n "$name" -a "$ran" = "$want" ]
[ "$ran" = "$want" ] || diag "$(diff <(echo "$want") <(echo "$ran"))"
# virt-install writes its root ports without addresses; the argv renderer
# must place them as libvirt does, or QEMU refuses 00:00.0.
# The guest's view: the host bridge, 14 ports, ICH9's LPC, SATA and SMBus,
# and 5 endpoints (channel, xhci, vda, balloon, rng), as through libvirt.
out=$("$LB" run --backend direct --start cold --topology virt-install -- sh -c 'ls /sys/bus/pci/devices | wc -l')
check "direct qemu, virt-install: boots, and the guest sees 23 PCI functions ($out)" [ "$out" = 23 ]
out=$("$LB" run --firmware seabios --kernel-format bzimage -- uname -r)
check "the fallback path (SeaBIOS, bzImage) still boots" [ "$out" = "$kver" ]
out=$("$LB" run --backend direct --topology microvm -- sh -c 'uname -r; ls /sys/bus/pci/devices | wc -l')
check "direct qemu, microvm: boots, and the guest sees no PCI device" [ "$out" = "$kver"$'\n'0 ]

"$LB" run -- sh -c 'echo to-out; echo to-err >&2; exit 7' >"$T/out" 2>"$T/err"
st=$?
check "the command's exit status (7) is leanboot's" [ $st = 7 ]
check "stdout and stderr come back apart" sh -c "[ \"\$(cat '$T/out')\" = to-out ] && [ \"\$(cat '$T/err')\" = to-err ]"
clean_after "after three launches"

# A read-only disk: readable, not writable, and unchanged on the host.
echo "leanboot was here" >"$T/src/hello"
truncate -s 16M "$T/disk.img"
mkfs.ext4 -q -d "$T/src" "$T/disk.img"
sum=$(sha256sum <"$T/disk.img")
"$LB" run --disk "$T/disk.img" -- sh -c '
	mount -o ro,noload /dev/disk/leanboot/0 /mnt && cat /mnt/hello
	dd if=/dev/zero of=/dev/disk/leanboot/0 bs=512 count=1 2>/dev/null && echo WROTE
	echo "ro=$(blockdev --getro /dev/disk/leanboot/0)"' >"$T/out"
check "a read-only disk reads back its file" grep -qx "leanboot was here" "$T/out"
check "writing to it fails, and the guest sees it read-only" \
	sh -c "! grep -q WROTE '$T/out' && grep -qx ro=1 '$T/out'"
check "its sha256 is unchanged" [ "$(sha256sum <"$T/disk.img")" = "$sum" ]

# SIGTERM mid-boot.
"$LB" run -q -- sleep 600 2>"$T/err" &
pid=$!
sleep 5
kill -TERM $pid
wait $pid
st=$?
check "SIGTERM mid-boot exits 143 and names the stage" \
	sh -c "[ $st = 143 ] && grep -q 'interrupted by Terminated during' '$T/err'"
clean_after "after SIGTERM"

expect_fail "a missing disk exits 2 and starts no VM" 2 "No such file or directory" \
	"$LB" run --disk "$T/none.img" -- true
expect_fail "a directory as a disk exits 2" 2 "is a directory" "$LB" run --disk "$T/src" -- true
expect_fail "an unusable --connect URI exits 2" 2 "cannot connect to bogus:///nowhere" \
	"$LB" run --connect bogus:///nowhere -- true

# KVM hangs on these machines, where /dev/kvm is there: forcing it must
# end at the deadline, cleanly.  Where there is no /dev/kvm at all, it
# must say so before any VM starts.
"$LB" run --accel kvm --timeout 12 -- true 2>"$T/err"
st=$?
if [ -e /dev/kvm ]; then
	check "--accel kvm on a host where KVM hangs: deadline, exit 3, stage named" \
		sh -c "[ $st = 3 ] && grep -Eq 'deadline of 12 s passed during (firmware|kernel|init)' '$T/err'"
else
	check "--accel kvm on a host with no /dev/kvm: exit 3, one line that says so" \
		sh -c "[ $st = 3 ] && [ \$(wc -l <'$T/err') = 1 ] && grep -q '^leanboot: run: --accel kvm: /dev/kvm: No such file or directory$' '$T/err'"
fi
[ $st = 3 ] || diag "exit $st: $(cat "$T/err")"
clean_after "after the deadline"
finish
