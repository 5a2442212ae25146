#!/usr/bin/env bash
# help_defaults: the --help of every program shows the default of every
# option that takes a value, or says it has none ("no default"), and the
# VAPI's default listener is where the plugin looks by default.
#
# An option entry is a line starting with blanks and '-', with the deeper
# indented lines under it.  One that takes a value (--opt VALUE, -o VALUE,
# -o key=VALUE) must say "default" somewhere in its entry.
. "$TNFS_SRCDIR/tests/integration/lib.sh"

B=$TNFS_BUILDDIR
VAPI=$B/vapi/tritonnfs-vapi
PLUGIN=$B/plugin/tritonnfs-plugin
FUSE=$B/fuse/tritonnfs-fuse
TV=$B/client/triton-volume
ADM=$B/client/tritonnfs-adm

# Print the entries that take a value and show no default.
undocumented() {
	awk '
	function flush() {
		if (entry != "" && valued && entry !~ /default/)
			print entry
		entry = ""; valued = 0
	}
	/^[ \t]+-/ {
		flush()
		entry = $0
		head = $0
		sub(/^[ \t]+/, "", head)
		valued = head ~ /^(-[A-Za-z], )?--?[A-Za-z][A-Za-z_-]*(, --?[A-Za-z][A-Za-z_-]*)*[ =][A-Z]/ ||
		    head ~ /^-o [a-z_]+=/
		next
	}
	/^[ \t][ \t][ \t][ \t][ \t][ \t]+[^ \t-]/ && entry != "" {
		entry = entry "\n" $0
		next
	}
	{ flush() }
	END { flush() }
	'
}

# The checker itself catches a missing default.
bad=$(printf '  --good N      x (default: 1)\n  --bad PATH    where it goes\n                on two lines\n  --flag        no value\n' | undocumented)
t_like "the checker flags an option without a default" "$bad" "--bad PATH"
t_is "and nothing else" "$(printf '%s\n' "$bad" | grep -c -- '--')" 1

check() {
	local name=$1 out miss
	shift
	if ! out=$("$@" 2>&1); then
		t_fail "$name: exits 0" "$out"
		return
	fi
	miss=$(printf '%s\n' "$out" | undocumented)
	t_is "$name: every option with a value shows its default" "$miss" ""
	# A help that lists no option at all would pass the line above.
	t_like "$name: lists options" "$out" "default"
}

check "tritonnfs-vapi --help" "$VAPI" --help
check "tritonnfs-plugin --help" "$PLUGIN" --help
check "tritonnfs-fuse --help" "$FUSE" --help
check "triton-volume --help" "$TV" --help
for sub in create list delete sizes networks; do
	check "triton-volume help $sub" "$TV" help "$sub"
done
check "tritonnfs-adm --help" "$ADM" --help

# The defaults meet: the plugin looks where the VAPI listens.
vapi_default=$("$VAPI" --help | grep -o '(default: unix:[^)]*)' | head -1 | sed 's/(default: unix:\(.*\))/\1/')
plugin_default=$("$PLUGIN" --help | grep -A1 -- '--vapi URL' | grep -o '(default: unix://[^)]*)' | sed 's|(default: unix://\(.*\))|\1|')
t_like "the VAPI has a default listener" "$vapi_default" '^/'
t_is "the plugin's default --vapi is the VAPI's default listener" "$plugin_default" "$vapi_default"

t_done
