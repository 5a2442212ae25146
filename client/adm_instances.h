/*
 * adm_instances.h: tritonnfs-adm instances (adm_instances.c): the
 * tritonnfs-vapi instances sharing the store, from GET /instances.
 */
#ifndef TNFS_CLIENT_ADM_INSTANCES_H
#define TNFS_CLIENT_ADM_INSTANCES_H

#include "cli_common.h"

/*
 * Print the instances as a table (id, address, host, started, heartbeat,
 * alive, jobs) or, with json, one object a line.  Returns a CLI_EXIT_*.
 */
int adm_instances(struct cli *c, int json, int no_header);

#endif
