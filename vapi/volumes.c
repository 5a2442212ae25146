/*
 * volumes.c: the core of the Volume API for volumes (volumes.h).  Rules
 * and messages follow sdc-volapi's code (reference/triton-volumes.md
 * §1-4); the HTTP side is api_volumes.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "provision.h"
#include "timefmt.h"
#include "validate.h"
#include "volumes.h"
#include "volumes_place.h"

void
volumes_clock(const struct vapi *va, struct ref_clock *clk)
{
	int64_t now = tnfs_now_ms();

	clk->lease_after_ms = now - (int64_t)va->cfg->ref_lease_s * 1000;
	clk->host_after_ms = now - (int64_t)va->cfg->host_ttl_s * 1000;
}

size_t
volumes_live_refs(
    const struct vapi *va, const struct volume *v, char *buf, size_t len)
{
	struct ref_clock clk;
	size_t i, n = 0, off = 0;

	volumes_clock(va, &clk);
	if (len > 0)
		buf[0] = '\0';
	for (i = 0; i < v->nrefs; i++) {
		if (!volume_ref_live(&v->refs[i], &clk))
			continue;
		if (off < len) {
			int w = snprintf(buf + off, len - off, "%s%s",
			    n > 0 ? ", " : "", v->refs[i].vm_uuid);

			if (w > 0)
				off += (size_t)w;
		}
		n++;
	}
	return n;
}

int
volumes_load(struct vapi *va, const char *uuid, const char *owner,
    struct volume **out, struct tnfs_err *err)
{
	struct volume *v = NULL;

	if (store_volume_get(va->store, uuid, &v, err) == -1)
		return -1;
	/* Another owner's volume does not exist, for this caller (VOLAPI-87). */
	if (owner != NULL && strcmp(v->owner_uuid, owner) != 0) {
		volume_free(v);
		tnfs_err_set(err, TNFS_E_NOT_FOUND,
		    "Volume with uuid %s could not be found", uuid);
		return -1;
	}
	*out = v;
	return 0;
}

static int
size_available(const struct vapi *va, uint64_t size)
{
	size_t i;

	for (i = 0; i < va->cfg->nsizes; i++)
		if (va->cfg->sizes[i] == size)
			return 1;
	return 0;
}

static void
size_not_available(const struct vapi *va, uint64_t size, struct tnfs_err *err)
{
	char list[800];

	config_sizes_string(va->cfg, list, sizeof(list));
	tnfs_err_set(err, TNFS_E_SIZE_NOT_AVAILABLE,
	    "Volume size %llu is not available. Available sizes: %s",
	    (unsigned long long)size, list);
}

/* The checks of CreateVolume's values, in VOLAPI's order. */
static int
check_create(const struct create_req *rq, struct causes *c)
{
	size_t i;

	if (rq->uuid != NULL)
		valid_uuid(rq->uuid, "uuid", c);
	valid_uuid(rq->owner_uuid, "owner_uuid", c);
	if (rq->name != NULL)
		valid_volume_name(rq->name, c);
	if (rq->type != NULL)
		valid_volume_type(rq->type, c);
	if (rq->size != 0)
		valid_volume_size(rq->size, c);
	if (valid_network_count(rq->nnetworks, c))
		for (i = 0; i < rq->nnetworks; i++)
			if (!valid_uuid(rq->networks[i], "network", c))
				break;
	for (i = 0; i < rq->nlabels; i++)
		if (!valid_label(rq->labels[i].key, rq->labels[i].value, i, c))
			break;
	if ((rq->source_volume == NULL) != (rq->source_snapshot == NULL))
		causes_add(c, "source_volume and source_snapshot go together: "
			      "a clone needs both");
	/* A uuid, or a name (which may look like a uuid: both are tried). */
	if (rq->source_volume != NULL && !tnfs_uuid_valid(rq->source_volume))
		valid_volume_name(rq->source_volume, c);
	if (rq->source_snapshot != NULL)
		valid_snapshot_name(rq->source_snapshot, c);
	return c->n == 0 ? 0 : -1;
}

