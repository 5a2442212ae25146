# client/: libvapi, triton-volume and tritonnfs-adm.
bin_PROGRAMS += client/triton-volume
sbin_PROGRAMS += client/tritonnfs-adm
client_triton_volume_SOURCES = client/triton_volume.c
client_triton_volume_LDADD = $(LIBTNFS)
client_tritonnfs_adm_SOURCES = client/adm.c
client_tritonnfs_adm_LDADD = $(LIBTNFS)

# libvapi: the Volume API client (plugin and both CLIs link it as $(LIBVAPI)).
noinst_LIBRARIES += client/libvapi.a
client_libvapi_a_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(CURL_CFLAGS)
client_libvapi_a_SOURCES = client/vapi_client.c client/vapi_client.h
LIBVAPI = client/libvapi.a $(CURL_LIBS) $(LIBTNFS)

check_PROGRAMS += tests/unit/test_vapi_client
TESTS += tests/unit/test_vapi_client
tests_unit_test_vapi_client_CFLAGS = $(UNIT_CFLAGS) $(JSONC_CFLAGS) \
	$(CURL_CFLAGS) $(MHD_CFLAGS) -I$(top_srcdir)/client
tests_unit_test_vapi_client_LDADD = $(LIBVAPI) $(MHD_LIBS) $(UNIT_LDADD)
