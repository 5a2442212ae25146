/*
 * store.c: the table of record stores and the store_* calls of store.h,
 * each forwarded to the store a spec names ("sqlite:/var/db/vapi.db" ->
 * store_sqlite_ops).  Callers never learn which store they talk to.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_impl.h"

static const struct store_ops *const stores[] = {
    &store_sqlite_ops,
#ifdef TNFS_HAVE_POSTGRESQL
    &store_pg_ops,
#endif
    NULL,
};

struct store {
	const struct store_ops *ops;
	void *impl;
};

/*
 * "expected sqlite:PATH", naming every store this build has.  The spec is
 * not repeated: it may hold a password.
 */
static void
bad_spec(const char *spec, struct tnfs_err *err)
{
	char kinds[128] = "", shown[64];
	size_t i, off = 0;

	for (i = 0; stores[i] != NULL && off < sizeof(kinds); i++)
		off += (size_t)snprintf(kinds + off, sizeof(kinds) - off,
		    "%s%s:%s", i > 0 ? " or " : "", stores[i]->kind,
		    stores[i]->arg_name);
	snprintf(shown, sizeof(shown), "%.*s", (int)strcspn(spec, ":"), spec);
#ifndef TNFS_HAVE_POSTGRESQL
	if (strcmp(shown, "postgresql") == 0) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "store postgresql: this build has no PostgreSQL store "
		    "(libpq was not found when it was configured); expected %s",
		    kinds);
		return;
	}
#endif
	tnfs_err_set(err, TNFS_E_VALIDATION, "store %s%s: expected %s", shown,
	    strchr(spec, ':') != NULL ? ":..." : "", kinds);
}

void
store_spec_redact(const char *spec, char *out, size_t len)
{
	static const char key[] = "password";
	size_t off = 0, i = 0, n = strlen(spec);
	const char *uri;

	if (len == 0)
		return;
	/* postgresql://user:SECRET@host/db */
	uri = strstr(spec, "://");
	while (i < n && off + 1 < len) {
		if (uri != NULL && spec + i == uri + 3) {
			size_t at = strcspn(spec + i, "@/?"), colon;

			colon = strcspn(spec + i, ":@/?");
			if (spec[i + at] == '@' && colon < at) {
				off += (size_t)snprintf(out + off, len - off,
				    "%.*s:********", (int)colon, spec + i);
				i += at;
				continue;
			}
		}
		/* password=SECRET, password = 'SE CRET', ?password=SECRET */
		if (strncmp(spec + i, key, sizeof(key) - 1) == 0 &&
		    (i == 0 || strchr(" \t:?&", spec[i - 1]) != NULL)) {
			size_t j = i + sizeof(key) - 1;

			while (spec[j] == ' ')
				j++;
			if (spec[j] == '=') {
				j++;
				while (spec[j] == ' ')
					j++;
				if (spec[j] == '\'') {
					for (j++; spec[j] != '\0' &&
					     spec[j] != '\''; j++)
						if (spec[j] == '\\' &&
						    spec[j + 1] != '\0')
							j++;
					if (spec[j] == '\'')
						j++;
				} else {
					j += strcspn(spec + j, " \t&");
				}
				off += (size_t)snprintf(out + off, len - off,
				    "password=********");
				i = j;
				continue;
			}
		}
		out[off++] = spec[i++];
	}
	out[off < len ? off : len - 1] = '\0';
}

struct store *
store_open(const char *spec, struct tnfs_err *err)
{
	const struct store_ops *ops = NULL;
	const char *colon = strchr(spec, ':');
	struct store *st;
	size_t i, klen;

	if (colon == NULL || colon[1] == '\0') {
		bad_spec(spec, err);
		return NULL;
	}
	klen = (size_t)(colon - spec);
	for (i = 0; stores[i] != NULL; i++)
		if (strlen(stores[i]->kind) == klen &&
		    strncmp(stores[i]->kind, spec, klen) == 0)
			ops = stores[i];
	if (ops == NULL) {
		bad_spec(spec, err);
		return NULL;
	}
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return NULL;
	}
	st->ops = ops;
	if ((st->impl = ops->open(colon + 1, err)) == NULL) {
		free(st);
		return NULL;
	}
	return st;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	st->ops->close(st->impl);
	free(st);
}