/* InvalidNetworks, worded as VOLAPI words it. */
static int
networks_usable(
    const struct vapi *va, const struct volume *v, struct tnfs_err *err)
{
	char missing[400] = "", notowned[400] = "", nonfabric[400] = "";
	char msg[1000];
	size_t i, off;

	for (i = 0; i < v->nnetworks; i++) {
		const char *u = v->networks[i];
		const struct vapi_network *net = config_network(va->cfg, u);
		char *dst = net == NULL                          ? missing
		    : !config_network_allows(net, v->owner_uuid) ? notowned
		    : !net->fabric                               ? nonfabric
								 : NULL;

		if (dst == NULL)
			continue;
		off = strlen(dst);
		snprintf(dst + off, 400 - off, "%s%s", off ? ", " : "", u);
	}
	if (!missing[0] && !notowned[0] && !nonfabric[0])
		return 0;
	snprintf(msg, sizeof(msg), "Invalid networks:");
	off = strlen(msg);
	if (missing[0])
		off += (size_t)snprintf(
		    msg + off, sizeof(msg) - off, " missing: %s,", missing);
	if (notowned[0] && off < sizeof(msg))
		off += (size_t)snprintf(msg + off, sizeof(msg) - off,
		    " not owned by user: %s,", notowned);
	if (nonfabric[0] && off < sizeof(msg))
		off += (size_t)snprintf(msg + off, sizeof(msg) - off,
		    " non-fabric: %s,", nonfabric);
	if (off < sizeof(msg))
		msg[off - 1] = '\0'; /* the last comma */
	tnfs_err_set(err, TNFS_E_INVALID_NETWORKS, "%s", msg);
	return -1;
}

static void
strip_dashes(const char *uuid, char *out)
{
	for (; *uuid != '\0'; uuid++)
		if (*uuid != '-')
			*out++ = *uuid;
	*out = '\0';
}

/* The record rq asks for, not yet stored. */
static struct volume *
build_volume(
    const struct vapi *va, const struct create_req *rq, struct tnfs_err *err)
{
	struct volume *v;
	char rnd[TNFS_UUID_BUFSZ], gen[65];

	if ((v = volume_new()) == NULL)
		goto oom;
	if (rq->uuid != NULL)
		snprintf(v->uuid, sizeof(v->uuid), "%s", rq->uuid);
	else if (tnfs_uuid_generate(v->uuid, err) == -1)
		goto fail;
	snprintf(v->owner_uuid, sizeof(v->owner_uuid), "%s", rq->owner_uuid);
	if (rq->name != NULL) {
		v->name = strdup(rq->name);
	} else {
		/* Triton: volume uuid + a random uuid, dashes removed. */
		if (tnfs_uuid_generate(rnd, err) == -1)
			goto fail;
		strip_dashes(v->uuid, gen);
		strip_dashes(rnd, gen + 32);
		v->name = strdup(gen);
	}
	snprintf(v->type, sizeof(v->type), "tritonnfs");
	v->size = rq->size != 0 ? rq->size : va->cfg->sizes[0];
	snprintf(v->state, sizeof(v->state), "creating");
	v->create_ms = tnfs_now_ms();
	if (rq->affinity != NULL &&
	    (v->affinity = strdup(rq->affinity)) == NULL)
		goto oom;
	memcpy(v->vm_uuid, va->host_uuid, TNFS_UUID_BUFSZ);
	if (v->name == NULL ||
	    volume_set_networks(v, rq->networks, rq->nnetworks) == -1 ||
	    volume_set_labels(v, rq->labels, rq->nlabels) == -1)
		goto oom;
	return v;
oom:
	tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
fail:
	volume_free(v);
	return NULL;
}

/*
 * The clone's source: the owner's volume of that uuid, else the one of
 * that name (the live one, when older ones of the name failed or are
 * going).  Another owner's volume is not found, as an absent one.
 */
static int
load_source(struct vapi *va, const struct create_req *rq, struct volume **out,
    struct tnfs_err *err)
{
	struct volume_filter f = {0};
	struct volume **vs = NULL;
	size_t n = 0, i, pick;
	int rc = -1;

