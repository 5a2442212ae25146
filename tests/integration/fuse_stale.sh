#!/usr/bin/env bash
. "$TNFS_SRCDIR/tests/integration/lib.sh"
t_done
