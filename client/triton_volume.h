/*
 * triton_volume.h: the subcommands of triton-volume, split over
 * triton_volume.c (node-triton's create, list, get, delete, sizes) and,
 * for what node-triton lacks, triton_volume_update.c (rename, resize),
 * triton_volume_snapshot.c (snapshot) and triton_volume_access.c
 * (networks, access); triton_volume_main.c dispatches.  Each takes the subcommand's
 * own argv (argv[0] is its name) and returns the exit code.
 */
#ifndef TNFS_TRITON_VOLUME_H
#define TNFS_TRITON_VOLUME_H

#include "cli_common.h"

#define TV_PROG "triton-volume"

int tv_create(struct cli *c, int argc, char **argv);
int tv_list(struct cli *c, int argc, char **argv);
int tv_get(struct cli *c, int argc, char **argv);
int tv_delete(struct cli *c, int argc, char **argv);
int tv_sizes(struct cli *c, int argc, char **argv);
int tv_rename(struct cli *c, int argc, char **argv);
int tv_resize(struct cli *c, int argc, char **argv);
int tv_snapshot(struct cli *c, int argc, char **argv);
int tv_networks(struct cli *c, int argc, char **argv);
int tv_access(struct cli *c, int argc, char **argv);

/* Print the usage line of subcommand name; CLI_EXIT_OK. */
int tv_help(const char *name);

/*
 * Round a size the user typed up to an available one, telling the user
 * on stderr when it changed.  0, or -1 with the error printed (exit 1).
 */
int tv_pick_size(struct cli *c, const char *text, uint64_t *mib);

#endif
