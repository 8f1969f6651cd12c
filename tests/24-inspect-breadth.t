#!/bin/bash
# leanboot inspect on what its users have beyond plain Linux roots:
# Windows (NTFS through ntfs-3g, the registry through hivex), btrfs
# subvolumes, a /usr of its own, rpm's Berkeley DB and ndb databases, an
# unknown derivative, and hostile hives and names.  The images are made
# here (tests/helpers/mkimage); all of them are inspected in one VM, and,
# where libguestfs is installed, virt-inspector is asked the same.
. "$(dirname "$0")/lib.sh"
tmpdir
export LEANBOOT_ACCEL=tcg
unset LEANBOOT_CONNECT LEANBOOT_BACKEND
MK="$top/tests/helpers/mkimage"
plan 75

# oses_on N: how many systems the report finds on disk N.
oses_on() {
	perl -MJSON::PP -e 'local $/; my $j = decode_json(<STDIN>);
		print scalar grep { ($_->{disk} // -1) == $ARGV[0] } @{ $j->{operating_systems} }' "$1" <"$J"
}
# is DESCRIPTION PATH WANT, in the report of all the images.
is() {
	got=$(jget "$J" "$2")
	if [ "$got" = "$3" ]; then ok "$1"; else not_ok "$1"; diag "$2: got '$got', want '$3'"; fi
}

"$LB" appliance build -q || { not_ok "appliance builds"; finish; }
export LB
for k in windows btrfs splitusr rpmdb winhostile; do
	"$MK" $k "$T/$k.img" >"$T/mk.$k" 2>&1 || { not_ok "mkimage $k"; diag "$(tail -5 "$T/mk.$k")"; }
done
sha256sum "$T"/*.img >"$T/sums"

# Disks 0-4: windows, btrfs, splitusr, rpmdb, winhostile.
check_status -o "$T/all.json" -e "$T/err" "five images in one inspection: exit 0" 0 \
	"$LB" inspect --json "$T/windows.img" "$T/btrfs.img" "$T/splitusr.img" "$T/rpmdb.img" "$T/winhostile.img"
J="$T/all.json"
W=operating_systems.type=windows

# --- Windows -----------------------------------------------------------
is "windows: NTFS is mounted, through ntfs-3g" disks.0.partitions.0.filesystem.mount ok
is "windows: its label" disks.0.partitions.0.filesystem.label WinSys
is "windows: found on partition 1" $W.partition 1
is "windows: distro" $W.distro windows
is "windows: product name from SOFTWARE" $W.product_name "Windows Server 2019 Standard"
is "windows: installation type as product_variant" $W.product_variant Server
is "windows: edition" $W.edition ServerStandard
is "windows: major version from CurrentMajorVersionNumber, not CurrentVersion" $W.major_version 10
is "windows: minor version" $W.minor_version 0
is "windows: build" $W.build_id 17763
is "windows: osinfo" $W.osinfo win2k19
is "windows: hostname from the current control set's ComputerName" $W.hostname WINTEST
is "windows: the current control set" $W.windows_current_control_set ControlSet001
is "windows: arch from cmd.exe's PE header" $W.arch x86_64
is "windows: applications from both Uninstall keys, those with a DisplayName" $W.packages 5
is "windows: ... each listed" "$W.applications.#" 5
is "windows: ... by its key's name and its DisplayName" $W.applications.name=Old1.display_name "Old Application One"
is "windows: the system root as spelled on disk" $W.windows_systemroot /Windows
is "windows: drive C: is partition 1 (MBR signature and offset)" $W.drive_mappings.letter=C.filesystem 0.1
is "windows: drive D: is partition 2" $W.drive_mappings.letter=D.filesystem 0.2
check "windows: the data partition says it holds no system, and what it holds" \
	grep -q 'no operating system found; top level: Reports, evil\\\\x1b\]0;title\\\\x07' "$J"
is "windows: a label with an escape sequence comes escaped" disks.0.partitions.1.filesystem.label 'data\x1b[7m'

# --- btrfs ---------------------------------------------------------------
F=operating_systems.distro=fedora
is "btrfs: the six subvolumes are listed" "disks.1.filesystem.subvolumes.#" 6
is "btrfs: ... by path" disks.1.filesystem.subvolumes.id=256.path root
is "btrfs: Fedora is found in the subvolume root" $F.subvolume root
is "btrfs: ... with the subvolume's ID" $F.subvolume_id "$(jget "$J" disks.1.filesystem.subvolumes.path=root.id)"
is "btrfs: its version" $F.major_version 40
is "btrfs: its hostname" $F.hostname fedbtrfs
is "btrfs: its packages" $F.packages 23
is "btrfs: osinfo" $F.osinfo fedora40
check "btrfs: two systems on the disk, not the top level, home or the older snapshot" [ "$(oses_on 1)" = 2 ]
O=operating_systems.os_release_id=opensuse-leap
is "btrfs: openSUSE in its default subvolume, a snapshot" $O.subvolume @/.snapshots/1/snapshot
is "btrfs: ... its osinfo" $O.osinfo opensuse15.5
is "btrfs: ... its packages" $O.packages 7
is "btrfs: ... as virt-inspector names the distribution" $O.distro opensuse
is "btrfs: the other snapshot is listed, not inspected, and said so" disks.1.filesystem.notes \
	"1 snapshot subvolume listed, not inspected"

# --- a separate /usr -----------------------------------------------------
S=operating_systems.os_release_id=opensuse-tumbleweed
is "split /usr: the root is partition 1" $S.partition 1
is "split /usr: /usr is partition 2, found by fstab's label" $S.usr_filesystem 2.2
is "split /usr: os-release read from /usr" $S.product_name "openSUSE Tumbleweed"
is "split /usr: the rpm database in /usr counted" $S.packages 31
is "split /usr: arch from /usr's programs" $S.arch x86_64
is "split /usr: hostname from the root" $S.hostname susetest
is "split /usr: family from ID_LIKE" $S.family "opensuse suse"

# --- nothing missed in silence ---------------------------------------------
N=operating_systems.distro=neon
is "unknown derivative: distro as os-release gives it" $N.partition 3
is "unknown derivative: family from ID_LIKE" $N.family "ubuntu debian"
is "unknown derivative: a note says so" $N.notes "os-release ID 'neon' not known: distro reported as given"
is "unknown derivative: its packages still counted" $N.packages 5

# --- rpm databases ---------------------------------------------------------
C=operating_systems.distro=centos
is "rpm: CentOS 7's Berkeley DB database" $C.package_database bdb
is "rpm: ... its five packages counted by librpm" $C.packages 5
is "rpm: minor version from centos-release" $C.minor_version 9
is "rpm: osinfo" $C.osinfo centos7.0
E=operating_systems.distro=sles
is "rpm: SUSE's ndb database named" $E.package_database ndb
check "rpm: ... and why it is not counted" grep -q 'ndb database: packages not counted' "$J"

# --- hostile hives ----------------------------------------------------------
check "hostile: three Windows systems on disk 4" [ "$(oses_on 4)" = 3 ]
check "hostile: a hive cut short is reported" grep -q 'the SOFTWARE hive not read: ' "$J"
check "hostile: ... and SYSTEM is still read" \
	sh -c "[ \$(grep -c '\"hostname\": \"WINTEST\"' '$J') = 4 ]"
check "hostile: a cycle of keys ends, reported" grep -q 'the SOFTWARE hive has no Microsoft/Windows NT/CurrentVersion key' "$J"
check "hostile: a 1 GiB SOFTWARE is not read, with the limit" grep -q 'the SOFTWARE hive not read: 1024 MiB, over the limit' "$J"
"$LB" inspect "$T/windows.img" "$T/winhostile.img" >"$T/win.txt" 2>"$T/err"
st=$?
check "text: exit 0, and no escape character reaches the terminal" \
	sh -c "[ $st = 0 ] && ! grep -q \"\$(printf '\\033')\" '$T/win.txt' '$T/err'"
[ $st = 0 ] || diag "exit $st: $(tail -n 3 "$T/err")"
check "text: the Windows system's product and drives" \
	sh -c "grep -q 'product_name Windows Server 2019 Standard, osinfo win2k19' '$T/win.txt' && grep -q 'drive C: on 0.1' '$T/win.txt'"

# --- the guarantee -----------------------------------------------------------
check "no image was written (sha256)" sha256sum --quiet -c "$T/sums"
check_left "no qemu, no domain and no run directory left"

# --- virt-inspector on the Windows, btrfs and split-/usr images --------------
if ! command -v virt-inspector >/dev/null; then
	for i in $(seq 1 12); do ok "virt-inspector # SKIP libguestfs is not installed"; done
	finish
fi
"$MK" fedorabtrfs "$T/fedora.img" >"$T/mk.fedora" 2>&1 || diag "mkimage fedorabtrfs: $(tail -3 "$T/mk.fedora")"
virt_inspector "$T/vi.xml" "$T/vi.err" 900 -a "$T/windows.img" -a "$T/fedora.img" -a "$T/splitusr.img"
vi_status=$?
check "virt-inspector reads the three images" [ $vi_status = 0 ]
[ $vi_status = 0 ] || diag "exit $vi_status" "$(tail -5 "$T/vi.err")"
# vi ROOT-PATTERN ELEMENT: ELEMENT of the OS whose <root> matches, or
# with ELEMENT "applications", how many it lists.
vi() {
	perl -e 'local $/; my $x = <STDIN>;
		for my $os ($x =~ m{<operatingsystem>(.*?)</operatingsystem>}gs) {
			my ($root) = $os =~ m{<root>(.*?)</root>}; next unless $root =~ /$ARGV[0]/;
			if ($ARGV[1] eq "applications") { my $n = () = $os =~ /<application>/g; print $n; exit }
			my ($v) = $os =~ m{<$ARGV[1]>(.*?)</$ARGV[1]>}s; print $v // "(none)"; exit }
		print "(no such os)"' "$1" "$2" <"$T/vi.xml"
}
agree() { # DESCRIPTION ROOT-PATTERN ELEMENT JSON-PATH
	a=$(vi "$2" "$3") b=$(jget "$J" "$4")
	if [ "$a" = "$b" ]; then ok "$1"; else not_ok "$1"; diag "virt-inspector '$a', leanboot '$b'"; fi
}
agree "virt-inspector agrees: Windows product name" '^/dev/sda1$' product_name $W.product_name
agree "virt-inspector agrees: Windows version" '^/dev/sda1$' major_version $W.major_version
agree "virt-inspector agrees: Windows hostname" '^/dev/sda1$' hostname $W.hostname
agree "virt-inspector agrees: Windows arch" '^/dev/sda1$' arch $W.arch
agree "virt-inspector agrees: Windows osinfo" '^/dev/sda1$' osinfo $W.osinfo
agree "virt-inspector agrees: Windows applications" '^/dev/sda1$' applications $W.packages
agree "virt-inspector agrees: Fedora in the btrfs subvolume root" '^btrfsvol:/dev/sdb/root$' product_name $F.product_name
agree "virt-inspector agrees: Fedora's hostname" '^btrfsvol:/dev/sdb/root$' hostname $F.hostname
agree "virt-inspector agrees: Fedora's packages" '^btrfsvol:/dev/sdb/root$' applications $F.packages
agree "virt-inspector agrees: the split-/usr system's hostname" '^/dev/sdc1$' hostname $S.hostname
# libguestfs does not follow a separate /usr: where it names the product,
# the two must agree; where it does not, leanboot is alone.
a=$(vi '^/dev/sdc1$' product_name)
if [ "$a" = "(none)" ]; then ok "virt-inspector agrees: the split-/usr system's product name # SKIP virt-inspector reads no os-release from a separate /usr"
else agree "virt-inspector agrees: the split-/usr system's product name" '^/dev/sdc1$' product_name $S.product_name; fi
finish
