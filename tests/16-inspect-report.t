#!/bin/bash
# The host's reader of the inspector's records: good reports, and every
# rule and bound a hostile guest might break.
exec "$(dirname "$0")/../build/tests/helpers/report-test"
