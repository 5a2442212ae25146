# lib/: the common code every program links (errors, logging, JSON,
# parsers, child processes, atomic files).
noinst_LIBRARIES += lib/libtnfs.a
lib_libtnfs_a_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(MHD_CFLAGS)
lib_libtnfs_a_SOURCES = \
	lib/err.c lib/err.h \
	lib/log.c lib/log.h \
	lib/jsonx.c lib/jsonx.h \
	lib/parse.c lib/parse.h \
	lib/affinity.c lib/affinity.h \
	lib/uuid.c lib/uuid.h \
	lib/timefmt.c lib/timefmt.h \
	lib/periodic.c lib/periodic.h \
	lib/child.c lib/child.h \
	lib/fsutil.c lib/fsutil.h \
	lib/sha256.c lib/sha256.h lib/be32.h \
	lib/token.c lib/token.h \
	lib/httpd.c lib/httpd.h lib/httpd_accept.c lib/httpd_impl.h \
	lib/httpd_req.c \
	lib/httpd_text.c lib/rpc_ping.c lib/rpc_ping.h \
	lib/listener.c lib/listener.h \
	lib/sdnotify.c lib/sdnotify.h \
	lib/liveness.c lib/liveness.h \
	lib/version.h

LIBTNFS = lib/libtnfs.a $(JSONC_LIBS)

check_PROGRAMS += tests/unit/test_err tests/unit/test_parse tests/unit/test_uuid \
	tests/unit/test_timefmt tests/unit/test_child tests/unit/test_log \
	tests/unit/test_jsonx tests/unit/test_fsutil tests/unit/test_token \
	tests/unit/test_httpd tests/unit/test_sdnotify tests/unit/test_affinity \
	tests/unit/test_periodic
TESTS += tests/unit/test_err tests/unit/test_parse tests/unit/test_uuid \
	tests/unit/test_timefmt tests/unit/test_child tests/unit/test_log \
	tests/unit/test_jsonx tests/unit/test_fsutil tests/unit/test_token \
	tests/unit/test_httpd tests/unit/test_sdnotify tests/unit/test_affinity \
	tests/unit/test_periodic
tests_unit_test_err_CFLAGS = $(UNIT_CFLAGS) $(JSONC_CFLAGS)
tests_unit_test_err_LDADD = $(LIBTNFS) $(UNIT_LDADD)
tests_unit_test_parse_CFLAGS = $(UNIT_CFLAGS) $(JSONC_CFLAGS)
tests_unit_test_parse_LDADD = $(LIBTNFS) $(UNIT_LDADD)
tests_unit_test_uuid_CFLAGS = $(UNIT_CFLAGS) $(JSONC_CFLAGS)
tests_unit_test_uuid_LDADD = $(LIBTNFS) $(UNIT_LDADD)
tests_unit_test_timefmt_CFLAGS = $(UNIT_CFLAGS) $(JSONC_CFLAGS)
tests_unit_test_timefmt_LDADD = $(LIBTNFS) $(UNIT_LDADD)
tests_unit_test_child_CFLAGS = $(UNIT_CFLAGS) $(JSONC_CFLAGS)
tests_unit_test_child_LDADD = $(LIBTNFS) $(UNIT_LDADD)
tests_unit_test_log_CFLAGS = $(UNIT_CFLAGS) $(JSONC_CFLAGS)
tests_unit_test_log_LDADD = $(LIBTNFS) $(UNIT_LDADD)
tests_unit_test_jsonx_CFLAGS = $(UNIT_CFLAGS) $(JSONC_CFLAGS)
tests_unit_test_jsonx_LDADD = $(LIBTNFS) $(UNIT_LDADD)
tests_unit_test_fsutil_CFLAGS = $(UNIT_CFLAGS) $(JSONC_CFLAGS)
tests_unit_test_fsutil_LDADD = $(LIBTNFS) $(UNIT_LDADD)
tests_unit_test_token_CFLAGS = $(UNIT_CFLAGS) $(JSONC_CFLAGS)
tests_unit_test_token_LDADD = $(LIBTNFS) $(UNIT_LDADD)
tests_unit_test_httpd_CFLAGS = $(UNIT_CFLAGS) $(JSONC_CFLAGS)
tests_unit_test_httpd_LDADD = $(LIBTNFS) $(MHD_LIBS) $(UNIT_LDADD)
tests_unit_test_sdnotify_CFLAGS = $(UNIT_CFLAGS) $(JSONC_CFLAGS)
tests_unit_test_sdnotify_LDADD = $(LIBTNFS) $(UNIT_LDADD)
tests_unit_test_affinity_CFLAGS = $(UNIT_CFLAGS) $(JSONC_CFLAGS)
tests_unit_test_affinity_LDADD = $(LIBTNFS) $(UNIT_LDADD)
tests_unit_test_periodic_CFLAGS = $(UNIT_CFLAGS) $(JSONC_CFLAGS)
tests_unit_test_periodic_LDADD = $(LIBTNFS) $(UNIT_LDADD)
