#!/bin/bash
# As an ordinary user, the way CI runners and containers run it: not root,
# not in the kvm or libvirt groups, no daemon.  Every command works through
# the default backend (libvirt's embedded driver) and the direct one, and
# the KVM notice comes once for a fresh cache, not once a launch.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip_all "needs root to create the unprivileged user"
command -v runuser >/dev/null || skip_all "runuser is missing (util-linux)"
user=leanboot-rootless
made_user=0
if ! getent passwd $user >/dev/null; then
	useradd -M -d /nonexistent -s /usr/sbin/nologin $user || skip_all "useradd failed"
	made_user=1
fi
tmpdir
trap 'remote_stop; rm -rf "$T"; [ $made_user = 0 ] || userdel $user' EXIT
# The build tree may sit in a directory only root can enter: the user
# gets a copy of the program and of the appliance's inputs.
mkdir -p "$T/lb/bin" "$T/lb/lib/leanboot" "$T/tmp" "$T/home" "$T/cache"
cp "$LB" "$T/lb/bin/"
cp "$top"/build/lib/leanboot/{packages,modules,init,inspect} "$T/lb/lib/leanboot/"
"$top/tests/helpers/mkimage" debian "$T/debian.img" || not_ok "mkimage debian"
chmod 0755 "$T"
chmod -R a+rX "$T/lb" "$T/debian.img"
chown $user "$T/tmp" "$T/home" "$T/cache"
plan 26

groups=$(id -nG $user)
case " $groups " in
*" kvm "* | *" libvirt "*) diag "$user is in: $groups" ;;
esac
# Debian's PATH for an ordinary user (login.defs): no sbin directory,
# where modprobe and mke2fs live.
user_path=/usr/local/bin:/usr/bin:/bin
# as_user NAME ARGS...: leanboot as the user, stderr to $T/NAME.err.
as_user() {
	local name=$1
	shift
	runuser -u $user -- env -i PATH="$user_path" HOME="$T/home" TMPDIR="$T/tmp" \
		LEANBOOT_CACHE="$T/cache" "$T/lb/bin/leanboot" "$@" 2>"$T/$name.err"
}
kver=$(readlink "$("$LB" appliance info | awk '$1=="kernel"{print $2}')" | sed 's|.*/vmlinuz-||')

as_user build appliance build >"$T/build.out"
st=$?
check "the user builds the appliance and its template: exit 0, and it says so" \
	sh -c "[ $st = 0 ] && grep -q '^template for direct' '$T/build.out'"
[ $st = 0 ] || diag "exit $st: $(tail -n 3 "$T/build.err")"
out=$(as_user run1 run -- uname -r)
check "the default (direct qemu): run -- uname -r prints $kver" [ -n "$kver" -a "$out" = "$kver" ]
[ -s "$T/run1.err" ] && diag "$(cat "$T/run1.err")"
out=$(as_user run2 --backend libvirt run -- echo libvirt)
check "embedded libvirt: run" [ "$out" = libvirt ]
check "check --topology minimal: 0 root ports, no USB, no balloon" \
	as_user check check -q --topology minimal --expect pcie-root-port=0,usb=0,memballoon=0
check "check --boot: the guest enumerates what libvirt expanded" \
	as_user boot check -q --boot --topology minimal
as_user inspect inspect --json "$T/debian.img" >"$T/inspect.json"
check "inspect: the OS in an image" grep -q '"hostname": "debtest"' "$T/inspect.json"
[ -s "$T/inspect.err" ] && diag "$(cat "$T/inspect.err")"
check "bench: one round" sh -c "$(declare -f as_user); user=$user user_path=$user_path T='$T' as_user bench bench -q --runs 1 --warmup 0 --topology minimal --plain >/dev/null"

# Its trace is a file outside the run directory, bound into QEMU's root.
as_user bench-direct --backend direct bench -q --runs 1 --warmup 0 --topology minimal >/dev/null
st=$?
check "bench through the direct backend: one round, with QEMU's whole jail (no notice)" \
	sh -c "[ $st = 0 ] && ! grep -q 'less confined' '$T/bench-direct.err'"

# A libvirt daemon that sees neither the user's cache nor TMPDIR, reached
# through the remote driver: the user's appliance travels through it.
if remote_start "$T/remote" "$T/cache" "$T/tmp"; then
	out=$(as_user remote -c "$REMOTE" run -- uname -r)
	check "through a remote daemon (qemu+unix): run -- uname -r" [ "$out" = "$kver" ]
	[ -s "$T/remote.err" ] && diag "$(cat "$T/remote.err")"
	remote_stop
