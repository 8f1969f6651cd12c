#!/bin/bash
# The appliance as a cached product: built once, a cache hit after, a new
# key when an input changes, and gone after clean.
. "$(dirname "$0")/lib.sh"
tmpdir
export LEANBOOT_CACHE="$T/cache"
plan 7

if out=$("$LB" appliance build 2>&1) && grep -q '^built ' <<<"$out"; then
	ok "first build runs supermin"
else
	not_ok "first build runs supermin"; diag "$out"
fi
out=$("$LB" appliance build 2>&1)
if grep -q '^cache hit:' <<<"$out"; then ok "second build is a cache hit ($out)"; else not_ok "second build is a cache hit"; diag "$out"; fi
info=$("$LB" appliance info)
key=$(awk '$1=="key"{print $2}' <<<"$info")
if grep -q '^state *up to date' <<<"$info" && [ "$key" = "$(cat "$T/cache/appliance/key")" ]; then
	ok "info: up to date, with the key of what was built"
else
	not_ok "info: up to date, with the key of what was built"; diag "$info"
fi
check "info gives kernel, initrd and root" \
	grep -qE '^root .*/appliance/root \(' <<<"$info"
check "the init in the root image is ours" \
	sh -c "debugfs -R 'cat /init' '$T/cache/appliance/root' 2>/dev/null | cmp -s - '$top/build/lib/leanboot/init'"

# An edited input gives another key: the cache is out of date.
cp -r "$top/build/lib/leanboot" "$T/data"
echo "# edited" >>"$T/data/packages"
if LEANBOOT_DATADIR="$T/data" "$LB" appliance info | grep -q '^state *out of date'; then
	ok "an edited package list makes the appliance out of date"
else
	not_ok "an edited package list makes the appliance out of date"
fi

tpl=$(ls "$T/cache/template" 2>/dev/null | wc -l)
"$LB" appliance clean -q
if [ ! -e "$T/cache/appliance" ] && [ ! -e "$T/cache/template" ] && [ "$tpl" -ge 1 ] &&
   "$LB" appliance info | grep -q '^state *not built'; then
	ok "clean removes it, and the template the build made ($tpl)"
else
	not_ok "clean removes it, and the template the build made ($tpl)"
fi
finish
