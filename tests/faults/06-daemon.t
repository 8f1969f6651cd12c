#!/bin/bash
# The libvirt connection lost: a libvirt daemon (qemu:///system) killed
# mid-command.  leanboot notices, kills the domain's QEMU (it can read the
# daemon's pid file as root), and once the daemon is back the domain is
# gone.  Starts virtlogd and libvirtd, as 10-daemon.t does, and kills
# only the libvirtd it started: never a daemon the machine's owner runs.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip_all "qemu:///system needs root to start its daemon"
command -v libvirtd >/dev/null || skip_all "libvirtd not installed (libvirt-daemon-system)"
# A cache of its own: should a daemon label the kernel and initrd (it does
# for callers that are not root), one killed mid-launch leaves its
# trusted.libvirt.security.* records on them and refuses them to later
# launches "already in use".
T0=$(mktemp -d "${TMPDIR:-/tmp}/leanboot-daemon.XXXXXX")
chmod 0711 "$T0"
export LEANBOOT_CACHE="$T0/cache"
fault_setup
# The cache is this test's too: a template it makes names only that.
OWN_DIRS+=("$T0")
# QEMU runs as libvirt-qemu here: it must be able to reach the run directory.
chmod 0711 "$T" "$T/tmp"
pgrep -x libvirtd >/dev/null && skip_all "a libvirtd this test did not start is running; it kills only its own"
mkdir "$T0/daemon"
trap 'daemons_stop; rm -rf "$T" "$T0"' EXIT
daemons_start "$T0/daemon" || skip_all "libvirtd did not start"
plan 8

# kill_daemon START: a launch through the daemon, started START, stopped
# at ready; libvirtd killed there, then let go and restarted.
kill_daemon() {
	LEANBOOT_STOP_AT=ready "$LB" run --connect qemu:///system --start $1 -- sleep 30 2>"$T/err" &
	pid=$!
	wait_stopped $pid || diag "$1: did not stop"
	kill -9 "$(daemon_pid libvirtd)"
	kill -CONT $pid
	wait $pid
	st=$?
	faulted "$1: libvirtd killed" 3 \
		"the connection to libvirt was lost during command; QEMU (pid [0-9]*) killed"
	check_left "$1: libvirtd killed: no qemu, no domain, no run directory left"
	daemons_start "$T0/daemon"
	check "$1: libvirtd back: no domain of this test on it" [ "$(own_domains qemu:///system)" = 0 ]
	out=$("$LB" run --connect qemu:///system -- echo next 2>&1)
	check "$1: the next launch through the daemon works" [ "$out" = next ]
}

kill_daemon cold
# A clone restored through the daemon (the launch above made the template).
kill_daemon warm
finish
