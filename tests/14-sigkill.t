#!/bin/bash
# leanboot killed with SIGKILL mid-command: its watchdog kills QEMU (the
# embedded driver's QEMU would outlive it) and removes the run directory;
# libvirt forgets the domain when the root is next opened, and the next
# launch works.
. "$(dirname "$0")/lib.sh"
tmpdir
mkdir "$T/tmp"
export TMPDIR="$T/tmp" LEANBOOT_ACCEL=tcg
unset LEANBOOT_CONNECT LEANBOOT_BACKEND
plan 6

"$LB" appliance build -q || { not_ok "appliance builds"; finish; }
cache=$("$LB" appliance info | awk '$1=="cache"{print $2}')

for b in libvirt direct; do
	"$LB" run --backend $b -- sleep 60 &
	lp=$!
	# Wait for the guest to be up: QEMU running and its first console
	# output long past (the command sleeps for a minute).
	for _ in $(seq 1 100); do pgrep -f '^/usr/bin/qemu-system' >/dev/null && break; sleep 0.1; done
	sleep 3
	kill -9 $lp
	wait $lp 2>/dev/null
	for _ in $(seq 1 50); do [ "$(pgrep -c qemu-system)" = 0 ] && break; sleep 0.1; done
	left="$(pgrep -c qemu-system) $(ls -A "$TMPDIR" | wc -l)"
	if [ "$left" = "0 0" ]; then ok "$b: after SIGKILL no qemu and no run directory is left"
	else not_ok "$b: after SIGKILL no qemu and no run directory is left"; diag "qemu, dirs: $left"; fi
done
out=$("$LB" run -- uname -r)
check "the next launch works" [ -n "$out" ]
doms=$(virsh -c "qemu:///embed?root=$cache/libvirt" list --all --name 2>/dev/null | grep -c .)
check "libvirt has forgotten the killed launch's domain" [ "$doms" = 0 ]
check "nothing left after it either" [ "$(pgrep -c qemu-system) $(ls -A "$TMPDIR" | wc -l)" = "0 0" ]
check "no watchdog is left waiting" [ "$(pgrep -cf 'leanboot run')" = 0 ]
finish
