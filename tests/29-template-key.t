#!/bin/bash
# The warm-start template key, as plan/key.c words a plan: the same for
# launches of one template, other for each change to the machine, and
# other wherever either backend renders two plans apart
# (tests/helpers/key-test.c; no VM starts).
exec "$(dirname "$0")/../build/tests/helpers/key-test"