	if (tnfs_uuid_valid(rq->source_volume) &&
	    volumes_load(va, rq->source_volume, rq->owner_uuid, out, NULL) ==
		0)
		return 0;
	f.owner_uuid = rq->owner_uuid;
	f.name = rq->source_volume;
	f.brief = 1;
	if (store_volume_list(va->store, &f, &vs, &n, err) == -1)
		return -1;
	for (pick = n, i = 0; i < n; i++) {
		if (strcmp(vs[i]->state, "ready") == 0 ||
		    strcmp(vs[i]->state, "creating") == 0) {
			pick = i;
			break;
		}
		if (pick == n)
			pick = i;
	}
	if (pick == n) {
		tnfs_err_set(err, TNFS_E_NOT_FOUND,
		    "source volume %s could not be found", rq->source_volume);
		goto out;
	}
	*out = vs[pick];
	vs[pick] = NULL;
	rc = 0;
out:
	volume_list_free(vs, n);
	return rc;
}

/*
 * A clone's source is ready and has the snapshot, created; the clone's
 * size (v->size) is the source's unless rq asked for one, and never less:
 * the copy starts with what the snapshot holds, which the source's size
 * bounds (volumes never shrink).
 */
static int
check_source(struct vapi *va, const struct create_req *rq, struct volume *v,
    char *src_key, size_t len, struct tnfs_err *err)
{
	struct volume *src = NULL;
	struct snapshot s;
	int rc = -1;

	if (load_source(va, rq, &src, err) == -1)
		return -1;
	if (strcmp(src->state, "ready") != 0) {
		tnfs_err_set(err, TNFS_E_BAD_STATE,
		    "source volume %s is %s: only a ready volume can be cloned",
		    rq->source_volume, src->state);
		goto out;
	}
	if (store_snap_get(va->store, src->uuid, rq->source_snapshot, &s,
		err) == -1) {
		if (tnfs_err_is(err, TNFS_E_SNAPSHOT_NOT_FOUND))
			tnfs_err_set(err, TNFS_E_SNAPSHOT_NOT_FOUND,
			    "source volume %s has no snapshot %s",
			    rq->source_volume, rq->source_snapshot);
		goto out;
	}
	if (strcmp(s.state, "created") != 0) {
		tnfs_err_set(err, TNFS_E_BAD_STATE,
		    "snapshot %s of volume %s is %s, not created",
		    rq->source_snapshot, rq->source_volume, s.state);
		goto out;
	}
	if (rq->size == 0) {
		v->size = src->size;
	} else if (rq->size < src->size) {
		validation_error(err,
		    "Volume size: %llu is smaller than the size %llu of the "
		    "source volume %s: a clone is at least as large as its "
		    "source",
		    (unsigned long long)rq->size, (unsigned long long)src->size,
		    rq->source_volume);
		goto out;
	}
	snprintf(src_key, len, "%s@%s", src->uuid, rq->source_snapshot);
	rc = 0;
out:
	volume_free(src);
	return rc;
}

/*
 * Store v; reservations made for its name become references (§1.9).  A
 * clone's source (clone_src, or NULL) is stored in the same transaction.
 */
static int
insert_volume(struct vapi *va, const struct volume *v, const char *clone_src,
    struct volume **out, struct tnfs_err *err)
{
	char key[sizeof(VOLUMES_CLONE_KEY) + TNFS_UUID_BUFSZ];

	struct reservation *rs = NULL;
	size_t nrs = 0, i;
	int rc = -1;

	if (store_tx_begin(va->store, err) == -1)
		return -1;
	snprintf(key, sizeof(key), VOLUMES_CLONE_KEY "%s", v->uuid);
	if (store_volume_insert(va->store, v, err) == -1 ||
	    (clone_src != NULL &&
		store_meta_set(va->store, key, clone_src, err) == -1) ||
	    store_resv_list(va->store, v->owner_uuid, v->name, NULL, NULL, &rs,
		&nrs, err) == -1)
		goto out;
	for (i = 0; i < nrs; i++)
		if (store_ref_put(va->store, v->uuid, rs[i].vm_uuid,
			v->owner_uuid, tnfs_now_ms(), err) == -1)
			goto out;
	if (store_volume_get(va->store, v->uuid, out, err) == -1)
		goto out;
	rc = 0;
out:
	reservation_list_free(rs, nrs);
	return store_tx_end(va->store, rc, err);
}