else
	not_ok "a second libvirtd starts in its own mount namespace"
fi

# Confinement as an ordinary user: QEMU is the user, under a seccomp
# filter with no_new_privs; the direct backend's QEMU sits in namespaces
# of a user namespace of its own, and sees none of the host's files.
for b in direct libvirt; do
	as_user conf-$b --backend $b run -- sh -c 'echo up; sleep 3' >"$T/conf-$b.out" &
	job=$!
	if q=$(qemu_of "$T/conf-$b.out"); then
		confine_show "$q"
		check "$b: QEMU runs as the user, with Seccomp: 2 and NoNewPrivs: 1" \
			sh -c "[ \"\$(stat -c %U /proc/$q)\" = $user ] && [ $(confine_status "$q" Seccomp) = 2 ] &&
			       [ $(confine_status "$q" NoNewPrivs) = 1 ]"
		if [ $b = direct ]; then
			check "direct: QEMU's network namespace is not the host's" confine_netns "$q"
			check "direct: its user namespace is not the host's" \
				[ "$(readlink "/proc/$q/ns/user")" != "$(readlink /proc/self/ns/user)" ]
			check "direct: its root holds /usr, and neither /root, /home nor the user's files" \
				confine_bare "$q" "$T/debian.img" "$T/lb/bin/leanboot"
		fi
	else
		not_ok "$b: QEMU found running"
	fi
	wait $job
	check "$b: the launch exits 0" [ $? = 0 ]
done
# An image the user cannot read: refused before any VM, in one line.
install -m 0600 "$T/debian.img" "$T/root-only.img"
expect_fail "an image only root can read: exit 2, one line" 2 "root-only.img: Permission denied" \
	runuser -u $user -- env -i PATH="$user_path" HOME="$T/home" TMPDIR="$T/tmp" \
	LEANBOOT_CACHE="$T/cache" "$T/lb/bin/leanboot" inspect "$T/root-only.img"
# Where the system forbids namespaces, as a container's seccomp profile
# does, QEMU runs without them, and leanboot says so once (-v: every time).
# Their stderr goes to .log files: the KVM notice's count below is of the
# .err files.
cp "$HELPERS/nons" "$T/lb/bin/" && chmod a+rx "$T/lb/bin/nons"
nons_user() {
	local name=$1
	shift
	runuser -u $user -- env -i PATH="$user_path" HOME="$T/home" TMPDIR="$T/tmp" \
		LEANBOOT_CACHE="$T/cache" "$T/lb/bin/nons" "$T/lb/bin/leanboot" "$@" 2>"$T/$name.log"
}
for i in 1 2; do
	out=$(nons_user nons$i --backend direct run -- echo ok)
	check "no namespaces, launch $i: it runs" [ "$out" = ok ]
done
check "it says which layer it lost once, in one line" \
	sh -c "[ \$(grep -c 'notice: QEMU is less confined: namespaces' '$T/nons1.log') = 1 ] &&
	       [ \$(grep -c 'notice:' '$T/nons2.log') = 0 ]"
nons_user nons3 -v --backend direct run -- true >/dev/null
check "-v says it every time" grep -q 'notice: QEMU is less confined: namespaces' "$T/nons3.log"

# The notice: once, on the first boot of a fresh cache (the build's
# template), when the answer is TCG; never again from the cached answer.
notices=$(cat "$T"/*.err | grep -c 'notice: .*using TCG')
if grep -q ' tcg ' "$T/cache/accel-probe"; then want=1; else want=0; fi
check "the KVM notice came $want time(s) in seven commands" [ "$notices" = $want ]
check "not on the second launch" [ "$(grep -c 'notice:' "$T/run2.err")" = 0 ]
check "-v repeats it" sh -c "[ $want = 0 ] && [ -s '$T/cache/accel-probe' ] || runuser -u $user -- env -i PATH='$user_path' HOME='$T/home' \
	TMPDIR='$T/tmp' LEANBOOT_CACHE='$T/cache' '$T/lb/bin/leanboot' -v --backend direct run -- true 2>&1 |
	grep -q 'notice: .*using TCG'"
check "every file in the user's cache is the user's" \
	sh -c "[ -d '$T/cache/libvirt' ] && [ -z \"\$(find '$T/cache' ! -user $user | head -n 3)\" ]"
# The user's embedded roots are the user's: no domain is counted there
# as root (check_left counts none without a root).
own_roots() { :; }
check_left "no qemu and no run directory is left"
finish
