#!/bin/bash
# leanboot killed with SIGKILL mid-command: its watchdog kills QEMU (the
# embedded driver's QEMU would outlive it) and removes the run directory;
# libvirt forgets the domain when the root is next opened (by the next
# libvirt launch), and that launch works.
. "$(dirname "$0")/lib.sh"
tmpdir
export LEANBOOT_ACCEL=tcg
unset LEANBOOT_CONNECT LEANBOOT_BACKEND
plan 6

"$LB" appliance build -q || { not_ok "appliance builds"; finish; }
CACHE=$("$LB" appliance info | awk '$1=="cache"{print $2}')

wds=""
for b in libvirt direct; do
	"$LB" run --backend $b -- sleep 60 &
	lp=$!
	# Wait for the guest to be up: a QEMU of this test running and its
	# first console output long past (the command sleeps for a minute).
	for _ in $(seq 1 100); do [ -n "$(own_qemus)" ] && break; sleep 0.1; done
	sleep 3
	# The watchdog: a fork of leanboot, with its argv (QEMU, the other
	# child, has its own).
	wd=$(pgrep -P $lp -f 'leanboot run')
	[ -n "$wd" ] || diag "$b: no watchdog found"
	for w in $wd; do wds="$wds$(own_id "$w")"$'\n'; done
	kill -9 $lp
	wait $lp 2>/dev/null
	for _ in $(seq 1 50); do [ -z "$(own_qemus)" ] && break; sleep 0.1; done
	left="$(own_qemus | grep -c .) $(ls -A "$TMPDIR" | wc -l)"
	if [ "$left" = "0 0" ]; then ok "$b: after SIGKILL no qemu and no run directory is left"
	else not_ok "$b: after SIGKILL no qemu and no run directory is left"; diag "qemu, dirs: $left"; fi
done
# Through libvirt: it is the next opening of the root that forgets the
# domain, and the default backend here would not open it.
out=$("$LB" --backend libvirt run -- echo next)
st=$?
check "the next launch works: exit 0, and the echo comes back ($st, $out)" [ "$st $out" = "0 next" ]
doms=$(own_domains "qemu:///embed?root=$CACHE/libvirt")
check "libvirt has forgotten the killed launch's domain" [ "$doms" = 0 ]
check_left "nothing left after it either"
# Both watchdogs were found, and neither runs.
watchdogs_gone() { [ "$(grep -c . <<<"$wds")" -ge 2 ] && ! running "$wds"; }
check "no watchdog is left waiting" watchdogs_gone
[ "$(grep -c . <<<"$wds")" -ge 2 ] || diag "watchdogs found: $(grep -c . <<<"$wds")"
finish