int
volumes_create(struct vapi *va, const struct create_req *rq,
    struct volume **out, struct tnfs_err *err)
{
	struct volume *v = NULL, *got = NULL;
	char src[TNFS_UUID_BUFSZ + 1 + 128];
	struct causes c;
	int rc = -1;

	causes_init(&c);
	check_create(rq, &c);
	if (causes_finish(&c, err) == -1)
		goto out;
	if ((v = build_volume(va, rq, err)) == NULL)
		goto out;
	if (rq->source_volume != NULL &&
	    check_source(va, rq, v, src, sizeof(src), err) == -1)
		goto out;
	if (networks_usable(va, v, err) == -1 ||
	    volumes_place(va, v, err) == -1)
		goto out;
	if (!size_available(va, v->size)) {
		size_not_available(va, v->size, err);
		goto out;
	}
	if (insert_volume(va, v, rq->source_volume != NULL ? src : NULL, &got,
		err) == -1)
		goto out;
	provision_kick(va->prov);
	*out = got;
	got = NULL;
	rc = 0;
out:
	volume_free(v);
	volume_free(got);
	return rc;
}

static void
in_use(const struct volume *v, const char *holders, struct tnfs_err *err)
{
	tnfs_err_set(err, TNFS_E_IN_USE,
	    "Volume with name %s is used by vms: %s", v->name, holders);
}

/* Whether v may grow to size: listed, not smaller, and v is ready. */
static int
check_grow(const struct vapi *va, const struct volume *v, uint64_t size,
    struct tnfs_err *err)
{
	if (!size_available(va, size)) {
		size_not_available(va, size, err);
		return -1;
	}
	if (size < v->size) {
		validation_error(err,
		    "Volume size: %llu is smaller than the current size "
		    "%llu: volumes can grow but never shrink",
		    (unsigned long long)size, (unsigned long long)v->size);
		return -1;
	}
	if (size > v->size && strcmp(v->state, "ready") != 0) {
		tnfs_err_set(err, TNFS_E_BAD_STATE,
		    "Volume with uuid %s is %s: only a ready volume can grow",
		    v->uuid, v->state);
		return -1;
	}
	return 0;
}

/* Hosts mount by name: renaming under them breaks them. */
static int
rename_volume(
    struct vapi *va, const char *uuid, const char *name, struct tnfs_err *err)
{
	struct volume *v = NULL;
	char holders[800];
	int rc = -1;

	if (store_tx_begin(va->store, err) == -1)
		return -1;
	if (store_volume_get(va->store, uuid, &v, err) == -1)
		goto out;
	if (volumes_live_refs(va, v, holders, sizeof(holders)) > 0) {
		in_use(v, holders, err);
		goto out;
	}
	if (store_volume_rename(va->store, uuid, name, err) == -1)
		goto out;
	rc = 0;
out:
	volume_free(v);
	return store_tx_end(va->store, rc, err);
}

/*
 * The intent first, committed, then the job (provision_jobs.c, prov_grow):
 * it grows the storage and records the size, so that a grow the caller
 * stopped waiting for still ends recorded, and one a crash cut short is
 * finished at the next start.  A refused grow changes nothing.
 */
static int
grow_volume(
    struct vapi *va, const char *uuid, uint64_t size, struct tnfs_err *err)
{
	char key[sizeof(VOLUMES_GROW_KEY) + TNFS_UUID_BUFSZ], val[24];
	struct tnfs_err derr;

	snprintf(key, sizeof(key), VOLUMES_GROW_KEY "%s", uuid);
	snprintf(val, sizeof(val), "%llu", (unsigned long long)size);
	if (store_meta_set(va->store, key, val, err) == -1)
		return -1;
	if (provision_call(va->prov, PROVISION_RESIZE, uuid, size, NULL, NULL,
		err) == 0)
		return 0;
	/* Timed out, the job goes on and ends the intent itself. */
	if (!tnfs_err_is(err, TNFS_E_TIMEOUT) &&
	    store_meta_delete(va->store, key, &derr) == -1)
		log_err(TNFS_LOG_WARN, &derr,
		    "volume %s: the next start retries a refused grow", uuid);
	return -1;
}

