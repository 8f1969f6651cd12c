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
# skip REASON: one planned test this host cannot run.
skip() { n=$((n + 1)); echo "ok $n # SKIP $*"; }

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

# check_status [-i IN] [-o OUT] [-e ERR] DESCRIPTION WANT COMMAND...: ok
# when COMMAND exits WANT.  Its stdin comes from IN; its stdout goes to
# OUT, or else into $out; its stderr to ERR, or else into $err, and is
# shown when the check fails.  $st is its exit status.
check_status() {
	local in=/dev/null o="" e="" desc want f
	while :; do
		case $1 in
		-i) in=$2 ;;
		-o) o=$2 ;;
		-e) e=$2 ;;
		*) break ;;
		esac
		shift 2
	done
	desc=$1 want=$2
	shift 2
	f=${e:-$(mktemp "${T:-/tmp}/err.XXXXXX")}
	# shellcheck disable=SC2034 # $out is the caller's
	if [ -n "$o" ]; then "$@" <"$in" >"$o" 2>"$f"; st=$?; out=""
	else out=$("$@" <"$in" 2>"$f"); st=$?; fi
	err=$(cat "$f")
	[ -n "$e" ] || rm -f "$f"
	if [ "$st" = "$want" ]; then ok "$desc"
	else not_ok "$desc"; diag "exit $st (want $want)" "$(tail -n 5 <<<"$err")"; fi
}

# A temporary directory removed when the test ends, with TMPDIR in it:
# the run directories of the test's launches (leanboot-XXXXXX) are made
# there, so they and the QEMUs that name them are the test's own.
# OWN_DIRS lists the directories only this test uses (a test adds its
# own cache when it has one outside T).
tmpdir() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/leanboot-test.XXXXXX")
	trap 'rm -rf "$T"' EXIT
	# Traversable, as /tmp is: run as root, libvirt's QEMU runs as
	# leanboot-qemu and opens the run directory's files by name.
	chmod 0711 "$T"
	mkdir "$T/tmp"
	export TMPDIR="$T/tmp"
	OWN_DIRS=("$T")
	own_track
}

# --- what this test started, and nothing else ---------------------------
# The machine may run other VMs, other tests among them, so "nothing
# left" is about this test's processes.  A QEMU is this test's when its
# argv names a file in OWN_DIRS: the root overlay or a socket in its run
# directory, or a disk of the test's.  Two kinds name none: a template
# being made in a shared cache (its run directory is
# CACHE/template/leanboot-XXXXXX), and a cold launch of the initramfs
# shape with --channel off and no disk of the test's (no overlay, no
# socket).  Both are children of their leanboot while it runs (direct:
# it forks QEMU; the embedded driver's QEMU is adopted, leanboot being a
# child subreaper), so own_track notes twice a second every QEMU that
# descends from the test, by pid and start time, and one that outlives
# its leanboot is still known.  A QEMU that a libvirt daemon starts is
# the daemon's child: it is known by its argv only, so a template made
# through qemu:///system in a shared cache is not (tests/10).  A remote
# host's QEMUs are its own (remote_qemus).

