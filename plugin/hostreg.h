/*
 * hostreg.h: this Docker host's record in the VAPI (ARCHITECTURE decision
 * 9).  A thread registers the host at start and renews its heartbeat
 * every heartbeat period (PUT /hosts/:uuid): the VAPI counts this host's
 * references, and on networks shared by several owners admits its
 * address to the exports, only while the heartbeat is fresh.
 */
#ifndef TNFS_PLUGIN_HOSTREG_H
#define TNFS_PLUGIN_HOSTREG_H

#include "err.h"

/* Strings are copied by hostreg_start. */
struct hostreg_config {
	const char *vapi_url;
	const char *token;     /* NULL or "": none */
	const char *owner_uuid;
	const char *host_uuid;
	const char *hostname;  /* NULL or "": gethostname(2) */
	const char *address;   /* NULL or "": the VAPI records what it sees */
	const char *version;
	int heartbeat_ms;
	int timeout_ms; /* of one request; hostreg_stop waits this long */
};

struct hostreg;

/*
 * Start the thread; its first registration is under way when this
 * returns (it never blocks the plugin's start).  Caller stops with
 * hostreg_stop.
 */
struct hostreg *hostreg_start(
    const struct hostreg_config *cfg, struct tnfs_err *err);

/* Stop the thread (a request in flight ends within its timeout), free. */
void hostreg_stop(struct hostreg *hr);

#endif
