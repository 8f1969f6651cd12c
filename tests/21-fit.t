#!/bin/bash
# The least-squares fit bench puts through a root-port sweep, on points
# with a known slope and noise (tests/helpers/fit-test.c).
exec "$(dirname "$0")/../build/tests/helpers/fit-test"
