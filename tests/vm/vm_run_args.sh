#!/usr/bin/env bash
# vm_run_args.sh: run-in-vm refuses malformed and hostile options before it
# prepares or boots anything (exit 125 with a message, or 2 with the usage).
# Needs no QEMU: the checks come first.
. "$TNFS_SRCDIR/tests/integration/lib.sh"

run=$TNFS_SRCDIR/tests/vm/run-in-vm
dir=$(t_tmpdir)
printf '#!/bin/sh\nexit 0\n' >"$dir/s.sh"
mkdir -p "$dir/a,b" "$dir/plain"

# refused WANT_RC DESC ARGS...: run-in-vm exits WANT_RC, says so, boots nothing.
refused() {
	local want=$1 desc=$2 out rc
	shift 2
	out=$(timeout 20 "$run" "$@" 2>&1) && rc=0 || rc=$?
	if [ "$rc" = "$want" ] && ! grep -q 'exit .* after' <<<"$out"; then
		t_pass "refused: $desc"
	else
		t_fail "refused: $desc" "exit $rc, want $want" "${out:0:500}"
	fi
}

refused 2 "no script" --timeout 60
refused 2 "an unknown option" --frobnicate "$dir/s.sh"
refused 125 "a missing script" "$dir/nope.sh"
refused 125 "--timeout without a value" --timeout
refused 125 "--timeout not a number" --timeout abc "$dir/s.sh"
refused 125 "--timeout below 10 s" --timeout 5 "$dir/s.sh"
refused 125 "--timeout in octal" --timeout 010 "$dir/s.sh"
refused 125 "--timeout that overflows" --timeout 99999999999999999999 "$dir/s.sh"
refused 125 "--timeout negative" --timeout -30 "$dir/s.sh"
refused 125 "--mem too small" --mem 16 "$dir/s.sh"
refused 125 "--smp zero" --smp 0 "$dir/s.sh"
refused 125 "--fwd without a colon" --fwd 2049 "$dir/s.sh"
refused 125 "--fwd port 0" --fwd 0:2049 "$dir/s.sh"
refused 125 "--fwd port above 65535" --fwd 2049:65536 "$dir/s.sh"
refused 125 "--fwd with three parts" --fwd 1:2:3 "$dir/s.sh"
refused 125 "--fwd smuggling a QEMU option" --fwd '2049:2049,hostfwd=tcp::22-:22' "$dir/s.sh"
refused 125 "--fwd smuggling a command" --fwd '2049:2049;reboot' "$dir/s.sh"
refused 125 "--hostfwd with a host name" --hostfwd localhost:80 "$dir/s.sh"
refused 125 "--env without =" --env NAME "$dir/s.sh"
refused 125 "--env with an empty name" --env =x "$dir/s.sh"
refused 125 "--env with a name starting with a digit" --env 1A=x "$dir/s.sh"
refused 125 "--env with a shell in the name" --env 'A$(reboot)=x' "$dir/s.sh"
refused 125 "--bind of a relative path" --bind plain "$dir/s.sh"
refused 125 "--bind of a path with a comma" --bind "$dir/a,b" "$dir/s.sh"
refused 125 "--bind of a missing directory" --bind "$dir/missing" "$dir/s.sh"
refused 125 "--ro-bind of a file" --ro-bind "$dir/s.sh" "$dir/s.sh"
t_done
