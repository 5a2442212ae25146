# tests/: the shared shell library of the integration suites.  Each part's
# local.mk adds its own unit tests and integration scripts to TESTS.
dist_check_SCRIPTS += tests/integration/lib.sh
EXTRA_DIST += tests/integration tests/unit/check_tap.h
