/*
 * fence.c: who a volume's export admits (fence.h).
 */
#include <stdlib.h>
#include <string.h>

#include "fence.h"
#include "hosts.h"
#include "provision.h"
#include "timefmt.h"
#include "volumes.h"

int
fence_is_shared(const struct vapi_config *cfg, const struct volume *v)
{
	size_t i;

	for (i = 0; i < v->nnetworks; i++) {
		const struct vapi_network *net =
		    config_network(cfg, v->networks[i]);

		if (net != NULL && net->nowners != 1)
			return 1;
	}
	return 0;
}

/* Add s to the list unless it is there already. */
static void
add_unique(const char **list, size_t *n, const char *s)
{
	size_t i;

	if (s == NULL || s[0] == '\0')
		return;
	for (i = 0; i < *n; i++)
		if (strcmp(list[i], s) == 0)
			return;
	list[(*n)++] = s;
}

int
fence_compute(const struct vapi_config *cfg, const struct volume *v,
    const struct grant *grants, size_t ngrants, const struct ref_clock *clk,
    const char ***out, size_t *n, struct tnfs_err *err)
{
	const char **tmp = NULL, **block;
	size_t max = v->nnetworks + v->nrefs + ngrants, k = 0, i, bytes;
	int shared = fence_is_shared(cfg, v);
	char *p;

	*out = NULL;
	*n = 0;
	/* Borrowed pointers first; then one block the caller frees. */
	if ((tmp = calloc(max + 1, sizeof(*tmp))) == NULL)
		goto oom;
	for (i = 0; i < v->nnetworks; i++) {
		const struct vapi_network *net =
		    config_network(cfg, v->networks[i]);

		if (net != NULL && net->nowners == 1)
			add_unique(tmp, &k, net->subnet);
	}
	for (i = 0; shared && i < v->nrefs; i++)
		if (volume_ref_live(&v->refs[i], clk))
			add_unique(tmp, &k, v->refs[i].holder_address);
	for (i = 0; i < ngrants; i++)
		add_unique(tmp, &k, grants[i].address);
	bytes = (k + 1) * sizeof(*block);
	for (i = 0; i < k; i++)
		bytes += strlen(tmp[i]) + 1;
	if ((block = malloc(bytes)) == NULL)
		goto oom;
	p = (char *)(block + k + 1);
	for (i = 0; i < k; i++) {
		size_t len = strlen(tmp[i]) + 1;

		memcpy(p, tmp[i], len);
		block[i] = p;
		p += len;
	}
	block[k] = NULL;
	free(tmp);
	*out = block;
	*n = k;
	return 0;
oom:
	free(tmp);
	tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
	return -1;
}

/* The client list of v as given (its refs loaded), with its grants. */
static int
clients_of(struct vapi *va, const struct volume *v, const char ***out,
    size_t *n, struct tnfs_err *err)
{
	struct grant *gs = NULL;
	struct ref_clock clk;
	size_t ng = 0;
	int rc;

	if (store_grant_list(va->store, v->uuid, &gs, &ng, err) == -1)
		return -1;
	volumes_clock(va, &clk);
	rc = fence_compute(va->cfg, v, gs, ng, &clk, out, n, err);
	free(gs);
	return rc;
}

int
fence_export_clients(struct vapi *va, const struct volume *v,
    int refs_loaded, const char ***out, size_t *n, struct tnfs_err *err)
{
	struct volume *full = NULL;
	int rc;

	/* A record from a brief list carries no references: load them. */
	if (!refs_loaded && fence_is_shared(va->cfg, v) &&
	    store_volume_get(va->store, v->uuid, &full, err) == -1)
		return -1;
	rc = clients_of(va, full != NULL ? full : v, out, n, err);
	volume_free(full);
	return rc;
}

int
fence_differs(struct vapi *va, const struct volume *before,
    const struct volume *after)
{
	const char **a = NULL, **b = NULL;
	size_t na = 0, nb = 0, i;
	int differs = 1;

	/* When either cannot be computed, assume a change: a sync is safe. */
	if ((before != NULL && clients_of(va, before, &a, &na, NULL) == -1) ||
	    (after != NULL && clients_of(va, after, &b, &nb, NULL) == -1))
		goto out;
	if (na != nb)
		goto out;
	for (i = 0; i < na; i++)
		if (strcmp(a[i], b[i]) != 0)
			goto out;
	differs = 0;
out:
	free(a);
	free(b);
	return differs;
}

/* FNV-1a over s and its terminator. */
static uint64_t
fnv(uint64_t h, const char *s)
{
	for (;; s++) {
		h = (h ^ (unsigned char)*s) * 1099511628211u;
		if (*s == '\0')
			return h;
	}
}

int
fence_live_digest(struct vapi *va, uint64_t *out, struct tnfs_err *err)
{
	struct host *hs = NULL;
	uint64_t h = 14695981039346656037u;
	int64_t after = tnfs_now_ms() - (int64_t)va->cfg->host_ttl_s * 1000;
	size_t n = 0, i;

	if (store_host_list(va->store, NULL, &hs, &n, err) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (hs[i].heartbeat_ms < after)
			continue;
		h = fnv(fnv(fnv(h, hs[i].owner_uuid), hs[i].uuid),
		    hs[i].address);
	}
	free(hs);
	*out = h;
	return 0;
}

/* Check the ids and the address, and that owner may see the volume. */
static int
grant_check(struct vapi *va, const char *uuid, const char *owner,
    const char *address, struct tnfs_err *err)
{
	struct volume *v = NULL;
	struct causes c;

	causes_init(&c);
	valid_uuid(uuid, "uuid", &c);
	if (owner != NULL)
		valid_uuid(owner, "owner_uuid", &c);
	if (address != NULL)
		hosts_valid_address(address, "address", &c);
	if (causes_finish(&c, err) == -1 ||
	    volumes_load(va, uuid, owner, &v, err) == -1)
		return -1;
	volume_free(v);
	return 0;
}

int
fence_grant(struct vapi *va, const char *uuid, const char *owner,
    const char *address, struct tnfs_err *err)
{
	if (grant_check(va, uuid, owner, address != NULL ? address : "", err) ==
		-1 ||
	    store_grant_put(va->store, uuid, address, tnfs_now_ms(),
		FENCE_MAX_GRANTS, err) == -1)
		return -1;
	return provision_export_sync(va->prov, uuid, err);
}

int
fence_revoke(struct vapi *va, const char *uuid, const char *owner,
    const char *address, struct tnfs_err *err)
{
	if (grant_check(va, uuid, owner, address != NULL ? address : "", err) ==
		-1 ||
	    store_grant_remove(va->store, uuid, address, err) == -1)
		return -1;
	return provision_export_sync(va->prov, uuid, err);
}

int
fence_grants(struct vapi *va, const char *uuid, const char *owner,
    struct grant **out, size_t *n, struct tnfs_err *err)
{
	if (grant_check(va, uuid, owner, NULL, err) == -1)
		return -1;
	return store_grant_list(va->store, uuid, out, n, err);
}
