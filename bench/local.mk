# bench/: the request loop of bench/vapi-scale (the scripts themselves are
# distributed with the whole directory).  A check program, so that the
# short run in `make check` has it; never installed.
check_PROGRAMS += bench/vapi-scale-client
bench_vapi_scale_client_SOURCES = bench/vapi-scale-client.c
bench_vapi_scale_client_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/vapi
bench_vapi_scale_client_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
bench_vapi_scale_client_LDADD = $(VAPI_LIBS)
# create -> mountable by a MOUNT in-process (libnfs comes with the client).
if WITH_FUSE
bench_vapi_scale_client_CPPFLAGS += -DTNFS_BENCH_NFS
bench_vapi_scale_client_CFLAGS += $(NFS_CFLAGS)
bench_vapi_scale_client_LDADD += $(NFS_LIBS)
endif

# The whole bench/ directory is in EXTRA_DIST: leave out what an in-tree
# build put there.
dist-hook:
	rm -rf $(distdir)/bench/vapi-scale-client $(distdir)/bench/*.o \
		$(distdir)/bench/.deps $(distdir)/bench/.dirstamp
