# plugin/: tritonnfs-plugin, the Docker volume plugin.
sbin_PROGRAMS += plugin/tritonnfs-plugin
plugin_tritonnfs_plugin_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
plugin_tritonnfs_plugin_SOURCES = plugin/main.c
plugin_tritonnfs_plugin_LDADD = $(LIBTNFS)
