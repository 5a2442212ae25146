/*
 * test_vapi_hosts.c: host record validation (hostname, address, version:
 * good, malformed, oversized and hostile values) and the computation of
 * an export's client list (fence.c): subnets on an owner's own network,
 * live holders and grants on a shared one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_tap.h"
#include "fence.h"
#include "hosts.h"

static const struct {
	const char *s;
	int ok;
} hostnames[] = {
    {"web-2", 1},
    {"a", 1},
    {"docker01.example.com", 1},
    {"A1-b2.C3", 1},
    {"0", 1},
    /* malformed */
    {"", 0},
    {"-web", 0},
    {"web-", 0},
    {"web..x", 0},
    {".web", 0},
    {"web.", 0},
    {"web_2", 0},
    {"web 2", 0},
    {"web/2", 0},
    /* hostile */
    {"web\n2", 0},
    {"web\"; } EXPORT {", 0},
    {"caf\xc3\xa9", 0},
    {"$(reboot)", 0},
    {"web\x1b[31m", 0},
};

START_TEST(test_hostnames)
{
	struct causes c;
	int ok;

	causes_init(&c);
	ok = hosts_valid_hostname(hostnames[_i].s, &c);
	ck_assert_msg(ok == hostnames[_i].ok, "%s: %d", hostnames[_i].s, ok);
	if (!ok)
		ck_assert_ptr_nonnull(strstr(c.text, "not a valid host name"));
}
END_TEST

