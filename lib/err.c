/*
 * err.c: the one error type, and its JSON forms for the VAPI and for Docker.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

static const struct {
	const char *name;
	int status;
} ecodes[TNFS_E__COUNT] = {
    [TNFS_E_NONE] = {"", 0},
    [TNFS_E_VALIDATION] = {"ValidationError", 409},
    [TNFS_E_NOT_FOUND] = {"VolumeNotFound", 404},
    [TNFS_E_RESERVATION_NOT_FOUND] = {"VolumeReservationNotFound", 404},
    [TNFS_E_SNAPSHOT_NOT_FOUND] = {"SnapshotNotFound", 404},
    [TNFS_E_NETWORK_NOT_FOUND] = {"NetworkNotFound", 404},
    [TNFS_E_ALREADY_EXISTS] = {"VolumeAlreadyExists", 409},
    [TNFS_E_SNAPSHOT_EXISTS] = {"SnapshotAlreadyExists", 409},
    [TNFS_E_SNAPSHOT_LIMIT] = {"SnapshotLimitExceeded", 409},
    [TNFS_E_IN_USE] = {"VolumeInUse", 409},
    [TNFS_E_SIZE_NOT_AVAILABLE] = {"VolumeSizeNotAvailable", 409},
    [TNFS_E_INVALID_NETWORKS] = {"InvalidNetworks", 409},
    [TNFS_E_BAD_STATE] = {"VolumeNotReady", 409},
    [TNFS_E_NOT_SUPPORTED] = {"NotSupported", 409},
    [TNFS_E_NO_SPACE] = {"InsufficientStorage", 507},
    [TNFS_E_RESOURCE_NOT_FOUND] = {"ResourceNotFound", 404},
    [TNFS_E_METHOD_NOT_ALLOWED] = {"MethodNotAllowed", 405},
    [TNFS_E_BAD_REQUEST] = {"BadRequest", 400},
    [TNFS_E_TOO_LARGE] = {"RequestTooLarge", 413},
    [TNFS_E_URI_TOO_LONG] = {"UriTooLong", 414},
    [TNFS_E_INVALID_VERSION] = {"InvalidVersion", 400},
    [TNFS_E_UNAUTHORIZED] = {"Unauthorized", 401},
    [TNFS_E_FORBIDDEN] = {"Forbidden", 403},
    [TNFS_E_TIMEOUT] = {"Timeout", 504},
    [TNFS_E_UNAVAILABLE] = {"ServiceUnavailable", 503},
    [TNFS_E_INTERNAL] = {"InternalError", 500},
    [TNFS_E_HOST_NOT_FOUND] = {"HostNotFound", 404},
    [TNFS_E_AFFINITY] = {"AffinityNotSatisfied", 409},
};

const char *
tnfs_ecode_name(enum tnfs_ecode ecode)
{
	if ((int)ecode < 0 || ecode >= TNFS_E__COUNT)
		ecode = TNFS_E_INTERNAL;
	return ecodes[ecode].name;
}

int
tnfs_ecode_status(enum tnfs_ecode ecode)
{
	if ((int)ecode < 0 || ecode >= TNFS_E__COUNT)
		ecode = TNFS_E_INTERNAL;
	return ecodes[ecode].status;
}

void
tnfs_err_clear(struct tnfs_err *err)
{
	if (err == NULL)
		return;
	memset(err, 0, sizeof(*err));
}

static void
set_code(struct tnfs_err *err, const char *code, int status)
{
	snprintf(err->code, sizeof(err->code), "%s", code);
	err->http_status = status;
	err->sys_errno = 0;
}

static void __attribute__((format(printf, 3, 0)))
vset(struct tnfs_err *err, enum tnfs_ecode ecode, const char *fmt, va_list ap)
{
	set_code(err, tnfs_ecode_name(ecode), tnfs_ecode_status(ecode));
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

void
tnfs_err_set(struct tnfs_err *err, enum tnfs_ecode ecode, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vset(err, ecode, fmt, ap);
	va_end(ap);
}

void
tnfs_err_errno(struct tnfs_err *err, enum tnfs_ecode ecode, int errnum,
    const char *fmt, ...)
{
	va_list ap;
	size_t len;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vset(err, ecode, fmt, ap);
	va_end(ap);
	len = strlen(err->msg);
	snprintf(
	    err->msg + len, sizeof(err->msg) - len, ": %s", strerror(errnum));
	err->sys_errno = errnum;
}

void
tnfs_err_set_raw(
    struct tnfs_err *err, const char *code, int http_status, const char *msg)
{
	if (err == NULL)
		return;
	set_code(err, code != NULL && *code != '\0' ? code : "InternalError",
	    http_status);
	snprintf(err->msg, sizeof(err->msg), "%s", msg != NULL ? msg : "");
}

void
tnfs_err_prefix(struct tnfs_err *err, const char *fmt, ...)
{
	char prefix[TNFS_ERR_MSG_MAX], old[TNFS_ERR_MSG_MAX];
	va_list ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	/* Cut on overflow: the message stays a message. */
	if (snprintf(err->msg, sizeof(err->msg), "%s: %s", prefix, old) < 0)
		err->msg[0] = '\0';
}

int
tnfs_err_isset(const struct tnfs_err *err)
{
	return err != NULL && err->code[0] != '\0';
}

int
tnfs_err_is(const struct tnfs_err *err, enum tnfs_ecode ecode)
{
	return tnfs_err_isset(err) &&
	    strcmp(err->code, tnfs_ecode_name(ecode)) == 0;
}

json_object *
tnfs_err_to_vapi_json(const struct tnfs_err *err)
{
	json_object *o;
	const char *code = "InternalError", *msg = "unknown error";

	if (tnfs_err_isset(err)) {
		code = err->code;
		msg = err->msg;
	}
	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if (json_object_object_add(o, "code", json_object_new_string(code)) ||
	    json_object_object_add(o, "message", json_object_new_string(msg))) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

void
tnfs_err_from_vapi_body(
    struct tnfs_err *err, int http_status, const char *body, size_t len)
{
	json_tokener *tok;
	json_object *o = NULL, *code, *msg;
	char fallback[128];

	if (err == NULL)
		return;
	if (body != NULL && len > 0 && (tok = json_tokener_new()) != NULL) {
		o = json_tokener_parse_ex(tok, body, (int)len);
		json_tokener_free(tok);
	}
	if (o != NULL && json_object_is_type(o, json_type_object) &&
	    json_object_object_get_ex(o, "code", &code) &&
	    json_object_is_type(code, json_type_string)) {
		const char *m = "";

		if (json_object_object_get_ex(o, "message", &msg) &&
		    json_object_is_type(msg, json_type_string))
			m = json_object_get_string(msg);
		tnfs_err_set_raw(
		    err, json_object_get_string(code), http_status, m);
	} else {
		snprintf(fallback, sizeof(fallback),
		    "unexpected HTTP status %d from the Volume API",
		    http_status);
		tnfs_err_set_raw(err,
		    http_status == 404 ? "ResourceNotFound" : "InternalError",
		    http_status, fallback);
	}
	json_object_put(o);
}

json_object *
tnfs_err_to_docker_json(const struct tnfs_err *err)
{
	json_object *o;
	char text[TNFS_ERR_MSG_MAX + 80];

	if (tnfs_err_isset(err))
		snprintf(text, sizeof(text), "tritonnfs: %s", err->msg);
	else
		snprintf(text, sizeof(text), "tritonnfs: unknown error");
	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if (json_object_object_add(o, "Err", json_object_new_string(text))) {
		json_object_put(o);
		return NULL;
	}
	return o;
}