int
store_tx_begin(struct store *st, struct tnfs_err *err)
{
	return st->ops->tx_begin(st->impl, err);
}

int
store_tx_commit(struct store *st, struct tnfs_err *err)
{
	return st->ops->tx_commit(st->impl, err);
}

void
store_tx_rollback(struct store *st)
{
	st->ops->tx_rollback(st->impl);
}

int
store_tx_end(struct store *st, int rc, struct tnfs_err *err)
{
	if (rc == 0)
		return store_tx_commit(st, err);
	store_tx_rollback(st);
	return -1;
}

int
store_meta_get(
    struct store *st, const char *key, char **val, struct tnfs_err *err)
{
	return st->ops->meta_get(st->impl, key, val, err);
}

int
store_meta_set(
    struct store *st, const char *key, const char *val, struct tnfs_err *err)
{
	return st->ops->meta_set(st->impl, key, val, err);
}

int
store_meta_add(
    struct store *st, const char *key, const char *val, struct tnfs_err *err)
{
	return st->ops->meta_add(st->impl, key, val, err);
}

int
store_meta_delete(struct store *st, const char *key, struct tnfs_err *err)
{
	return st->ops->meta_delete(st->impl, key, err);
}

int
store_meta_prune_creating(
    struct store *st, const char *prefix, struct tnfs_err *err)
{
	return st->ops->meta_prune_creating(st->impl, prefix, err);
}

int
store_meta_list(struct store *st, const char *prefix,
    struct meta_entry **out, size_t *n, struct tnfs_err *err)
{
	*out = NULL;
	*n = 0;
	return st->ops->meta_list(st->impl, prefix, out, n, err);
}

int
store_volume_insert(
    struct store *st, const struct volume *v, struct tnfs_err *err)
{
	return st->ops->volume_insert(st->impl, v, err);
}

int
store_volume_get(struct store *st, const char *uuid, struct volume **out,
    struct tnfs_err *err)
{
	return st->ops->volume_get(st->impl, uuid, out, err);
}

int
store_volume_list(struct store *st, const struct volume_filter *f,
    struct volume ***out, size_t *n, struct tnfs_err *err)
{
	return st->ops->volume_list(st->impl, f, out, n, err);
}

int
store_volume_set_state(struct store *st, const char *uuid, const char *from,
    const char *to, const char *error, struct tnfs_err *err)
{
	return st->ops->volume_set_state(st->impl, uuid, from, to, error, err);
}

int
store_volume_set_served(struct store *st, const char *uuid, int serving,
    const char *error, struct tnfs_err *err)
{
	return st->ops->volume_set_served(st->impl, uuid, serving, error, err);
}

int
store_volume_move(struct store *st, const char *uuid,
    const char *filesystem_path, int nfs_port, int mount_port,
    struct tnfs_err *err)
{
	return st->ops->volume_move(
	    st->impl, uuid, filesystem_path, nfs_port, mount_port, err);
}

int
store_volume_set_ready(struct store *st, const char *uuid,
    const char *filesystem_path, int nfs_port, int mount_port,
    struct tnfs_err *err)
{
	return st->ops->volume_set_ready(
	    st->impl, uuid, filesystem_path, nfs_port, mount_port, err);
}

int
store_volume_set_exported(
    struct store *st, const char *uuid, int exported, struct tnfs_err *err)
{
	return st->ops->volume_set_exported(st->impl, uuid, exported, err);
}

int
store_volume_rename(
    struct store *st, const char *uuid, const char *name, struct tnfs_err *err)
{
	return st->ops->volume_rename(st->impl, uuid, name, err);
}

int
store_volume_set_size(
    struct store *st, const char *uuid, uint64_t size, struct tnfs_err *err)
{
	return st->ops->volume_set_size(st->impl, uuid, size, err);
}

int
store_volume_delete(struct store *st, const char *uuid, struct tnfs_err *err)
{
	return st->ops->volume_delete(st->impl, uuid, err);
}

int
store_ref_put(struct store *st, const char *volume_uuid, const char *vm_uuid,
    const char *owner_uuid, int64_t now_ms, struct tnfs_err *err)
{
	return st->ops->ref_put(
	    st->impl, volume_uuid, vm_uuid, owner_uuid, now_ms, err);
}

