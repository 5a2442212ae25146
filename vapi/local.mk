# vapi/: tritonnfs-vapi, the Volume API server.  The server's modules are a
# library so the unit tests link the same code.
noinst_LIBRARIES += vapi/libvapi_server.a
vapi_libvapi_server_a_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(MHD_CFLAGS) \
	$(SQLITE_CFLAGS) $(VAPI_BACKEND_CPPFLAGS)
vapi_libvapi_server_a_SOURCES = \
	vapi/vapi.h \
	vapi/config.c vapi/config.h \
	vapi/validate.c vapi/validate.h \
	vapi/predicate.c vapi/predicate.h \
	vapi/records.c vapi/store.h vapi/store_sqlite.c \
	vapi/storage.c vapi/storage.h vapi/storage_impl.h vapi/storage_dir.c \
	vapi/exports.c vapi/exports.h vapi/exports_impl.h \
	vapi/provision.c vapi/provision.h \
	vapi/volumes.c vapi/volumes.h vapi/refs.c vapi/snapshots.c \
	vapi/routes.c vapi/routes.h \
	vapi/http.c vapi/http.h
# The storage and exporter backends that land later add their files here
# and define TNFS_HAVE_BTRFS_BACKEND / TNFS_HAVE_GANESHA_EXPORTER in
# VAPI_BACKEND_CPPFLAGS.
VAPI_BACKEND_CPPFLAGS =
VAPI_LIBS = vapi/libvapi_server.a $(LIBTNFS) $(MHD_LIBS) $(SQLITE_LIBS) \
	$(JSONC_LIBS)

sbin_PROGRAMS += vapi/tritonnfs-vapi
vapi_tritonnfs_vapi_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
vapi_tritonnfs_vapi_SOURCES = vapi/main.c
vapi_tritonnfs_vapi_LDADD = $(VAPI_LIBS)
dist_man_MANS += vapi/tritonnfs-vapi.8
EXTRA_DIST += spec/vapi.yaml

