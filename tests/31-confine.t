#!/bin/bash
# Confinement, run as root: QEMU never runs as root, and runs under a
# seccomp filter with no_new_privs, through each backend; the direct
# backend's QEMU has its own network namespace and a root in which the
# host's files are not; and an image only root can read is inspected with
# its content, owner, mode and ctime unchanged.  tests/18 checks the same
# for an ordinary user, through a user namespace.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip_all "the confinement of root's launches needs root"
boot_setup
plan 22

# A file of the caller's that QEMU must not see.
echo secret >"$T/secret"

for b in direct libvirt; do
	"$LB" --backend $b run -- sh -c 'echo up; sleep 3' >"$T/$b.out" 2>"$T/$b.err" &
	job=$!
	if q=$(qemu_of "$T/$b.out"); then
		confine_show "$q"
		check "$b: QEMU's uid is not 0" sh -c "! awk '\$1==\"Uid:\"{print \$2,\$3,\$4,\$5}' /proc/$q/status | grep -qw 0"
		check "$b: QEMU has a seccomp filter (Seccomp: 2)" [ "$(confine_status "$q" Seccomp)" = 2 ]
		check "$b: QEMU has no_new_privs (NoNewPrivs: 1)" [ "$(confine_status "$q" NoNewPrivs)" = 1 ]
		if [ $b = direct ]; then
			check "direct: QEMU's network namespace is not the host's" confine_netns "$q"
			check "direct: QEMU's root holds /usr, and neither /root, /home, /etc/passwd nor the caller's files" \
				confine_bare "$q" "$T/secret" "$top/Makefile"
			check "direct: QEMU is pid 1 of a pid namespace of its own" \
				sh -c "awk '\$1==\"NSpid:\"{exit !(NF==3 && \$3==1)}' /proc/$q/status"
			check "direct: no core dumps" sh -c "grep -q '^Max core file size *0 *0' /proc/$q/limits"
		fi
	else
		not_ok "$b: QEMU found running"
		diag "$(cat "$T/$b.err")"
	fi
	wait $job
	check "$b: the confined launch exits 0" [ $? = 0 ]
done

# An image only root can read, inspected as root through each backend:
# QEMU reads it through the descriptor leanboot opened.
"$top/tests/helpers/mkimage" debian "$T/root-only.img" >/dev/null || not_ok "mkimage debian"
chmod 0600 "$T/root-only.img"
chown root:root "$T/root-only.img"
facts() { stat -c '%u:%g %a %Z' "$T/root-only.img"; sha256sum <"$T/root-only.img"; }
before=$(facts)
for b in direct libvirt; do
	for s in cold warm; do
		if [ $b = libvirt ] && [ $s = warm ]; then
			# libvirt 9.0 takes a descriptor only at a start.
			expect_fail "libvirt: --start warm with a disk, as root: exit 2, one line" 2 \
				"takes the disks only at a cold start" \
				"$LB" --backend libvirt inspect --start warm "$T/root-only.img"
			continue
		fi
		out=$("$LB" --backend $b inspect --start $s --json "$T/root-only.img" 2>"$T/i.err")
		check "$b, $s: the root-only image is inspected (hostname debtest)" \
			grep -q '"hostname": "debtest"' <<<"$out"
		[ -s "$T/i.err" ] && diag "$(cat "$T/i.err")"
	done
done
check "its owner, mode, ctime and sha256 are unchanged" [ "$(facts)" = "$before" ]
# A block device only root can open: by descriptor through the direct
# backend (host_device on /dev/fdset); libvirt 9.0 takes descriptors only
# for files, so through it, as root, it is refused in one line.
printf 'block-data' >"$T/blk.img"
truncate -s 8M "$T/blk.img"
if loop=$(losetup -f --show "$T/blk.img" 2>/dev/null); then
	out=$("$LB" --backend direct run --disk "$loop" -- head -c 10 /dev/disk/leanboot/0 2>"$T/b.err")
	check "direct: a root-only block device reads back through its descriptor" [ "$out" = block-data ]
	[ -s "$T/b.err" ] && diag "$(cat "$T/b.err")"
	expect_fail "libvirt: a block device, as root: exit 2, one line" 2 "libvirt 9.0 takes only for files" \
		"$LB" --backend libvirt run --disk "$loop" -- true
	losetup -d "$loop"
else
	skip "no loop device here (losetup)"
	skip "no loop device here (losetup)"
fi
# Through libvirt QEMU opens the run directory's files by name, as its
# own user: a TMPDIR it cannot traverse is refused in one line.
mkdir -m 0700 "$T/tmp/private"
TMPDIR=$T/tmp/private expect_fail "libvirt, a TMPDIR QEMU's user cannot traverse: exit 2, one line" 2 \
	"QEMU's user cannot reach $T/tmp/private (mode 0700)" "$LB" --backend libvirt run --start cold -- true
check "... and leaves no run directory in it" [ -z "$(ls -A "$T/tmp/private")" ]
rmdir "$T/tmp/private"
check_left "no qemu and no run directory is left"
finish