int
store_ref_remove(struct store *st, const char *volume_uuid, const char *vm_uuid,
    struct tnfs_err *err)
{
	return st->ops->ref_remove(st->impl, volume_uuid, vm_uuid, err);
}

int
store_refs_reap(
    struct store *st, int64_t before_ms, int *n, struct tnfs_err *err)
{
	return st->ops->refs_reap(st->impl, before_ms, n, err);
}

int
store_refs_reap_orphans(
    struct store *st, int64_t before_ms, int *n, struct tnfs_err *err)
{
	return st->ops->refs_reap_orphans(st->impl, before_ms, n, err);
}

int
store_host_put(struct store *st, const struct host *h, int max_per_owner,
    int *created, struct tnfs_err *err)
{
	return st->ops->host_put(st->impl, h, max_per_owner, created, err);
}

int
store_host_get(struct store *st, const char *owner_uuid, const char *uuid,
    struct host *out, struct tnfs_err *err)
{
	return st->ops->host_get(st->impl, owner_uuid, uuid, out, err);
}

int
store_host_list(struct store *st, const char *owner_uuid, struct host **out,
    size_t *n, struct tnfs_err *err)
{
	return st->ops->host_list(st->impl, owner_uuid, out, n, err);
}

int
store_host_delete(struct store *st, const char *owner_uuid, const char *uuid,
    struct tnfs_err *err)
{
	return st->ops->host_delete(st->impl, owner_uuid, uuid, err);
}

int
store_grant_put(struct store *st, const char *volume_uuid,
    const char *address, int64_t now_ms, int max, struct tnfs_err *err)
{
	return st->ops->grant_put(
	    st->impl, volume_uuid, address, now_ms, max, err);
}

int
store_grant_remove(struct store *st, const char *volume_uuid,
    const char *address, struct tnfs_err *err)
{
	return st->ops->grant_remove(st->impl, volume_uuid, address, err);
}

int
store_grant_list(struct store *st, const char *volume_uuid,
    struct grant **out, size_t *n, struct tnfs_err *err)
{
	return st->ops->grant_list(st->impl, volume_uuid, out, n, err);
}

int
store_resv_insert(
    struct store *st, const struct reservation *r, struct tnfs_err *err)
{
	return st->ops->resv_insert(st->impl, r, err);
}

int
store_resv_list(struct store *st, const char *owner_uuid,
    const char *volume_name, const char *vm_uuid, const char *job_uuid,
    struct reservation **out, size_t *n, struct tnfs_err *err)
{
	return st->ops->resv_list(
	    st->impl, owner_uuid, volume_name, vm_uuid, job_uuid, out, n, err);
}

int
store_resv_delete(struct store *st, const char *uuid, const char *owner_uuid,
    struct tnfs_err *err)
{
	return st->ops->resv_delete(st->impl, uuid, owner_uuid, err);
}

int
store_resv_delete_for(struct store *st, const char *owner_uuid,
    const char *volume_name, const char *vm_uuid, struct tnfs_err *err)
{
	return st->ops->resv_delete_for(
	    st->impl, owner_uuid, volume_name, vm_uuid, err);
}

int
store_resv_reap(struct store *st, int64_t before_ms, struct tnfs_err *err)
{
	return st->ops->resv_reap(st->impl, before_ms, err);
}

int
store_snap_insert(struct store *st, const char *volume_uuid,
    const struct snapshot *s, struct tnfs_err *err)
{
	return st->ops->snap_insert(st->impl, volume_uuid, s, err);
}

int
store_snap_list(struct store *st, const char *volume_uuid,
    struct snapshot **out, size_t *n, struct tnfs_err *err)
{
	return st->ops->snap_list(st->impl, volume_uuid, out, n, err);
}

int
store_snap_unsettled(struct store *st, char (**uuids)[TNFS_UUID_BUFSZ],
    size_t *n, struct tnfs_err *err)
{
	return st->ops->snap_unsettled(st->impl, uuids, n, err);
}

int
store_snap_get(struct store *st, const char *volume_uuid, const char *name,
    struct snapshot *out, struct tnfs_err *err)
{
	return st->ops->snap_get(st->impl, volume_uuid, name, out, err);
}

