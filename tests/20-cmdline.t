#!/bin/bash
# The shape of the programs: no include or call cycle between the
# modules of the launcher, the appliance's init or its inspector
# (scripts/modgraph, which a tree with a cycle in it fails), and the man
# page's synopsis in step with the command table, which --help prints.
. "$(dirname "$0")/lib.sh"
tmpdir
export LEANBOOT_CACHE="$T/cache"
MAN="$top/docs/leanboot.1"

cmds=$("$LB" --help | awk '/^commands:/ {on = 1; next} on && /^  [a-z]/ {print $1} on && /^$/ {exit}')
plan $(($(wc -w <<<"$cmds") + 11))

# Small files, each with one job: none over 600 lines.
long=$(cd "$top" && find launcher appliance include -name '*.[ch]' -exec wc -l {} + | awk '$2 != "total" && $1 > 600')
check "no source file over 600 lines" [ -z "$long" ]
[ -z "$long" ] || diag "$long"

if out=$("$top/scripts/modgraph" --check 2>&1); then ok "no include or call cycle between modules"
else not_ok "no include or call cycle between modules"; diag "$out"; fi
# ... and that check looked at all three programs: each one's main
# calls modules of its own.
graph=$("$top/scripts/modgraph" 2>&1)
calls_own() {
	for p in launcher appliance/init appliance/inspect; do
		m=$p/main
		[ "$p" = launcher ] && m=launcher/cmd/main
		grep -q "^$m  *calls .* $p/" <<<"$graph" || return 1
	done
}
check "modgraph reads the launcher, the init and the inspector" calls_own

# A tree with cycles in it: in the launcher, a.c and b.c include each
# other's header and call each other; in the init, c.c and d.c only call
# each other.  Objects where make would leave them.
F="$T/fixture"
mkdir -p "$F/launcher/x" "$F/appliance/init"
printf 'void a(void);\n' >"$F/launcher/x/a.h"
printf 'void b(void);\n' >"$F/launcher/x/b.h"
printf '#include "a.h"\n#include "b.h"\nvoid a(void) { b(); }\n' >"$F/launcher/x/a.c"
printf '#include "b.h"\n#include "a.h"\nvoid b(void) { a(); }\n' >"$F/launcher/x/b.c"
printf 'void d(void);\nvoid c(void) { d(); }\n' >"$F/appliance/init/c.c"
printf 'void c(void);\nvoid d(void) { c(); }\n' >"$F/appliance/init/d.c"
# Sources alone first: no objects is no graph, never a pass.
"$top/scripts/modgraph" --check --root "$F" >/dev/null 2>&1
st=$?
check "modgraph fails on sources with no objects (exit 2)" [ "$st" = 2 ]
for c in launcher/x/a launcher/x/b appliance/init/c appliance/init/d; do
	mkdir -p "$F/build/obj/$(dirname "$c")"
	cc -c -o "$F/build/obj/$c.o" "$F/$c.c" || diag "cc $c.c failed"
done
out=$("$top/scripts/modgraph" --check --root "$F" 2>&1)
st=$?
check "modgraph fails on a tree with a cycle (exit 1)" [ "$st" = 1 ]
check "it names the launcher's include cycle" grep -q '^include cycle: launcher/x/a -> launcher/x/b -> launcher/x/a$' <<<"$out"
check "it names the launcher's call cycle" grep -q '^call cycle: launcher/x/a -> launcher/x/b -> launcher/x/a$' <<<"$out"
check "it names the init's call cycle" grep -q '^call cycle: appliance/init/c -> appliance/init/d -> appliance/init/c$' <<<"$out"
[ "$failed" = 0 ] || diag "modgraph on the fixture: exit $st" "$out"

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

# Each key of the inspection's records and of its report is spelled in
# include/inspect-vocab.h and nowhere else: every string there is one,
# and none may be a literal in the inspection's sources.  Only those
# are read (launcher/inspect, launcher/cmd/inspect.c, appliance/inspect):
# elsewhere "name", "type" or "disk" are libvirt's XML, options' names
# or other JSON.  Inside them a few literals are the same words in
# another vocabulary; each is exempt in its own context only, and an
# exemption that no longer matches its file fails the check too.
# Each line: FILE, TAB, the context (a Perl regex), TAB, what it is.
vocab_exempt='launcher/inspect/sbom.c	sbom_set(_str)?\(&?s, \w+, "[^"]*"(, "[^"]*")?	CycloneDX fields and values
launcher/inspect/sbom.c	\{ "archlinux", "arch" \}	the purl namespace of Arch Linux
launcher/inspect/derive.c	\{ "arch", "archlinux",	the os-release ID of Arch Linux
appliance/inspect/bsd.c	insp_shell_value\(l, "hostname",	the rc.conf variable
appliance/inspect/fs.c	strcmp\(usage, "filesystem"\)	a USAGE blkid reports'
# FILE: "STRING" for each string literal in FILES, outside comments and
# character constants, once each exempt context is cut out.
vocab_literals() {
	EXEMPT=$vocab_exempt perl -e '
		my %ex;
		for (split /\n/, $ENV{EXEMPT}) { my ($f, $re) = split /\t/; push @{$ex{$f}}, $re }
		undef $/;
		for my $f (@ARGV) {
			open my $h, "<", $f or die "$f: $!\n";
			my $s = <$h>;
			for my $re (@{$ex{$f} || []}) {
				print "$f: exemption matches nothing: $re\n" unless $s =~ s/$re//g;
			}
			while ($s =~ m{(/\*.*?\*/|//[^\n]*|\x27(?:[^\x27\\\n]|\\.)*\x27|"((?:[^"\\\n]|\\.)*)")}gs) {
				print "$f: \"$2\"\n" if defined $2;
			}
		}' "$@"
}
vocab_check() {
	local keys
	keys=$(vocab_literals include/inspect-vocab.h | sed 's/^[^:]*: //' | sort -u)
	# The table must have been read: kinds, keys, fields, names.
	[ "$(wc -l <<<"$keys")" -gt 80 ] || { echo "only $(wc -l <<<"$keys") keys read"; return; }
	vocab_literals launcher/inspect/*.[ch] launcher/cmd/inspect.c appliance/inspect/*.[ch] |
		awk 'NR == FNR {k[$0]; next} /: exemption / || substr($0, index($0, ": ") + 2) in k' <(printf '%s\n' "$keys") -
}
bad=$(cd "$top" && vocab_check)
check "every inspection key is spelled in include/inspect-vocab.h only" [ -z "$bad" ]
[ -z "$bad" ] || diag "$bad"
finish
