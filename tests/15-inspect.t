#!/bin/bash
# leanboot inspect on images made here (tests/helpers/mkimage): what it
# reports, that it never writes to them, that hostile contents come out
# bounded and escaped, and the format and backing-chain rules.  Where
# libguestfs is installed, its virt-inspector is asked the same.
. "$(dirname "$0")/lib.sh"
tmpdir
export LEANBOOT_ACCEL=tcg
unset LEANBOOT_CONNECT LEANBOOT_BACKEND
MK="$top/tests/helpers/mkimage"
plan 77

# is DESCRIPTION FILE PATH WANT
is() {
	got=$(jget "$2" "$3")
	if [ "$got" = "$4" ]; then ok "$1"; else not_ok "$1"; diag "$3: got '$got', want '$4'"; fi
}

"$LB" appliance build -q || { not_ok "appliance builds"; finish; }
export LB
for k in debian multi dos empty corrupt dirty luks lvm hostile; do
	"$MK" $k "$T/$k.img" || not_ok "mkimage $k"
done
sha256sum "$T"/*.img >"$T/sums"

# --- a Debian-like image: GPT, EFI, root, swap ------------------------
check_status -o "$T/debian.json" -e "$T/err" "debian: inspect --json exits 0" 0 "$LB" inspect --json "$T/debian.img"
J="$T/debian.json"
is "debian: raw" "$J" disks.0.format raw
is "debian: GPT" "$J" disks.0.partition_table gpt
is "debian: three partitions" "$J" "disks.0.partitions.#" 3
is "debian: partition 2 starts at 33 MiB" "$J" disks.0.partitions.1.start $((33 * 1048576))
is "debian: partition 2 is 96 MiB" "$J" disks.0.partitions.1.size $((96 * 1048576))
is "debian: partition 2's GPT name" "$J" disks.0.partitions.1.name root
is "debian: partition 2's type is Linux filesystem" "$J" disks.0.partitions.1.type 0fc63daf-8483-4772-8e79-3d69d8477de4
is "debian: EFI partition is vfat" "$J" disks.0.partitions.0.filesystem.type vfat
is "debian: vfat UUID" "$J" disks.0.partitions.0.filesystem.uuid ABCD-1234
is "debian: root is ext4 with its label" "$J" disks.0.partitions.1.filesystem.label debroot
is "debian: root UUID" "$J" disks.0.partitions.1.filesystem.uuid 5d5e0b2f-6d1b-4f0e-9d1e-0c0ffee00001
is "debian: root was mounted" "$J" disks.0.partitions.1.filesystem.mount ok
used=$(jget "$J" disks.0.partitions.1.filesystem.used)
check "debian: root's used space is reported" [ "$used" -gt 0 ]
is "debian: swap with its label" "$J" disks.0.partitions.2.filesystem.label debswap
is "debian: one OS" "$J" "operating_systems.#" 1
is "debian: distro" "$J" operating_systems.0.distro debian
is "debian: version" "$J" operating_systems.0.version 12
is "debian: hostname" "$J" operating_systems.0.hostname debtest
is "debian: arch from /bin/sh's ELF header" "$J" operating_systems.0.arch x86_64
is "debian: package format" "$J" operating_systems.0.package_format deb
is "debian: installed packages, not removed ones" "$J" operating_systems.0.packages 42
is "debian: both kernels" "$J" "operating_systems.0.kernels.#" 2
is "debian: fstab's entries" "$J" "operating_systems.0.fstab.#" 3
is "debian: fstab's /boot/efi" "$J" operating_systems.0.fstab.1.mountpoint /boot/efi
"$LB" inspect "$T/debian.img" >"$T/debian.txt" 2>/dev/null
check "debian: the text report names the distribution and hostname" \
	grep -q "distro debian, version 12, .*hostname debtest" "$T/debian.txt"

# --- several OSes on one disk, rpm and apk, xfs ------------------------
"$LB" inspect --json "$T/multi.img" >"$T/multi.json" 2>"$T/err"
J="$T/multi.json"
is "multi: two OSes" "$J" "operating_systems.#" 2
is "multi: Fedora" "$J" operating_systems.0.distro fedora
is "multi: rpm packages counted in its SQLite database" "$J" operating_systems.0.packages 17
is "multi: Alpine on partition 2" "$J" operating_systems.1.partition 2
is "multi: apk packages counted" "$J" operating_systems.1.packages 9
is "multi: Alpine's version" "$J" operating_systems.1.version 3.19.1
if command -v mkfs.xfs >/dev/null; then
	is "multi: xfs mounted with norecovery" "$J" disks.0.partitions.1.filesystem.mount ok
else
	ok "multi: xfs # SKIP mkfs.xfs is not installed"
fi
is "multi: a vfat data partition" "$J" disks.0.partitions.2.filesystem.label DATA

# --- LVM: volume group vgtest on an MBR partition ---------------------
"$LB" inspect --json "$T/lvm.img" >"$T/lvm.json" 2>"$T/err"
J="$T/lvm.json"
is "lvm: the partition is a physical volume" "$J" disks.0.partitions.0.filesystem.type LVM2_member
is "lvm: both logical volumes" "$J" "logical_volumes.#" 2
is "lvm: the root volume's filesystem" "$J" logical_volumes.0.filesystem.label lvroot
is "lvm: the OS on vgtest/root" "$J" operating_systems.0.logical_volume vgtest/root
is "lvm: Rocky" "$J" operating_systems.0.distro rocky

# --- MBR, with /boot on its own partition -----------------------------
"$LB" inspect --json "$T/dos.img" >"$T/dos.json" 2>"$T/err"
J="$T/dos.json"
is "dos: an MBR table" "$J" disks.0.partition_table dos
is "dos: MBR type" "$J" disks.0.partitions.0.type 0x83
is "dos: Ubuntu" "$J" operating_systems.0.distro ubuntu
is "dos: kernels found on the separate /boot" "$J" operating_systems.0.kernels.0 vmlinuz-6.8.0-31-generic

# --- four disks in one VM: empty, corrupt, dirty journal, LUKS ---------
before=$(dumpe2fs -h "$T/dirty.img" 2>/dev/null | grep -c needs_recovery)
check_status -o "$T/three.json" -e "$T/err" "four disks: exit 0" 0 \
	"$LB" inspect --json "$T/empty.img" "$T/corrupt.img" "$T/dirty.img" "$T/luks.img"
J="$T/three.json"
is "empty: no partition table" "$J" disks.0.partition_table none
is "empty: no filesystem" "$J" disks.0.filesystem "(none)"
is "corrupt: the filesystem is still named" "$J" disks.1.filesystem.type ext4
check "corrupt: the mount's failure is reported" \
	grep -q '"mount": "not mounted: ' "$J"
is "dirty: its OS is found on disk 2" "$J" operating_systems.0.disk 2
is "dirty: the OS behind it is read (mounted with noload)" "$J" operating_systems.0.hostname dirtyhost
after=$(dumpe2fs -h "$T/dirty.img" 2>/dev/null | grep -c needs_recovery)
check "dirty: still needs recovery afterwards" [ "$before $after" = "1 1" ]
is "luks: reported as encrypted" "$J" disks.3.filesystem.encrypted 1
is "luks: with its label" "$J" disks.3.filesystem.label vault
is "luks: never opened (nothing mounted)" "$J" disks.3.filesystem.mount "(none)"

# --- hostile contents, through the direct backend ----------------------
check_status -o "$T/hostile.txt" -e "$T/err" "hostile: exit 0" 0 "$LB" inspect --backend direct "$T/hostile.img"
check "hostile: no escape character reaches the terminal" \
	sh -c "! grep -q \"\$(printf '\\033')\" '$T/hostile.txt' '$T/err'"
check "hostile: the label's escape sequence is shown as \\x1b" grep -q 'label lab\\x1b\[1m\\xff' "$T/hostile.txt"
"$LB" inspect --backend direct --json "$T/hostile.img" >"$T/hostile.json" 2>/dev/null
J="$T/hostile.json"
is "hostile: all 100 partitions" "$J" "disks.0.partitions.#" 100
h=$(jget "$J" operating_systems.0.hostname)
check "hostile: a 4 MiB hostname is cut to 1024 bytes" [ ${#h} = 1024 ]
is "hostile: /bin/sh pointing out of the image gives no arch" "$J" operating_systems.0.arch "(none)"
is "hostile: a FIFO as fstab is not read" "$J" operating_systems.0.fstab "(none)"
is "hostile: os-release found past the symlink loop" "$J" operating_systems.0.distro debian

# --- formats and backing chains ---------------------------------------
# A relative backing name, with TMPDIR inside the test's directory: the
# heap layout under which the sanitizer build's LeakSanitizer used to
# misread a dynamic TLS block and crash at exit (launcher/common/sanitize.c).
qemu-img create -q -f qcow2 -b debian.img -F raw "$T/top.qcow2"
"$LB" inspect --format qcow2 --json "$T/top.qcow2" >"$T/top.json" 2>"$T/err"
is "qcow2 over a relative backing name: the backing chain is listed" "$T/top.json" disks.0.backing_chain.0 "$T/debian.img"
is "qcow2 over a relative backing name: the OS in the backing file is found" "$T/top.json" operating_systems.0.hostname debtest
expect_fail "qcow2: a detected qcow2 with a backing file needs --format qcow2" 2 "say --format qcow2" \
	"$LB" inspect "$T/top.qcow2"
cp "$T/top.qcow2" "$T/nofmt.qcow2"
# Rename the backing-format header extension so that none is recorded.
perl -e 'open F, "+<", $ARGV[0] or die; read F, $b, 65536; $i = index($b, "\xe2\x79\x2a\xca");
	 die if $i < 0; seek F, $i, 0; print F "\x12\x34\x56\x78"' "$T/nofmt.qcow2"
expect_fail "qcow2: a backing file without a recorded format is refused" 2 "no recorded format" \
	"$LB" inspect --format qcow2 "$T/nofmt.qcow2"
qemu-img create -q -f qcow2 -u -b 'nbd://127.0.0.1:1/x' -F raw "$T/proto.qcow2" 64M
expect_fail "qcow2: a backing file that is a protocol is refused" 2 "names a protocol" \
	"$LB" inspect --format qcow2 "$T/proto.qcow2"
# A raw image whose contents pose as qcow2 over a host file.
qemu-img create -q -f qcow2 -u -b /etc/shadow -F raw "$T/evil.img" 64M
"$LB" inspect --format raw --json "$T/evil.img" >"$T/evil.json" 2>"$T/err"
is "raw: --format raw attaches it as raw, no backing file" "$T/evil.json" "disks.0.backing_chain.#" 0

# --- the guarantee and the leftovers -----------------------------------
check "no image was written (sha256)" sha256sum --quiet -c "$T/sums"
expect_fail "a deadline ends a long inspection" 3 "deadline" "$LB" inspect --start cold --timeout 1 "$T/debian.img"
check_left "no qemu, no domain and no run directory left"

# --- virt-inspector on the same image ----------------------------------
if ! command -v virt-inspector >/dev/null; then
	for i in 1 2 3 4 5 6; do ok "virt-inspector # SKIP libguestfs is not installed"; done
	finish
fi
virt_inspector "$T/vi.xml" "$T/vi.err" 600 -a "$T/debian.img"
xv() { sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" "$T/vi.xml" | head -1; }
J="$T/debian.json"
check "virt-inspector agrees on the distro" [ "$(xv distro)" = "$(jget "$J" operating_systems.0.distro)" ]
check "virt-inspector agrees on the major version" [ "$(xv major_version)" = "$(jget "$J" operating_systems.0.version)" ]
check "virt-inspector agrees on the hostname" [ "$(xv hostname)" = "$(jget "$J" operating_systems.0.hostname)" ]
check "virt-inspector agrees on the arch" [ "$(xv arch)" = "$(jget "$J" operating_systems.0.arch)" ]
check "virt-inspector agrees on the package count" \
	[ "$(grep -c '<application>' "$T/vi.xml")" = "$(jget "$J" operating_systems.0.packages)" ]
vu=$(sed -n 's:.*<uuid>\(.*\)</uuid>.*:\1:p' "$T/vi.xml" | sort | tr '\n' ' ')
lu=$(for i in 0 1 2; do jget "$J" disks.0.partitions.$i.filesystem.uuid; echo; done | sort | tr '\n' ' ')
check "virt-inspector agrees on the filesystems' UUIDs" [ "$vu" = "$lu" ]
finish
