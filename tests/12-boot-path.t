#!/bin/bash
# The boot path: the PVH vmlinux extracted from the host's bzImage and
# cached (kernel.c, through a helper), the appliance's shapes, and the
# fallbacks.  Boots run under TCG with a deadline.
. "$(dirname "$0")/lib.sh"
tmpdir
export LEANBOOT_ACCEL=tcg
unset LEANBOOT_CONNECT LEANBOOT_BACKEND
plan 15
KT="$HELPERS/kernel-test"

bz=$(ls -t /boot/vmlinuz-* 2>/dev/null | head -1)
[ -n "$bz" ] || { not_ok "a host kernel in /boot"; finish; }
cp "$bz" "$T/vmlinuz"

out=$("$KT" "$T/cache" "$T/vmlinuz")
check "the first use extracts the vmlinux" [ "$out" = "extracted $T/cache/kernel/vmlinux" ]
check "it is an x86-64 ELF image with a PVH entry note (Xen note 0x12)" \
	sh -c "readelf -h '$T/cache/kernel/vmlinux' | grep -q 'X86-64' &&
	       readelf -n '$T/cache/kernel/vmlinux' | grep -A1 '^ *Xen' | grep -q '0x00000012'"

# The same bytes as xz gives for the payload the setup header points at,
# past the program headers (whose file sizes are trimmed of zeros).
sects=$(od -An -tu1 -j$((0x1f1)) -N1 "$T/vmlinuz" | tr -d ' ')
[ "$sects" = 0 ] && sects=4
poff=$(od -An -tu4 -j$((0x248)) -N4 "$T/vmlinuz" | tr -d ' ')
plen=$(od -An -tu4 -j$((0x24c)) -N4 "$T/vmlinuz" | tr -d ' ')
tail -c +$(((sects + 1) * 512 + poff + 1)) "$T/vmlinuz" | head -c "$plen" | xz -dc >"$T/ref" 2>/dev/null
check "its contents are the bzImage's xz payload" cmp -s -i 4096 "$T/ref" "$T/cache/kernel/vmlinux"
check "loadable segments keep their memory sizes; only zeros are cut from the file" \
	sh -c "[ \"\$(readelf -lW '$T/ref' | awk '/LOAD/ {print \$3, \$6}')\" = \
	         \"\$(readelf -lW '$T/cache/kernel/vmlinux' | awk '/LOAD/ {print \$3, \$6}')\" ]"
rm -f "$T/ref"

out=$("$KT" "$T/cache" "$T/vmlinuz")
check "the second use finds it cached" [ "$out" = "cached $T/cache/kernel/vmlinux" ]
touch -d '2001-01-01' "$T/vmlinuz"
out=$("$KT" "$T/cache" "$T/vmlinuz")
check "a changed kernel (new mtime) is extracted again" [ "$out" = "extracted $T/cache/kernel/vmlinux" ]
cp "$T/vmlinuz" "$T/vmlinuz2"
out=$("$KT" "$T/cache" "$T/vmlinuz2")
check "another kernel file is extracted again" [ "$out" = "extracted $T/cache/kernel/vmlinux" ]

head -c 8192 /dev/zero >"$T/zeros"
out=$("$KT" "$T/cache" "$T/zeros")
check "a file that is no bzImage is refused with the reason" \
	grep -q "not a bzImage" <<<"$out"
# The same kernel with its payload's magic made gzip's: refused by name.
cp "$T/vmlinuz" "$T/gz"
printf '\037\213' | dd of="$T/gz" bs=1 seek=$(((sects + 1) * 512 + poff)) conv=notrunc status=none
out=$("$KT" "$T/cache" "$T/gz")
check "a payload that is not xz is refused, naming its compressor" \
	grep -q "payload is gzip, and only xz is extracted" <<<"$out"

# Real boots.
"$LB" appliance build -q || { not_ok "appliance builds"; finish; }
CACHE=$("$LB" appliance info | awk '$1=="cache"{print $2}')
check "by default a launch boots the cached PVH vmlinux through qboot" \
	sh -c "'$LB' xml --argv | grep -qx '$CACHE/kernel/vmlinux' && '$LB' xml --argv | grep -qx '/usr/share/qemu/qboot.rom'"
out=$("$LB" run --backend direct --start cold --kernel-format bzimage -- uname -r 2>&1)
check "the bzImage still boots when asked for, with no notice" [ "$out" = "$(basename "$bz" | sed 's/^vmlinuz-//')" ]
out=$("$LB" run --backend direct --start cold --shape initramfs --disk "$T/zeros" -- \
	sh -c 'readlink /dev/disk/leanboot/0; test -e /dev/vdb || echo no-vdb; grep -c " / " /proc/mounts' 2>&1)
if [ "$out" = "$(printf '/dev/vda\nno-vdb\n1')" ]; then
	ok "initramfs shape: no root disk, the user's disk is vda"
else
	not_ok "initramfs shape: no root disk, the user's disk is vda"; diag "$out"
fi
out=$("$LB" run --backend direct --start cold --disk "$T/zeros" -- \
	sh -c 'readlink /dev/disk/leanboot/0; grep " / " /proc/mounts | cut -d" " -f1 | tail -1' 2>&1)
if [ "$out" = "$(printf '/dev/vdb\n/dev/vda')" ]; then
	ok "ext2 shape: the root is vda, mounted from the small initrd; the user's disk is vdb"
else
	not_ok "ext2 shape: the root is vda, mounted from the small initrd; the user's disk is vdb"
	diag "$out"
fi
out=$("$LB" run --tb-cache 0 --memory 256 --tuning off --append 'leanboot.test=1' -- cat /proc/cmdline 2>&1)
check "--tuning off, --append: the kernel gets exactly what was asked" \
	bash -c "grep -q 'leanboot.test=1' <<<'$out' && ! grep -q 'tsc=reliable' <<<'$out'"
check_left "nothing left: no qemu, no domain, an empty TMPDIR"
finish
