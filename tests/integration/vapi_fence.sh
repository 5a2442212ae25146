#!/usr/bin/env bash
. "$TNFS_SRCDIR/tests/integration/vapi_lib.sh"
t_skip_all "not written yet"
