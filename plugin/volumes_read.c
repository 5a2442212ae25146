/*
 * volumes_read.c: Get, List and Path, answered from the registry in memory
 * (volumes.h): no call to the VAPI, no wait on a mount.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mountinfo.h"
#include "protocol.h"
#include "volumes.h"
#include "volumes_impl.h"

/* Docker sees a volume while it is known, or held by a mount here. */
static int
shown_locked(const struct pvol *p)
{
	return !p->removed || p->st.nids > 0 || p->mounted;
}

/* Caller holds vs->lock. */
static void
snapshot_locked(
    const struct volumes *vs, const struct pvol *p, struct proto_volume *v)
{
	memset(v, 0, sizeof(*v));
	snprintf(v->name, sizeof(v->name), "%s", p->st.name);
	if (p->mounted)
		vol_target_path(
		    vs, p->st.name, v->mountpoint, sizeof(v->mountpoint));
	v->created_ms = p->st.created_ms;
	if (p->mounted)
		snprintf(v->state, sizeof(v->state), "mounted");
	else if (p->vapi_state[0] != '\0' &&
	    strcmp(p->vapi_state, "ready") != 0)
		snprintf(v->state, sizeof(v->state), "%s", p->vapi_state);
	else
		snprintf(v->state, sizeof(v->state), "unmounted");
	snprintf(v->vapi_state, sizeof(v->vapi_state), "%s", p->vapi_state);
	snprintf(v->uuid, sizeof(v->uuid), "%s", p->st.uuid);
	if (p->st.filesystem_path != NULL &&
	    mounts_split_fspath(p->st.filesystem_path, v->server,
		sizeof(v->server), v->export, sizeof(v->export), NULL) == -1)
		v->server[0] = v->export[0] = '\0';
	v->size_mib = p->st.size_mib;
	v->mounted = p->mounted;
	v->nids = p->st.nids;
	snprintf(v->nfsvers, sizeof(v->nfsvers), "%s", p->st.opts.nfsvers);
	v->ro = p->st.opts.ro;
	v->backend = mounts_backend_name(vs->cfg.mounts);
	snprintf(v->hosts, sizeof(v->hosts), "%s", p->refs ? p->refs : "");
	v->mounted_since_ms = p->mounted_since_ms;
	snprintf(v->last_error, sizeof(v->last_error), "%s",
	    p->last_error ? p->last_error : vs->refresh_error);
	v->last_check_ms = p->last_check_ms;
}

/* Caller holds vs->lock.  The volume Docker may see, or NULL and err. */
static struct pvol *
find_shown_locked(struct volumes *vs, const char *name, struct tnfs_err *err)
{
	struct pvol *p = vol_find_locked(vs, name);

	if (p == NULL || !shown_locked(p)) {
		tnfs_err_set(
		    err, TNFS_E_NOT_FOUND, "volume %s not found", name);
		return NULL;
	}
	return p;
}

int
volumes_get(struct volumes *vs, const char *name, struct proto_volume *out,
    struct tnfs_err *err)
{
	struct pvol *p;
	uint64_t gen = 0;
	int rc = -1, known = 0;

	vol_rdlock(vs);
	if ((p = find_shown_locked(vs, name, err)) == NULL)
		goto out;
	snapshot_locked(vs, p, out);
	if ((known = p->mount_desc != NULL))
		snprintf(out->mount, sizeof(out->mount), "%s", p->mount_desc);
	gen = p->mount_gen;
	rc = 0;
out:
	vol_unlock(vs);
	if (rc == -1 || !out->mounted || known)
		return rc;
	/* Read once per mount, outside the lock: it is a file read. */
	if (mountinfo_describe(out->mountpoint, out->mount,
		sizeof(out->mount)) != 1) {
		out->mount[0] = '\0';
		return rc;
	}
	vol_wrlock(vs);
	if ((p = vol_find_locked(vs, name)) != NULL && p->mount_gen == gen &&
	    p->mounted)
		vol_set_str_locked(&p->mount_desc, out->mount);
	/* List shows no description: its kept text stays. */
	vol_unlock_list_kept(vs);
	return rc;
}

/* Caller holds vs->lock.  One List entry; -1 when out of memory. */
static int
list_add_locked(const struct volumes *vs, const struct pvol *p,
    struct proto_volume_entry *e)
{
	char target[4096];

