#!/bin/bash
# The image make container built (LEANBOOT_IMAGE), run by podman as its
# users run it: no --privileged, no added capability, no /dev/kvm, no
# network.  inspect prints what leanboot from the tree prints and leaves
# the image as it was; run passes stdin, stdout, stderr and the exit
# status through; the first launch is warm, since the image holds the
# appliance and its template.  Then the same as an ordinary user,
# rootless.
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" = 0 ] || skip_all "the rootful half and making a user for the rootless half need root"
tmpdir
IMAGE=${LEANBOOT_IMAGE:?make check-package sets LEANBOOT_IMAGE}
# runc, and limits root may set here (container/containers.conf says why).
export CONTAINERS_CONF="$top/container/containers.conf"
plan 21

"$top/tests/helpers/mkimage" debian "$T/debian.img"
chmod 0644 "$T/debian.img"
stamp() { stat -c '%s %a %u %Y' "$T/debian.img"; sha256sum <"$T/debian.img"; }
before=$(stamp)
"$LB" inspect --json "$T/debian.img" 2>/dev/null | facts_less_path >"$T/want.json"
check "leanboot from the tree inspects the image" [ -s "$T/want.json" ]
# QEMUs inside podman's containers, by their cgroup (libpod-ID): those
# are this test's, where other QEMUs on the host may come and go.
container_qemus() {
	for p in $(all_qemus); do grep -qs libpod "/proc/$p/cgroup" && echo "$p"; done
}

# podman_as WHO ARGS...: podman run --rm --network none ARGS, as root or
# as the rootless user.
podman_as() {
	local who=$1
	shift
	if [ "$who" = root ]; then
		podman run --rm --network none "$@"
	else
		as_lbpod podman run --rm --network none "$@"
	fi
}
# as_lbpod CMD...: CMD as the rootless user, from its home: the checkout
# this test runs from may be one that user cannot enter, and podman
# starts the container in its caller's directory.
as_lbpod() {
	(cd /home/lbpod && setpriv --reuid lbpod --regid lbpod --init-groups env -i HOME=/home/lbpod \
		PATH=/usr/bin:/bin XDG_RUNTIME_DIR="$XDG_RT" "$@")
}

containers() {
	local who=$1
	check_status "$who: podman run ... inspect --json /img" 0 \
		podman_as "$who" -v "$T/debian.img:/img:ro" "$IMAGE" inspect --json /img
	printf '%s\n' "$out" | facts_less_path >"$T/$who.json"
	check "$who: ... prints the facts leanboot on the host prints" cmp -s "$T/want.json" "$T/$who.json"
	check "$who: ... and the image is unchanged (size, mode, owner, time, content)" [ "$(stamp)" = "$before" ]

	printf 'in-data\n' >"$T/in"
	check_status -i "$T/in" -o "$T/out" -e "$T/err" "$who: podman run -i ... run -- CMD passes the exit status" 7 \
		podman_as "$who" -i "$IMAGE" run -- sh -c 'cat; echo to-err >&2; exit 7'
	check "$who: ... stdin in and stdout out" [ "$(cat "$T/out")" = in-data ]
	check "$who: ... and stderr out" grep -qx to-err "$T/err"

	check_status -e "$T/verbose" "$who: the first launch of a new container" 0 \
		podman_as "$who" "$IMAGE" -v run -- true
	check "$who: ... is warm: a clone of the template in the image, no appliance or template made" \
		sh -c "grep -q 'stage restore' '$T/verbose' && ! grep -q 'ready in' '$T/verbose' && ! grep -q 'stage firmware' '$T/verbose'"
	grep -q 'stage restore' "$T/verbose" || diag "$(grep -v console: "$T/verbose" | head -20)"
}

containers root
check "root: no container left" [ -z "$(podman ps -aq --filter "ancestor=$IMAGE")" ]

# Rootless: a new user, its own storage (overlay, as the README says:
# podman would otherwise copy the whole image for every container), the
# image loaded into it from root's.
useradd -m -s /bin/sh lbpod
cleanup_user() {
	as_lbpod podman system reset -f >/dev/null 2>&1
	pkill -u lbpod 2>/dev/null
	userdel -r lbpod 2>/dev/null
	rm -rf "$XDG_RT" "$T"
}
XDG_RT=$(mktemp -d /tmp/leanboot-xdg.XXXXXX)
chown lbpod:lbpod "$XDG_RT"
trap cleanup_user EXIT
mkdir -p /home/lbpod/.config/containers
printf '[storage]\ndriver = "overlay"\n' >/home/lbpod/.config/containers/storage.conf
# runc, as for root; the user's own copy, since the checkout may be one
# that user cannot read.
cp "$CONTAINERS_CONF" /home/lbpod/.config/containers/containers.conf
chown -R lbpod:lbpod /home/lbpod/.config
# Subordinate ids for its user namespace: useradd gives them only where
# /etc/subuid exists already; userdel takes them back.
grep -q '^lbpod:' /etc/subuid 2>/dev/null ||
	usermod --add-subuids 1000000-1065535 --add-subgids 1000000-1065535 lbpod
podman save "$IMAGE" | as_lbpod podman load -q >"$T/load" 2>&1
check "rootless: the image loads into the user's own storage" grep -q "$IMAGE" "$T/load"
containers rootless
left=$(container_qemus)
check "no QEMU left in a container" [ -z "$left" ]
[ -z "$left" ] || diag "$(ps -o pid=,args= -p "$left")"
if [ -c /dev/kvm ]; then
	check_status "root: with --device /dev/kvm, run -- true" 0 podman_as root --device /dev/kvm "$IMAGE" run -- true
else
	skip "root: with --device /dev/kvm: this host has no /dev/kvm"
fi
finish
