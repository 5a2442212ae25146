/*
 * vapi_fixture.h: the Volume API core that the core's Check suites
 * (test_vapi_volumes, test_vapi_snapshots, test_vapi_api) run against:
 * a temporary SQLite store, the dir storage backend, no exports and the
 * real provisioner with two workers, all below one private directory.
 * Check runs each test in its own process, so the one fixture, fx, is the
 * test's own.  Failures are Check assertions: call these from a checked
 * fixture (tcase_add_checked_fixture) or a test.
 */
#ifndef TNFS_TESTS_VAPI_FIXTURE_H
#define TNFS_TESTS_VAPI_FIXTURE_H

#include "api.h"

/* The network every fixture's configuration carries. */
#define VAPI_FIXTURE_NET "0a0a0a0a-0000-4000-8000-0000000000ff"

struct vapi_fixture {
	char dir[64]; /* the private directory, removed by teardown */
	struct vapi_config cfg;
	struct vapi va;
};

extern struct vapi_fixture fx;

/* Make fx's directory (/tmp/tnfs-vapi.XXXXXX) and open everything. */
void vapi_fixture_setup(void);

/* Stop fx's provisioner (when running), close everything, remove the
 * directory. */
void vapi_fixture_teardown(void);

/* The volume's state in the store, or "gone"; valid until the next call. */
const char *vapi_fixture_state(const char *uuid);

/* 1 once the volume's state is want, 0 when 20 s pass first. */
int vapi_fixture_wait_state(const char *uuid, const char *want);

#endif
