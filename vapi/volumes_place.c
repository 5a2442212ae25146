/*
 * volumes_place.c: a new volume's NFS head by its affinity rules
 * (volumes_place.h).
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "affinity.h"
#include "exports.h"
#include "vapi_config.h"
#include "volumes_place.h"

#define PLACE_MAX_HEADS 16

/* The head a record names (exporter_heads), -1 when it names none yet. */
static int
head_of(const struct exporter_head *hs, size_t nh, const struct volume *v)
{
	size_t i;

	if (nh == 1)
		return 0;
	if (v->nfs_port == 0 && v->mount_port == 0)
		return -1;
	for (i = 1; i < nh; i++)
		if (hs[i].nfs_port == v->nfs_port &&
		    hs[i].mount_port == v->mount_port)
			return (int)i;
	return 0;
}

static int
rule_matches(
    const struct tnfs_affinity *a, size_t r, const struct volume *v)
{
	const struct tnfs_affinity_rule *rule = tnfs_affinity_rule(a, r);
	size_t i;

	if (rule->kind == TNFS_AFFINITY_VOLUME)
		return tnfs_affinity_value_matches(a, r, v->name) ||
		    tnfs_affinity_value_matches(a, r, v->uuid);
	for (i = 0; i < v->nlabels; i++)
		if (strcmp(v->labels[i].key, rule->label) == 0)
			return tnfs_affinity_value_matches(
			    a, r, v->labels[i].value);
	return 0;
}

/*
 * has[r * nh + h]: head h serves one of the owner's live volumes that
 * rule r matches; any[r]: some live volume matches r at all.
 */
static int
find_matches(struct vapi *va, const struct volume *nv,
    const struct tnfs_affinity *a, const struct exporter_head *hs, size_t nh,
    unsigned char *has, unsigned char *any, struct tnfs_err *err)
{
	struct volume_filter f = {0};
	struct volume **vs = NULL;
	size_t n = 0, i, r, nr = tnfs_affinity_count(a);
	int h;

	f.owner_uuid = nv->owner_uuid;
	f.brief = 1;
	for (r = 0; r < nr; r++)
		if (tnfs_affinity_rule(a, r)->kind == TNFS_AFFINITY_LABEL)
			f.brief = 0; /* labels are wanted */
	if (store_volume_list(va->store, &f, &vs, &n, err) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (strcmp(vs[i]->state, "ready") != 0 &&
		    strcmp(vs[i]->state, "creating") != 0)
			continue;
		h = head_of(hs, nh, vs[i]);
		for (r = 0; r < nr; r++) {
			if (!rule_matches(a, r, vs[i]))
				continue;
			any[r] = 1;
			if (h >= 0)
				has[r * nh + (size_t)h] = 1;
		}
	}
	volume_list_free(vs, n);
	return 0;
}

/* The hard rules, in order: which heads they leave (ok[h]). */
static int
apply_hard(const struct tnfs_affinity *a, size_t nh, const unsigned char *has,
    const unsigned char *any, unsigned char *ok, struct tnfs_err *err)
{
	const struct tnfs_affinity_rule *rule;
	size_t r, h, left;

	for (r = 0; r < tnfs_affinity_count(a); r++) {
		rule = tnfs_affinity_rule(a, r);
		/* No head runs an instance: "!=" holds everywhere. */
		if (rule->soft ||
		    (rule->kind == TNFS_AFFINITY_INSTANCE && !rule->equal))
			continue;
		if (rule->kind == TNFS_AFFINITY_INSTANCE) {
			tnfs_err_set(err, TNFS_E_AFFINITY,
			    "affinity %s cannot be met: NFS heads run no "
			    "instances; place a volume relative to other "
			    "volumes (volume==NAME, label:KEY==VALUE)",
			    rule->text);
			return -1;
		}
		if (rule->equal && !any[r]) {
			tnfs_err_set(err, TNFS_E_AFFINITY,
			    "affinity %s cannot be met: no volume of yours "
			    "matches it",
			    rule->text);
			return -1;
		}
		for (h = 0, left = 0; h < nh; h++) {
			if (has[r * nh + h] != rule->equal)
				ok[h] = 0;
			left += ok[h];
		}
		if (left == 0) {
			tnfs_err_set(err, TNFS_E_AFFINITY,
			    "affinity %s cannot be met: %s", rule->text,
			    nh == 1 ? "one NFS head serves every volume"
				    : "no NFS head left by the rules before "
				      "it meets it");
			return -1;
		}
	}
	return 0;
}

