# shellcheck shell=bash
# packaging_lib.sh: the Debian packages the packaging suites install, built
# once per source tree and shared (sourced after lib.sh).
#
#   pkg_debs    sets PKG_DEBS to a directory holding n/*.deb (revision 1)
#               and n1/*.deb (revision 2, the upgrade), building them when
#               this source tree has none yet; returns 1 (with the build's
#               tail on stderr) when they do not build
#
# packaging_debs.sh, quickstart_packages.sh and tests/vm/vm_systemd.sh each
# used to build the packages themselves, three to five minutes apiece.  Now
# the first of them to run builds both versions under a lock in
# $TNFS_BUILDDIR/tests/debs-cache/KEY, and the others (and the next `make
# check` of an unchanged tree) take them from there.  KEY hashes every
# file packaging/build-debs copies into its build but tests/ and scripts/
# (no package carries them: an edit there changes no package).  The directory for another key is
# removed when a new one is built.  TNFS_DEBS_PREBUILT=DIR (with the same
# n/ and n1/) takes precedence.

pkg__key() {
	local src=$TNFS_SRCDIR
	{
		if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
			git -C "$src" ls-files -z --cached --others --exclude-standard
		else
			(cd "$src" && find . -type f -print0 | sed -z 's|^\./||')
		fi
	} | grep -zEv '^(tests|scripts)/' | LC_ALL=C sort -z |
		(cd "$src" && xargs -0 sha256sum -- 2>/dev/null) | sha256sum | cut -c1-16
}

pkg_debs() {
	local cache=$TNFS_BUILDDIR/tests/debs-cache key d rc=0 start
	if [ -n "${TNFS_DEBS_PREBUILT:-}" ]; then
		PKG_DEBS=$TNFS_DEBS_PREBUILT
		return 0
	fi
	key=$(pkg__key)
	PKG_DEBS=$cache/$key
	mkdir -p "$cache"
	# fd 8: held while this suite builds or reads the stamp; a second
	# suite waits here for the first one's build.
	exec 8>"$cache/lock"
	flock 8
	if [ ! -f "$PKG_DEBS/stamp" ]; then
		for d in "$cache"/*/; do
			[ "${d%/}" = "$PKG_DEBS" ] || rm -rf --one-file-system -- "${d%/}"
		done
		mkdir -p "$PKG_DEBS"
		start=$(date +%s)
		"$TNFS_SRCDIR/packaging/build-debs" --work "$PKG_DEBS/work" --out "$PKG_DEBS/n" \
			--revision 1 >"$PKG_DEBS/build1.log" 2>&1 &&
			"$TNFS_SRCDIR/packaging/build-debs" --work "$PKG_DEBS/work" --out "$PKG_DEBS/n1" \
				--revision 2 --no-clean >"$PKG_DEBS/build2.log" 2>&1 || rc=$?
		rm -rf --one-file-system -- "$PKG_DEBS/work"
		if [ $rc -ne 0 ]; then
			tail -n 20 "$PKG_DEBS"/build*.log >&2
			rm -rf --one-file-system -- "$PKG_DEBS/n" "$PKG_DEBS/n1"
			exec 8>&-
			return 1
		fi
		echo "built in $(($(date +%s) - start)) s" >"$PKG_DEBS/stamp"
		t_diag "packages for source $key $(cat "$PKG_DEBS/stamp") (shared: $PKG_DEBS)"
	else
		t_diag "packages for source $key already built ($(cat "$PKG_DEBS/stamp")): $PKG_DEBS"
	fi
	exec 8>&-
}
