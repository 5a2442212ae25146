/*
 * listener.h: the listening socket of a server, from a --listen
 * specification: "unix:PATH" or "tcp:HOST:PORT" (HOST may be [v6]).
 * Bound by the server itself so both kinds take the same path into
 * libmicrohttpd (MHD_OPTION_LISTEN_SOCKET).
 */
#ifndef TNFS_LISTENER_H
#define TNFS_LISTENER_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"

/*
 * A bound, listening descriptor, or -1 and err.  label starts every error
 * message ("--listen SPEC: ...").  For unix:, a stale socket at PATH is
 * replaced (never anything else), the socket gets unix_mode when it is
 * not 0, and PATH is copied into unix_path (for unlinking at stop); for
 * tcp:, unix_path is left empty.
 */
int listener_open(const char *spec, const char *label, mode_t unix_mode,
    char *unix_path, size_t unix_path_len, struct tnfs_err *err);

#endif
