/*
 * exports.c: the table of exporters, the exporter_* calls that forward to
 * the one configured, and "none", the exporter that serves nothing (the
 * API alone, for development and tests).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exports_impl.h"

static const struct exporter_ops *const exporters[] = {
    &exporter_none_ops,
    &exporter_ganesha_ops,
    &exporter_ganesha_ceph_ops,
    NULL,
};

struct exporter {
	const struct exporter_ops *ops;
	void *impl;
};

struct exporter *
exporter_open(
    const char *spec, const struct exporter_config *cfg, struct tnfs_err *err)
{
	struct exporter_config c = *cfg;
	const char *colon = strchr(spec, ':');
	size_t klen = colon ? (size_t)(colon - spec) : strlen(spec);
	struct exporter *ex;
	size_t i;

	for (i = 0; exporters[i] != NULL; i++)
		if (strlen(exporters[i]->kind) == klen &&
		    strncmp(exporters[i]->kind, spec, klen) == 0)
			break;
	if (exporters[i] == NULL) {
		char kinds[256];
		size_t at = 0;

		/* The table's own kinds, so a new exporter names itself. */
		kinds[0] = '\0';
		for (i = 0; exporters[i] != NULL && at < sizeof(kinds); i++) {
			int n = snprintf(kinds + at, sizeof(kinds) - at, "%s%s",
			    i > 0 ? ", " : "", exporters[i]->kind);

			if (n < 0)
				break;
			at += (size_t)n;
		}
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "exports %s: unknown exporter (this build has: %s)", spec,
		    kinds);
		return NULL;
	}
	c.arg = colon ? colon + 1 : NULL;
	if ((c.arg != NULL) != (exporters[i]->takes_arg != 0)) {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "exports %s: the %s exporter takes %s", spec,
		    exporters[i]->kind,
		    exporters[i]->takes_arg ? "an argument (KIND:ARGUMENT)"
					    : "no argument");
		return NULL;
	}
	cfg = &c;
	if ((ex = calloc(1, sizeof(*ex))) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return NULL;
	}
	ex->ops = exporters[i];
	if ((ex->impl = ex->ops->open(cfg, err)) == NULL) {
		free(ex);
		return NULL;
	}
	return ex;
}

int
exporter_start(struct exporter *ex, struct tnfs_err *err)
{
	return ex->ops->start(ex->impl, err);
}

int
exporter_sync(struct exporter *ex, const struct export_spec *specs, size_t n,
    struct tnfs_err *err)
{
	return ex->ops->sync(ex->impl, specs, n, err);
}

int
exporter_healthy(struct exporter *ex)
{
	return ex->ops->healthy(ex->impl);
}

unsigned long
exporter_outages(struct exporter *ex)
{
	return ex->ops->outages != NULL ? ex->ops->outages(ex->impl) : 0;
}

int
exporter_shared(struct exporter *ex)
{
	return ex->ops->shared;
}

void
exporter_stop(struct exporter *ex)
{
	if (ex->ops->stop != NULL)
		ex->ops->stop(ex->impl);
}

int
exporter_place(struct exporter *ex, const char *uuid, int nfs_port,
    int mount_port, struct exporter_listen *out)
{
	if (ex->ops->place == NULL)
		return -1;
	return ex->ops->place(ex->impl, uuid, nfs_port, mount_port, out);
}

size_t
exporter_heads(struct exporter *ex, struct exporter_head *out, size_t max)
{
	size_t n;

	if (max == 0)
		return 0;
	if (ex->ops->heads != NULL && (n = ex->ops->heads(ex->impl, out, max)) > 0)
		return n;
	memset(&out[0], 0, sizeof(out[0]));
	return 1;
}

unsigned long
exporter_moves(struct exporter *ex)
{
	return ex->ops->moves != NULL ? ex->ops->moves(ex->impl) : 0;
}

int
exporter_volume_up(
    struct exporter *ex, const char *uuid, int nfs_port, int mount_port)
{
	if (ex->ops->volume_up == NULL)
		return -1;
	return ex->ops->volume_up(ex->impl, uuid, nfs_port, mount_port);
}

void
exporter_close(struct exporter *ex)
{
	if (ex == NULL)
		return;
	ex->ops->close(ex->impl);
	free(ex);
}

/* none: a token non-NULL state, and every call succeeds. */
static int none_state;

static void *
none_open(const struct exporter_config *cfg, struct tnfs_err *err)
{
	(void)cfg, (void)err;
	return &none_state;
}

static int
none_start(void *impl, struct tnfs_err *err)
{
	(void)impl, (void)err;
	return 0;
}

static int
none_sync(
    void *impl, const struct export_spec *specs, size_t n, struct tnfs_err *err)
{
	(void)impl, (void)specs, (void)n, (void)err;
	return 0;
}

static int
none_healthy(void *impl)
{
	(void)impl;
	return 1;
}

static void
none_close(void *impl)
{
	(void)impl;
}

const struct exporter_ops exporter_none_ops = {
    .kind = "none",
    .open = none_open,
    .start = none_start,
    .sync = none_sync,
    .healthy = none_healthy,
    .close = none_close,
};
