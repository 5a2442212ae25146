# plugin/: tritonnfs-plugin, the Docker volume plugin.  Its modules are a
# library so the unit tests link the same objects.
noinst_LIBRARIES += plugin/libplugin.a
plugin_libplugin_a_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) \
	$(MHD_CFLAGS) $(CURL_CFLAGS) $(MOUNT_CFLAGS) -I$(top_srcdir)/client
plugin_libplugin_a_SOURCES = plugin/protocol.c plugin/protocol.h \
	plugin/state.c plugin/state.h plugin/plugin_config.c \
	plugin/plugin_config.h plugin/mounts.c plugin/mounts.h \
	plugin/mount_kernel.c plugin/mount_fuse.c \
	plugin/mountinfo.c plugin/mountinfo.h plugin/children.c \
	plugin/children.h \
	plugin/volumes.c plugin/volumes.h plugin/volumes_impl.h \
	plugin/volumes_attach.c plugin/volumes_sync.c plugin/volumes_read.c \
	plugin/volumes_docker.c plugin/docker_users.c plugin/docker_users.h \
	plugin/http.c plugin/http.h plugin/hostreg.c plugin/hostreg.h
LIBPLUGIN = plugin/libplugin.a $(LIBVAPI) $(MHD_LIBS) $(MOUNT_LIBS) \
	-lpthread

sbin_PROGRAMS += plugin/tritonnfs-plugin
plugin_tritonnfs_plugin_CFLAGS = $(plugin_libplugin_a_CFLAGS)
plugin_tritonnfs_plugin_SOURCES = plugin/main.c
plugin_tritonnfs_plugin_LDADD = $(LIBPLUGIN)
dist_man_MANS += plugin/tritonnfs-plugin.8

PLUGIN_UNIT_CFLAGS = $(UNIT_CFLAGS) $(JSONC_CFLAGS) $(CURL_CFLAGS) \
	$(MOUNT_CFLAGS) -I$(top_srcdir)/client -I$(top_srcdir)/plugin
PLUGIN_UNIT_LDADD = $(LIBPLUGIN) $(UNIT_LDADD)
check_PROGRAMS += tests/unit/test_plugin_protocol \
	tests/unit/test_plugin_state tests/unit/test_plugin_config \
	tests/unit/test_rpc_ping tests/unit/test_plugin_mounts \
	tests/unit/test_docker_users
TESTS += tests/unit/test_plugin_protocol tests/unit/test_plugin_state \
	tests/unit/test_plugin_config tests/unit/test_rpc_ping \
	tests/unit/test_plugin_mounts tests/unit/test_docker_users
tests_unit_test_docker_users_SOURCES = tests/unit/test_docker_users.c
tests_unit_test_docker_users_CFLAGS = $(PLUGIN_UNIT_CFLAGS)
tests_unit_test_docker_users_LDADD = $(PLUGIN_UNIT_LDADD)
tests_unit_test_plugin_mounts_SOURCES = tests/unit/test_plugin_mounts.c
tests_unit_test_plugin_mounts_CFLAGS = $(PLUGIN_UNIT_CFLAGS)
tests_unit_test_plugin_mounts_LDADD = $(PLUGIN_UNIT_LDADD)
tests_unit_test_rpc_ping_SOURCES = tests/unit/test_rpc_ping.c
tests_unit_test_rpc_ping_CFLAGS = $(PLUGIN_UNIT_CFLAGS)
tests_unit_test_rpc_ping_LDADD = $(PLUGIN_UNIT_LDADD)
tests_unit_test_plugin_protocol_SOURCES = tests/unit/test_plugin_protocol.c
tests_unit_test_plugin_protocol_CFLAGS = $(PLUGIN_UNIT_CFLAGS)
tests_unit_test_plugin_protocol_LDADD = $(PLUGIN_UNIT_LDADD)
tests_unit_test_plugin_state_SOURCES = tests/unit/test_plugin_state.c
tests_unit_test_plugin_state_CFLAGS = $(PLUGIN_UNIT_CFLAGS)
tests_unit_test_plugin_state_LDADD = $(PLUGIN_UNIT_LDADD)
tests_unit_test_plugin_config_SOURCES = tests/unit/test_plugin_config.c
tests_unit_test_plugin_config_CFLAGS = $(PLUGIN_UNIT_CFLAGS)
tests_unit_test_plugin_config_LDADD = $(PLUGIN_UNIT_LDADD)
