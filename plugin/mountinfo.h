/*
 * mountinfo.h: what /proc/self/mountinfo says is mounted where.
 *
 * The one place the plugin reads the kernel's mount table: the mount layer
 * (mounts.c) before it unmounts, the FUSE backend while it waits for its
 * mount to appear, and the volume layer when it reconciles its state with
 * the mounts that exist.  Reads only; nothing here blocks on a server.
 */
#ifndef TNFS_PLUGIN_MOUNTINFO_H
#define TNFS_PLUGIN_MOUNTINFO_H

#include <stddef.h>

/* 1 when path is a mount point, 0 when not, -1 when mountinfo is unreadable. */
int mountinfo_is_mountpoint(const char *path);

/*
 * The mount at path as "FSTYPE SOURCE OPTIONS" (the kernel's options, what
 * was really negotiated): 1, 0 when path is not a mount point, -1 when
 * mountinfo cannot be read.  buf may be NULL.
 */
int mountinfo_describe(const char *path, char *buf, size_t len);

/*
 * Parse one mountinfo line: its mount point (octal escapes decoded) into
 * buf.  0, or -1 for a malformed line.
 */
int mountinfo_parse_line(const char *line, char *buf, size_t len);

#endif
