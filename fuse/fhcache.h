/*
 * fhcache.h: a small cache of directory path -> NFS file handle.
 *
 * libnfs's path calls resolve every path from the export root, one LOOKUP
 * per component.  With the handle of the parent directory cached, a stat
 * of a name is one LOOKUP.  Entries live ttl_ms only (the FUSE entry
 * timeout), so a directory renamed or removed on another host is seen
 * within that window, as with the kernel's own entry cache; a rename,
 * rmdir or unlink through this mount forgets the path and everything
 * below it at once.  Thread-safe.
 */
#ifndef TNFS_FUSE_FHCACHE_H
#define TNFS_FUSE_FHCACHE_H

#include <stddef.h>
#include <stdint.h>

/* NFSv3 handles are at most 64 bytes (NFS3_FHSIZE), NFSv4 128. */
#define FHCACHE_FH_MAX 128

struct fhcache;

/* A cache of at most cap entries (cap >= 1); NULL when out of memory. */
struct fhcache *fhcache_new(size_t cap, uint64_t ttl_ms);
void fhcache_free(struct fhcache *cache);

/*
 * The handle of path (absolute, "/" the root) into fh (FHCACHE_FH_MAX
 * bytes): its length, or 0 when not cached or older than the TTL at
 * now_ms (monotonic milliseconds).
 */
size_t fhcache_get(struct fhcache *cache, const char *path, uint64_t now_ms,
    unsigned char *fh);

/*
 * The generation: it changes with every fhcache_forget.  Read it before
 * looking a handle up on the server and pass it to fhcache_put, so a
 * handle looked up before a rename is not cached after it.
 */
uint64_t fhcache_gen(struct fhcache *cache);

/*
 * Cache fh (len bytes) for path as looked up at now_ms.  0 when cached (or
 * dropped because gen is old), -EINVAL for a path that is not absolute,
 * not normal (empty or "." / ".." components, "//", a trailing '/') or
 * not shorter than PATH_MAX, or a length of 0 or above FHCACHE_FH_MAX,
 * -ENOMEM.  When full, an expired entry or else the oldest is replaced.
 */
int fhcache_put(struct fhcache *cache, const char *path,
    const unsigned char *fh, size_t len, uint64_t now_ms, uint64_t gen);

/* Forget path and every path below it ("/a" forgets "/a/b", not "/ab"). */
void fhcache_forget(struct fhcache *cache, const char *path);

/* Number of entries held (expired ones included), for tests. */
size_t fhcache_count(struct fhcache *cache);

#endif
