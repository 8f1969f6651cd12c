#!/bin/bash
# Warm launches through the direct backend: the first makes a template of
# the appliance at ready, and each launch then restores a private clone
# of it.  Clones share nothing they write (files, RAM), read different
# random bytes, have the host's time, take their disks read-only unless
# :rw, run side by side, and leave the template as it was.  A template
# whose key changed is made again; a damaged one gives a cold boot with
# one notice, then a good template.
. "$(dirname "$0")/lib.sh"
boot_setup
plan 19
export LEANBOOT_BACKEND=direct
TPL="$CACHE/template"

# left: qemu processes and run directories still there.
left() { echo "$(pgrep -c qemu-system) $(ls -A "$TMPDIR" | wc -l)"; }

rm -rf "$TPL"
out=$("$LB" run --start warm -- echo made 2>"$T/err")
check "the first warm launch makes the template, then runs in a clone" [ "$out" = made ]
dirs=$(ls "$TPL")
check "one template, complete: RAM file, state and root overlay ($dirs)" \
	[ "$(echo "$dirs" | wc -l)" = 1 ] && [ -s "$TPL/$dirs/state" ] && [ -s "$TPL/$dirs/ram" ] &&
	[ -s "$TPL/$dirs/root.qcow2" ] && [ -z "$(ls "$TPL/$dirs" | grep -v '^\(ram\|state\|root.qcow2\)$')" ]
D="$TPL/$dirs"
sha256sum "$D"/* >"$T/template.sum"

# Isolation: a file on the root, one in /tmp and one in /dev/shm (RAM).
"$LB" run -- sh -c 'echo a >/left; echo b >/tmp/left; echo c >/dev/shm/left'
out=$("$LB" run -- sh -c 'ls /left /tmp/left /dev/shm/left 2>&1 | wc -l; find /tmp /dev/shm -mindepth 1 | wc -l')
check "what one clone wrote to its root, /tmp and /dev/shm is absent from the next" \
	[ "$out" = $'3\n0' ]
err=$("$LB" run -- sh -c 'ls /left' 2>&1)
check "the root overlay is each clone's own ($err)" [ -n "$err" ]

# Entropy: the template's random state is reseeded from the host's.
a=$("$LB" run -- od -An -N32 -tx1 /dev/urandom)
b=$("$LB" run -- od -An -N32 -tx1 /dev/urandom)
check "two clones read different bytes from /dev/urandom" [ -n "$a" ] && [ "$a" != "$b" ]

# The clock: it stopped when the template was saved.
sleep 2
g=$("$LB" run -- date +%s)
h=$(date +%s)
check "the guest's clock is within 2 s of the host's ($g against $h)" [ $((h - g)) -le 2 ] && [ $((g - h)) -le 2 ]

# Disks, hot-added as LUNs: read-only at the device unless :rw.
truncate -s 16M "$T/ro.img" "$T/rw.img"
printf 'before' | dd of="$T/ro.img" conv=notrunc status=none
sum=$(sha256sum <"$T/ro.img")
out=$("$LB" run --disk "$T/ro.img" --disk "$T/rw.img:rw" -- sh -c '
	head -c 6 /dev/disk/leanboot/0; echo
	echo x | dd of=/dev/disk/leanboot/0 2>/dev/null && echo wrote || echo refused
	printf written | dd of=/dev/disk/leanboot/1 conv=fsync 2>/dev/null && echo ok')
check "disk 0 reads as given, and a write to it is refused" [ "$out" = $'before\nrefused\nok' ]
check "the read-only disk is unchanged (sha256)" [ "$(sha256sum <"$T/ro.img")" = "$sum" ]
check "the :rw disk was written" [ "$(head -c 7 "$T/rw.img")" = written ]

# Four at once, from one template.
for i in 1 2 3 4; do
	"$LB" run -- sh -c "echo $i" >"$T/out$i" 2>"$T/err$i" &
done
wait
good=0
for i in 1 2 3 4; do [ "$(cat "$T/out$i")" = $i ] && good=$((good + 1)); done
check "four concurrent warm launches succeed ($good)" [ $good = 4 ]
[ $good = 4 ] || diag "$(cat "$T"/err?)"
check "nothing left: no qemu, no run directory ($(left))" [ "$(left)" = "0 0" ]
check "the template is as it was made (sha256 of its files)" sha256sum -c --quiet "$T/template.sum"

# Inspection goes warm as well.
mkfs.ext4 -q -F "$T/ro.img"
out=$("$LB" inspect "$T/ro.img" 2>"$T/err" | grep -c 'type ext4,')
check "inspect in a clone sees the ext4 filesystem" [ "$out" = 1 ]

# A changed key is a new template (the memory is part of the machine),
# and a template of another appliance goes when one is made.
mkdir "$TPL/0000000000000000-stale"
out=$("$LB" run --memory 128 -- echo 128)
check "another memory size makes its own template" [ "$out" = 128 ] && [ "$(ls "$TPL" | wc -l)" = 2 ]
check "a template of another appliance was removed" [ ! -e "$TPL/0000000000000000-stale" ]

# A damaged state: a cold boot with one notice, then a good template.
printf 'garbage' >"$D/state"
out=$("$LB" run -- echo cold 2>"$T/err")
notices=$(grep -c . "$T/err")
check "a damaged template: the launch boots cold and succeeds" [ "$out" = cold ]
check "... with one notice ($(cat "$T/err"))" [ "$notices" = 1 ] && grep -q "notice: the warm start failed" "$T/err"
out=$("$LB" run -- echo warm 2>"$T/err")
check "... and the template is good again" [ "$out" = warm ] && [ ! -s "$T/err" ] && [ "$(stat -c %s "$D/state")" -gt 1000 ]

expect_fail "--start warm through libvirt: exit 2, one line" 2 "--start warm: the libvirt backend starts cold" \
	"$LB" run --backend libvirt --start warm -- true
finish