int
store_snap_set_state(struct store *st, const char *volume_uuid,
    const char *name, const char *state, struct tnfs_err *err)
{
	return st->ops->snap_set_state(st->impl, volume_uuid, name, state, err);
}

int
store_snap_delete(struct store *st, const char *volume_uuid, const char *name,
    struct tnfs_err *err)
{
	return st->ops->snap_delete(st->impl, volume_uuid, name, err);
}

int
store_check(struct store *st, struct tnfs_err *err)
{
	return st->ops->check(st->impl, err);
}

int
store_shared(const struct store *st)
{
	return st->ops->shared;
}

int
store_instance_put(
    struct store *st, const struct instance *in, struct tnfs_err *err)
{
	return st->ops->instance_put(st->impl, in, err);
}

int
store_instance_delete(struct store *st, const char *id, struct tnfs_err *err)
{
	return st->ops->instance_delete(st->impl, id, err);
}

int
store_instance_list(struct store *st, struct instance **out, size_t *n,
    struct tnfs_err *err)
{
	return st->ops->instance_list(st->impl, out, n, err);
}

int
store_instances_reap(
    struct store *st, int64_t before_ms, int *n, struct tnfs_err *err)
{
	return st->ops->instances_reap(st->impl, before_ms, n, err);
}

int
store_jobs_claim(struct store *st, const char *id, int64_t live_after_ms,
    size_t max, char (**out)[TNFS_UUID_BUFSZ], size_t *n,
    struct tnfs_err *err)
{
	return st->ops->jobs_claim(st->impl, id, live_after_ms, max, out, n, err);
}

int
store_volume_claim(struct store *st, const char *uuid, const char *id,
    int64_t live_after_ms, struct tnfs_err *err)
{
	return st->ops->volume_claim(st->impl, uuid, id, live_after_ms, err);
}

int
store_volume_release(
    struct store *st, const char *uuid, const char *id, struct tnfs_err *err)
{
	return st->ops->volume_release(st->impl, uuid, id, err);
}

int
store_lease_take(struct store *st, const char *name, const char *holder,
    int64_t now_ms, int64_t until_ms, int64_t live_after_ms,
    struct tnfs_err *err)
{
	return st->ops->lease_take(
	    st->impl, name, holder, now_ms, until_ms, live_after_ms, err);
}

int
store_lease_release(struct store *st, const char *name, const char *holder,
    struct tnfs_err *err)
{
	return st->ops->lease_release(st->impl, name, holder, err);
}

static int
no_exports_gen(struct tnfs_err *err)
{
	tnfs_err_set(err, TNFS_E_NOT_SUPPORTED,
	    "this store has one instance: it keeps no exported-set "
	    "generation");
	return -1;
}

int
store_exports_bump(
    struct store *st, const char *uuid, int64_t *gen, struct tnfs_err *err)
{
	if (st->ops->exports_bump == NULL)
		return no_exports_gen(err);
	return st->ops->exports_bump(st->impl, uuid, gen, err);
}

int
store_exports_changes(struct store *st, int64_t after, int64_t upto,
    size_t max, char (**uuids)[TNFS_UUID_BUFSZ], size_t *n, int *all,
    struct tnfs_err *err)
{
	*uuids = NULL;
	*n = 0;
	*all = 1;
	if (st->ops->exports_changes == NULL)
		return no_exports_gen(err);
	/* More than the store keeps, or than the caller takes: all. */
	if (after < 0 || upto <= after ||
	    upto - after > STORE_EXPORTS_CHANGES_KEPT ||
	    (uint64_t)(upto - after) > max)
		return 0;
	return st->ops->exports_changes(
	    st->impl, after, upto, uuids, n, all, err);
}

int
store_exports_served(struct store *st, const char *head, int64_t gen,
    const char *failure, struct tnfs_err *err)
{
	if (st->ops->exports_served == NULL)
		return no_exports_gen(err);
	return st->ops->exports_served(st->impl, head, gen, failure, err);
}

int
store_exports_state(struct store *st, const char *head, int64_t *gen,
    int64_t *served, char *failure, size_t len, struct tnfs_err *err)
{
	if (st->ops->exports_state == NULL)
		return no_exports_gen(err);
	return st->ops->exports_state(
	    st->impl, head, gen, served, failure, len, err);
}