/*
 * Whether the choice needs the owner's volumes: a rule on volumes that is
 * hard, or soft with several heads to rank (one head: soft rules change
 * nothing).  Rules on instances need none.
 */
static int
needs_volumes(const struct tnfs_affinity *a, size_t nh)
{
	const struct tnfs_affinity_rule *rule;
	size_t r;

	for (r = 0; r < tnfs_affinity_count(a); r++) {
		rule = tnfs_affinity_rule(a, r);
		if (rule->kind != TNFS_AFFINITY_INSTANCE &&
		    (!rule->soft || nh > 1))
			return 1;
	}
	return 0;
}

/*
 * The best head ok leaves: one that answers, then by soft rules, then the
 * fewest volumes.
 */
static size_t
pick(const struct tnfs_affinity *a, const struct exporter_head *hs,
    size_t nh, const unsigned char *has, const unsigned char *ok)
{
	const struct tnfs_affinity_rule *rule;
	size_t r, h, best = nh;
	long score, best_score = 0;

	for (h = 0; h < nh; h++) {
		if (!ok[h])
			continue;
		score = 0;
		for (r = 0; r < tnfs_affinity_count(a); r++) {
			rule = tnfs_affinity_rule(a, r);
			if (rule->soft && rule->kind != TNFS_AFFINITY_INSTANCE &&
			    has[r * nh + h])
				score += rule->equal ? 1 : -1;
		}
		if (best == nh || (hs[best].down && !hs[h].down) ||
		    (hs[best].down == hs[h].down &&
			(score > best_score ||
			    (score == best_score &&
				hs[h].volumes < hs[best].volumes)))) {
			best = h;
			best_score = score;
		}
	}
	return best;
}

static int
compile_rules(const char *text, struct tnfs_affinity **out,
    struct tnfs_err *err)
{
	json_object *j = json_tokener_parse(text);
	int rc;

	/* The API took it as a JSON array: only memory can fail here. */
	if (j == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return -1;
	}
	rc = tnfs_affinity_compile(j, out, err);
	json_object_put(j);
	return rc;
}

int
volumes_place(struct vapi *va, struct volume *v, struct tnfs_err *err)
{
	struct exporter_head hs[PLACE_MAX_HEADS];
	struct tnfs_affinity *a = NULL;
	const struct vapi_network *net;
	unsigned char *has = NULL, any[TNFS_AFFINITY_RULES_MAX] = {0},
			  ok[PLACE_MAX_HEADS];
	size_t nh, h;
	int rc = -1;

	if (v->affinity == NULL)
		return 0;
	memset(ok, 1, sizeof(ok));
	if (compile_rules(v->affinity, &a, err) == -1)
		return -1;
	nh = exporter_heads(va->exporter, hs, PLACE_MAX_HEADS);
	if (!needs_volumes(a, nh)) {
		rc = apply_hard(a, nh, NULL, NULL, ok, err);
		goto out;
	}
	if ((has = calloc(tnfs_affinity_count(a) * nh, 1)) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto out;
	}
	if (find_matches(va, v, a, hs, nh, has, any, err) == -1 ||
	    apply_hard(a, nh, has, any, ok, err) == -1)
		goto out;
	h = pick(a, hs, nh, has, ok);
	if (nh > 1 && h > 0) {
		v->nfs_port = hs[h].nfs_port;
		v->mount_port = hs[h].mount_port;
	} else if (nh > 1 && v->nnetworks > 0 &&
	    (net = config_network(va->cfg, v->networks[0])) != NULL) {
		/* The first head: its ports are the network's own. */
		v->nfs_port = net->nfs_port;
		v->mount_port = net->mount_port;
	}
	rc = 0;
out:
	free(has);
	tnfs_affinity_free(a);
	return rc;
}
