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
PKGS = json-c libmicrohttpd sqlite3 libcurl mount libnfs libcrypto dbus-1

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

# The sources as the autotools build lists them (tests/fuzz/am-sources.awk):
# a module added there is linked here too.
am_sources = $(shell awk -v var=$(2) -f $(S)/tests/fuzz/am-sources.awk \
	$(S)/$(1))
LIB_SRC := $(call am_sources,lib/local.mk,lib_libtnfs_a_SOURCES)
VAPI_SRC := $(call am_sources,vapi/local.mk,vapi_libvapi_server_a_SOURCES)
FUSE_SRC := $(call am_sources,fuse/local.mk,fuse_libfuse_client_a_SOURCES)
# The signature check alone, without the server around it.
CLOUDAPI_SRC = cloudapi/b64.c cloudapi/sshkey.c cloudapi/httpsig.c \
	cloudapi/accounts.c cloudapi/auth.c

lib_o = $(LIB_SRC:%.c=$(O)/%.o)
vapi_o = $(VAPI_SRC:%.c=$(O)/%.o)
fuse_o = $(FUSE_SRC:%.c=$(O)/%.o)
cloudapi_o = $(CLOUDAPI_SRC:%.c=$(O)/%.o)

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
$(O)/fuzz_nfs3_reply: $(fuse_o) $(lib_o)
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
