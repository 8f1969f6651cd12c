#!/bin/bash
# --clock icount and bench's trace reach QEMU through libvirt's qemu
# namespace; a driver that drops it must be caught before the guest runs
# (tests/helpers/lv-test.c, on libvirt's test driver and an embedded
# QEMU driver; no QEMU starts).
. "$(dirname "$0")/lib.sh"
tmpdir
"$HELPERS/lv-test" "$T/root"
