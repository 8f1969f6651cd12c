#!/bin/bash
# The package installed by apt in a fresh Debian 12 root, as a user who
# has never seen the source tree meets it: the root of the image make
# container made (mmdebstrap's minbase, then apt-get install of the
# .deb), entered with chroot.  run, inspect and check work as root and as
# a new user, each building its appliance into its own cache on first
# use; the postinst runs twice without harm; a purge leaves nothing of
# leanboot's behind.
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" = 0 ] || skip_all "chroot and podman export need root"
tmpdir
DEB=${LEANBOOT_DEB:?make check-package sets LEANBOOT_DEB}
IMAGE=${LEANBOOT_IMAGE:?make check-package sets LEANBOOT_IMAGE}
export CONTAINERS_CONF="$top/container/containers.conf"
plan 27

R="$T/root"
mkdir "$R"
ctr=leanboot-pkgtest-$$
podman create --name "$ctr" "$IMAGE" >/dev/null &&
	podman export "$ctr" | tar -x -C "$R"
podman rm -f "$ctr" >/dev/null 2>&1
check "the image's root is a Debian 12 system with leanboot installed by apt" \
	sh -c "grep -q '^12' '$R/etc/debian_version' && chroot '$R' dpkg-query -W -f '\${Status}' leanboot | grep -q 'install ok installed'"
# As the package left it, before any launch: the image's build made
# root's appliance, which this test wants to see made on first use.
rm -rf "$R"/var/tmp/leanboot-*
cp "$DEB" "$R/root/leanboot.deb"

# in_root CMD...: CMD in the root, with /dev, /proc and /sys of its own
# mount namespace, which ends with it; /tmp is the root's own, so that
# a run directory left there is seen.
in_root() {
	unshare -m --propagation private sh -c '
		r=$1; shift
		mount --rbind /dev "$r/dev" && mount -t proc proc "$r/proc" &&
		mount --rbind /sys "$r/sys" && exec chroot "$r" "$@"' sh "$R" "$@"
}
# as_user CMD...: CMD as the new user, with a plain environment.
as_user() {
	in_root setpriv --reuid lbuser --regid lbuser --init-groups \
		env -i HOME=/home/lbuser PATH=/usr/bin:/bin TMPDIR=/tmp "$@"
}
as_root() { in_root env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin TMPDIR=/tmp "$@"; }

check "the postinst made leanboot-qemu, QEMU's user when leanboot runs as root" \
	sh -c "chroot '$R' getent passwd leanboot-qemu >/dev/null"
check "and the libvirt-qemu user libvirt's embedded driver looks up" \
	sh -c "chroot '$R' getent passwd libvirt-qemu >/dev/null"
before=$(chroot "$R" getent passwd leanboot-qemu libvirt-qemu)
check_status "the postinst runs again without harm (dpkg -i of the same package)" 0 \
	as_root dpkg -i /root/leanboot.deb
check "and changes no user" [ "$(chroot "$R" getent passwd leanboot-qemu libvirt-qemu)" = "$before" ]
rm -f "$R/root/leanboot.deb"

kver=$(ls "$R/lib/modules" | sort -V | tail -1)
"$top/tests/helpers/mkimage" debian "$R/srv/debian.img"
chmod 0644 "$R/srv/debian.img"
sum=$(sha256sum <"$R/srv/debian.img")
# The facts leanboot from the tree finds on the same image, less its path.
"$LB" inspect --json "$R/srv/debian.img" 2>/dev/null | facts_less_path >"$T/want.json"
check "leanboot from the tree inspects the image" [ -s "$T/want.json" ]

chroot "$R" useradd -m lbuser
for who in root user; do
	run=as_$who
	uid=$($run id -u)
	check "$who: no appliance cache before the first launch" [ ! -e "$R/var/tmp/leanboot-$uid" ]
	check_status "$who: leanboot run -- uname -r" 0 $run leanboot run -- uname -r
	check "$who: ... prints the root's kernel, $kver" [ "$out" = "$kver" ]
	[ "$out" = "$kver" ] || diag "got: $out" "$err"
	check "$who: ... having built the appliance into its cache" [ -s "$R/var/tmp/leanboot-$uid/appliance/root" ]
	check_status "$who: leanboot inspect --json IMAGE" 0 $run leanboot inspect --json /srv/debian.img
	printf '%s\n' "$out" | facts_less_path >"$T/$who.json"
	check "$who: ... prints the facts leanboot from the tree finds" cmp -s "$T/want.json" "$T/$who.json"
	check_status "$who: leanboot check --topology minimal --expect pcie-root-port=0" 0 \
		$run leanboot check --topology minimal --expect pcie-root-port=0
done
check "the image is unchanged" [ "$(sha256sum <"$R/srv/debian.img")" = "$sum" ]
check_left "no QEMU left running"
check "no run directory left in the root's /tmp" [ -z "$(ls -A "$R/tmp")" ]

check_status "apt-get purge leanboot" 0 as_root apt-get purge -y -q leanboot
check "no leanboot-qemu user or group left" \
	sh -c "! chroot '$R' getent passwd leanboot-qemu && ! chroot '$R' getent group leanboot-qemu"
check "no libvirt-qemu user left, which the postinst made" \
	sh -c "! chroot '$R' getent passwd libvirt-qemu && ! chroot '$R' getent group libvirt-qemu"
left=$(find "$R" -xdev -name '*leanboot*')
check "no file of leanboot's left (caches, state, program, docs)" [ -z "$left" ]
[ -z "$left" ] || diag "$left"
finish
