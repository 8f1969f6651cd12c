#!/bin/bash
# A remote daemon (tests/25-remote.t's second libvirtd) killed under a
# launch: in the middle of uploading the appliance, and in the middle of
# the command.  Each launch exits 3 with one line and leaves nothing here;
# the daemon, restarted, takes back the QEMU it had, and the next launch
# from this host ends it and deletes what the killed launch left there.
. "$(dirname "$0")/lib.sh"
remote_setup
plan 10

appliance_vols() { vols | grep -c '^leanboot-[0-9a-f]\{16\}-\(vmlinux\|initrd\|root\)$'; }
# The appliance's volumes there that are as long as our files: none is
# left half-made under its final name.
whole() {
	local f v n=0
	for f in $("$LB" xml | sed -n 's#.*<\(kernel\|initrd\)>\(.*\)</.*#\2#p') "$CACHE/appliance/root"; do
		v=$(vols | grep -- "-${f##*/}$") || continue
		[ "$(vs vol-info --bytes --pool leanboot "$v" | awk '/^Capacity:/{print $2}')" = "$(stat -c %s "$f")" ] && n=$((n + 1))
	done
	echo $n
}
# kill_at POINT: a launch stopped at POINT, the daemon killed with
# SIGKILL there, and the launch let go.  Its status in $st; the QEMUs
# the remote host ran at POINT in $rq (remote_qemus).
kill_at() {
	LEANBOOT_STOP_AT=$1 "$LB" -c "$REMOTE" run --start cold -- sleep 30 2>"$T/err" &
	pid=$!
	wait_stopped $pid || diag "$1: did not stop"
	rq=$(remote_qemus)
	remote_kill
	kill -CONT $pid
	wait $pid
	st=$?
}
# after_kill NAME: nothing is left here, and once the daemon is back the
# next launch through it works.
after_kill() {
	check "$1: no run directory left here" [ -z "$(ls -A "$TMPDIR")" ]
	remote_restart || diag "libvirtd did not restart"
	out=$("$LB" -c "$REMOTE" run -- echo next 2>&1)
	check "$1: the next launch through it works" [ "$out" = next ]
	[ "$out" = next ] || diag "$out"
}

kill_at upload
faulted "mid-upload" 3 "cannot upload .*"
after_kill mid-upload
check "... the volume the killed upload was writing is gone: the appliance's three are there" \
	[ "$(launch_vols) $(appliance_vols)" = "0 3" ]
check "... each whole, as long as our file" [ "$(whole)" = 3 ]

kill_at ready
faulted "mid-run" 3 "the connection to libvirt was lost during command; the VM leanboot-.* may still run on the remote host"
after_kill mid-run
check "... and has ended the killed launch's VM and deleted its overlay there" \
	[ "$(vs list --all --name | grep -c .) $(launch_vols)" = "0 0" ]
# The remote host's QEMUs share our pid namespace: the one it ran at
# ready is known by its pid file there.
qemus_gone() { [ -n "$rq" ] && ! running "$rq" && [ -z "$(own_qemus)" ]; }
[ -n "$rq" ] || diag "no QEMU of the remote host was found at ready"
check "... so the QEMU it ran there is gone (${rq//$'\n'/, }), and none is left here" qemus_gone
finish
