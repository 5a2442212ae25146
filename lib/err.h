/*
 * err.h: the one error type of tritonnfs.
 *
 * An error carries a VAPI-style code ("VolumeInUse"), the HTTP status the
 * Volume API answers with, and a message for a person.  It travels end to
 * end: the VAPI renders it as {"code","message"}, libvapi parses that body
 * back into the same struct, and the plugin hands it to dockerd as
 * {"Err":"tritonnfs: <message>"}.
 *
 * A failing function returns -1 (or NULL) and fills the struct tnfs_err the
 * caller passed, if any; every setter accepts err == NULL.
 */
#ifndef TNFS_ERR_H
#define TNFS_ERR_H

#include <json-c/json.h>

#define TNFS_ERR_CODE_MAX 64
#define TNFS_ERR_MSG_MAX  1024

enum tnfs_ecode {
	TNFS_E_NONE = 0,
	TNFS_E_VALIDATION,            /* 409 ValidationError */
	TNFS_E_NOT_FOUND,             /* 404 VolumeNotFound */
	TNFS_E_RESERVATION_NOT_FOUND, /* 404 VolumeReservationNotFound */
	TNFS_E_SNAPSHOT_NOT_FOUND,    /* 404 SnapshotNotFound */
	TNFS_E_NETWORK_NOT_FOUND,     /* 404 NetworkNotFound */
	TNFS_E_ALREADY_EXISTS,        /* 409 VolumeAlreadyExists */
	TNFS_E_SNAPSHOT_EXISTS,       /* 409 SnapshotAlreadyExists */
	TNFS_E_SNAPSHOT_LIMIT,        /* 409 SnapshotLimitExceeded */
	TNFS_E_IN_USE,                /* 409 VolumeInUse */
	TNFS_E_SIZE_NOT_AVAILABLE,    /* 409 VolumeSizeNotAvailable */
	TNFS_E_INVALID_NETWORKS,      /* 409 InvalidNetworks */
	TNFS_E_BAD_STATE, /* 409 VolumeNotReady (wrong state for the call) */
	TNFS_E_NOT_SUPPORTED, /* 409 NotSupported (by the storage backend) */
	TNFS_E_NO_SPACE,      /* 507 InsufficientStorage */
	TNFS_E_RESOURCE_NOT_FOUND, /* 404 ResourceNotFound (unknown route) */
	TNFS_E_METHOD_NOT_ALLOWED, /* 405 MethodNotAllowed */
	TNFS_E_BAD_REQUEST,        /* 400 BadRequest (unparseable body) */
	TNFS_E_TOO_LARGE,          /* 413 RequestTooLarge */
	TNFS_E_URI_TOO_LONG,       /* 414 UriTooLong */
	TNFS_E_INVALID_VERSION,    /* 400 InvalidVersion (Accept-Version) */
	TNFS_E_UNAUTHORIZED,       /* 401 Unauthorized */
	TNFS_E_FORBIDDEN,          /* 403 Forbidden */
	TNFS_E_TIMEOUT,            /* 504 Timeout: a deadline passed */
	TNFS_E_UNAVAILABLE,        /* 503 ServiceUnavailable: a peer is down */
	TNFS_E_INTERNAL,           /* 500 InternalError */
	TNFS_E_HOST_NOT_FOUND,     /* 404 HostNotFound */
	TNFS_E_AFFINITY, /* 409 AffinityNotSatisfied: no head meets a rule */
	TNFS_E__COUNT
};

struct tnfs_err {
	char code[TNFS_ERR_CODE_MAX]; /* "" when no error */
	int http_status;
	int sys_errno; /* errno behind it, 0 when none */
	char msg[TNFS_ERR_MSG_MAX];
};

/* Reset to "no error". */
void tnfs_err_clear(struct tnfs_err *err);

/* Set err from one of the known codes; msg is a printf format. */
void tnfs_err_set(struct tnfs_err *err, enum tnfs_ecode ecode, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

/* As tnfs_err_set, with ": strerror(errnum)" appended and errnum kept. */
void tnfs_err_errno(struct tnfs_err *err, enum tnfs_ecode ecode, int errnum,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Set err from a code string and status seen on the wire. */
void tnfs_err_set_raw(
    struct tnfs_err *err, const char *code, int http_status, const char *msg);

/* Put "<prefix>: " in front of the message already there, keeping the code. */
void tnfs_err_prefix(struct tnfs_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The code string and HTTP status of a known code. */
const char *tnfs_ecode_name(enum tnfs_ecode ecode);
int tnfs_ecode_status(enum tnfs_ecode ecode);

/* Whether err holds an error, and whether its code is ecode. */
int tnfs_err_isset(const struct tnfs_err *err);
int tnfs_err_is(const struct tnfs_err *err, enum tnfs_ecode ecode);

/*
 * {"code": ..., "message": ...}, the VAPI's error body.  Returns a new
 * reference the caller puts, or NULL when out of memory.
 */
json_object *tnfs_err_to_vapi_json(const struct tnfs_err *err);

/*
 * Parse a VAPI error body received with http_status into err.  A body that
 * is not an error object still yields an error naming the status.
 */
void tnfs_err_from_vapi_body(
    struct tnfs_err *err, int http_status, const char *body, size_t len);

/* {"Err": "tritonnfs: <message>"}: what dockerd shows the user. */
json_object *tnfs_err_to_docker_json(const struct tnfs_err *err);

#endif
