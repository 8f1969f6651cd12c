#!/bin/bash
# leanboot bench: the stage parser on recorded real boots, the order of
# PCI config-access counts from real boots (deterministic, so asserting
# the order is honest), and bad options.  Nothing here times anything.
. "$(dirname "$0")/lib.sh"
tmpdir
export LEANBOOT_ACCEL=tcg
unset LEANBOOT_CONNECT LEANBOOT_BACKEND
data="$top/tests/data"
plan 64

# PCI enumeration, as leanboot(1) defines it: these initcalls, timed by
# the printk stamps of their "calling" and "returned" lines.
# On aarch64's virt (a recorded ports=4 boot), the host bridge's probe.
x86_enum='acpi_init|pcie_portdrv_init|pcibios_assign_resources|pci_subsys_init|pci_sysfs_init|pci_apply_final_quirks'
virt_enum='gen_pci_driver_init|pci_sysfs_init|pci_apply_final_quirks'
for t in minimal auto ports4 virt-ports4; do
	machine=q35 enum=$x86_enum
	[ $t = virt-ports4 ] && machine=virt enum=$virt_enum
	out=$("$HELPERS/stages-test" "$data/$t.dmesg" "$data/$t.trace" "$data/$t.banner" $machine)
	if d=$(diff -u "$data/$t.expect" - <<<"$out"); then
		ok "$t: the parser gives the recorded stage values"
	else
		not_ok "$t: the parser gives the recorded stage values"; diag "$d"
	fi
	# The same figures, found another way.
	reads=$(grep -c ':pci_cfg_read ' "$data/$t.trace")
	init=$(sed -n 's/^\[ *\([0-9.]*\)\] Run \/init as init process$/\1/p' "$data/$t.dmesg")
	pci=$(awk -v set="^($enum)$" '
		{ t = $2; sub(/\]/, "", t) }
		$3 == "calling" { n = $4; sub(/\+.*/, "", n); at[n] = t }
		$3 == "initcall" && / returned / { n = $4; sub(/\+.*/, "", n)
			if (n ~ set && n in at) s += int((t - at[n]) * 1e6 + 0.5) }
		END { print s }' <(sed 's/^\[ */[ /' "$data/$t.dmesg"))
	check "$t: config reads match a plain count of the trace ($reads)" grep -qx "cfg_reads=$reads" <<<"$out"
	check "$t: init start matches the dmesg line ($init)" grep -qx "init_start=$init" <<<"$out"
	check "$t: PCI enumeration matches a plain sum of printk spans ($pci us)" grep -qx "pci_usecs=$pci" <<<"$out"
done
# x86's initcalls on an aarch64 boot find almost nothing: the list is the
# machine's.
enum=$x86_enum
out=$("$HELPERS/stages-test" "$data/virt-ports4.dmesg" - "$data/virt-ports4.banner" q35)
not_counted() { [ -n "$out" ] && ! grep -q '^call=gen_pci_driver_init' <<<"$out"; }
check "virt-ports4 with q35's initcalls: gen_pci_driver_init is not counted" not_counted
# Before clocksource_done_booting the kernel's "after N usecs" is in
# jiffies (4 ms steps); the printk clock is not.
out=$("$HELPERS/stages-test" "$data/ports4.dmesg" "$data/ports4.trace" "$data/ports4.banner")
check "a span under 4 ms comes out to the microsecond (pci_subsys_init: 3476 us, 'after 4000 usecs')" \
	sh -c "grep -q 'pci_subsys_init+.* after 4000 usecs' '$data/ports4.dmesg' && [ '$(grep '^call=pci_subsys_init ' <<<"$out" | cut -d' ' -f1-2)' = 'call=pci_subsys_init 3476' ]"

# The boot thread's own time, from the guest's event trace: a recorded
# icount boot (ports=4, direct), cut after /init's exec, where the parser
# stops reading.
d="$data/ports4-icount"
out=$("$HELPERS/stages-test" "$d.dmesg" - "$d.banner")
if dd=$(diff -u "$d.expect" - <<<"$out"); then ok "ports4-icount: the parser gives the recorded own times"
else not_ok "ports4-icount: the parser gives the recorded own times"; diag "$dd"; fi
# The same, found another way: PID 1 on and off the CPU in a plain awk.
want=$(awk -v set="^($enum)$" '
	/^# tracer:/ { on = 1; next }
	!on || /^#/ || !match($0, / [0-9]+\.[0-9]+: [a-z_]+: /) { next }
	{ t = substr($0, RSTART + 1) + 0; ev = substr($0, RSTART); p1 = $0 ~ /-1 +\[/ }
	ev ~ /sched_switch:/ {
		if (first == "" && ev ~ / prev_pid=0 /) first = t
		if (ev ~ / prev_pid=1 / && run) { own += t - since; if (cur != "") cown += t - cs; run = 0 }
		if (ev ~ / next_pid=1 / && !run) { run = 1; since = cs = t }
		next }
	p1 && ev ~ /initcall_start:/ { n = ev; sub(/.*func=/, "", n); sub(/\+.*/, "", n); if (n ~ set) { cur = n; cs = t; cown = 0 } next }
	p1 && ev ~ /initcall_finish:/ && cur != "" { cown += t - cs; pci += cown; cur = ""; next }
	p1 && ev ~ /sched_process_exec: filename=\/init / { if (run) own += t - since
		printf "pci_own_usecs=%d init_own=%.6f\n", int(pci * 1e6 + 0.5), first + own; exit }' "$d.dmesg")
got=$(grep -E '^(pci_own_usecs|init_own)=' <<<"$out" | tr '\n' ' ')
check "ports4-icount: the own times match a plain walk of the trace ($want)" [ "$got" = "${want%$'\n'} " ]
read -r _ span _ own < <(grep '^call=acpi_init ' <<<"$out")
check "ports4-icount: other threads ran inside acpi_init (own $own < span $span us)" [ "$own" -gt 0 -a "$own" -lt "$span" ]
# A trace that stops before /init's exec gives no own figures.
cut=$(grep -n 'sched_process_exec: filename=/init' "$d.dmesg" | head -n 1 | cut -d: -f1)
head -n $((cut - 1)) "$d.dmesg" >"$T/cut.dmesg"
out=$("$HELPERS/stages-test" "$T/cut.dmesg" - "$d.banner")
got=$(grep -E '^(pci_usecs|pci_own_usecs|init_own)=' <<<"$out" | tr '\n' ' ')
check "a trace cut before /init's exec gives no own figures, the spans still ($got)" \
	[ "$got" = "pci_usecs=$(sed -n 's/^pci_usecs=//p' "$d.expect") pci_own_usecs=-1 init_own=-1.000000 " ]

# Three libvirt launches in one process.  Where libvirt finds its cached
# QEMU capabilities outdated it probes QEMU again and kills the probe's
# QEMU after; a process still a subreaper from the launch before holds
# that QEMU as a zombie, and libvirt waits 40 s and logs that it could
# not kill it.
lvlog="$("$LB" appliance info | awk '$1=="cache"{print $2}')/libvirt.log"
before=$(grep -c "Failed to terminate process" "$lvlog" 2>/dev/null)
# With expectations on the deterministic count, relative to the first
# configuration: every topology makes at least minimal's accesses, and
# only minimal makes under twice them.
"$LB" bench -q --topology minimal,auto,virt-install --runs 1 --warmup 0 --csv "$T/r.csv" \
	--json "$T/r.json" --svg "$T/r.svg" --logs "$T/logs" \
	--expect 'pci_cfg_ratio>=1,pci_cfg_ratio<2' --junit "$T/r.junit" >"$T/table"
st=$?
check "bench of three topologies completes; exit 1, since two expectations fail" \
	sh -c "[ $st = 1 ] && grep -q '^PCI config accesses' '$T/table'"
check "the table says which expectations were not met, and why" \
	sh -c "[ \$(grep -c '^  NOT MET  .*: pci_cfg against .*, per round, is .*; expected < 2$' '$T/table') = 2 ] &&
	       [ \$(grep -c '^  met ' '$T/table') = 4 ]"
junit_read "$T/r.junit" >"$T/r.read" 2>&1
check "--junit: a case per configuration's runs and per expectation, auto's and virt-install's ratios failed" \
	sh -c "grep -qx 'cases 9 failures 2' '$T/r.read' &&
	       grep -q '^failure pci_cfg_ratio<2: auto.*: pci_cfg against minimal.*expected < 2$' '$T/r.read' &&
	       grep -q '^failure pci_cfg_ratio<2: virt-install.*expected < 2$' '$T/r.read'"
grep -q 'cases 9 failures 2' "$T/r.read" || diag "$(cat "$T/r.read")"
after=$(grep -c "Failed to terminate process" "$lvlog" 2>/dev/null)
check "no later launch left libvirt a process it could not kill (${before:-0} -> ${after:-0})" \
	[ "${after:-0}" = "${before:-0}" ]
# Columns by their header names, so that new columns do not move them.
read -r m a v < <(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	{ c[$col["topology"]] = $col["pci_cfg_reads"] + $col["pci_cfg_writes"] }
	END { print c["minimal"], c["auto"], c["virt-install"] }' "$T/r.csv")
check "config accesses: minimal ($m) < auto ($a) < virt-install ($v)" [ "$m" -lt "$a" -a "$a" -lt "$v" ]
check "minimal makes at most 1/3 of auto's config accesses" [ $((m * 3)) -le "$a" ]
# The channel's virtio-serial controller is in every topology (about 250
# accesses each; 657 against 5802 without it).
check "minimal makes at most 1/6 of virt-install's config accesses" [ $((m * 6)) -le "$v" ]
check "the table, the JSON and the SVG are there" \
	sh -c "grep -q '^PCI config accesses' '$T/table' && json_pp <'$T/r.json' >/dev/null && grep -q '<svg' '$T/r.svg'"

# The same --logs directory again: each run's trace is its own (QEMU
# appends to a trace file it finds), so the count is the same.
# With an expectation it meets: exit 0.
"$LB" bench -q --topology minimal --runs 1 --warmup 0 --csv "$T/again.csv" --logs "$T/logs" \
	--expect 'pci_cfg_ratio=1, pci_cfg > 0' >/dev/null
check "bench whose expectations are all met exits 0" [ $? = 0 ]
again=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	{ print $col["pci_cfg_reads"] + $col["pci_cfg_writes"] }' "$T/again.csv")
check "a second bench into the same --logs counts its own accesses ($again, first $m)" [ "$again" = "$m" ]
check "bench leaves nothing in TMPDIR" [ -z "$(ls -A "$T/tmp")" ]

# What the channel device itself costs: the same topology without it.
"$LB" bench -q --topology minimal --channel on,off --runs 1 --warmup 0 --backend direct \
	--csv "$T/chan.csv" >"$T/chan.txt"
read -r con coff < <(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	$0 == "" { exit } { c[$col["channel"]] = $col["pci_cfg_reads"] + $col["pci_cfg_writes"] }
	END { print c["on"], c["off"] }' "$T/chan.csv")
check "--channel on,off: without the channel device, fewer config accesses ($coff < $con)" \
	sh -c "[ -n '$coff' ] && [ -n '$con' ] && [ '$coff' -lt '$con' ] && grep -q 'channel=off' '$T/chan.txt'"

# The instruction-count clock, one boot a backend: the guest clock's
# figures are there and labelled as icount's guest time.
check_status -o "$T/icount.txt" "--clock icount: a boot through each backend, exit 0" 0 \
	"$LB" bench -q --topology minimal --clock icount --runs 1 --warmup 0 --backend direct,libvirt \
	--csv "$T/icount.csv" --json "$T/icount.json"
got=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	$0 == "" { exit } $col["ok"] == 1 && $col["clock"] == "icount" && $col["guest_init_start"] > 0 { print $col["backend"] }' \
	"$T/icount.csv" | sort | tr '\n' ' ')
check "--clock icount: both backends' runs are icount's, with a guest clock ($got)" [ "$got" = "direct libvirt " ]
got=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next } $0 == "" { exit }
	$col["pci_enumeration_own_ms"] > 0 && $col["pci_enumeration_own_ms"] < $col["pci_enumeration_ms"] &&
	$col["kernel_to_init_own_ms"] > 0 && $col["kernel_to_init_own_ms"] < 1000 * $col["guest_init_start"] { print $col["backend"] }' \
	"$T/icount.csv" | sort | tr '\n' ' ')
check "--clock icount: the boot thread's own times, each below its span, through both backends ($got)" \
	[ "$got" = "direct libvirt " ]
check "--clock icount: the table says what its guest time is" \
	grep -q '^  clock icount: guest time at 1 ns an instruction, not time on hardware' "$T/icount.txt"
ns=$(perl -MJSON::PP -e 'local $/; print decode_json(<STDIN>)->{configurations}[0]{guest_ns_per_instruction} // "none"' \
	<"$T/icount.json")
check "--clock icount: the JSON gives ns an instruction ($ns)" [ "$ns" = 1 ]

# A root-port sweep: ranges, and the fit they bring.  On the instruction
# count, with two identical boots at each N, so that the spread between
# them is there to read.
"$LB" bench -q --topology ports=0..2 --clock icount --runs 2 --warmup 0 --backend direct --json "$T/sweep.json" \
	--svg "$T/sweep.svg" >"$T/sweep.txt"
fit=$(perl -MJSON::PP -e 'local $/; my $d = decode_json(<STDIN>); my $s = $d->{sweeps}[0];
	my $f = $s->{fits}{pci_cfg};
	print join(" ", $s->{name}, join(",", @{$s->{ports}}), $f->{per_port}, @{$f->{per_port_ci95}},
		$f->{r2}, $f->{points}, scalar @{$f->{median_residuals}}, exists $s->{fits}{pci_enumeration_ms} ? "pci" : "-")' <"$T/sweep.json")
read -r sname sports slope lo hi r2 points nres pci <<<"$fit"
check "ports=0..2 is a sweep of N = 0,1,2 ($sname: $sports)" [ "$sname" = ports=N/direct -a "$sports" = 0,1,2 ]
check "its config accesses grow per port ($slope [$lo, $hi], R2 $r2)" \
	perl -e 'exit !($ARGV[0] > 0 && $ARGV[1] <= $ARGV[0] && $ARGV[0] <= $ARGV[2] && $ARGV[3] > 0.9)' "$slope" "$lo" "$hi" "$r2"
check "the fit has its points, a residual at each N, and PCI enumeration's" [ "$points $nres $pci" = "6 3 pci" ]
# Identical icount boots run the same instructions: PCI enumeration and
# kernel to /init agree to 0.2% at every N, and the fit says by how much.
spread=$(perl -MJSON::PP -e 'local $/; my $s = decode_json(<STDIN>)->{sweeps}[0]; my @o;
	for my $k (qw(pci_enumeration_ms pci_enumeration_own_ms kernel_to_init_ms kernel_to_init_own_ms)) { my $f = $s->{fits}{$k};
		push @o, join(":", $k, $f->{spread_max} // "none", scalar @{$f->{spreads} // []}, $f->{intercept}) }
	print "@o"' <"$T/sweep.json")
check "icount: identical boots agree to 0.2% at each N, a spread given for each ($spread)" \
	perl -e 'for (@ARGV) { my ($k, $max, $n, $at0) = split /:/; exit 1 unless $max ne "none" && $n == 3 && $max <= 0.002 * $at0 } exit 0' $spread
check "the table has the spread column and rows" \
	sh -c "grep -q 'same-N spread' '$T/sweep.txt' && grep -q '^spread (max - min) at N =' '$T/sweep.txt'"
check "the table has the sweep" grep -q '^sweep ports=N/direct, N = 0..2' "$T/sweep.txt"
check "the SVG plots config accesses against N, a point at each N" \
	sh -c "grep -q 'ports=N/direct: config accesses, [0-9.]* per port' '$T/sweep.svg' && [ \$(grep -c '<circle' '$T/sweep.svg') -ge 3 ]"
# --accel kvm forced.  These machines' KVM hangs a guest, so the run
# meets its deadline, cleanly; where KVM works the bench completes; with
# no /dev/kvm bench says so before any run.  The conditions say which
# accelerator ran.
"$LB" --accel kvm bench --topology minimal --runs 1 --warmup 0 --backend direct --timeout 8 \
	>"$T/kvm.out" 2>"$T/kvm.err"
st=$?
if [ ! -e /dev/kvm ]; then
	want="--accel kvm: /dev/kvm: No such file or directory"
	check "bench --accel kvm with no /dev/kvm: no run, no conditions" [ ! -s "$T/kvm.out" ]
else
	want="minimal/direct: deadline of 8 s passed during"
	check "bench --accel kvm: the conditions say kvm ran" grep -q '^conditions: .*, accel kvm,' "$T/kvm.out"
fi
check "bench --accel kvm: it worked, or it failed in one line ($want)" \
	sh -c "[ $st = 0 ] || { [ $st = 3 ] && [ \$(grep -c . '$T/kvm.err') = 1 ] && grep -q '^leanboot: bench: $want' '$T/kvm.err'; }"
[ $st = 0 ] || diag "exit $st: $(cat "$T/kvm.err")"
check_left "bench --accel kvm: no QEMU, no domain and nothing in TMPDIR left"
for r in ports=5..2 ports=0..300 ports=0..4/0 ports=a..b; do
	expect_fail "a bad range: $r" 2 "--topology: '$r'" "$LB" bench --topology minimal,$r
done

expect_fail "--expect: an unknown metric" 2 "unknown metric 'nosuch'" "$LB" bench --expect 'nosuch<=1'
expect_fail "--expect: no such configuration" 2 "no configuration is named 'nope'" "$LB" bench --expect 'nope:wall<9'
expect_fail "--expect: no operator" 2 "is not \\[CONF:\\]METRIC OP N" "$LB" bench --expect 'wall~9'
expect_fail "--expect: not a number" 2 "'x' is not a number" "$LB" bench --expect 'wall<x'
expect_fail "--expect: an empty list" 2 "no term in ' , '" "$LB" bench --expect ' , '
expect_fail "--runs 0" 2 "--runs: '0'" "$LB" bench --runs 0
expect_fail "--runs x" 2 "--runs: 'x'" "$LB" bench --runs x
expect_fail "--warmup 11" 2 "--warmup" "$LB" bench --warmup 11
expect_fail "an unknown topology" 2 "unknown topology" "$LB" bench --topology minimal,nope
expect_fail "an unknown backend" 2 "--backend: 'qemu'" "$LB" bench --backend libvirt,qemu
expect_fail "an unknown peer" 2 "--peer: 'qemu' is not libguestfs" "$LB" bench --peer qemu
finish
