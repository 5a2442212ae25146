/*
 * vapi.h: the one context of the tritonnfs-vapi daemon, and who is asking.
 *
 * main.c builds struct vapi once; every module reaches the configuration,
 * the record store, the storage backend, the exporter and the provisioner
 * through it.  Nothing else in the daemon is process-wide.
 */
#ifndef TNFS_VAPI_VAPI_H
#define TNFS_VAPI_VAPI_H

#include "vapi_config.h"
#include "uuid.h"

struct store;
struct storage;
struct exporter;
struct provision;
struct instances;

struct vapi {
	const struct vapi_config *cfg;
	struct store *store;
	struct storage *storage;
	struct exporter *exporter;
	struct provision *prov;
	struct instances *inst; /* this instance's record; NULL in tests */
	char host_uuid[TNFS_UUID_BUFSZ]; /* rendered as vm_uuid */
};

/* The authenticated caller: the operator, or one owner's token. */
struct caller {
	int operator;
	char owner_uuid[TNFS_UUID_BUFSZ]; /* "" for the operator */
	char peer[64]; /* the TCP peer's IPv4 address; "" otherwise */
};

/* The NFS path a volume is served at (NFSv4 pseudo == NFSv3 mount path). */
#define VAPI_EXPORT_PREFIX "/volumes/"

#endif