	if ((e->name = strdup(p->st.name)) == NULL)
		return -1;
	if (!p->mounted)
		return 0;
	vol_target_path(vs, p->st.name, target, sizeof(target));
	return (e->mountpoint = strdup(target)) == NULL ? -1 : 0;
}

int
volumes_list(
    struct volumes *vs, struct proto_volume_list *out, struct tnfs_err *err)
{
	struct proto_volume_entry *items = NULL, *grown;
	struct pvol *p;
	size_t cap = 0;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	vol_rdlock(vs);
	for (p = vs->head; p != NULL; p = p->next) {
		/* Hide failed and deleting volumes (§5.1 item 20). */
		if (!shown_locked(p) || strcmp(p->vapi_state, "failed") == 0 ||
		    strcmp(p->vapi_state, "deleting") == 0)
			continue;
		if (out->n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			if ((grown = realloc(items, cap * sizeof(*items))) ==
			    NULL)
				goto nomem;
			items = grown;
		}
		memset(&items[out->n], 0, sizeof(items[out->n]));
		out->items = items;
		if (list_add_locked(vs, p, &items[out->n++]) == -1)
			goto nomem;
	}
	out->items = items;
	rc = 0;
	goto out;
nomem:
	out->items = items;
	tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
out:
	vol_unlock(vs);
	if (rc == -1)
		proto_volume_list_clear(out);
	return rc;
}

/*
 * List's reply text under a reference count: the registry holds one
 * while the text is current, each List being answered one more, so a
 * change of the registry does not free a text still being sent.
 */
struct volumes_text {
	atomic_uint refs;
	size_t len;
	char *text;
};

const char *
volumes_text_str(const struct volumes_text *t, size_t *len)
{
	*len = t->len;
	return t->text;
}

void
volumes_text_put(struct volumes_text *t)
{
	if (t == NULL || atomic_fetch_sub(&t->refs, 1) != 1)
		return;
	free(t->text);
	free(t);
}

/*
 * The generation is read before the list: a change in between makes the
 * text newer than its tag, never older, and only costs one more render.
 * Concurrent Lists of one generation render it once (under list_mu) and
 * share it.
 */
struct volumes_text *
volumes_list_text(struct volumes *vs, struct tnfs_err *err)
{
	struct proto_volume_list l;
	struct volumes_text *t = NULL;
	uint64_t gen;

	vol_rdlock(vs);
	gen = vs->list_gen;
	vol_unlock(vs);
	pthread_mutex_lock(&vs->list_mu);
	if (vs->list_text == NULL || vs->list_text_gen != gen) {
		struct volumes_text *nt;

		if (volumes_list(vs, &l, err) == -1)
			goto out;
		if ((nt = calloc(1, sizeof(*nt))) == NULL) {
			proto_volume_list_clear(&l);
			goto nomem;
		}
		nt->text = proto_list_text(&l, &nt->len);
		proto_volume_list_clear(&l);
		if (nt->text == NULL) {
			free(nt);
			goto nomem;
		}
		atomic_init(&nt->refs, 1); /* the registry's */
		volumes_text_put(vs->list_text);
		vs->list_text = nt;
		vs->list_text_gen = gen;
	}
	t = vs->list_text;
	atomic_fetch_add(&t->refs, 1);
	goto out;
nomem:
	tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
out:
	pthread_mutex_unlock(&vs->list_mu);
	return t;
}

int
volumes_list_text_current(struct volumes *vs)
{
	uint64_t gen;
	int current;

	vol_rdlock(vs);
	gen = vs->list_gen;
	vol_unlock(vs);
	/* A render under way holds list_mu: that List is not quick. */
	if (pthread_mutex_trylock(&vs->list_mu) != 0)
		return 0;
	current = vs->list_text != NULL && vs->list_text_gen == gen;
	pthread_mutex_unlock(&vs->list_mu);
	return current;
}

int
volumes_path(struct volumes *vs, const char *name, char *mountpoint, size_t len,
    struct tnfs_err *err)
{
	struct pvol *p;
	int rc = -1;

	vol_rdlock(vs);
	if ((p = find_shown_locked(vs, name, err)) == NULL)
		goto out;
	if (p->mounted)
		vol_target_path(vs, name, mountpoint, len);
	else if (len > 0)
		mountpoint[0] = '\0';
	rc = 0;
out:
	vol_unlock(vs);
	return rc;
}
