#!/bin/bash
# What goes wrong on the host: the disk deleted between plan and boot, no
# space left in the cache directory, and none in TMPDIR.
. "$(dirname "$0")/lib.sh"
fault_setup
plan 13
for b in libvirt direct; do
	truncate -s 16M "$T/disk.img"
	# The template first, if it is to be made: its launch would stop at
	# "planned" before the one with the disk.
	"$LB" run --backend $b -- true 2>/dev/null
	LEANBOOT_STOP_AT=planned "$LB" run --backend $b --disk "$T/disk.img" -- true 2>"$T/err" &
	pid=$!
	wait_stopped $pid || diag "$b: did not stop"
	rm "$T/disk.img"
	kill -CONT $pid
	wait $pid
	st=$?
	faulted "$b, disk deleted before boot" 3 "disk.img.*No such file"
	after_fault "$b, disk deleted before boot"
done

if [ "$(id -u)" != 0 ]; then
	for i in 1 2 3 4 5 6 7; do ok "no space # SKIP needs root to mount a small tmpfs"; done
	finish
fi
mkdir "$T/small"
if ! mount -t tmpfs -o size=4m leanboot-test "$T/small" 2>/dev/null; then
	for i in 1 2 3 4 5 6 7; do ok "no space # SKIP this machine does not let us mount a tmpfs"; done
	finish
fi
trap 'umount "$T/small" 2>/dev/null; rm -rf "$T"' EXIT
LEANBOOT_CACHE="$T/small/cache" "$LB" appliance build -q 2>"$T/err"
st=$?
faulted "no space in the cache: the build" 3 "No space left on device"
check "no space in the cache: no build directory left" \
	[ -z "$(find "$T/small/cache" -maxdepth 1 -name 'build.*')" ]
mount -o remount,size=2g "$T/small"
check "no space in the cache: once there is room, it builds" \
	env LEANBOOT_CACHE="$T/small/cache" "$LB" appliance build -q
umount "$T/small"

mount -t tmpfs -o size=4k leanboot-test "$T/small"
head -c 4096 /dev/zero >"$T/small/fill" 2>/dev/null
TMPDIR="$T/small" "$LB" run -- true 2>"$T/err"
st=$?
faulted "no space in TMPDIR" 3 "No space left on device"
check "no space in TMPDIR: no run directory left" [ "$(ls -A "$T/small")" = fill ]
umount "$T/small"
after_fault "no space"
finish
