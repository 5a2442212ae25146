# client/: libvapi, triton-volume and tritonnfs-adm.
bin_PROGRAMS += client/triton-volume
sbin_PROGRAMS += client/tritonnfs-adm
client_triton_volume_SOURCES = client/triton_volume.c
client_triton_volume_LDADD = $(LIBVAPI)
client_tritonnfs_adm_SOURCES = client/adm.c client/adm.h client/adm_list.c \
	client/adm_act.c client/adm_token.c client/adm_instances.c \
	client/adm_instances.h
client_tritonnfs_adm_LDADD = $(LIBVAPI)

# libvapi: the Volume API client (plugin and both CLIs link it as $(LIBVAPI)).
noinst_LIBRARIES += client/libvapi.a
client_libvapi_a_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(CURL_CFLAGS)
client_libvapi_a_SOURCES = client/vapi_client.c client/vapi_client.h \
	client/vapi_impl.h client/vapi_decode.c client/vapi_volumes.c \
	client/vapi_networks.c client/vapi_hosts.c client/vapi_snapshots.c \
	client/vapi_calls.c
LIBVAPI = client/libvapi.a $(CURL_LIBS) $(LIBTNFS)

check_PROGRAMS += tests/unit/test_vapi_client
TESTS += tests/unit/test_vapi_client
tests_unit_test_vapi_client_CFLAGS = $(UNIT_CFLAGS) $(JSONC_CFLAGS) \
	$(CURL_CFLAGS) $(MHD_CFLAGS) -I$(top_srcdir)/client
tests_unit_test_vapi_client_LDADD = $(LIBVAPI) $(MHD_LIBS) $(UNIT_LDADD)

# The two command lines: triton-volume (users) and tritonnfs-adm (operators).
CLI_COMMON_SOURCES = client/cli_common.c client/cli_common.h \
	client/cli_args.c client/cli_args.h \
	client/cli_opts.c client/cli_opts.h \
	client/table.c client/table.h
client_triton_volume_SOURCES += $(CLI_COMMON_SOURCES) \
	client/triton_volume.h client/triton_volume_update.c \
	client/triton_volume_snapshot.c client/triton_volume_access.c \
	client/triton_volume_main.c
client_triton_volume_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
client_tritonnfs_adm_SOURCES += $(CLI_COMMON_SOURCES)
client_tritonnfs_adm_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)

check_PROGRAMS += tests/unit/test_table tests/unit/test_cli_common \
	tests/unit/test_cli_args tests/unit/test_cli_opts
TESTS += tests/unit/test_table tests/unit/test_cli_common \
	tests/unit/test_cli_args tests/unit/test_cli_opts
tests_unit_test_cli_opts_SOURCES = tests/unit/test_cli_opts.c \
	client/cli_opts.c client/cli_common.c client/table.c
tests_unit_test_cli_opts_CFLAGS = $(UNIT_CFLAGS) $(JSONC_CFLAGS) \
	$(CURL_CFLAGS) -I$(top_srcdir)/client
tests_unit_test_cli_opts_LDADD = $(LIBVAPI) $(UNIT_LDADD)
tests_unit_test_cli_args_SOURCES = tests/unit/test_cli_args.c \
	client/cli_args.c
tests_unit_test_cli_args_CFLAGS = $(UNIT_CFLAGS) $(JSONC_CFLAGS) \
	$(CURL_CFLAGS) -I$(top_srcdir)/client
tests_unit_test_cli_args_LDADD = $(LIBTNFS) $(UNIT_LDADD)
tests_unit_test_table_SOURCES = tests/unit/test_table.c client/table.c
tests_unit_test_table_CFLAGS = $(UNIT_CFLAGS) $(JSONC_CFLAGS) \
	-I$(top_srcdir)/client
tests_unit_test_table_LDADD = $(LIBTNFS) $(UNIT_LDADD)
tests_unit_test_cli_common_SOURCES = tests/unit/test_cli_common.c \
	client/cli_common.c client/table.c
tests_unit_test_cli_common_CFLAGS = $(UNIT_CFLAGS) $(JSONC_CFLAGS) \
	$(CURL_CFLAGS) -I$(top_srcdir)/client
tests_unit_test_cli_common_LDADD = $(LIBVAPI) $(UNIT_LDADD)

dist_man_MANS += client/triton-volume.1 client/tritonnfs-adm.8

# One completion file, installed under both command names so that
# bash-completion finds it for either.
bashcompdir = $(datadir)/bash-completion/completions
bashcomp_DATA = client/bash-completion/triton-volume \
	client/bash-completion/tritonnfs-adm
EXTRA_DIST += client/triton-volume.bash-completion
CLEANFILES += $(bashcomp_DATA)
client/bash-completion/triton-volume client/bash-completion/tritonnfs-adm: \
		client/triton-volume.bash-completion
	$(MKDIR_P) client/bash-completion
	cp $(srcdir)/client/triton-volume.bash-completion $@