# own_id PID: "PID STARTTIME", which no later process of that pid has;
# nothing for a process that is gone or a zombie (gone, not yet reaped).
own_id() {
	local s
	read -r s 2>/dev/null <"/proc/$1/stat" || return 1
	# The name, in parentheses, may hold spaces: fields after it.
	s=${s##*) }
	# shellcheck disable=SC2086
	set -- "$1" $s
	[ "$2" != Z ] || return 1
	echo "$1 ${21}"
}
# own_descends PID: whether PID is this test's shell or descends from it.
own_descends() {
	local p=$1 k v up
	while [ "${p:-0}" -gt 1 ]; do
		[ "$p" = "$$" ] && return 0
		up=0
		while read -r k v; do
			[ "$k" = PPid: ] && { up=$v; break; }
		done 2>/dev/null <"/proc/$p/status"
		p=$up
	done
	return 1
}
# The QEMUs running on the machine, whoever started them.
all_qemus() { pgrep -f '^[^ ]*qemu-system'; }
# own_track: start the note of this test's QEMUs ($T/.qemus).  It runs
# apart from the test's jobs (a plain `wait` does not wait for it) and
# ends with the test.
own_track() {
	local top=$$
	: >"$T/.qemus"
	( (
		exec </dev/null >/dev/null 2>&1
		while kill -0 "$top" && [ -d "$T" ]; do
			for q in $(all_qemus); do
				own_descends "$q" && id=$(own_id "$q") && ! grep -qxF "$id" "$T/.qemus" &&
					echo "$id" >>"$T/.qemus"
			done
			sleep 0.5
		done
	) & )
}
# own_qemus: the pids of this test's QEMUs still running, one a line.
own_qemus() {
	local q id
	for q in $(all_qemus); do
		id=$(own_id "$q") || continue
		if own_descends "$q" || grep -qxF "$id" "$T/.qemus" 2>/dev/null ||
		   tr '\0' ' ' 2>/dev/null <"/proc/$q/cmdline" | own_names; then
			echo "$q"
		fi
	done
}
# running IDS: whether a process of one of those ids (own_id, one a
# line) still runs.
running() {
	local p s
	while read -r p s; do
		[ -n "$p" ] && [ "$(own_id "$p")" = "$p $s" ] && return 0
	done <<<"$1"
	return 1
}
# own_kill: kill -9 this test's QEMUs, as a crash would end them.
own_kill() {
	local q
	q=$(own_qemus)
	# shellcheck disable=SC2086
	[ -z "$q" ] || kill -9 $q 2>/dev/null
}
# own_domains URI...: how many domains defined on those connections name
# a file in OWN_DIRS (a template's, in a shared cache, names none: its
# QEMU is own_qemus's to find).
own_domains() {
	local u d n=0
	for u in "$@"; do
		while read -r d; do
			[ -n "$d" ] || continue
			virsh -q -c "$u" dumpxml "$d" 2>/dev/null | own_names && n=$((n + 1))
		done < <(virsh -q -c "$u" list --all --name 2>/dev/null)
	done
	echo $n
}
# own_names: whether stdin names a file in OWN_DIRS.
own_names() {
	local a d
	a=$(cat)
	for d in "${OWN_DIRS[@]}"; do
		case $a in *"$d/"*) return 0 ;; esac
	done
	return 1
}
# own_roots: the embedded roots of the cache this test launches with
# (CACHE, else the one appliance info names), as URIs.
own_roots() {
	local c=${CACHE:-$("$LB" appliance info 2>/dev/null | awk '$1=="cache"{print $2}')} r
	[ -n "$c" ] || return 0
	for r in "$c"/libvirt "$c"/libvirt-[0-9]*; do
		[ -d "$r" ] && echo "qemu:///embed?root=$r"
	done
}
# nothing_left: what this test left, as "QEMUS DOMAINS DIRS": its QEMUs
# (given 5 s to go), its domains on the cache's embedded roots (libvirt
# forgets a domain whose QEMU is gone in a thread it starts as a root is
# opened, so a domain gets three opens), and the entries in TMPDIR (run
# directories).
nothing_left() {
	local d=0 roots
	for _ in $(seq 1 50); do [ -z "$(own_qemus)" ] && break; sleep 0.1; done
	mapfile -t roots < <(own_roots)
	for _ in 1 2 3; do
		d=$(own_domains "${roots[@]}")
		[ "$d" = 0 ] && break
		sleep 1
	done
	echo "$(own_qemus | grep -c .) $d $(ls -A "$TMPDIR" | wc -l)"
}
# check_left DESCRIPTION: ok when nothing_left finds nothing; else what.
check_left() {
	local l
	l=$(nothing_left)
	if [ "$l" = "0 0 0" ]; then ok "$1"
	else
		not_ok "$1"
		diag "qemu, domains, dirs: $l" "$(own_qemus | xargs -r ps -o pid=,args= -p)" "$(ls -A "$TMPDIR")"
	fi
}

# For tests that launch: a fresh TMPDIR for run directories (tmpdir), TCG, the
# default connection and backend, and the appliance built.  Sets CACHE
# and URI, the embedded driver's first root.
boot_setup() {
	tmpdir
	export LEANBOOT_ACCEL=tcg
	unset LEANBOOT_CONNECT LEANBOOT_BACKEND LEANBOOT_STOP_AT
	"$LB" appliance build -q || { not_ok "appliance builds"; finish; }
	CACHE=$("$LB" appliance info | awk '$1=="cache"{print $2}')
	URI="qemu:///embed?root=$CACHE/libvirt"
}

