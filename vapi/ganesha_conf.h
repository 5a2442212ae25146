/*
 * ganesha_conf.h: the text side of the ganesha exporter, apart from the
 * process it drives so it can be tested alone: the main configuration, the
 * exports file, the validators that keep volume data from injecting
 * configuration, the stable Export_Id table, and the reading of ganesha's
 * log after a reload.  Private to exports_ganesha.c and its tests.
 */
#ifndef TNFS_GANESHA_CONF_H
#define TNFS_GANESHA_CONF_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "exports.h"

/* What the main configuration needs beyond the exporter config. */
struct ganesha_main {
	const char *bind_addr;
	int nfs_port;
	int mount_port;
	const char *recovery_root;
	const char *exports_file; /* %include'd */
	const char *ceph_conf;    /* FSAL_CEPH's cluster; NULL: none */
	const struct exporter_rados *rados; /* NULL: fs recovery backend */
};

/* Render the main configuration; *out is a new string the caller frees. */
int ganesha_conf_main(
    const struct ganesha_main *gm, char **out, struct tnfs_err *err);

/* The first line of the exports file, before the EXPORT blocks. */
#define GANESHA_CONF_EXPORTS_HEADER                                            \
	"# Written by tritonnfs-vapi: one EXPORT per volume.\n"

/*
 * Render EXPORT blocks for specs[0..n) with Export_Ids ids[0..n), after
 * GANESHA_CONF_EXPORTS_HEADER.  Every string is validated first
 * (ganesha_check_*); -1 and a ValidationError naming the volume when one
 * is unfit.  *out is a new string.
 */
int ganesha_conf_exports(const struct export_spec *specs, const unsigned *ids,
    size_t n, int root_squash, char **out, struct tnfs_err *err);

/* An absolute path fit for a quoted ganesha string (Path, Pseudo). */
int ganesha_check_path(
    const char *path, const char *what, struct tnfs_err *err);

/*
 * A Ceph name (file system, cephx user) or key fit for a quoted ganesha
 * string: letters, digits and "-_.+/=" only.
 */
int ganesha_check_ceph(const char *s, const char *what, struct tnfs_err *err);

/* An IPv4 address or CIDR (a.b.c.d/0-32) in canonical dotted form. */
int ganesha_check_cidr(const char *cidr, struct tnfs_err *err);

/*
 * Export_Ids that stay with their volume across syncs and restarts, and
 * are not handed to another volume soon after one goes (clients holding
 * file handles of a deleted export then get ESTALE, never another volume).
 * The text form is "next N\n" then "UUID ID\n" lines.
 */
struct ganesha_ids;

/* Parse text (NULL: empty table).  NULL and err on malformed text. */
struct ganesha_ids *ganesha_ids_parse(const char *text, struct tnfs_err *err);
void ganesha_ids_free(struct ganesha_ids *ids);

/*
 * The id of uuid, assigning a new one when it has none; 0 and err when all
 * 65535 are taken.
 */
unsigned ganesha_ids_get(
    struct ganesha_ids *ids, const char *uuid, struct tnfs_err *err);

/* Forget the volumes not in keep[0..n) (their ids are not reused soon). */
void ganesha_ids_retain(
    struct ganesha_ids *ids, const char *const *keep, size_t n);

/*
 * 1 when an id was given or forgotten since the table was parsed or last
 * marked saved: its text form then differs from the one on disk.
 */
int ganesha_ids_unsaved(const struct ganesha_ids *ids);
void ganesha_ids_saved(struct ganesha_ids *ids);

/* The text form; *out is a new string the caller frees. */
int ganesha_ids_format(
    const struct ganesha_ids *ids, char **out, struct tnfs_err *err);

/*
 * Look at the log text written since a SIGHUP.  Returns 1 when the reload
 * finished ("Reread exports complete"), 0 when not yet; *failed is set and
 * the first complaint copied into complaint when ganesha logged a
 * configuration or export error.
 */
int ganesha_log_scan(
    const char *text, int *failed, char *complaint, size_t len);

#endif
