# Shared by the tests: TAP output and the paths they use.
# Each test is a small shell script with one purpose; prove runs them.

top=$(cd "$(dirname "$0")/.." && pwd)
# tests/faults/ is a level deeper.
[ -d "$top/launcher" ] || top=$(cd "$top/.." && pwd)
# What make builds (Makefile: build/ is laid out as an install).
LB="$top/build/bin/leanboot"
HELPERS="$top/build/tests/helpers"
GOLDEN="$top/tests/golden"
n=0
failed=0

plan() { echo "1..$1"; }
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }
skip_all() { echo "1..0 # SKIP $*"; exit 0; }

# check DESCRIPTION COMMAND...: ok when the command succeeds.
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# expect_fail DESCRIPTION STATUS PATTERN COMMAND...: the command exits
# STATUS and prints exactly one stderr line, "leanboot: ..." matching PATTERN.
expect_fail() {
	desc=$1 want=$2 pat=$3
	shift 3
	err=$("$@" 2>&1 >/dev/null)
	got=$?
	lines=$(printf '%s\n' "$err" | grep -c .)
	if [ "$got" = "$want" ] && [ "$lines" = 1 ] &&
	   printf '%s\n' "$err" | grep -aq "^leanboot: .*$pat"; then
		ok "$desc"
	else
		not_ok "$desc"
		diag "exit $got (want $want), stderr: $err"
	fi
}

# A temporary directory removed when the test ends.
tmpdir() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/leanboot-test.XXXXXX")
	trap 'rm -rf "$T"' EXIT
}

# For tests that launch: a fresh TMPDIR for run directories, TCG, the
# default connection and backend, and the appliance built.  Sets CACHE
# and URI, the embedded driver's first root.
boot_setup() {
	tmpdir
	mkdir "$T/tmp"
	export TMPDIR="$T/tmp" LEANBOOT_ACCEL=tcg
	unset LEANBOOT_CONNECT LEANBOOT_BACKEND LEANBOOT_STOP_AT
	"$LB" appliance build -q || { not_ok "appliance builds"; finish; }
	CACHE=$("$LB" appliance info | awk '$1=="cache"{print $2}')
	URI="qemu:///embed?root=$CACHE/libvirt"
}

# Golden cases: "NAME ARGS..." lines, with @DIR@ made real and the disks
# the cases name created in $T.  Needs tmpdir first.
golden_cases() {
	[ -e "$T/data.img" ] || truncate -s 1M "$T/data.img"
	[ -e "$T/data.qcow2" ] || qemu-img create -q -f qcow2 "$T/data.qcow2" 1M
	grep -v '^#' "$GOLDEN/cases" | while read -r name args; do
		[ -n "$args" ] || args="--topology $name"
		echo "$name ${args//@DIR@/$T}"
	done
}

finish() { [ "$failed" = 0 ]; exit $?; }

# qemu:///system for the daemon tests: the machine's own virtlogd and
# libvirtd when they run, else ones started here with their pid files in
# DIR.  daemons_stop stops exactly those, by pid: never a daemon the
# machine's owner runs.
daemons_start() {
	DAEMON_DIR=$1
	pgrep -x virtlogd >/dev/null || virtlogd -d -p "$DAEMON_DIR/virtlogd.pid" || return 1
	pgrep -x libvirtd >/dev/null || libvirtd -d -p "$DAEMON_DIR/libvirtd.pid" || return 1
	for _ in $(seq 50); do virsh -q -c qemu:///system version >/dev/null 2>&1 && return 0; sleep 0.2; done
	return 1
}
# daemon_pid NAME: the pid of the NAME this test started, or nothing.
daemon_pid() {
	[ -n "${DAEMON_DIR:-}" ] && [ -s "$DAEMON_DIR/$1.pid" ] && cat "$DAEMON_DIR/$1.pid"
}
daemons_stop() {
	local d pid
	for d in libvirtd virtlogd; do
		pid=$(daemon_pid $d) || continue
		kill "$pid" 2>/dev/null
		for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		rm -f "$DAEMON_DIR/$d.pid"
	done
}

# remote_start DIR HIDDEN...: a second libvirtd, as another host would
# be: in a mount namespace of its own where each HIDDEN directory (our
# cache, our TMPDIR) is an empty tmpfs, with its own state, its own
# virtlogd, and no authentication on a socket in DIR/sock.  Sets
# REMOTE, its URI.  remote_stop ends it; remote_kill kills it with
# SIGKILL and leaves its QEMUs running, as a crash would.
remote_start() {
	REMOTE_DIR=$1
	shift
	mkdir -p "$REMOTE_DIR/sock"
	chmod 0755 "$REMOTE_DIR" "$REMOTE_DIR/sock"
	cat >"$REMOTE_DIR/libvirtd.conf" <<-EOF
		unix_sock_dir = "$REMOTE_DIR/sock"
		unix_sock_ro_perms = "0777"
		unix_sock_rw_perms = "0777"
		auth_unix_ro = "none"
		auth_unix_rw = "none"
	EOF
	REMOTE="qemu+unix:///system?socket=$REMOTE_DIR/sock/libvirt-sock"
	local d hide=""
	for d in "$@"; do hide="$hide mount -t tmpfs tmpfs '$d' &&"; done
	# virtlogd lives as long as the namespace is wanted: a restarted
	# libvirtd joins it there.
	unshare -m --propagation private sh -c "$hide
		for d in /run/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt /etc/libvirt; do
			mkdir -p \$d && mount -t tmpfs tmpfs \$d || exit 1
		done
		mkdir -p /var/lib/libvirt/images /var/log/libvirt/qemu &&
		exec virtlogd -d -p '$REMOTE_DIR/virtlogd.pid'" || return 1
	remote_restart
}
# remote_restart: libvirtd again, in the same namespace (after remote_kill).
remote_restart() {
	nsenter -t "$(cat "$REMOTE_DIR/virtlogd.pid")" -m \
		libvirtd -d -f "$REMOTE_DIR/libvirtd.conf" -p "$REMOTE_DIR/libvirtd.pid" || return 1
	for _ in $(seq 50); do virsh -q -c "$REMOTE" version >/dev/null 2>&1 && return 0; sleep 0.2; done
	return 1
}
remote_kill() {
	kill -9 "$(cat "$REMOTE_DIR/libvirtd.pid")" 2>/dev/null
	rm -f "$REMOTE_DIR/libvirtd.pid"
	sleep 0.2
}
remote_stop() {
	local d pid
	[ -n "${REMOTE_DIR:-}" ] || return 0
	for d in libvirtd virtlogd; do
		pid=$(cat "$REMOTE_DIR/$d.pid" 2>/dev/null) || continue
		kill "$pid" 2>/dev/null
		for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		rm -f "$REMOTE_DIR/$d.pid"
	done
}