# Golden cases: "NAME ARGS..." lines, with @DIR@ made real and the disks
# the cases name created in $T.  Needs tmpdir first.  A NAME:argv case
# has no XML.
golden_cases() {
	[ -e "$T/data.img" ] || truncate -s 1M "$T/data.img"
	[ -e "$T/data.qcow2" ] || qemu-img create -q -f qcow2 "$T/data.qcow2" 1M
	grep -v '^#' "$GOLDEN/cases" | while read -r name args; do
		[ -n "$args" ] || args="--topology ${name%:argv}"
		echo "$name ${args//@DIR@/$T}"
	done
}

finish() { [ "$failed" = 0 ]; exit $?; }

# --- a running QEMU's confinement (tests/18, tests/31) ----------------
# qemu_of OUT: the pid of this test's launch's QEMU, once its guest has
# printed "up" to OUT (so QEMU is past its set-up), within 60 s.  Named
# guest=leanboot-*: libvirt's capability probe is a QEMU too.
qemu_of() {
	local q
	for _ in $(seq 1 600); do
		grep -q up "$1" 2>/dev/null && break
		sleep 0.1
	done
	for q in $(own_qemus); do
		tr '\0' ' ' <"/proc/$q/cmdline" 2>/dev/null | grep -q 'guest=leanboot-' && { echo "$q"; return 0; }
	done
	return 1
}
# confine_status PID FIELD: a field of /proc/PID/status.
confine_status() { awk -v f="$2:" '$1==f{print $2; exit}' "/proc/$1/status"; }
# confine_show PID: the fields the checks read, for a failure's diagnosis.
confine_show() { diag "$(grep -E '^(Uid|Gid|NoNewPrivs|Seccomp):' "/proc/$1/status" | tr '\t\n' '  ')"; }
# confine_netns PID: whether PID's network namespace is not ours.
confine_netns() { [ "$(readlink "/proc/$1/ns/net")" != "$(readlink /proc/self/ns/net)" ]; }
# confine_bare PID FILE...: whether PID's root holds /usr/bin, and none of
# /root, /home, /etc/passwd and the FILEs.
confine_bare() {
	local r=/proc/$1/root f
	shift
	[ -d "$r/usr/bin" ] && [ ! -e "$r/root" ] && [ ! -e "$r/home" ] && [ ! -e "$r/etc/passwd" ] || return 1
	for f in "$@"; do [ ! -e "$r$f" ] || return 1; done
}

# qemu:///system for the daemon tests: the machine's own virtlogd and
# libvirtd when they run, else ones started here with their pid files in
# DIR.  daemons_stop stops exactly those, by pid: never a daemon the
# machine's owner runs.
# named_runs NAME: whether a process named NAME runs.  A zombie does not:
# a daemon this test killed may not be reaped yet when it starts another.
named_runs() {
	local p s
	for p in $(pgrep -x "$1"); do
		read -r _ _ s _ 2>/dev/null <"/proc/$p/stat" && [ "$s" != Z ] && return 0
	done
	return 1
}
daemons_start() {
	DAEMON_DIR=$1
	named_runs virtlogd || virtlogd -d -p "$DAEMON_DIR/virtlogd.pid" || return 1
	named_runs libvirtd || libvirtd -d -p "$DAEMON_DIR/libvirtd.pid" || return 1
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
# remote_qemus: the ids (own_id) of the QEMUs the remote host runs, from
# the pid files its libvirtd keeps there (/run/libvirt/qemu/NAME.pid).
# They share our pid namespace, but name none of our files.
remote_qemus() {
	local f
	for f in "/proc/$(cat "$REMOTE_DIR/virtlogd.pid" 2>/dev/null)/root/run/libvirt/qemu/"*.pid; do
		[ -s "$f" ] && own_id "$(cat "$f")"
	done
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

# junit_read FILE: a JUnit report read the way a CI system's test reporter
# reads it (python3-junitparser): "failure NAME: MESSAGE" for each failed
# case, then "cases N failures F".
junit_read() {
	/usr/bin/python3 - "$1" <<'PY'
import sys
from junitparser import JUnitXml, Failure
n = f = 0
for suite in JUnitXml.fromfile(sys.argv[1]):
    for case in suite:
        n += 1
        for r in case.result:
            if isinstance(r, Failure):
                f += 1
                print("failure %s: %s" % (case.name, r.message))
print("cases %d failures %d" % (n, f))
PY
}

# facts_less_path: inspect --json on stdin, less each disk's path, which
# differs wherever the same image is seen from (a chroot, a container).
facts_less_path() { sed 's|"path": *"[^"]*"|"path"|'; }
