/*
 * vapi_fixture.c: the Volume API core the core's Check suites share (see
 * vapi_fixture.h).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <check.h>

#include "child.h"
#include "exports.h"
#include "provision.h"
#include "storage.h"
#include "store.h"
#include "timefmt.h"
#include "vapi_fixture.h"

struct vapi_fixture fx;

void
vapi_fixture_setup(void)
{
	struct tnfs_err err;
	struct exporter_config ec;

	memset(&fx, 0, sizeof(fx));
	snprintf(fx.dir, sizeof(fx.dir), "/tmp/tnfs-vapi.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(fx.dir));
	vapi_config_defaults(&fx.cfg);
	snprintf(fx.cfg.listen, sizeof(fx.cfg.listen), "tcp:127.0.0.1:1");
	snprintf(fx.cfg.store, sizeof(fx.cfg.store), "sqlite:%s/vapi.db",
	    fx.dir);
	snprintf(fx.cfg.storage, sizeof(fx.cfg.storage), "dir:%s/storage",
	    fx.dir);
	fx.cfg.workers = 2;
	ck_assert_int_eq(config_finish(&fx.cfg, &err), 0);
	snprintf(fx.cfg.networks[0].uuid, sizeof(fx.cfg.networks[0].uuid),
	    VAPI_FIXTURE_NET);
	fx.va.cfg = &fx.cfg;
	snprintf(fx.va.host_uuid, sizeof(fx.va.host_uuid),
	    "0a0a0a0a-0000-4000-8000-0000000000ee");
	ck_assert_ptr_nonnull(fx.va.store = store_open(fx.cfg.store, &err));
	ck_assert_ptr_nonnull(
	    fx.va.storage = storage_open(fx.cfg.storage, fx.dir, &err));
	memset(&ec, 0, sizeof(ec));
	ec.state_dir = fx.dir;
	ck_assert_ptr_nonnull(
	    fx.va.exporter = exporter_open("none", &ec, &err));
	ck_assert_ptr_nonnull(
	    fx.va.prov = provision_start(&fx.va, 2, &err));
}

void
vapi_fixture_teardown(void)
{
	const char *const rm[] = {"rm", "-r", "--", fx.dir, NULL};
	struct child_opts o = {.timeout_ms = 10000};

	provision_stop(fx.va.prov);
	exporter_close(fx.va.exporter);
	storage_close(fx.va.storage);
	store_close(fx.va.store);
	child_run(rm, &o, NULL, NULL);
}

const char *
vapi_fixture_state(const char *uuid)
{
	static char st[16];
	struct volume *v = NULL;

	if (store_volume_get(fx.va.store, uuid, &v, NULL) == -1)
		return "gone";
	snprintf(st, sizeof(st), "%s", v->state);
	volume_free(v);
	return st;
}

int
vapi_fixture_wait_state(const char *uuid, const char *want)
{
	int64_t end = tnfs_mono_ms() + 20000;
	struct timespec ts = {0, 20 * 1000 * 1000};

	while (tnfs_mono_ms() < end) {
		if (strcmp(vapi_fixture_state(uuid), want) == 0)
			return 1;
		nanosleep(&ts, NULL);
	}
	return 0;
}
