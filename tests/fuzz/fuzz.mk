# tests/fuzz/fuzz.mk: the libFuzzer targets, built with clang apart from
# the autotools build (which uses the configured compiler and knows nothing
# of these).  scripts/fuzz runs it as
#
#	make -f tests/fuzz/fuzz.mk S=SRCDIR O=BUILDDIR
#
# Each target links the project's own sources, compiled here with
# -fsanitize=fuzzer-no-link,address,undefined, so every bug libFuzzer
# finds is one in the code the daemons run.  The lists follow the unit
# tests' (lib/local.mk, vapi/local.mk, ...): what each module needs.
S ?= .
O ?= build-fuzz
CC = clang
PKGS = json-c libmicrohttpd sqlite3 libcurl mount libnfs libcrypto

SAN = -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
# The project's warnings; -Werror only on the harnesses: a warning new to
# clang in a project file must not stop the fuzzing of everything else.
WARN = -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes \
	-Wvla -Wpointer-arith -Wundef -Wimplicit-fallthrough
CPPFLAGS = -D_GNU_SOURCE -I$(O) -I$(S)/lib -I$(S)/vapi -I$(S)/plugin \
	-I$(S)/client -I$(S)/cloudapi -I$(S)/fuse \
	-DTNFS_HAVE_BTRFS_BACKEND -DTNFS_HAVE_GANESHA_EXPORTER \
	$(shell pkg-config --cflags $(PKGS))
CFLAGS = $(WARN) -g -O1 $(SAN) -fsanitize=fuzzer-no-link
LIBS = $(shell pkg-config --libs $(PKGS)) -lpthread

LIB = err log jsonx parse uuid timefmt child fsutil sha256 token httpd \
	listener
VAPI = config validate predicate records store store_sqlite \
	store_sqlite_volumes store_sqlite_refs store_sqlite_snaps \
	store_sqlite_where volume_filter store_sqlite_hosts storage \
	storage_dir exports provision volumes refs hosts fence snapshots \
	api_reply api_params api_volumes api_networks api_refs \
	api_snapshots api_hosts routes api_admin http storage_list btrfs \
	btrfs_pool storage_btrfs ganesha_conf exports_ganesha
CLOUDAPI = b64 sshkey httpsig accounts auth

lib_o = $(LIB:%=$(O)/lib/%.o)
vapi_o = $(VAPI:%=$(O)/vapi/%.o)
cloudapi_o = $(CLOUDAPI:%=$(O)/cloudapi/%.o)

TARGETS = plugin_request vapi_request parsers plugin_state vapi_config \
	ganesha_exports nfs4_readdir nfs3_reply httpsig sshkey

all: $(TARGETS:%=$(O)/fuzz_%)

targets:
	@echo $(TARGETS)

$(O)/fuzz_plugin_request: $(O)/plugin/protocol.o $(O)/plugin/state.o $(lib_o)
$(O)/fuzz_plugin_state: $(O)/plugin/state.o $(lib_o)
$(O)/fuzz_vapi_request: $(vapi_o) $(lib_o)
$(O)/fuzz_parsers: $(vapi_o) $(lib_o)
$(O)/fuzz_vapi_config: $(vapi_o) $(lib_o)
$(O)/fuzz_ganesha_exports: $(O)/vapi/ganesha_conf.o $(lib_o)
$(O)/fuzz_nfs4_readdir: $(O)/fuse/nfs4_readdir.o
$(O)/fuzz_nfs3_reply: $(O)/fuse/nfs3_raw.o $(O)/fuse/nfs_conn.o \
	$(O)/fuse/nfs_fs.o $(O)/fuse/nfs4_readdir.o $(O)/fuse/fhcache.o \
	$(lib_o)
$(O)/fuzz_httpsig: $(cloudapi_o) $(lib_o)
$(O)/fuzz_sshkey: $(cloudapi_o) $(lib_o)

# libnfs 5 fixed what fuse/ works around for 4.x (configure.ac).
$(O)/config.h: $(S)/configure.ac
	@mkdir -p $(O)
	@{ v=$$(sed -n 's/^AC_INIT(\[[^]]*\], \[\([^]]*\)\].*/\1/p' $<); \
	  echo "#define PACKAGE_VERSION \"$$v\""; \
	  if pkg-config --atleast-version=5.0 libnfs; then \
	    echo '#define HAVE_LIBNFS_V4_LARGE_WRITES 1'; \
	    echo '#define HAVE_LIBNFS_V4_READDIR_INO 1'; \
	  fi; } >$@

$(O)/%.o: $(S)/%.c $(O)/config.h
	@mkdir -p $(dir $@)
	@echo "  CC      $*.o"
	@$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(O)/fuzz_%: $(S)/tests/fuzz/fuzz_%.c $(S)/tests/fuzz/fuzz.h $(O)/config.h
	@echo "  FUZZ    $@"
	@$(CC) $(CPPFLAGS) $(WARN) -Werror -g -O1 $(SAN) -fsanitize=fuzzer \
		-o $@ $< $(filter %.o,$^) $(LIBS) $(FUZZ_LIBS_$*)

FUZZ_LIBS_nfs3_reply = $(shell pkg-config --libs fuse3)
CPPFLAGS += $(shell pkg-config --cflags fuse3)

-include $(shell find $(O) -name '*.d' 2>/dev/null)

.PHONY: all targets
