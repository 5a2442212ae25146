/*
 * refs.c: the core of references and reservations (refs.h).
 */
#include <stdint.h>
#include <string.h>

#include "fence.h"
#include "provision.h"
#include "refs.h"
#include "timefmt.h"
#include "validate.h"
#include "volumes.h"

/*
 * When a change of reference changes who v's export admits (fence.h), the
 * NFS server learns it: before answering an add (the plugin mounts next),
 * in the background after a remove.
 */
static int
resync(struct vapi *va, const struct volume *before, int add,
    struct tnfs_err *err)
{
	struct volume *after = NULL;
	int differs;

	if (store_volume_get(va->store, before->uuid, &after, NULL) == -1)
		after = NULL;
	differs = fence_differs(va, before, after);
	volume_free(after);
	if (!differs)
		return 0;
	if (add)
		return provision_export_sync(va->prov, before->uuid, err);
	provision_export_ask(va->prov, before->uuid);
	return 0;
}

/* One reference change, with the volume loaded in the transaction. */
static int
change_reference(struct vapi *va, const char *uuid, const char *owner,
    const char *vm, int add, struct tnfs_err *err)
{
	struct volume *v = NULL;
	int rc = -1;

	if (store_tx_begin(va->store, err) == -1)
		return -1;
	if (volumes_load(va, uuid, owner, &v, err) == -1)
		goto out;
	if (add) {
		if (strcmp(v->state, "deleting") == 0) {
			tnfs_err_set(err, TNFS_E_BAD_STATE,
			    "Volume with uuid %s is being deleted", uuid);
			goto out;
		}
		if (store_ref_put(
			va->store, uuid, vm, owner, tnfs_now_ms(), err) == -1 ||
		    store_resv_delete_for(va->store, owner, v->name, vm, err) ==
			-1)
			goto out;
	} else if (store_ref_remove(va->store, uuid, vm, err) == -1) {
		goto out;
	}
	rc = 0;
out:
	if (rc == -1)
		store_tx_rollback(va->store);
	else if (store_tx_commit(va->store, err) == -1)
		rc = -1;
	else
		rc = resync(va, v, add, err);
	volume_free(v);
	return rc;
}

static int
check_ids(
    const char *uuid, const char *owner, const char *vm, struct tnfs_err *err)
{
	struct causes c;

	causes_init(&c);
	valid_uuid(uuid, "uuid", &c);
	valid_uuid(owner, "owner_uuid", &c);
	valid_uuid(vm, "vm_uuid", &c);
	return causes_finish(&c, err);
}

int
refs_add(struct vapi *va, const char *uuid, const char *owner, const char *vm,
    struct tnfs_err *err)
{
	if (check_ids(uuid, owner, vm, err) == -1)
		return -1;
	return change_reference(va, uuid, owner, vm, 1, err);
}

int
refs_remove(struct vapi *va, const char *uuid, const char *owner,
    const char *vm, struct tnfs_err *err)
{
	if (check_ids(uuid, owner, vm, err) == -1)
		return -1;
	return change_reference(va, uuid, owner, vm, 0, err);
}

int
resv_add(struct vapi *va, const struct resv_req *rq, struct reservation *out,
    struct tnfs_err *err)
{
	struct volume_filter f = {0};
	struct volume **vs = NULL;
	struct causes c;
	size_t n = 0, i;
	int rc = -1;

	causes_init(&c);
	if (rq->volume_name == NULL)
		causes_add(&c, "missing mandatory parameter: volume_name");
	else
		valid_volume_name(rq->volume_name, &c);
	valid_uuid(rq->job_uuid, "job_uuid", &c);
	valid_uuid(rq->owner_uuid, "owner_uuid", &c);
	valid_uuid(rq->vm_uuid, "vm_uuid", &c);
	if (causes_finish(&c, err) == -1)
		return -1;
	memset(out, 0, sizeof(*out));
	if (tnfs_uuid_generate(out->uuid, err) == -1)
		return -1;
	out->volume_name = (char *)(uintptr_t)rq->volume_name;
	memcpy(out->job_uuid, rq->job_uuid, TNFS_UUID_BUFSZ);
	memcpy(out->owner_uuid, rq->owner_uuid, TNFS_UUID_BUFSZ);
	memcpy(out->vm_uuid, rq->vm_uuid, TNFS_UUID_BUFSZ);
	out->create_ms = tnfs_now_ms();
	if (store_tx_begin(va->store, err) == -1)
		return -1;
	if (store_resv_insert(va->store, out, err) == -1)
		goto out;
	/* A ready volume of that name is referenced at once (§1.9). */
	f.owner_uuid = rq->owner_uuid;
	f.state = "ready";
	f.name = rq->volume_name;
	f.brief = 1;
	if (store_volume_list(va->store, &f, &vs, &n, err) == -1)
		goto out;
	for (i = 0; i < n; i++)
		if (strcmp(vs[i]->name, rq->volume_name) == 0 &&
		    store_ref_put(va->store, vs[i]->uuid, rq->vm_uuid,
			rq->owner_uuid, tnfs_now_ms(), err) == -1)
			goto out;
	rc = 0;
out:
	volume_list_free(vs, n);
	return store_tx_end(va->store, rc, err);
}

int
resv_remove(
    struct vapi *va, const char *uuid, const char *owner, struct tnfs_err *err)
{
	return store_resv_delete(va->store, uuid, owner, err);
}

int
resv_list(struct vapi *va, const struct resv_req *rq, struct reservation **out,
    size_t *n, struct tnfs_err *err)
{
	return store_resv_list(va->store, rq->owner_uuid, rq->volume_name,
	    rq->vm_uuid, rq->job_uuid, out, n, err);
}
