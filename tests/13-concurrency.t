#!/bin/bash
# Four at once on one fresh cache: the appliance is built once (the others
# wait on its lock), the vmlinux extracted once (likewise), and four
# launches, two through libvirt (each in an embedded root of its own) and
# two direct, all succeed and leave nothing behind.
. "$(dirname "$0")/lib.sh"
tmpdir
export LEANBOOT_ACCEL=tcg LEANBOOT_CACHE="$T/cache"
unset LEANBOOT_CONNECT LEANBOOT_BACKEND
plan 8
kver=$(basename "$(ls -t /boot/vmlinuz-* | head -1)" | sed 's/^vmlinuz-//')

# The kernel first: the builds below boot a template, which needs it.
for i in 1 2 3 4; do "$HELPERS/kernel-test" "$T/cache" "$(ls -t /boot/vmlinuz-* | head -1)" >"$T/kt$i" & done
wait
check "four concurrent extractions: one extracts, three find it cached" \
	[ "$(cat "$T"/kt* | grep -c '^extracted ') $(cat "$T"/kt* | grep -c '^cached ')" = "1 3" ]

for i in 1 2 3 4; do ("$LB" appliance build >"$T/build$i" 2>&1; echo $? >"$T/brc$i") & done
wait
got="$(cat "$T"/brc? | xargs) $(cat "$T"/build* | grep -c '^built ') $(cat "$T"/build* | grep -c '^cache hit')"
check "four concurrent builds: all exit 0; one builds, three find it built (and its template)" [ "$got" = "0 0 0 0 1 3" ]
[ "$got" = "0 0 0 0 1 3" ] || diag "status, built, hits: $got" "$(tail -n 4 "$T"/build?)"
check "no half-built appliance is left" sh -c "! ls -d '$T'/cache/build.* '$T'/cache/old.* 2>/dev/null | grep -q ."

# libvirt probes QEMU once per embedded root; later roots start from the
# first one's answer.  Probe it here, one at a time.
"$LB" check -q --topology minimal
for i in 1 2 3 4; do
	b=libvirt; [ $i -gt 2 ] && b=direct
	# Each runs long enough for the others to start: a warm launch can
	# be over before the next has claimed an embedded root.
	("$LB" run --backend $b -- sh -c 'uname -r; sleep 3' >"$T/out$i" 2>"$T/err$i"; echo $? >"$T/rc$i") &
done
wait
good=0
for i in 1 2 3 4; do
	[ "$(cat "$T/rc$i")" = 0 ] && [ "$(cat "$T/out$i")" = "$kver" ] && good=$((good + 1))
done
if [ $good = 4 ]; then ok "four concurrent launches succeed (2 through libvirt, 2 direct)"
else not_ok "four concurrent launches succeed (2 through libvirt, 2 direct)"; diag "$(cat "$T"/err*)"; fi
check "the two libvirt launches used two embedded roots" [ -d "$T/cache/libvirt" -a -d "$T/cache/libvirt-1" ]
check "the second root started from the first one's QEMU capabilities" \
	sh -c "ls '$T/cache/libvirt-1/cache/qemu/capabilities/' 2>/dev/null | grep -q xml"
ls "$T/cache/libvirt-1/cache/qemu/capabilities/" 2>/dev/null | grep -q xml ||
	diag "roots: $(ls -d "$T"/cache/libvirt*)" "$(cat "$T"/err* "$T/cache/libvirt.log" 2>/dev/null | tail -20)"
# The cache is this test's: every domain in its roots is.
left=0
for r in "$T"/cache/libvirt "$T"/cache/libvirt-[0-9]*; do
	[ -d "$r" ] || continue
	left=$((left + $(virsh -c "qemu:///embed?root=$r" list --all --name 2>/dev/null | grep -c .)))
done
check "no domain is left in any root" [ $left = 0 ]
check_left "no qemu, no domain, an empty TMPDIR"
finish
