/*
 * api_admin.h: the operator's maintenance routes (api_admin.c): updating
 * the NFS server of one volume or of all, as RFD 26's `sdcadm
 * shared-volumes update` does.
 */
#ifndef TNFS_VAPI_API_ADMIN_H
#define TNFS_VAPI_API_ADMIN_H

#include "api.h"

/*
 * POST /admin/volumes/:uuid/update (AdminUpdateVolume) and POST
 * /admin/volumes/update (AdminUpdateVolumes, every volume or one owner's).
 * Both answer 200 with {"updated", "in_use", "skipped", "failed",
 * "volumes": [{uuid, name, owner_uuid, result, state, message?,
 * holders?}]}; a volume asked for by uuid that is not updated is an error
 * instead (VolumeInUse, VolumeNotReady, or what the restart met).
 */
vapi_handler h_admin_update_volume, h_admin_update_volumes;

#endif
