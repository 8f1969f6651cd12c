#!/bin/bash
# What a launch must not change about the images it is given: content,
# owner, mode, xattrs or ctime; the same for a qcow2's backing file and for
# the appliance's own kernel and initrd.  Through each backend, with the
# relative names users type in the image's folder, a relative backing name
# included.
. "$(dirname "$0")/lib.sh"
command -v setfattr >/dev/null || skip_all "setfattr is missing (apt-get install attr)"
tmpdir
mkdir "$T/img"
export LEANBOOT_ACCEL=tcg
unset LEANBOOT_CONNECT LEANBOOT_BACKEND
plan 16

"$LB" appliance build -q || { not_ok "appliance builds"; finish; }
"$top/tests/helpers/mkimage" debian "$T/img/debian.img" || not_ok "mkimage debian"
(cd "$T/img" && qemu-img create -q -f qcow2 -b debian.img -F raw top.qcow2)
kernel=$("$LB" xml | sed -n 's|.*<kernel>\(.*\)</kernel>.*|\1|p')
initrd=$("$LB" xml | sed -n 's|.*<initrd>\(.*\)</initrd>.*|\1|p')
images="$T/img/debian.img $T/img/top.qcow2"
# Another user's images, as a sysadmin would inspect them: libvirt's DAC
# driver used to hand them to root and leave them so.
if [ "$(id -u)" = 0 ]; then
	chown nobody:nogroup $images
fi
chmod 0640 $images
for f in $images; do setfattr -n user.leanboot.test -v mine "$f"; done

# Everything that must stay as it is: owner, group, mode, ctime (to the
# nanosecond: a chown back to the same owner moves it), xattrs, content.
state() {
	for f in $images "$kernel" "$initrd"; do
		stat -c '%n %U:%G %a %z' "$f"
		getfattr -d -m - --absolute-names "$f" 2>/dev/null
		sha256sum "$f"
	done
}
state >"$T/before"

size=$(( $(stat -c %s "$T/img/debian.img") / 512 ))
for b in libvirt direct; do
	(cd "$T/img" && "$LB" --backend $b inspect --json debian.img) >"$T/raw.json" 2>"$T/err"
	check "$b: inspect debian.img, by its relative name, finds the OS" \
		[ "$(jget "$T/raw.json" operating_systems.0.hostname)" = debtest ]
	(cd "$T/img" && "$LB" --backend $b inspect --format qcow2 --json top.qcow2) >"$T/top.json" 2>>"$T/err"
	check "$b: inspect top.qcow2, relative over a relative backing name, finds the OS" \
		[ "$(jget "$T/top.json" operating_systems.0.hostname)" = debtest ]
	check "$b: the backing chain is listed by its full name" \
		[ "$(jget "$T/top.json" disks.0.backing_chain.0)" = "$T/img/debian.img" ]
	out=$(cd "$T/img" && "$LB" --backend $b run --disk debian.img -- blockdev --getsz /dev/disk/leanboot/0 2>>"$T/err")
	check "$b: run --disk debian.img by its relative name sees all $size sectors" [ "$out" = "$size" ]
	check "$b: nothing on stderr" [ ! -s "$T/err" ]
	[ -s "$T/err" ] && diag "$(cat "$T/err")"
	state >"$T/after"
	check "$b: owner, mode, ctime, xattrs and content of the images, kernel and initrd are unchanged" \
		cmp -s "$T/before" "$T/after"
	cmp -s "$T/before" "$T/after" || diag "$(diff "$T/before" "$T/after")"
done

# The direct backend hands a disk and its backing file to QEMU at fixed
# descriptor numbers.  Where leanboot's own descriptors for them fall
# depends on what it inherited, and two of those numbers once collided,
# so that QEMU got a closed descriptor or the wrong file: so inherit
# nothing but the standard streams, then up to a dozen more, and each
# launch must still find the OS.
held() {
	local n=$1 i f
	for f in /proc/$BASHPID/fd/*; do
		i=${f##*/}
		[ "$i" -gt 2 ] && eval "exec $i<&-" 2>/dev/null
	done
	for ((i = 3; i < 3 + n; i++)); do eval "exec $i</dev/null"; done
	exec "$LB" --backend direct inspect --format qcow2 --json top.qcow2
}
bad=
for n in 0 1 2 3 4 5 6 7 8 9 10 11 12; do
	(cd "$T/img" && held $n) >"$T/held.json" 2>"$T/err"
	[ "$(jget "$T/held.json" operating_systems.0.hostname)" = debtest ] && [ ! -s "$T/err" ] ||
		bad="$bad $n"
done
check "direct: a qcow2 chain is found whatever descriptors leanboot inherits${bad:+ (not with$bad more)}" [ -z "$bad" ]
[ -n "$bad" ] && diag "$(cat "$T/err")"

# A failure in the image's folder is one line, with no libvirt log.
cp "$T/img/top.qcow2" "$T/img/lost.qcow2"
qemu-img rebase -q -u -f qcow2 -b gone.img -F raw "$T/img/lost.qcow2"
expect_fail "a missing backing file: one line" 2 "gone.img: No such file or directory" \
	sh -c "cd '$T/img' && exec '$LB' inspect --format qcow2 lost.qcow2"
check "no run directory is left" [ -z "$(ls -A "$TMPDIR")" ]
check_left "no qemu and no domain is left either"
finish
