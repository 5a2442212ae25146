/*
 * adm.h: what the files of tritonnfs-adm share.  adm.c parses the command
 * line and dispatches; adm_list.c selects volumes and shows them (list,
 * report); adm_act.c changes them (restart, update, rm); adm_token.c makes
 * tokens.  Each command returns a CLI_EXIT_* status and has printed its
 * errors through the struct cli.
 */
#ifndef TNFS_ADM_H
#define TNFS_ADM_H

#include <stddef.h>
#include <stdint.h>

#include "cli_common.h"
#include "err.h"
#include "vapi_client.h"

enum adm_action {
	ADM_LIST,
	ADM_RESTART,
	ADM_UPDATE,
	ADM_RM,
	ADM_REPORT,
	ADM_TOKEN_CREATE,
	ADM_INSTANCES,
};

struct adm_opts {
	const char *owner;
	const char *volume;
	const char *volume_arg; /* positional VOLUME: uuid, name or prefix */
	const char *save;       /* token create --save FILE */
	const char *cols;
	const char *sort;
	int all;
	int operator;
	int yes;
	int json;
	int no_header;
};

/*
 * The volumes the options select: --volume alone, --owner's, or all.
 * Prefers GET /admin/volumes; a VAPI without it (ResourceNotFound) is
 * asked GET /volumes, which an operator token sees whole.  The caller
 * clears *out with vapi_volume_list_clear.
 */
int adm_select_volumes(struct cli *c, const struct adm_opts *o,
    struct vapi_volume_list *out, struct tnfs_err *err);

/* shared-volumes list and report (adm_list.c). */
int adm_list(struct cli *c, const struct adm_opts *o);
int adm_report(struct cli *c, const struct adm_opts *o);

/* shared-volumes restart and rm, and update (adm_act.c). */
int adm_act(struct cli *c, enum adm_action act, const struct adm_opts *o);
int adm_update(struct cli *c, const struct adm_opts *o);

/* token create (adm_token.c): needs no VAPI. */
int adm_token_create(struct cli *c, const struct adm_opts *o);

#endif