START_TEST(test_hostname_lengths)
{
	char buf[400];
	struct causes c;
	size_t i;

	/* 63-character labels pass, 64 do not. */
	memset(buf, 'a', 63);
	buf[63] = '\0';
	causes_init(&c);
	ck_assert_int_eq(hosts_valid_hostname(buf, &c), 1);
	buf[63] = 'a';
	buf[64] = '\0';
	ck_assert_int_eq(hosts_valid_hostname(buf, &c), 0);
	/* 253 characters in all pass, 254 do not. */
	for (i = 0; i < 253; i++)
		buf[i] = (i % 2) ? '.' : 'a';
	buf[253] = '\0';
	ck_assert_int_eq(hosts_valid_hostname(buf, &c), 1);
	buf[252] = 'b';
	buf[253] = 'c';
	buf[254] = '\0';
	ck_assert_int_eq(hosts_valid_hostname(buf, &c), 0);
	memset(buf, 'a', sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = '\0';
	causes_init(&c);
	ck_assert_int_eq(hosts_valid_hostname(buf, &c), 0);
	/* The cause quotes a bounded part of what it refused. */
	ck_assert_uint_lt(strlen(c.text), 300);
	ck_assert_int_eq(hosts_valid_hostname(NULL, &c), 0);
}
END_TEST

static const struct {
	const char *s;
	int ok;
} addresses[] = {
    {"10.0.0.5", 1},
    {"127.0.0.2", 1},
    {"192.168.255.254", 1},
    /* malformed */
    {"", 0},
    {"10.0.0", 0},
    {"10.0.0.256", 0},
    {"010.0.0.5", 0},
    {"10.0.0.5 ", 0},
    {" 10.0.0.5", 0},
    {"10.0.0.0/24", 0},
    {"::1", 0},
    {"fe80::1", 0},
    {"localhost", 0},
    /* no host has these */
    {"0.0.0.0", 0},
    {"255.255.255.255", 0},
    {"224.0.0.1", 0},
    {"239.255.255.250", 0},
    /* hostile */
    {"10.0.0.5, 0.0.0.0/0", 0},
    {"10.0.0.5; } EXPORT {", 0},
    {"10.0.0.5\n", 0},
    {"10.0.0.5000000000000000000000000000000000000000000000000000000000", 0},
};

START_TEST(test_addresses)
{
	struct causes c;
	int ok;

	causes_init(&c);
	ok = hosts_valid_address(addresses[_i].s, "address", &c);
	ck_assert_msg(ok == addresses[_i].ok, "%s: %d", addresses[_i].s, ok);
	if (!ok)
		ck_assert_ptr_nonnull(strstr(c.text, "not an IPv4 address"));
}
END_TEST

START_TEST(test_versions)
{
	char big[80];
	struct causes c;

	causes_init(&c);
	ck_assert_int_eq(hosts_valid_version("0.9.1", &c), 1);
	ck_assert_int_eq(hosts_valid_version("1.2.3-rc1+g1234~deb12", &c), 1);
	ck_assert_int_eq(hosts_valid_version("", &c), 0);
	ck_assert_int_eq(hosts_valid_version(NULL, &c), 0);
	ck_assert_int_eq(hosts_valid_version("1.0 beta", &c), 0);
	ck_assert_int_eq(hosts_valid_version("1.0\n", &c), 0);
	ck_assert_int_eq(hosts_valid_version("1.0\"}", &c), 0);
	memset(big, '1', 64);
	big[64] = '\0';
	ck_assert_int_eq(hosts_valid_version(big, &c), 1);
	big[64] = '1';
	big[65] = '\0';
	ck_assert_int_eq(hosts_valid_version(big, &c), 0);
}
END_TEST

/* Fence computation over a configuration of three networks. */
#define NET_MINE   "aaaaaaaa-0000-4000-8000-000000000001"
#define NET_SHARED "aaaaaaaa-0000-4000-8000-000000000002"
#define NET_OPEN   "aaaaaaaa-0000-4000-8000-000000000003"
#define OWNER_A    "11111111-1111-4111-8111-111111111111"
#define OWNER_B    "22222222-2222-4222-8222-222222222222"

static struct vapi_config cfg;

static void
setup(void)
{
	struct vapi_network *n;

	vapi_config_defaults(&cfg);
	n = &cfg.networks[cfg.nnetworks++];
	snprintf(n->uuid, sizeof(n->uuid), NET_MINE);
	snprintf(n->subnet, sizeof(n->subnet), "10.1.0.0/24");
	snprintf(n->owner_uuids[n->nowners++], TNFS_UUID_BUFSZ, OWNER_A);
	n = &cfg.networks[cfg.nnetworks++];
	snprintf(n->uuid, sizeof(n->uuid), NET_SHARED);
	snprintf(n->subnet, sizeof(n->subnet), "10.2.0.0/24");
	snprintf(n->owner_uuids[n->nowners++], TNFS_UUID_BUFSZ, OWNER_A);
	snprintf(n->owner_uuids[n->nowners++], TNFS_UUID_BUFSZ, OWNER_B);
	n = &cfg.networks[cfg.nnetworks++];
	snprintf(n->uuid, sizeof(n->uuid), NET_OPEN);
	snprintf(n->subnet, sizeof(n->subnet), "10.3.0.0/24");
}

/* A volume on net with holders: {address, lease renewed, heartbeat}. */
static struct volume *
vol(const char *net, size_t nrefs, const int64_t (*times)[2],
    const char *const *addrs)
{
	struct volume *v = volume_new();
	size_t i;

	ck_assert_ptr_nonnull(v);
	snprintf(v->uuid, sizeof(v->uuid), "0a0a0a0a-0000-4000-8000-000000000001");
	snprintf(v->owner_uuid, sizeof(v->owner_uuid), OWNER_A);
	ck_assert_int_eq(volume_set_networks(v, &net, 1), 0);
	v->refs = calloc(nrefs + 1, sizeof(*v->refs));
	for (i = 0; i < nrefs; i++) {
		snprintf(v->refs[i].vm_uuid, TNFS_UUID_BUFSZ,
		    "bbbbbbbb-0000-4000-8000-00000000000%zu", i);
		v->refs[i].renewed_ms = times[i][0];
		v->refs[i].holder_seen_ms = times[i][1];
		snprintf(v->refs[i].holder_address,
		    sizeof(v->refs[i].holder_address), "%s", addrs[i]);
	}
	v->nrefs = nrefs;
	return v;
}

/* The client list as "a,b,c". */
static void
clients(const struct volume *v, const struct grant *g, size_t ng,
    char *buf, size_t len)
{
	const struct ref_clock clk = {1000, 1000};
	const char **out = NULL;
	size_t n = 0, i, off = 0;

	ck_assert_int_eq(fence_compute(&cfg, v, g, ng, &clk, &out, &n, NULL), 0);
	ck_assert_ptr_nonnull(out);
	ck_assert_ptr_null(out[n]);
	buf[0] = '\0';
	for (i = 0; i < n; i++)
		off += (size_t)snprintf(
		    buf + off, len - off, "%s%s", i ? "," : "", out[i]);
	free(out);
}

static const int64_t live[][2] = {
    {2000, 2000}, /* alive */
    {2000, 500},  /* heartbeat expired */
    {2000, 0},    /* never registered */
    {500, 2000},  /* lease ran out */
    {2000, 3000}, /* alive, same address as the first */
    {2000, 2000}, /* alive, no address known */
};
static const char *const addrs[] = {"10.2.0.5", "10.2.0.6", "10.2.0.7",
    "10.2.0.8", "10.2.0.5", ""};

START_TEST(test_fence_own_network_admits_its_subnet)
{
	struct volume *v = vol(NET_MINE, 6, live, addrs);
	char buf[256];

	setup();
	clients(v, NULL, 0, buf, sizeof(buf));
	ck_assert_str_eq(buf, "10.1.0.0/24");
	volume_free(v);
}
END_TEST

START_TEST(test_fence_shared_network_admits_live_holders_only)
{
	struct volume *v;
	char buf[256];

	setup();
	v = vol(NET_SHARED, 6, live, addrs);
	clients(v, NULL, 0, buf, sizeof(buf));
	ck_assert_str_eq(buf, "10.2.0.5");
	volume_free(v);
	/* A network with no owner list is everyone's: fenced too. */
	v = vol(NET_OPEN, 6, live, addrs);
	clients(v, NULL, 0, buf, sizeof(buf));
	ck_assert_str_eq(buf, "10.2.0.5");
	volume_free(v);
}
END_TEST

START_TEST(test_fence_nobody_holds_nobody_admitted)
{
	struct volume *v;
	char buf[256];

	setup();
	v = vol(NET_SHARED, 0, live, addrs);
	clients(v, NULL, 0, buf, sizeof(buf));
	ck_assert_str_eq(buf, "");
	volume_free(v);
}
END_TEST

START_TEST(test_fence_grants_are_added_once)
{
	const struct grant g[] = {{"192.168.0.9", 1, ""}, {"10.2.0.5", 1, ""},
	    {"192.168.0.9", 2, ""}};
	struct volume *v;
	char buf[256];

	setup();
	v = vol(NET_SHARED, 6, live, addrs);
	clients(v, g, 3, buf, sizeof(buf));
	ck_assert_str_eq(buf, "10.2.0.5,192.168.0.9");
	volume_free(v);
	v = vol(NET_MINE, 0, live, addrs);
	clients(v, g, 1, buf, sizeof(buf));
	ck_assert_str_eq(buf, "10.1.0.0/24,192.168.0.9");
	volume_free(v);
}
END_TEST

START_TEST(test_fence_two_networks_one_shared)
{
	const char *nets[] = {NET_MINE, NET_SHARED};
	struct volume *v;
	char buf[256];

	setup();
	v = vol(NET_MINE, 6, live, addrs);
	ck_assert_int_eq(volume_set_networks(v, nets, 2), 0);
	ck_assert_int_eq(fence_is_shared(&cfg, v), 1);
	clients(v, NULL, 0, buf, sizeof(buf));
	ck_assert_str_eq(buf, "10.1.0.0/24,10.2.0.5");
	volume_free(v);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("vapi_hosts");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(
	    tc, test_hostnames, 0, sizeof(hostnames) / sizeof(hostnames[0]));
	tcase_add_test(tc, test_hostname_lengths);
	tcase_add_loop_test(
	    tc, test_addresses, 0, sizeof(addresses) / sizeof(addresses[0]));
	tcase_add_test(tc, test_versions);
	tcase_add_test(tc, test_fence_own_network_admits_its_subnet);
	tcase_add_test(tc, test_fence_shared_network_admits_live_holders_only);
	tcase_add_test(tc, test_fence_nobody_holds_nobody_admitted);
	tcase_add_test(tc, test_fence_grants_are_added_once);
	tcase_add_test(tc, test_fence_two_networks_one_shared);
	suite_add_tcase(s, tc);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
