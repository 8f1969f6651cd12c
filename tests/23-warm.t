#!/bin/bash
# Warm launches through both backends: the first makes a template of the
# appliance at ready, and each launch then restores a private clone of
# it.  Clones share nothing they write (files, RAM), read different
# random bytes, have the host's time, take their disks read-only unless
# :rw, run side by side, and leave the template as it was.  A template
# whose key changed is made again; a damaged one gives a cold boot with
# one notice, then a good template.
. "$(dirname "$0")/lib.sh"
boot_setup
plan 40
TPL="$CACHE/template"

# within_2s: whether the guest's time $g is within 2 s of the host's $h.
within_2s() { [ -n "$g" ] && [ $((h - g)) -le 2 ] && [ $((g - h)) -le 2 ]; }
# template_of B: the template directory B's launches restore.
template_of() { ls -td "$TPL"/*/ | head -1; }

truncate -s 16M "$T/ro.img" "$T/rw.img" "$T/part.img"
printf 'label: dos\nstart=1MiB\n' | sfdisk -q "$T/part.img"
rm -rf "$TPL"
for b in direct libvirt; do
	export LEANBOOT_BACKEND=$b
	out=$("$LB" run --start warm -- echo made 2>"$T/err")
	check "$b: the first warm launch makes the template, then runs in a clone" [ "$out" = made ]
	[ "$out" = made ] || diag "$(cat "$T/err")"
	D=$(template_of)
	check "$b: the template holds the saved state, the root overlay and an empty one for clones ($(ls "$D" | tr '\n' ' '))" \
		[ -s "$D/state" -a -s "$D/root.qcow2" -a -s "$D/clone.qcow2" ]
	sha256sum "$D"/* >"$T/template.sum"
	# A clone's root overlay is a copy of that empty one: no qemu-img
	# runs for it (it would leave its log in the run directory).
	LEANBOOT_STOP_AT=planned "$LB" run -- true 2>"$T/err" &
	pid=$!
	stopped=0
	for _ in $(seq 300); do
		[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = T ] && stopped=1 && break
		sleep 0.1
	done
	check "$b: a clone's overlay is a copy, made without qemu-img" \
		sh -c "[ $stopped = 1 ] && [ -s \"\$(echo '$TMPDIR'/leanboot-*/root.qcow2)\" ] &&
		       ! ls '$TMPDIR'/leanboot-*/qemu-img.log >/dev/null 2>&1"
	kill -CONT $pid
	wait $pid

	# The template's machine is minimal's with a virtio-scsi controller
	# on the root bus: still no PCI bridge of any kind.
	out=$("$LB" run -- sh -c 'cat /sys/bus/pci/devices/*/class | grep -c "^0x0604" ; cat /sys/bus/pci/devices/*/device | grep -c "^0x1048\|^0x1004"')
	check "$b: a clone has a virtio-scsi controller and no root port" [ "$out" = $'0\n1' ]

	# Isolation: a file on the root, one in /tmp and one in /dev/shm (RAM).
	"$LB" run -- sh -c 'echo a >/left; echo b >/tmp/left; echo c >/dev/shm/left'
	out=$("$LB" run -- sh -c 'ls /left /tmp/left /dev/shm/left 2>&1 | wc -l; find /tmp /dev/shm -mindepth 1 | wc -l')
	check "$b: what one clone wrote to its root, /tmp and /dev/shm is absent from the next" \
		[ "$out" = $'3\n0' ]

	# Entropy: the template's random state is reseeded from the host's.
	x=$("$LB" run -- od -An -N32 -tx1 /dev/urandom)
	y=$("$LB" run -- od -An -N32 -tx1 /dev/urandom)
	check "$b: two clones read different bytes from /dev/urandom" [ -n "$x" -a "$x" != "$y" ]

	# The clock stopped when the template was saved.
	sleep 2
	g=$("$LB" run -- date +%s)
	h=$(date +%s)
	check "$b: the guest's clock is within 2 s of the host's ($g against $h)" within_2s

	# Disks, hot-added as LUNs: read-only at the device unless :rw.
	printf 'before' | dd of="$T/ro.img" conv=notrunc status=none
	sum=$(sha256sum <"$T/ro.img")
	out=$("$LB" run --disk "$T/ro.img" --disk "$T/rw.img:rw" -- sh -c "
		head -c 6 /dev/disk/leanboot/0; echo
		echo x | dd of=/dev/disk/leanboot/0 2>/dev/null && echo wrote || echo refused
		printf $b | dd of=/dev/disk/leanboot/1 2>/dev/null && echo ok")
	check "$b: disk 0 reads as given, and a write to it is refused" [ "$out" = $'before\nrefused\nok' ]
	check "$b: the read-only disk is unchanged (sha256)" [ "$(sha256sum <"$T/ro.img")" = "$sum" ]
	check "$b: the :rw disk was written" [ "$(head -c ${#b} "$T/rw.img")" = $b ]
	out=$("$LB" run --disk "$T/part.img" -- ls /dev/disk/leanboot)
	check "$b: a partition is named after its disk ($(echo $out))" [ "$out" = $'0\n0-part1' ]

	# Side by side, from one template.
	for i in 1 2 3 4; do
		"$LB" run -- sh -c "echo $i" >"$T/out$i" 2>"$T/err$i" &
	done
	wait
	good=0
	for i in 1 2 3 4; do [ "$(cat "$T/out$i")" = $i ] && good=$((good + 1)); done
	check "$b: four concurrent warm launches succeed ($good)" [ $good = 4 ]
	[ $good = 4 ] || diag "$(cat "$T"/err?)"
	check_left "$b: nothing left: no qemu, no domain, no run directory"
	check "$b: the template is as it was made (sha256 of its files)" sha256sum -c --quiet "$T/template.sum"

	# Inspection goes warm as well.
	mkfs.ext4 -q -F "$T/ro.img"
	out=$("$LB" inspect "$T/ro.img" 2>"$T/err" | grep -c 'type ext4,')
	check "$b: inspect in a clone sees the ext4 filesystem" [ "$out" = 1 ]

	# A damaged template: a cold boot with one notice, then a good one.
	printf 'garbage' >"$D/state"
	out=$("$LB" run -- echo cold 2>"$T/err")
	st=$?
	check "$b: a damaged template: the launch boots cold and succeeds (exit 0)" [ "$st $out" = "0 cold" ]
	check "$b: ... with one notice" \
		sh -c "[ \$(grep -c . '$T/err') = 1 ] && grep -q 'notice: the warm start failed' '$T/err'"
	[ "$(grep -c . "$T/err")" = 1 ] || diag "$(cat "$T/err")"
	out=$("$LB" run -- echo warm 2>"$T/err")
	st=$?
	check "$b: ... and the template is good again: exit 0, warm, nothing on stderr" \
		[ "$st $out $(wc -c <"$T/err")" = "0 warm 0" -a "$(stat -c %s "$D/state")" -gt 1000 ]
done
export LEANBOOT_BACKEND=direct

# A changed key is a new template (the memory is part of the machine),
# and a template of another appliance goes when one is made.
before=$(ls "$TPL" | wc -l)
mkdir "$TPL/0000000000000000-stale"
out=$("$LB" run --memory 128 -- echo 128)
st=$?
check "another memory size makes its own template (exit 0)" [ "$st $out $(ls "$TPL" | wc -l)" = "0 128 $((before + 1))" ]
check "a template of another appliance was removed" [ ! -e "$TPL/0000000000000000-stale" ]
check "appliance build makes the default template, or finds it" \
	sh -c "'$LB' appliance build | grep -q '^template for direct launches ready'"

expect_fail "--start warm with no channel: exit 2, one line" 2 "--start warm: a warm start needs the channel" \
	"$LB" bench --start warm --channel off --runs 1 --warmup 0 --topology minimal
finish