# remote_setup: a test of a remote host needs root, libvirtd and
# util-linux's namespace tools; then boot_setup, and a second libvirtd
# (remote_start) that sees neither our cache nor TMPDIR, stopped on exit.
remote_setup() {
	[ "$(id -u)" = 0 ] || skip_all "a second libvirtd in its own mount namespace needs root"
	command -v libvirtd >/dev/null || skip_all "libvirtd not installed (libvirt-daemon-system)"
	command -v unshare >/dev/null && command -v nsenter >/dev/null ||
		skip_all "unshare and nsenter (util-linux) are missing"
	boot_setup
	trap 'remote_stop; rm -rf "$T"' EXIT
	remote_start "$T/remote" "$CACHE" "$TMPDIR" || skip_all "the second libvirtd did not start"
}
# virsh on it; the names of the volumes of its pool leanboot; and how many
# of them are named after a launch (NAME.HOST-PID.WHAT: overlays, copies
# and parts, which no launch may leave).
vs() { virsh -q -c "$REMOTE" "$@"; }
vols() { vs vol-list leanboot 2>/dev/null | awk '{print $1}' | sort; }
launch_vols() { vols | grep -c '\.[A-Za-z0-9_]*-[0-9][0-9]*\.'; }

# jget FILE PATH: a value of the JSON document FILE.  PATH is keys and
# array indexes joined by dots; KEY=VALUE picks the array's element whose
# KEY is VALUE; "#" at the end gives an array's length.
jget() {
	perl -MJSON::PP -e '
		local $/; open my $f, "<", $ARGV[0] or die; my $v = decode_json(<$f>);
		for my $k (split /\./, $ARGV[1]) {
			if ($k eq "#") { $v = ref $v eq "ARRAY" ? scalar(@$v) : 0; last }
			if ($k =~ /^(\w+)=(.*)$/) {
				my ($key, $want) = ($1, $2);
				($v) = grep { ref $_ eq "HASH" && defined $_->{$key} && $_->{$key} eq $want } @{ ref $v eq "ARRAY" ? $v : [] };
				next;
			}
			$v = ref $v eq "ARRAY" ? $v->[$k] : ref $v eq "HASH" ? $v->{$k} : undef;
		}
		print ref $v eq "ARRAY" ? join("|", @$v) : defined $v ? $v : "(none)";' "$1" "$2" 2>/dev/null ||
		echo "(bad json)"
}

# virt_inspector OUT ERR TIMEOUT ARGS...: libguestfs's virt-inspector on
# TCG, its XML in OUT and its stderr appended to ERR.  libguestfs before
# 1.58 does not translate a btrfs volume's device back to its own names
# (its commit "Fix btrfs volume reverse translation"), so when the
# appliance's kernel probes the disks in another order than libguestfs
# added them, a root in btrfsvol:/dev/sdb/... is looked for on the wrong
# disk: "root device not found".  The same race can leave a partition's
# node missing when virt-inspector mounts it ("mount_ro_stub: /dev/sdb4:
# No such file or directory"): it then exits 0 without that filesystem.
# Those failures, and only those, are tried again, twice at most.
virt_inspector() {
	vi_out=$1 vi_err=$2 vi_tmo=$3
	shift 3
	for vi_try in 1 2 3; do
		: >"$vi_err.try"
		LIBGUESTFS_BACKEND=direct LIBGUESTFS_BACKEND_SETTINGS=force_tcg timeout "$vi_tmo" \
			virt-inspector --format=raw "$@" >"$vi_out" 2>"$vi_err.try"
		vi_status=$?
		cat "$vi_err.try" >>"$vi_err"
		[ $vi_try != 3 ] || break
		if [ $vi_status != 0 ] && grep -q 'btrfsvol:.*root device not found' "$vi_err.try"; then
			diag "virt-inspector lost a btrfs root to the disks' probe order (libguestfs < 1.58); try $((vi_try + 1))"
		elif grep -q 'mount_ro_stub: /dev/[a-z0-9]*: No such file or directory' "$vi_err.try"; then
			diag "virt-inspector found no node for a partition it mounts; try $((vi_try + 1))"
		else
			break
		fi
	done
	rm -f "$vi_err.try"
	return $vi_status
}
