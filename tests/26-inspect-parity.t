#!/bin/bash
# leanboot inspect on images laid out as libguestfs's own test guests
# are (test-data/phony-guests): systems before os-release (Arch, Ubuntu
# 10.10, CentOS 6, Debian 5 with /var apart, CoreOS), Fedora 14 on md
# RAID1, with LVM on LUKS, with LUKS on LVM, on LVM and on btrfs, Debian
# on LVM, Windows 7, the five blank guests, FreeBSD, NetBSD and OpenBSD
# on UFS, and package databases left damaged.  Each fact virt-inspector
# reports on such a guest is
# pinned here, so parity holds where libguestfs does not run; the
# applications go out as a CycloneDX SBOM that must validate against
# the official schema.  Every image is byte-identical afterwards.
. "$(dirname "$0")/lib.sh"
boot_setup
MK="$top/tests/helpers/mkimage"
plan 108

# is DESCRIPTION PATH WANT, in the report $J.
is() {
	got=$(jget "$J" "$2")
	if [ "$got" = "$3" ]; then ok "$1"; else not_ok "$1"; diag "$2: got '$got', want '$3'"; fi
}

export LB
for k in legacy centos6 rolling md lvmonluks luksonlvm damaged luks phonydebian phonyfedora phonybtrfs \
	phonywindows blank bsd openbsd; do
	"$MK" $k "$T/$k.img" >"$T/mk.$k" 2>&1 || { not_ok "mkimage $k"; diag "$(tail -5 "$T/mk.$k")"; }
