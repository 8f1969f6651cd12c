#!/bin/bash
# The channel: the job, stdin, stdout and stderr over virtio-serial.  Each
# boot checks one property of the stream; every launch must leave no
# qemu, no domain and no run directory behind.
. "$(dirname "$0")/lib.sh"
plan 16
boot_setup
mkdir "$T/tree" "$T/back"

# 64 MiB out, through each backend: every byte, in a few seconds where
# the serial console took a minute and a half.
for b in direct libvirt; do
	bytes=$("$LB" run --backend $b -- head -c 64M /dev/zero | wc -c)
	check "$b: run -- head -c 64M /dev/zero | wc -c prints 67108864" [ "$bytes" = 67108864 ]
done

bytes=$(printf "%100000s" | "$LB" run -- wc -c)
check "stdin streams in, end of file included: wc -c counts 100000" [ "$bytes" = 100000 ]

# A 100 KiB argument: the kernel command line held 800 bytes of job.
big=$(head -c 76800 /dev/urandom | base64 -w0)
want=$(printf %s "$big" | sha256sum)
out=$("$LB" run --env GREETING=hello --env 'SPACED=a b' -- sh -c 'printf %s "$1" | sha256sum; echo "$GREETING|$SPACED"' sh "$big")
check "a 100 KiB argument arrives intact (sha256 in the guest)" [ "$(head -1 <<<"$out")" = "$want" ]
check "--env sets the command's environment" [ "$(tail -1 <<<"$out")" = "hello|a b" ]

# Interleaved writes to both streams: each arrives whole, in order, apart.
"$LB" run -- sh -c 'i=0; while [ $i -lt 3000 ]; do i=$((i+1)); echo out$i; echo err$i >&2; done' \
	>"$T/out" 2>"$T/err"
check "stdout and stderr arrive apart, each in order" \
	sh -c "seq -f out%g 3000 | cmp -s - '$T/out' && seq -f err%g 3000 | cmp -s - '$T/err'"

# A tree in through stdin, onto a writable disk; then out through stdout
# from the same disk, read-only.
head -c 3M /dev/urandom >"$T/tree/random"
mkdir "$T/tree/sub"
seq 1 100000 >"$T/tree/sub/numbers"
ln -s ../random "$T/tree/sub/link"
truncate -s 32M "$T/d.img"
mkfs.ext4 -q "$T/d.img"
tar c -C "$T/tree" . | "$LB" run --disk "$T/d.img:rw" -- \
	sh -c 'mount /dev/disk/leanboot/0 /mnt && tar x -C /mnt && umount /mnt'
st=$?
"$LB" run --disk "$T/d.img" -- \
	sh -c 'mount -o ro,noload /dev/disk/leanboot/0 /mnt && tar c -C /mnt --exclude=./lost+found .' |
	tar x -C "$T/back"
sums() { (cd "$1" && find . -type f -o -type l | sort | while read -r f; do
	if [ -L "$f" ]; then echo "$f -> $(readlink "$f")"; else sha256sum "$f"; fi; done); }
check "tar x from stdin onto a writable disk exits 0" [ $st = 0 ]
if [ "$(sums "$T/tree")" = "$(sums "$T/back")" ]; then ok "the tree round-trips: $(sums "$T/tree" | wc -l) entries"
else not_ok "the tree round-trips"; diag "$(diff <(sums "$T/tree") <(sums "$T/back"))"; fi

# A reader that goes away: the command gets SIGPIPE, as it would here.
"$LB" run -- sh -c 'yes; echo "yes: $?" >&2' 2>"$T/err" | head -c 10 >/dev/null
check "a closed stdout reaches the command as SIGPIPE (yes exits 141)" grep -qx "yes: 141" "$T/err"

# A flood the host cannot take: held back by flow control, so leanboot's
# peak RSS stays within 4 MiB of a quiet launch's: its two 256 KiB output
# queues and the frames being read, and room for a sanitizer's quarantine
# (measured: +0.5 MiB with ASan; unbounded, it would be +256 MiB).
quiet=$("$LB" -v --backend direct run -- true 2>&1 >/dev/null | sed -n 's/^launch: peak RSS \([0-9]*\) KiB.*/\1/p')
"$LB" -v --backend direct run -- head -c 256M /dev/zero 2>"$T/err" | { sleep 3; wc -c >"$T/n"; }
flood=$(sed -n 's/^launch: peak RSS \([0-9]*\) KiB.*/\1/p' "$T/err")
check "a flood is held back: 256 MiB through, peak RSS $flood KiB against $quiet KiB quiet" \
	sh -c "[ \"\$(cat '$T/n')\" = 268435456 ] && [ -n '$quiet' ] && [ -n '$flood' ] && [ '$flood' -le \$(( $quiet + 4096 )) ]"

# A terminal (script(1) gives one) is not input unless -i says so.
out=$(script -qec "$LB run -- readlink /proc/self/fd/0" /dev/null </dev/null | tr -d '\r')
check "from a terminal the command's stdin is /dev/null by default" [ "$out" = /dev/null ]
out=$(script -qec "$LB run -i -- readlink /proc/self/fd/0" /dev/null </dev/null | tr -d '\r')
check "with -i it is the stream from the terminal ($out)" grep -q '^pipe:' <<<"$out"

# The job's bound, and bad --env, before any VM starts.
args=()
for i in $(seq 1 10); do args+=("$(head -c 110000 /dev/zero | tr '\0' x)"); done
expect_fail "a job over 1 MiB exits 2, saying so" 2 "a job holds at most 1048576" \
	"$LB" run -- echo "${args[@]}"
expect_fail "--env without = exits 2" 2 "is not NAME=VALUE" "$LB" run --env FOO -- true
expect_fail "--env with a bad name exits 2" 2 "is not a variable name" "$LB" run --env 'A-B=1' -- true

check_left "nothing left: no qemu, no domain, no run directory"
finish
