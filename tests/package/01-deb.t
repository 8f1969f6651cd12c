#!/bin/bash
# The Debian package make deb built (LEANBOOT_DEB): lintian finds no
# error in it, its version is the one leanboot --version prints, and it
# holds what an install needs, and nothing built for another architecture.
. "$(dirname "$0")/../lib.sh"
tmpdir
DEB=${LEANBOOT_DEB:?make check-package sets LEANBOOT_DEB}
plan 9

check "the package exists" [ -s "$DEB" ]
lintian --fail-on error "$DEB" >"$T/lintian" 2>&1
st=$?
errs=$(grep -c '^E: ' "$T/lintian")
if [ "$st" = 0 ] && [ "$errs" = 0 ]; then ok "lintian reports no errors"
else not_ok "lintian reports no errors"; diag "exit $st" "$(grep '^E: ' "$T/lintian")"; fi

dpkg-deb -x "$DEB" "$T/root"
ver=$(dpkg-deb -f "$DEB" Version)
changelog=$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' "$top/debian/changelog")
check "its version is debian/changelog's ($changelog)" [ "$ver" = "$changelog" ]
got=$("$T/root/usr/bin/leanboot" --version)
check "the packaged leanboot --version prints it" [ "$got" = "leanboot $ver" ]
check "the man page carries it" sh -c "zcat '$T/root/usr/share/man/man1/leanboot.1.gz' | head -1 | grep -q '\"leanboot $ver\"'"

missing=""
for f in usr/bin/leanboot usr/lib/leanboot/init usr/lib/leanboot/inspect usr/lib/leanboot/packages \
	 usr/lib/leanboot/modules usr/share/bash-completion/completions/leanboot \
	 usr/share/doc/leanboot/copyright; do
	[ -e "$T/root/$f" ] || missing="$missing $f"
done
check "it installs the program, the appliance's files, the completion and the copyright" [ -z "$missing" ]
[ -z "$missing" ] || diag "missing:$missing"
foreign=$(find "$T/root" -type f -exec file {} + | grep ELF | grep -v x86-64)
check "every binary in it is x86-64" [ -z "$foreign" ]
[ -z "$foreign" ] || diag "$foreign"

deps=$(dpkg-deb -f "$DEB" Depends)
want_missing=""
for p in qemu-system-x86 qemu-utils libvirt-daemon-driver-qemu supermin linux-image-amd64 adduser libvirt0 \
	 $(sed -e 's/#.*//' "$top/appliance/packages"); do
	# Essential packages are present everywhere and go unnamed.
	[ "$(dpkg-query -W -f '${Essential}' "$p" 2>/dev/null)" = yes ] && continue
	printf '%s\n' "$deps" | tr ',' '\n' | grep -q "^ *$p\( \|$\)" || want_missing="$want_missing $p"
done
check "it depends on QEMU, libvirt's driver, supermin, the kernel and every appliance package" [ -z "$want_missing" ]
[ -z "$want_missing" ] || diag "not in Depends:$want_missing"
# What they do is 02-install.t's to test; here, that they are there, run
# and parse.
dpkg-deb -e "$DEB" "$T/control"
check "its postinst and postrm are there, executable, and parse as sh" \
	sh -c "for f in postinst postrm; do [ -x '$T/control/'\$f ] && sh -n '$T/control/'\$f || exit 1; done"
finish
