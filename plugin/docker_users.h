/*
 * docker_users.h: which volumes the running containers of a dockerd use,
 * from its API (GET /containers/json over its Unix socket).
 *
 * dockerd sends no Unmount for a mount ID it had not yet written to disk
 * when it died: it made the ID, the plugin answered Mount, and the kill
 * came before the container's configuration was saved.  The restarted
 * dockerd mounts again with a fresh ID and the old one is held forever
 * (docker-volume-plugins.md §1.6, crash row, and §5 item 4).  Only dockerd
 * knows which containers run, so the plugin asks it (volumes_docker.c).
 * Mount IDs themselves are not in the API: what it gives is how many
 * mount points of running (or paused) containers name each volume, and
 * each such mount point holds exactly one ID.
 */
#ifndef TNFS_PLUGIN_DOCKER_USERS_H
#define TNFS_PLUGIN_DOCKER_USERS_H

#include <stddef.h>

#include "err.h"

#define DOCKER_USERS_REPLY_MAX (64u << 20) /* a /containers/json answer */

struct docker_users;

/*
 * Ask the dockerd listening on socket_path, within timeout_ms.  -1 with
 * err (Unavailable when it does not answer) and *out untouched.
 */
int docker_users_fetch(const char *socket_path, int timeout_ms,
    struct docker_users **out, struct tnfs_err *err);

/*
 * Count the volume mount points in a /containers/json answer: an array of
 * containers, each with "State" (counted when absent, "running" or
 * "paused") and "Mounts", an array of {"Type": "volume", "Name": ...}.
 * Anything else in the shape is an error; other fields are ignored.
 */
int docker_users_parse(const char *body, size_t len, struct docker_users **out,
    struct tnfs_err *err);

/* Mount points that name volume (0 when none). */
unsigned docker_users_count(const struct docker_users *u, const char *volume);

/* Distinct volumes named. */
size_t docker_users_volumes(const struct docker_users *u);

void docker_users_free(struct docker_users *u);

#endif
