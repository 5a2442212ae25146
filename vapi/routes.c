/*
 * routes.c: the route table of the Volume API.  Parameter lists follow
 * sdc-volapi's validators (reference/triton-volumes.md §1): anything not
 * listed is "invalid parameter: x", ping included.
 */
#include <stdio.h>
#include <string.h>

#include "api_admin.h"
#include "instances_api.h"
#include "routes.h"

#define L(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NONE   ((const char *const[]){NULL})

static const struct route table[] = {
    {"Ping", "GET", "/ping", NONE, NONE, 0, h_ping},
    {"ListVolumes", "GET", "/volumes",
	L("name", "owner_uuid", "predicate", "refs", "size", "state", "type",
	    "limit", "marker"),
	NONE, 0, h_list_volumes},
    {"CreateVolume", "POST", "/volumes",
	L("uuid", "name", "size", "labels", "affinity", "source_volume",
	    "source_snapshot"),
	L("owner_uuid", "type", "networks"), 0, h_create_volume},
    {"GetVolume", "GET", "/volumes/:uuid", L("owner_uuid"), L("uuid"), 0,
	h_get_volume},
    {"UpdateVolume", "POST", "/volumes/:uuid", L("owner_uuid", "name", "size"),
	L("uuid"), 0, h_update_volume},
    {"DeleteVolume", "DELETE", "/volumes/:uuid", L("owner_uuid", "force"),
	L("uuid"), 0, h_delete_volume},
    {"ListVolumeSizes", "GET", "/volumesizes", L("type"), NONE, 0,
	h_list_sizes},
    {"GetVolumeReferences", "GET", "/volumes/:uuid/references", NONE, L("uuid"),
	0, h_get_references},
    {"AddVolumeReference", "POST", "/volumes/:uuid/addreference", NONE,
	L("uuid", "owner_uuid", "vm_uuid"), 0, h_add_reference},
    {"RemoveVolumeReference", "POST", "/volumes/:uuid/removereference", NONE,
	L("uuid", "owner_uuid", "vm_uuid"), 0, h_remove_reference},
    {"AddVolumeReservation", "POST", "/volumereservations", NONE,
	L("volume_name", "job_uuid", "owner_uuid", "vm_uuid"), 0,
	h_add_reservation},
    {"RemoveVolumeReservation", "DELETE", "/volumereservations/:uuid", NONE,
	L("uuid", "owner_uuid"), 0, h_remove_reservation},
    {"ListVolumeReservations", "GET", "/volumereservations",
	L("owner_uuid", "volume_name", "vm_uuid", "job_uuid"), NONE, 0,
	h_list_reservations},
    {"CreateVolumeSnapshot", "POST", "/volumes/:uuid/snapshot", L("owner_uuid"),
	L("uuid", "name"), 0, h_create_snapshot},
    {"ListVolumeSnapshots", "GET", "/volumes/:uuid/snapshots", L("owner_uuid"),
	L("uuid"), 0, h_list_snapshots},
    {"GetVolumeSnapshot", "GET", "/volumes/:uuid/snapshots/:name",
	L("owner_uuid"), L("uuid", "name"), 0, h_get_snapshot},
    {"DeleteVolumeSnapshot", "DELETE", "/volumes/:uuid/snapshots/:name",
	L("owner_uuid"), L("uuid", "name"), 0, h_delete_snapshot},
    {"RollbackToVolumeSnapshot", "POST", "/volumes/:uuid/rollbacktosnapshot",
	L("owner_uuid"), L("uuid", "name"), 0, h_rollback_snapshot},
    {"ListNetworks", "GET", "/networks", L("owner_uuid", "name"), NONE, 0,
	h_list_networks},
    {"GetNetwork", "GET", "/networks/:uuid", L("owner_uuid"), L("uuid"), 0,
	h_get_network},
    /* tritonnfs's own: host records and granted addresses (hosts.h). */
    {"ListHosts", "GET", "/hosts", L("owner_uuid"), NONE, 0, h_list_hosts},
    {"GetHost", "GET", "/hosts/:uuid", L("owner_uuid"), L("uuid"), 0,
	h_get_host},
    {"PutHost", "PUT", "/hosts/:uuid", L("address"),
	L("uuid", "owner_uuid", "hostname", "version"), 0, h_put_host},
    {"DeleteHost", "DELETE", "/hosts/:uuid", L("owner_uuid"), L("uuid"), 0,
	h_delete_host},
    {"ListVolumeAccess", "GET", "/volumes/:uuid/access", L("owner_uuid"),
	L("uuid"), 0, h_list_access},
    {"GrantVolumeAccess", "POST", "/volumes/:uuid/grantaccess",
	L("owner_uuid"), L("uuid", "address"), 0, h_grant_access},
    {"RevokeVolumeAccess", "POST", "/volumes/:uuid/revokeaccess",
	L("owner_uuid"), L("uuid", "address"), 0, h_revoke_access},
    {"AdminListVolumes", "GET", "/admin/volumes",
	L("owner_uuid", "state", "limit", "marker"), NONE, 1,
	h_admin_list_volumes},
    {"AdminRestartVolume", "POST", "/admin/volumes/:uuid/restart", NONE,
	L("uuid"), 1, h_admin_restart_volume},
    {"AdminUpdateVolume", "POST", "/admin/volumes/:uuid/update",
	L("owner_uuid", "force"), L("uuid"), 1, h_admin_update_volume},
    {"AdminUpdateVolumes", "POST", "/admin/volumes/update",
	L("owner_uuid", "force"), NONE, 1, h_admin_update_volumes},
    {"ListInstances", "GET", "/instances", NONE, NONE, 1, h_list_instances},
};

