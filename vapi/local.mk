# vapi/: tritonnfs-vapi, the Volume API server.
sbin_PROGRAMS += vapi/tritonnfs-vapi
vapi_tritonnfs_vapi_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
vapi_tritonnfs_vapi_SOURCES = vapi/main.c
vapi_tritonnfs_vapi_LDADD = $(LIBTNFS)
