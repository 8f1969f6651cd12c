#!/bin/bash
# The shape of the program: no include or call cycle between the
# launcher's modules (scripts/modgraph), and the man page's synopsis in
# step with the command table, which --help prints.
. "$(dirname "$0")/lib.sh"
tmpdir
export LEANBOOT_CACHE="$T/cache"
MAN="$top/docs/leanboot.1"

cmds=$("$LB" --help | awk '/^commands:/ {on = 1; next} on && /^  [a-z]/ {print $1} on && /^$/ {exit}')
plan $(($(wc -w <<<"$cmds") + 3))

if out=$("$top/scripts/modgraph" --check 2>&1); then ok "no include or call cycle between modules"
else not_ok "no include or call cycle between modules"; diag "$out"; fi

# The long options in --help's sections before the global ones, or in
# them (GLOBAL=1).
help_opts() {
	awk -v global="$2" '/^global options/ {g = 1} /^  (-., )?--/ && (g == global) {
		sub(/^  (-., )?--/, ""); print $1 }' <<<"$1" | sort -u
}
# The long options in the man page's synopsis of command $1 (its lines
# from ".B leanboot CMD" to the next .br; check has two).
man_opts() {
	awk -v c="$1" '/^\.SH/ {syn = ($2 == "SYNOPSIS"); on = 0} syn && $0 ~ "^\\.B leanboot " c "( |$)" {on = 1}
		on && /^\.br/ {on = 0} on' "$MAN" | grep -o '\\-\\-[a-z\\-]*[a-z]' | sed 's/\\-/-/g; s/^--//' | sort -u
}
globals=$(help_opts "$("$LB" --help)" 1)
man_globals=$(awk '/^\.SH SYNOPSIS/ {on = 1; next} on && /^\.PP/ {exit} on' "$MAN" |
	grep -o '\\-\\-[a-z\\-]*[a-z]' | sed 's/\\-/-/g; s/^--//' | sort -u)
check "the synopsis names every global option" [ "$globals" = "$man_globals" ]
[ "$globals" = "$man_globals" ] || diag "table: $globals" "man: $man_globals"

for c in $cmds; do
	own=$(help_opts "$("$LB" "$c" --help)" 0)
	# The synopsis may repeat a global option a command takes a list of
	# (bench --backend).
	man=$(comm -23 <(man_opts "$c") <(printf '%s\n' "$globals"))
	check "$c: the synopsis names the options the parser takes, and only them" [ "$own" = "$man" ]
	[ "$own" = "$man" ] || diag "table: $(echo $own)" "man: $(echo $man)"
done

# --help is one table: a command's options are the ones it takes.
bad=""
for c in $cmds; do
	for o in $(help_opts "$("$LB" "$c" --help)" 0); do
		"$LB" "$c" "--$o" x --frobnicate </dev/null 2>&1 | grep -q "unknown option '--$o" && bad="$bad $c--$o"
	done
done
check "every option --help lists is one the command takes" [ -z "$bad" ]
finish
