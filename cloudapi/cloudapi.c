/*
 * cloudapi.c: the context of tritonnfs-cloudapi (see cloudapi.h): the
 * accounts swap and the VAPI handle, and CloudAPI's error forms.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cloudapi.h"
#include "log.h"

struct accounts *
cloudapi_accounts(struct cloudapi *ca)
{
	struct accounts *as;

	pthread_mutex_lock(&ca->lock);
	as = accounts_hold(ca->accounts);
	pthread_mutex_unlock(&ca->lock);
	return as;
}

int
cloudapi_reload(struct cloudapi *ca, struct tnfs_err *err)
{
	struct accounts *as, *old;

	if ((as = accounts_load(ca->cfg.accounts_path, err)) == NULL)
		return -1;
	pthread_mutex_lock(&ca->lock);
	old = ca->accounts;
	ca->accounts = as;
	pthread_mutex_unlock(&ca->lock);
	/* Requests under way hold their own reference to the old set. */
	accounts_put(old);
	return 0;
}

struct vapi_client *
cloudapi_vapi(struct cloudapi *ca, const char *request_id, struct tnfs_err *err)
{
	struct vapi_client_opts o;
	struct vapi_client *c;

	memset(&o, 0, sizeof(o));
	o.url = ca->cfg.vapi_url;
	o.token = ca->cfg.vapi_token;
	o.timeout_ms = ca->cfg.vapi_timeout_ms;
	o.user_agent = "tritonnfs-cloudapi";
	if ((c = vapi_client_new(&o, err)) == NULL)
		return NULL;
	/* The VAPI logs the same request id as we do. */
	vapi_client_set_request_id(c, request_id);
	return c;
}

void
capi_err(struct tnfs_err *err, const char *code, int status, const char *fmt,
    ...)
{
	char msg[TNFS_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	tnfs_err_set_raw(err, code, status, msg);
}

void
capi_wrap_vapi_err(struct tnfs_err *err, const char *context)
{
	static const char *const exposed[] = {"InvalidNetworks",
	    "ValidationError", "VolumeAlreadyExists", "VolumeInUse",
	    "VolumeNotFound", "VolumeSizeNotAvailable", NULL};
	char msg[TNFS_ERR_MSG_MAX];
	size_t i;

	if (err == NULL)
		return;
	for (i = 0; exposed[i] != NULL; i++)
		if (strcmp(err->code, exposed[i]) == 0) {
			snprintf(msg, sizeof(msg), "%.200s: %.800s", context,
			    err->msg);
			snprintf(err->msg, sizeof(err->msg), "%s", msg);
			return;
		}
	log_err(TNFS_LOG_ERROR, err, "%s", context);
	capi_err(err, "CloudApiError", err->http_status >= 400 ? err->http_status
	    : 500, "%s", context);
}