int
volumes_update(struct vapi *va, const struct update_req *rq,
    struct volume **out, struct tnfs_err *err)
{
	struct volume *v = NULL;
	struct causes c;
	int rc = -1;

	causes_init(&c);
	valid_uuid(rq->uuid, "uuid", &c);
	if (rq->owner_uuid != NULL)
		valid_uuid(rq->owner_uuid, "owner_uuid", &c);
	if (rq->name != NULL)
		valid_volume_name(rq->name, &c);
	if (rq->size != 0)
		valid_volume_size(rq->size, &c);
	if (causes_finish(&c, err) == -1)
		goto out;
	if (volumes_load(va, rq->uuid, rq->owner_uuid, &v, err) == -1)
		goto out;
	if (rq->size != 0 && check_grow(va, v, rq->size, err) == -1)
		goto out;
	if (rq->name != NULL && strcmp(rq->name, v->name) != 0 &&
	    rename_volume(va, rq->uuid, rq->name, err) == -1)
		goto out;
	if (rq->size > v->size && grow_volume(va, rq->uuid, rq->size, err) == -1)
		goto out;
	if (store_volume_get(va->store, rq->uuid, out, err) == -1)
		goto out;
	rc = 0;
out:
	volume_free(v);
	return rc;
}

int
volumes_delete(struct vapi *va, const char *uuid, const char *owner, int force,
    struct tnfs_err *err)
{
	struct volume *v = NULL;
	char holders[800];
	int rc = -1;

	if (store_tx_begin(va->store, err) == -1)
		return -1;
	if (volumes_load(va, uuid, owner, &v, err) == -1)
		goto out;
	if (!force && volumes_live_refs(va, v, holders, sizeof(holders)) > 0) {
		in_use(v, holders, err);
		goto out;
	}
	if (strcmp(v->state, "deleting") != 0 &&
	    store_volume_set_state(
		va->store, uuid, NULL, "deleting", NULL, err) == -1)
		goto out;
	rc = 0;
out:
	volume_free(v);
	if (rc == -1) {
		store_tx_rollback(va->store);
		return -1;
	}
	if (store_tx_commit(va->store, err) == -1)
		return -1;
	provision_kick(va->prov);
	return 0;
}

/* The filters go to the store, which answers from its indexes. */
int
volumes_list(struct vapi *va, const struct list_req *rq, struct volume ***out,
    size_t *n, struct tnfs_err *err)
{
	struct volume_filter f = {0};
	struct ref_clock clk;

	f.owner_uuid = rq->owner_uuid;
	f.state = rq->state;
	f.name = rq->name;
	f.type = rq->type;
	f.size = rq->size;
	f.ref_vm = rq->refs;
	f.pred = rq->pred;
	f.limit = rq->limit;
	f.after_uuid = rq->after_uuid;
	volumes_clock(va, &clk);
	f.live_after_ms = clk.lease_after_ms;
	f.host_after_ms = clk.host_after_ms;
	return store_volume_list(va->store, &f, out, n, err);
}

int
volumes_usage(
    struct vapi *va, const struct volume *v, struct storage_usage *out)
{
	if (strcmp(v->state, "ready") != 0)
		return -1;
	return provision_call(
	    va->prov, PROVISION_USAGE, v->uuid, 0, NULL, out, NULL);
}

int
volumes_restart(struct vapi *va, const char *uuid, struct volume **out,
    struct tnfs_err *err)
{
	struct volume *v = NULL;

	if (volumes_load(va, uuid, NULL, &v, err) == -1)
		return -1;
	volume_free(v);
	if (provision_call(
		va->prov, PROVISION_RESTART, uuid, 0, NULL, NULL, err) == -1)
		return -1;
	return volumes_load(va, uuid, NULL, out, err);
}