#define NROUTES     (sizeof(table) / sizeof(table[0]))
#define MAX_SEGMENT 512

const struct route *
routes_table(size_t *n)
{
	*n = NROUTES;
	return table;
}

int
routes_accepts(const struct route *r, const char *name)
{
	size_t i;

	for (i = 0; r->allowed[i] != NULL; i++)
		if (strcmp(r->allowed[i], name) == 0)
			return 1;
	for (i = 0; r->required[i] != NULL; i++)
		if (strcmp(r->required[i], name) == 0)
			return 1;
	return 0;
}

/* Match path against pattern; add :params to params when it does. */
static int
match(const char *pattern, const char *path, json_object *params)
{
	const char *p = pattern, *u = path;

	while (*p != '\0' && *u != '\0') {
		if (*p != '/' || *u != '/')
			return 0;
		p++, u++;
		if (*p == ':') {
			const char *pe = strchr(p, '/'), *ue = strchr(u, '/');
			size_t plen = pe ? (size_t)(pe - p) : strlen(p);
			size_t ulen = ue ? (size_t)(ue - u) : strlen(u);
			char key[32];

			if (ulen == 0 || ulen > MAX_SEGMENT ||
			    plen >= sizeof(key))
				return 0;
			if (params != NULL) {
				snprintf(key, sizeof(key), "%.*s",
				    (int)(plen - 1), p + 1);
				json_object_object_add(params, key,
				    json_object_new_string_len(u, (int)ulen));
			}
			p += plen, u += ulen;
		} else {
			const char *pe = strchr(p, '/');
			size_t plen = pe ? (size_t)(pe - p) : strlen(p);

			if (strncmp(p, u, plen) != 0 ||
			    (u[plen] != '/' && u[plen] != '\0'))
				return 0;
			p += plen, u += plen;
		}
	}
	return *p == '\0' && *u == '\0';
}

const struct route *
routes_match(const char *method, const char *path, json_object *path_params,
    char *allow, size_t allow_len, struct tnfs_err *err)
{
	size_t i, off = 0;
	int path_known = 0;

	if (allow_len > 0)
		allow[0] = '\0';
	for (i = 0; i < NROUTES; i++) {
		if (!match(table[i].pattern, path, NULL))
			continue;
		if (strcmp(table[i].method, method) == 0) {
			match(table[i].pattern, path, path_params);
			return &table[i];
		}
		path_known = 1;
		if (off < allow_len) {
			int n = snprintf(allow + off, allow_len - off, "%s%s",
			    off ? ", " : "", table[i].method);

			if (n > 0)
				off += (size_t)n;
		}
	}
	if (path_known)
		tnfs_err_set(err, TNFS_E_METHOD_NOT_ALLOWED,
		    "%s is not allowed", method);
	else
		tnfs_err_set(err, TNFS_E_RESOURCE_NOT_FOUND,
		    "%.200s does not exist", path);
	return NULL;
}
