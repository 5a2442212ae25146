/*
 * hosts.c: the core of host records (hosts.h).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "hosts.h"
#include "provision.h"
#include "timefmt.h"

int
hosts_valid_hostname(const char *s, struct causes *c)
{
	size_t len, label = 0, i;

	if (s == NULL || (len = strlen(s)) == 0 || len > HOST_NAME_MAX_LEN)
		goto bad;
	for (i = 0; i <= len; i++) {
		char ch = s[i];

		if (ch == '.' || ch == '\0') {
			/* Empty, too long, or a hyphen at either end. */
			if (label == 0 || label > 63 || s[i - 1] == '-' ||
			    s[i - label] == '-')
				goto bad;
			label = 0;
			continue;
		}
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			(ch >= '0' && ch <= '9') || ch == '-'))
			goto bad;
		label++;
	}
	return 1;
bad:
	causes_add(c,
	    "hostname: %.64s%s is not a valid host name (dot-separated "
	    "labels of 1-63 letters, digits and hyphens, at most %d "
	    "characters)",
	    s != NULL ? s : "null", s != NULL && strlen(s) > 64 ? "..." : "",
	    HOST_NAME_MAX_LEN);
	return 0;
}

int
hosts_valid_address(const char *s, const char *what, struct causes *c)
{
	char canon[INET_ADDRSTRLEN];
	struct in_addr in;
	uint32_t a;

	/* inet_pton takes dotted quads only; the round trip refuses "01.2.3.4". */
	if (s == NULL || strlen(s) >= sizeof(canon) ||
	    inet_pton(AF_INET, s, &in) != 1 ||
	    inet_ntop(AF_INET, &in, canon, sizeof(canon)) == NULL ||
	    strcmp(canon, s) != 0)
		goto bad;
	a = ntohl(in.s_addr);
	if (a == 0 || a == 0xffffffffu || (a >> 28) == 0xe)
		goto bad;
	return 1;
bad:
	causes_add(c, "%s: %.64s is not an IPv4 address of a host", what,
	    s != NULL ? s : "null");
	return 0;
}

int
hosts_valid_version(const char *s, struct causes *c)
{
	size_t i;

	if (s == NULL || s[0] == '\0' || strlen(s) > HOST_VERSION_MAX_LEN)
		goto bad;
	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
			(s[i] >= 'A' && s[i] <= 'Z') ||
			(s[i] >= '0' && s[i] <= '9') || strchr(".+_~-", s[i])))
			goto bad;
	return 1;
bad:
	causes_add(c,
	    "version: %.64s is not a version (1-%d characters of "
	    "[A-Za-z0-9.+_~-])",
	    s != NULL ? s : "null", HOST_VERSION_MAX_LEN);
	return 0;
}

int
hosts_alive(const struct vapi *va, const struct host *h)
{
	return h->heartbeat_ms >=
	    tnfs_now_ms() - (int64_t)va->cfg->host_ttl_s * 1000;
}

/* The address to record for rq into addr (see hosts.h). */
static int
pick_address(const struct vapi *va, const struct host_req *rq, char *addr,
    size_t len, struct tnfs_err *err)
{
	int tcp = rq->peer != NULL && rq->peer[0] != '\0';

	addr[0] = '\0';
	if (tcp && !va->cfg->host_address_declared) {
		if (rq->address != NULL && strcmp(rq->address, rq->peer) != 0) {
			validation_error(err,
			    "address: %s is not the address this request "
			    "came from (%s); the VAPI records the address it "
			    "sees (host_address \"peer\")",
			    rq->address, rq->peer);
			return -1;
		}
		snprintf(addr, len, "%s", rq->peer);
	} else if (rq->address != NULL) {
		snprintf(addr, len, "%s", rq->address);
	} else if (tcp) {
		snprintf(addr, len, "%s", rq->peer);
	}
	return 0;
}

int
hosts_register(struct vapi *va, const struct host_req *rq, struct host *out,
    int *created, struct tnfs_err *err)
{
	struct host old = {0};
	struct causes c;
	int existed, was_alive = 0, isnew = 0;

	causes_init(&c);
	valid_uuid(rq->uuid, "uuid", &c);
	valid_uuid(rq->owner_uuid, "owner_uuid", &c);
	hosts_valid_hostname(rq->hostname, &c);
	if (rq->address != NULL)
		hosts_valid_address(rq->address, "address", &c);
	hosts_valid_version(rq->version, &c);
	if (causes_finish(&c, err) == -1)
		return -1;
	memset(out, 0, sizeof(*out));
	snprintf(out->uuid, sizeof(out->uuid), "%s", rq->uuid);
	snprintf(out->owner_uuid, sizeof(out->owner_uuid), "%s",
	    rq->owner_uuid);
	snprintf(out->hostname, sizeof(out->hostname), "%s", rq->hostname);
	snprintf(out->version, sizeof(out->version), "%s", rq->version);
	if (pick_address(va, rq, out->address, sizeof(out->address), err) ==
	    -1)
		return -1;
	existed = store_host_get(
		      va->store, rq->owner_uuid, rq->uuid, &old, NULL) == 0;
	if (existed)
		was_alive = hosts_alive(va, &old);
	out->heartbeat_ms = tnfs_now_ms();
	out->created_ms = existed ? old.created_ms : out->heartbeat_ms;
	if (store_host_put(
		va->store, out, HOSTS_MAX_PER_OWNER, &isnew, err) == -1)
		return -1;
	if (created != NULL)
		*created = isnew;
	/*
	 * What the exports admit changes when a holder comes alive or moves:
	 * serve it before answering, so the plugin's next mount works.
	 */
	if (!was_alive || strcmp(old.address, out->address) != 0)
		return provision_export_sync(va->prov, NULL, err);
	return 0;
}

int
hosts_get(struct vapi *va, const char *owner, const char *uuid,
    struct host *out, struct tnfs_err *err)
{
	struct causes c;

	causes_init(&c);
	valid_uuid(uuid, "uuid", &c);
	if (causes_finish(&c, err) == -1)
		return -1;
	return store_host_get(va->store, owner, uuid, out, err);
}

int
hosts_list(struct vapi *va, const char *owner, struct host **out, size_t *n,
    struct tnfs_err *err)
{
	return store_host_list(va->store, owner, out, n, err);
}

int
hosts_delete(
    struct vapi *va, const char *owner, const char *uuid, struct tnfs_err *err)
{
	struct causes c;

	causes_init(&c);
	valid_uuid(uuid, "uuid", &c);
	if (causes_finish(&c, err) == -1 ||
	    store_host_delete(va->store, owner, uuid, err) == -1)
		return -1;
	/* Its references no longer count: its address leaves the exports. */
	provision_export_ask(va->prov, NULL);
	return 0;
}
