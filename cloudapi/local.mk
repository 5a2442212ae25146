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
