#!/bin/bash
# The guest protocol parser: good streams, broken ones, and its bounds.
exec "$(dirname "$0")/../build/tests/helpers/proto-test"