done
sha256sum "$T"/*.img >"$T/sums"

# --- systems before os-release, md RAID1 -------------------------------
check_status -o "$T/a.json" -e "$T/err" "legacy and md: exit 0" 0 \
	"$LB" inspect --json "$T/legacy.img" "$T/md.img" "$T/md-2.img" "$T/centos6.img" "$T/rolling.img"
J="$T/a.json"
A=operating_systems.partition=1
is "arch: arch-release names archlinux" $A.distro archlinux
is "arch: osinfo" $A.osinfo archlinux
check "arch: pacman, as format and manager" [ "$(jget "$J" $A.package_format)/$(jget "$J" $A.package_management)" = pacman/pacman ]
is "arch: three applications" "$A.applications.#" 3
is "arch: epoch, version, release split from 1:0.1-1" \
	"$A.applications.name=test-package.epoch" 1
check "arch: ... version 0.1, release 1, arch x86_64" [ "$(jget "$J" $A.applications.name=test-package.version)-$(jget "$J" $A.applications.name=test-package.release)-$(jget "$J" $A.applications.name=test-package.arch)" = 0.1-1-x86_64 ]
is "arch: architecture from /bin/ls, there being no /bin/sh" $A.arch x86_64
U=operating_systems.partition=2
is "ubuntu: lsb-release names it" $U.distro ubuntu
is "ubuntu: its description is the product" $U.product_name "Ubuntu 10.10 (Phony Pharaoh)"
check "ubuntu: version 10.10, osinfo ubuntu10.10" [ "$(jget "$J" $U.major_version).$(jget "$J" $U.minor_version) $(jget "$J" $U.osinfo)" = "10.10 ubuntu10.10" ]
check "ubuntu: deb and apt" [ "$(jget "$J" $U.package_format)/$(jget "$J" $U.package_management)" = deb/apt ]
is "ubuntu: mountpoints, / first, /boot by its label" $U.mountpoints.1.filesystem 0.3
is "ubuntu: / is the root, as fstab's /dev/sda2 names it" $U.mountpoints.mountpoint=/.filesystem 0.2
is "ubuntu: a swap no disk has is no mountpoint" "$U.mountpoints.#" 2
is "ubuntu: three installed applications, the removed one left out" "$U.applications.#" 3
is "ubuntu: a package's source, summary and homepage" \
	"$U.applications.name=test2.source_package" test
check "ubuntu: ... its long description, its lines kept" \
	[ "$(jget "$J" $U.applications.name=test2.description)" = "$(printf 'This is a test package.\n\nIt is not real.')" ]
C=operating_systems.disk=3
is "centos 6: redhat-release names it" $C.distro centos
is "centos 6: its product" $C.product_name "CentOS release 6.10 (Final)"
check "centos 6: version 6.10, osinfo centos6.10, yum" [ "$(jget "$J" $C.major_version).$(jget "$J" $C.minor_version) $(jget "$J" $C.osinfo) $(jget "$J" $C.package_management)" = "6.10 centos6.10 yum" ]
check "centos 6: rpm's Berkeley DB, its three applications listed" [ "$(jget "$J" $C.package_database) $(jget "$J" "$C.applications.#")" = "bdb 3" ]
O=operating_systems.partition=4
is "coreos: found with no fstab" $O.distro coreos
is "coreos: its /usr, which no fstab names, found by its layout" $O.usr_filesystem 0.5
check "coreos: / and /usr as mountpoints" [ "$(jget "$J" $O.mountpoints.0.filesystem) $(jget "$J" $O.mountpoints.1.mountpoint) $(jget "$J" $O.mountpoints.1.filesystem)" = "0.4 /usr 0.5" ]
check "coreos: version, build and osinfo from /usr's os-release" [ "$(jget "$J" $O.product_name)|$(jget "$J" $O.build_id)|$(jget "$J" $O.osinfo)" = "CoreOS 899.13.0|2016-03-23-0120|coreos899.13" ]
D=operating_systems.partition=6
is "debian 5: debian_version names it, and is the product" $D.product_name 5.0.1
is "debian 5: osinfo" $D.osinfo debian5
is "debian 5: dpkg's database read from a /var of its own" "$D.applications.#" 3
is "debian 5: /var among the mountpoints" $D.mountpoints.mountpoint=/var.filesystem 0.7
G=operating_systems.hostname=gentootest
check "gentoo: os-release's ID, osinfo, ebuild and portage" [ "$(jget "$J" $G.distro) $(jget "$J" $G.osinfo) $(jget "$J" $G.package_format) $(jget "$J" $G.package_management)" = "gentoo gentoo ebuild portage" ]
is "gentoo: Portage's three packages" "$G.applications.#" 3
check "gentoo: name, version and revision split from bash-5.2_p26-r1, its category kept" [ "$(jget "$J" $G.applications.name=bash.version)-$(jget "$J" $G.applications.name=bash.release) $(jget "$J" $G.applications.name=bash.source_package)" = "5.2_p26-1 sys-apps/bash" ]
is "gentoo: a name with digits in it" $G.applications.name=mime-types.version 2.1.54
is "gentoo: the first of several homepages" $G.applications.name=bash.url https://gentoo.org/bash-5.2_p26-r1
V=operating_systems.hostname=voidtest
check "void: voidlinux, xbps and xbps" [ "$(jget "$J" $V.distro) $(jget "$J" $V.package_format) $(jget "$J" $V.package_management)" = "voidlinux xbps xbps" ]
is "void: the two installed packages, not the unpacked one" "$V.applications.#" 2
check "void: version and revision split from base-files-0.143_1, an entity decoded" [ "$(jget "$J" $V.applications.name=base-files.version)_$(jget "$J" $V.applications.name=base-files.release)|$(jget "$J" $V.applications.name=base-files.summary)" = "0.143_1|Void Linux base system files & more" ]
M=operating_systems.logical_volume=VG/Root
is "md: Fedora 14 found on LVM on the md array" $M.product_name "Fedora release 14 (Phony)"
check "md: fedora 14, rpm and yum, osinfo fedora14" [ "$(jget "$J" $M.distro) $(jget "$J" $M.package_format) $(jget "$J" $M.package_management) $(jget "$J" $M.osinfo)" = "fedora rpm yum fedora14" ]
is "md: hostname from sysconfig/network" $M.hostname fedora.invalid
is "md: the rpm database's five applications" "$M.applications.#" 5
is "md: /boot is the guest's /dev/md0, found through its mdadm.conf" $M.mountpoints.mountpoint=/boot.filesystem md:bootdev
check "md: both arrays assembled" [ "$(jget "$J" md_arrays.name=bootdev.filesystem.label) $(jget "$J" md_arrays.name=rootdev.filesystem.type)" = "BOOT LVM2_member" ]
check "md: each member says which array it is in" [ "$(jget "$J" disks.1.partitions.0.filesystem.member_of) $(jget "$J" disks.2.partitions.1.filesystem.member_of)" = "md:bootdev md:rootdev" ]

# --- LVM on LUKS, keys from stdin; damaged package databases --------------
check_status -i <(printf 'nothing\nFEDORA\n') -o "$T/b.json" -e "$T/err" "lvm on luks: exit 0" 0 \
	"$LB" inspect --json --keys-from-stdin "$T/lvmonluks.img" "$T/damaged.img"
J="$T/b.json"
L=operating_systems.logical_volume=VG/Root
is "lvm on luks: the second key from stdin opens it" disks.0.partitions.1.filesystem.opened_as \
	"luks:luks-$(jget "$J" disks.0.partitions.1.filesystem.uuid)"
is "lvm on luks: Fedora 14 on the volume group inside" $L.product_name "Fedora release 14 (Phony)"
check "lvm on luks: its mountpoints, / and /boot" [ "$(jget "$J" $L.mountpoints.0.filesystem) $(jget "$J" $L.mountpoints.1.filesystem)" = "VG/Root 0.1" ]
is "lvm on luks: its applications" "$L.applications.#" 5
check "damaged: a dpkg status cut short is read up to the cut, and said so" \
	[ "$(jget "$J" operating_systems.hostname=cut.packages)" = 4 ] 
is "damaged: ... the note" operating_systems.hostname=cut.notes "dpkg's status file ends inside the stanza of pkg4: cut short?"
is "damaged: a 300 MiB status file is read up to the limit, and said so" operating_systems.hostname=huge.notes \
	"var/lib/dpkg/status: read up to 64 MiB, the rest left out"
is "damaged: pacman's loop of links and FIFO are skipped, the good one read" "operating_systems.hostname=archtest.applications.#" 1
is "damaged: ... and counted in a note" operating_systems.hostname=archtest.notes \
	"pacman's database: 4 entries with no readable desc (links that loop or lead out, not a file, no name)"
is "damaged: an rpm database cut in half is a note, not a crash" operating_systems.hostname=rpmtest.notes \
	"rpm's SQLite database could not be read"

# --- LUKS on LVM, a key by the guest's device name; a key that fits not --
check_status -o "$T/c.json" -e "$T/c.err" "luks on lvm: exit 0" 0 \
	"$LB" -v inspect --json --key /dev/Volume-Group/Root:key:FEDORA-Root "$T/luksonlvm.img" "$T/luks.img"
J="$T/c.json"
R=operating_systems.0
is "luks on lvm: the volume named as the guest names it opens" logical_volumes.name=Volume-Group/Root.filesystem.opened_as \
	"luks:luks-$(jget "$J" logical_volumes.name=Volume-Group/Root.filesystem.uuid)"
is "luks on lvm: Fedora 14 inside" $R.product_name "Fedora release 14 (Phony)"
is "luks on lvm: / is the opened volume" $R.mountpoints.0.filesystem "$(jget "$J" $R.luks_volume | sed 's/^/luks:/')"
is "luks on lvm: a volume no key was given for stays shut, with a note" disks.1.filesystem.notes \
	"LUKS volume not opened: no key given for it (leanboot inspect --key 1:key:PASSPHRASE)"
check "no key reaches the console, libvirt's log or the report" \
	sh -c "! grep -q 'FEDORA-Root' '$T/c.err' '$T/c.json'"
"$LB" inspect --json --key all:key:wrong "$T/luks.img" >"$T/d.json" 2>"$T/err"
J="$T/d.json"
is "a key that opens nothing: the volume stays shut, and the note says why" disks.0.filesystem.notes \
	"LUKS volume not opened: no key given opens it (leanboot inspect --key 0:key:PASSPHRASE)"

# --- the bill of materials -------------------------------------------------
check_status -o "$T/sbom.out" -e "$T/err" "sbom: exit 0" 0 "$LB" inspect --sbom cyclonedx "$T/legacy.img"
perl -MJSON::PP -e 'local $/; my $t = <STDIN>; my $js = JSON::PP->new; my $i = 0;
	while ($t =~ /\S/) { my ($d, $n) = $js->decode_prefix($t); $t = substr($t, $n);
		open my $f, ">", sprintf("%s/sbom-%d.json", $ARGV[0], $i++) or die; print $f $js->encode($d) }' \
	"$T" <"$T/sbom.out"
check "sbom: one document for each of the four systems" [ "$(ls "$T"/sbom-*.json | wc -l)" = 4 ]
valid=0
for f in "$T"/sbom-*.json; do
	"$top/tests/helpers/validate-json" "$top/tests/data/cyclonedx/bom-1.5.schema.json" "$f" >>"$T/valid" 2>&1 ||
		valid=1
done
check "sbom: every document validates against CycloneDX 1.5's schema" [ $valid = 0 ]
[ $valid = 0 ] || diag "$(head -5 "$T/valid")"
J="$T/a.json"
# Each document's system, found in the report by its hostname.
sbom_counts() {
	for f in "$T"/sbom-*.json; do
		h=$(perl -MJSON::PP -e 'local $/; my $d = decode_json(<STDIN>);
			for (@{ $d->{metadata}{component}{properties} }) { print $_->{value} if $_->{name} eq "leanboot:hostname" }' <"$f")
		a=$(perl -MJSON::PP -e 'local $/; my $r = decode_json(<STDIN>);
			for (@{ $r->{operating_systems} }) { print scalar @{ $_->{applications} // [] } if ($_->{hostname} // "") eq $ARGV[0] }' \
			"$h" <"$J")
		c=$(jget "$f" "components.#")
		[ -n "$h" ] && [ "$a" = "$c" ] || { diag "$h: $a applications, $c components"; return 1; }
	done
}
check "sbom: each document's components are its system's applications" sbom_counts
S="$T/sbom-0.json"
for f in "$T"/sbom-*.json; do [ "$(jget "$f" metadata.component.name)" = archlinux ] && S=$f; done
is_s() { got=$(jget "$S" "$2"); if [ "$got" = "$3" ]; then ok "$1"; else not_ok "$1"; diag "got '$got'"; fi; }
is_s "sbom: an Arch package's purl, epoch and all" components.name=test-package.purl "pkg:alpm/arch/test-package@1:0.1-1?arch=x86_64"
check "sbom: the image's path and sha256 as properties" sh -c "grep -q '$(sha256sum "$T/legacy.img" | cut -c1-64)' '$S'"
expect_fail "sbom: --json beside it is bad usage" 2 "give one" "$LB" inspect --json --sbom cyclonedx "$T/legacy.img"
expect_fail "sbom: a format it does not write" 2 "not cyclonedx" "$LB" inspect --sbom spdx3 "$T/legacy.img"
expect_fail "sbom: no system, no bill: exit 1" 1 "no operating system" "$LB" inspect --sbom cyclonedx "$T/luks.img"
expect_fail "--key without a selector's form" 2 "SELECTOR:key:PASSPHRASE" "$LB" inspect --key secret "$T/luks.img"
expect_fail "--key from a file that is not there" 2 "no-such-key" "$LB" inspect --key all:file:"$T/no-such-key" "$T/luks.img"
check "the bad --key is not quoted back" sh -c "! '$LB' inspect --key 'hunter2' '$T/luks.img' 2>&1 | grep -q hunter2"

# --- the rest of libguestfs's phony guests; the BSDs ---------------------------
B="$T/blank"
# FreeBSD's fstab names its partitions on the first disk (ada0).
check_status -o "$T/d.json" -e "$T/err" "phony guests and BSDs: exit 0" 0 \
	"$LB" inspect --json "$T/bsd.img" "$T/phonydebian.img" "$T/phonywindows.img" "$B.img" "$B-part.img" "$B-fs.img" \
	"$B-bootroot.img" "$B-bootrootlv.img" "$T/openbsd.img"
J="$T/d.json"
D=operating_systems.logical_volume=debian/root
check "debian: on volume group debian, 5.0.1, osinfo debian5" [ "$(jget "$J" $D.product_name) $(jget "$J" $D.osinfo) $(jget "$J" $D.hostname)" = "5.0.1 debian5 debian.invalid" ]
check "debian: /, /usr, /var, /boot, /home, as fstab's /dev/debian/* and LABEL=BOOT name them" \
	[ "$(jget "$J" $D.mountpoints.0.filesystem) $(jget "$J" $D.mountpoints.1.filesystem) $(jget "$J" $D.mountpoints.2.filesystem) $(jget "$J" $D.mountpoints.3.filesystem) $(jget "$J" $D.mountpoints.4.filesystem)" = "debian/root debian/usr debian/var 1.1 debian/home" ]
is "debian: dpkg's database on the var volume" "$D.applications.#" 3
W=operating_systems.disk=2
check "windows 7: its product, client, 6.1, osinfo win7" [ "$(jget "$J" $W.product_name)|$(jget "$J" $W.product_variant)|$(jget "$J" $W.major_version).$(jget "$J" $W.minor_version)|$(jget "$J" $W.osinfo)" = "Microsoft Windows 7 Phony Edition|Client|6.1|win7" ]
is "windows 7: a 32-bit cmd.exe is i386" $W.arch i386
is "windows 7: C: is partition 2, by signature \"1234\" and offset 256 MiB" $W.drive_mappings.letter=C.filesystem 2.2
is "windows 7: its root is its one mountpoint" $W.mountpoints.mountpoint=/.filesystem 2.2
is "windows 7: hostname from Tcpip's parameters" $W.hostname windows.invalid
check "windows 7: four applications, the 32-bit one among them" [ "$(jget "$J" "$W.applications.#") $(jget "$J" $W.applications.name=test4.version)" = "4 1.2.6" ]
check "windows 7: install location (each backslash escaped) and publisher" [ "$(jget "$J" $W.applications.name=test3.install_path)|$(jget "$J" $W.applications.name=test3.publisher)" = 'C:\x5cProgram Files\x5cExample\x5ctest3|Example Inc.' ]
blank_none() {
	for d in 3 4 5 6 7; do [ "$(jget "$J" operating_systems.disk=$d)" = "(none)" ] || return 1; done
	[ "$(jget "$J" "operating_systems.#")" = 5 ]
}
check "blank guests: no system on any of the five" blank_none
is "blank guests: an empty filesystem says what it holds" disks.5.partitions.0.filesystem.notes \
	"no operating system found; top level: nothing"
F=operating_systems.distro=freebsd
check "freebsd: its UFS read, type and distro freebsd" [ "$(jget "$J" $F.type) $(jget "$J" $F.disk).$(jget "$J" $F.partition)" = "freebsd 0.2" ]
check "freebsd: motd's first line is the product, 13.2, osinfo freebsd13.2" [ "$(jget "$J" $F.product_name)|$(jget "$J" $F.major_version).$(jget "$J" $F.minor_version)|$(jget "$J" $F.osinfo)" = "FreeBSD 13.2-RELEASE (GENERIC) releng/13.2-n254617-525ecfdad597|13.2|freebsd13.2" ]
check "freebsd: hostname from rc.conf, arch from /bin/ls" [ "$(jget "$J" $F.hostname) $(jget "$J" $F.arch)" = "freebsd.invalid x86_64" ]
is "freebsd: /usr/home is fstab's /dev/ada0p4" $F.mountpoints.mountpoint=/usr/home.filesystem 0.4
N=operating_systems.distro=netbsd
check "netbsd: UFS1 read, 9.3, osinfo netbsd9.3, hostname" [ "$(jget "$J" $N.type) $(jget "$J" $N.major_version).$(jget "$J" $N.minor_version) $(jget "$J" $N.osinfo) $(jget "$J" $N.hostname)" = "netbsd 9.3 netbsd9.3 netbsd.invalid" ]
O=operating_systems.distro=openbsd
check "openbsd: 7.4, hostname from /etc/myname, / by its DUID" [ "$(jget "$J" $O.type) $(jget "$J" $O.osinfo) $(jget "$J" $O.hostname) $(jget "$J" $O.mountpoints.0.filesystem)" = "openbsd openbsd7.4 openbsd.invalid 8" ]

# One Fedora 14 at a time: the phony Fedoras all label their /boot BOOT
# and their root ROOT.
check_status -o "$T/e.json" -e "$T/err" "fedora: exit 0" 0 "$LB" inspect --json "$T/phonyfedora.img"
J="$T/e.json"
R=operating_systems.logical_volume=VG/Root
check "fedora: on VG/Root, fedora 14, yum" [ "$(jget "$J" $R.product_name)|$(jget "$J" $R.package_management)" = "Fedora release 14 (Phony)|yum" ]
check "fedora: the three empty volumes, of 4, 1 and 2 KiB blocks, hold no system" \
	[ "$(jget "$J" "operating_systems.#") $(jget "$J" logical_volumes.name=VG/LV2.filesystem.type)" = "1 ext2" ]
check_status -o "$T/f.json" -e "$T/err" "fedora on btrfs: exit 0" 0 "$LB" inspect --json "$T/phonybtrfs.img"
J="$T/f.json"
R=operating_systems.0
check "fedora on btrfs: the root subvolume, /home the home one, /boot partition 1" \
	[ "$(jget "$J" $R.product_name)|$(jget "$J" $R.mountpoints.mountpoint=/.filesystem)|$(jget "$J" $R.mountpoints.mountpoint=/home.filesystem)|$(jget "$J" $R.mountpoints.mountpoint=/boot.filesystem)" = "Fedora release 14 (Phony)|0.2#256|0.2#257|0.1" ]

# --- the guarantee -----------------------------------------------------------
check "no image was written (sha256)" sha256sum --quiet -c "$T/sums"
check_left "no qemu, no domain and no run directory left"

# --- virt-inspector on the same images ----------------------------------------
# Every fact it reports, as tests/helpers/vi-compare pairs them; CentOS 6
# is left out, since libguestfs 1.48 on Debian 12 cannot list a Berkeley
# DB rpm database and then fails the whole inspection.
if ! command -v virt-inspector >/dev/null; then
	for i in 1 2 3 4 5 6 7; do ok "virt-inspector # SKIP libguestfs is not installed"; done
else
	vi() { virt_inspector "$1" "$T/vi.err" 900 "${@:2}"; } # OUT ARGS...
	agree() { # DESCRIPTION VI.xml LB.json LABEL
		if "$top/tests/helpers/vi-compare" "${@:2}" >"$T/cmp" 2>&1; then
			ok "$1"; diag "$(cat "$T/cmp")"
		else
			not_ok "$1"; diag "$(cat "$T/cmp")" "$(tail -3 "$T/vi.err")"
		fi
	}
	# Apart: CoreOS's ROOT and Fedora's root share a label, which
	# libguestfs resolves to the first it finds.
	vi "$T/vi-a.xml" -a "$T/legacy.img"
	agree "virt-inspector agrees on every fact: Arch, Ubuntu, CoreOS, Debian 5" "$T/vi-a.xml" "$T/a.json" legacy
	vi "$T/vi-m.xml" -a "$T/md.img" -a "$T/md-2.img"
	agree "virt-inspector agrees on every fact: Fedora on md" "$T/vi-m.xml" "$T/a.json" md
	vi "$T/vi-b.xml" --key /dev/sda2:key:FEDORA -a "$T/lvmonluks.img"
	agree "virt-inspector agrees on every fact: LVM on LUKS" "$T/vi-b.xml" "$T/b.json" lvmonluks
	vi "$T/vi-c.xml" --key /dev/Volume-Group/Root:key:FEDORA-Root -a "$T/luksonlvm.img"
	agree "virt-inspector agrees on every fact: LUKS on LVM" "$T/vi-c.xml" "$T/c.json" luksonlvm
	# OpenBSD is left out: virt-inspector calls it freebsd.
	vi "$T/vi-d.xml" -a "$T/bsd.img" -a "$T/phonydebian.img" -a "$T/phonywindows.img" -a "$B.img" -a "$B-part.img" \
		-a "$B-fs.img" -a "$B-bootroot.img" -a "$B-bootrootlv.img"
	agree "virt-inspector agrees on every fact: Debian on LVM, Windows 7, FreeBSD, NetBSD, and no system on the blank guests" \
		"$T/vi-d.xml" "$T/d.json" phony 3,4,5,6,7
	vi "$T/vi-e.xml" -a "$T/phonyfedora.img"
	agree "virt-inspector agrees on every fact: Fedora on LVM" "$T/vi-e.xml" "$T/e.json" fedora
	vi "$T/vi-f.xml" -a "$T/phonybtrfs.img"
	agree "virt-inspector agrees on every fact: Fedora on btrfs" "$T/vi-f.xml" "$T/f.json" btrfs
fi

finish
