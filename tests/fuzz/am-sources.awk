# am-sources.awk: the .c files an automake fragment (a local.mk) lists in
# the variable var (awk -v var=NAME -f am-sources.awk FILE), with the
# $(VARIABLE)s in it expanded from the same file, so the fuzz targets link
# what the daemons link without a second list to keep in step.  What an
# automake conditional adds (an optional backend) is left out.
function expand(name, depth,    i, n, tok, v) {
	if (depth > 8 || !(name in val))
		return
	n = split(val[name], tok, /[ \t]+/)
	for (i = 1; i <= n; i++) {
		if (tok[i] ~ /^\$\([A-Za-z0-9_]+\)$/) {
			v = substr(tok[i], 3, length(tok[i]) - 3)
			expand(v, depth + 1)
		} else if (tok[i] ~ /\.c$/ && !(tok[i] in seen)) {
			seen[tok[i]] = 1
			print tok[i]
		}
	}
}
/^if [A-Za-z0-9_!]+/ { depth++; next }
/^endif/ { depth--; next }
depth > 0 { next }
{
	line = $0
	while (line ~ /\\$/ && (getline more) > 0)
		line = substr(line, 1, length(line) - 1) " " more
	if (match(line, /^[A-Za-z0-9_]+[ \t]*\+?=/)) {
		name = line
		sub(/[ \t]*\+?=.*/, "", name)
		rhs = substr(line, RLENGTH + 1)
		val[name] = val[name] " " rhs
	}
}
END { expand(var, 0) }
