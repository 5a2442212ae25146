/*
 * config_impl.h: what the three files of the VAPI's configuration share:
 * config.c (defaults, the checks of the whole, the queries), config_file.c
 * (the JSON file) and config_args.c (the command line).  Nothing else
 * includes it.
 */
#ifndef TNFS_VAPI_CONFIG_IMPL_H
#define TNFS_VAPI_CONFIG_IMPL_H

#include <stddef.h>

#include "err.h"
#include "vapi_config.h"

/*
 * Copy src into dst[len]; a NULL src ("what must be a string") or one too
 * long for dst is a validation error naming what.
 */
int config_copy_str(char *dst, size_t len, const char *src, const char *what,
    struct tnfs_err *err);

/* cfg->auth from "tokens" or "none"; anything else names what. */
int config_set_auth(struct vapi_config *cfg, const char *mode,
    const char *what, struct tnfs_err *err);

/* Whether s is a dotted IPv4 address. */
int config_valid_ipv4(const char *s);

#endif
