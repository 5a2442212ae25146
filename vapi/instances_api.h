/*
 * instances_api.h: GET /instances (ListInstances, operator only): the
 * tritonnfs-vapi instances sharing this store, oldest first, each as
 * {id, hostname, address, start_timestamp, heartbeat_timestamp, alive,
 * jobs} (jobs: the volumes it holds a claim on).  This instance's own is
 * marked "self": true.
 */
#ifndef TNFS_VAPI_INSTANCES_API_H
#define TNFS_VAPI_INSTANCES_API_H

#include "api.h"

vapi_handler h_list_instances;

#endif
