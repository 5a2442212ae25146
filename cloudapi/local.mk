# cloudapi/: tritonnfs-cloudapi, Triton's CloudAPI volume and network
# endpoints in front of the VAPI (a libvapi client), with HTTP Signature
# authentication verified by OpenSSL's libcrypto.  The modules are a
# library so the unit tests link the same code.
noinst_LIBRARIES += cloudapi/libcloudapi.a
cloudapi_libcloudapi_a_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(MHD_CFLAGS) \
	$(CRYPTO_CFLAGS) $(CURL_CFLAGS)
cloudapi_libcloudapi_a_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/client
cloudapi_libcloudapi_a_SOURCES = \
	cloudapi/b64.c cloudapi/b64.h \
	cloudapi/sshkey.c cloudapi/sshkey.h \
	cloudapi/httpsig.c cloudapi/httpsig.h \
	cloudapi/accounts.c cloudapi/accounts.h \
	cloudapi/auth.c cloudapi/auth.h \
	cloudapi/cloudapi.c cloudapi/cloudapi.h \
	cloudapi/volumes.c cloudapi/networks.c \
	cloudapi/http.c cloudapi/http.h
CLOUDAPI_LIBS = cloudapi/libcloudapi.a $(LIBVAPI) \
	$(MHD_LIBS) $(CRYPTO_LIBS) $(JSONC_LIBS)

sbin_PROGRAMS += cloudapi/tritonnfs-cloudapi
cloudapi_tritonnfs_cloudapi_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
cloudapi_tritonnfs_cloudapi_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/client
cloudapi_tritonnfs_cloudapi_SOURCES = cloudapi/main.c
cloudapi_tritonnfs_cloudapi_LDADD = $(CLOUDAPI_LIBS)
dist_man_MANS += cloudapi/tritonnfs-cloudapi.8

CLOUDAPI_UNIT_TESTS = tests/unit/test_cloudapi_sshkey \
	tests/unit/test_cloudapi_httpsig tests/unit/test_cloudapi_accounts
check_PROGRAMS += $(CLOUDAPI_UNIT_TESTS)
TESTS += $(CLOUDAPI_UNIT_TESTS)
CLOUDAPI_UNIT_CFLAGS = $(UNIT_CFLAGS) $(JSONC_CFLAGS) $(CRYPTO_CFLAGS) \
	-I$(top_srcdir)/cloudapi -I$(top_srcdir)/client
tests_unit_test_cloudapi_sshkey_CFLAGS = $(CLOUDAPI_UNIT_CFLAGS)
tests_unit_test_cloudapi_sshkey_SOURCES = tests/unit/test_cloudapi_sshkey.c \
	tests/unit/test_cloudapi_keys.h
tests_unit_test_cloudapi_sshkey_LDADD = $(CLOUDAPI_LIBS) $(UNIT_LDADD)
tests_unit_test_cloudapi_httpsig_CFLAGS = $(CLOUDAPI_UNIT_CFLAGS)
tests_unit_test_cloudapi_httpsig_SOURCES = tests/unit/test_cloudapi_httpsig.c \
	tests/unit/test_cloudapi_keys.h
tests_unit_test_cloudapi_httpsig_LDADD = $(CLOUDAPI_LIBS) $(UNIT_LDADD)
tests_unit_test_cloudapi_accounts_CFLAGS = $(CLOUDAPI_UNIT_CFLAGS)
tests_unit_test_cloudapi_accounts_SOURCES = tests/unit/test_cloudapi_accounts.c \
	tests/unit/test_cloudapi_keys.h
tests_unit_test_cloudapi_accounts_LDADD = $(CLOUDAPI_LIBS) $(UNIT_LDADD)
