# fuse/: tritonnfs-fuse, the user-space NFS client.
sbin_PROGRAMS += fuse/tritonnfs-fuse
fuse_tritonnfs_fuse_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
fuse_tritonnfs_fuse_SOURCES = fuse/main.c
fuse_tritonnfs_fuse_LDADD = $(LIBTNFS)
