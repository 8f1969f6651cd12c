#!/bin/bash
# The bash completion: written from the tables the parsers read, so every
# command, option and option value it offers is one leanboot takes; and
# make install puts it where bash-completion looks.
. "$(dirname "$0")/lib.sh"
tmpdir
export LEANBOOT_CACHE="$T/cache"
"$LB" completion bash >"$T/leanboot.bash"
plan 12

check "the script is valid bash" bash -n "$T/leanboot.bash"
# complete WORD...: what the completion offers for the last word.
complete_words() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _leanboot
		printf "%s\n" "${COMPREPLY[@]}"' _ "$T/leanboot.bash" leanboot "$@"
}

cmds=$("$LB" --help | awk '/^commands:/ {on = 1; next} on && /^  [a-z]/ {print $1} on && /^$/ {exit}')
check "the commands are --help's" [ "$(complete_words '' | grep -v '^-' | sort)" = "$(sort <<<"$cmds")" ]
check "global options before the command" sh -c "[ \"$(complete_words --back | tr '\n' ' ')\" = '--backend ' ]"
check "a global option's value before the command" \
	[ "$(complete_words -c qemu:///system --backend '' | tr '\n' ' ')" = "libvirt direct " ]
check "the command after global options" [ "$(complete_words -q --accel tcg insp)" = inspect ]

# Every option offered for a command is one its parser takes.  The
# unknown option after it stops the parse before the command does any
# work, whatever the option takes.
bad=""
for c in $cmds; do
	for o in $(complete_words $c -- | grep '^--'); do
		"$LB" $c $o x --frobnicate </dev/null 2>&1 | grep -q "unknown option '$o" && bad="$bad $c$o"
	done
done
check "every option offered is one the command takes" [ -z "$bad" ]
[ -z "$bad" ] || diag "not taken:$bad"

# Every option whose --help shows a list of values (a|b|c, or one
# lowercase word) is completed with exactly those words: read from each
# command's --help (and the global options' from leanboot --help, before
# the command), so an option added later is held to it too.  The word
# column is 30 wide; a longer word ends at the first space after it.
help_lists() {
	"$LB" $1 --help | awk '/^  -/ {
		for (i = 33; i <= length($0) && substr($0, i, 1) != " "; i++) ;
		n = split(substr($0, 3, i - 3), f, " ")
		if (f[1] ~ /,$/) { name = f[2]; val = f[3] } else { name = f[1]; val = f[2] }
		if (val ~ /^[a-z][a-z0-9-]*(\|[a-z][a-z0-9-]*)*$/) print name, val
	}'
}
bad="" seen=""
for c in "" $cmds; do
	while read -r o vals; do
		want=$(tr '|' '\n' <<<"$vals" | sort)
		got=$(complete_words $c "$o" '' | sort)
		[ "$got" = "$want" ] || bad="$bad ${c:-(global)}$o:{$(echo $got)}!={$(echo $want)}"
		seen="$seen ${c:-(global)}$o"
	done < <(help_lists "$c")
done
check "each value list --help shows is what the completion offers" [ -z "$bad" ]
[ -z "$bad" ] || diag "differ:$bad"
# Not vacuous: the lists the completion once left out are among them.
miss=""
for w in xml--clock xml--channel run--start inspect--start inspect--sbom bench--peer \
	 "(global)--backend" inspect--format; do
	grep -qw -- "$w" <<<"$seen" || miss="$miss $w"
done
check "the value lists read from --help include --clock, --channel, --start and --sbom" [ -z "$miss" ]
[ -z "$miss" ] || diag "not read:$miss" "read:$seen"

# Every topology offered is one xml renders.
bad=""
for t in $(complete_words xml --topology ''); do
	[ "$t" = ports= ] && t=ports=3
	"$LB" --backend direct xml --argv --topology "$t" >/dev/null 2>&1 || bad="$bad $t"
done
check "every topology offered renders" [ -z "$bad" ]
[ -z "$bad" ] || diag "not rendered:$bad"
check "files where a command takes them" [ "$(complete_words inspect "$T/leanboot.ba")" = "$T/leanboot.bash" ]
check "nothing after run's --" [ -z "$(complete_words run -- ls --to)" ]

make -s -C "$top" install DESTDIR="$T/root" PREFIX=/usr >/dev/null
check "make install puts it where bash-completion looks" \
	cmp -s "$T/leanboot.bash" "$T/root/usr/share/bash-completion/completions/leanboot"
finish
