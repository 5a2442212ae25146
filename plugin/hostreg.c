/*
 * hostreg.c: this host's registration and heartbeat (hostreg.h).
 *
 * One thread: PUT /hosts/:uuid, then wait for the next period or for
 * stop.  A failed call is retried sooner (every few seconds, at most the
 * period) so that a VAPI coming back finds the host alive quickly; the
 * log says when heartbeats start failing and when they work again, not
 * at every attempt.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hostreg.h"
#include "log.h"
#include "vapi_client.h"

#define RETRY_MS 3000

struct hostreg {
	char *vapi_url, *token, *owner, *host, *hostname, *address, *version;
	int heartbeat_ms, timeout_ms;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stopping;
	pthread_t thread;
};

static void
hostreg_free(struct hostreg *hr)
{
	if (hr == NULL)
		return;
	free(hr->vapi_url);
	free(hr->token);
	free(hr->owner);
	free(hr->host);
	free(hr->hostname);
	free(hr->address);
	free(hr->version);
	pthread_mutex_destroy(&hr->mu);
	pthread_cond_destroy(&hr->cv);
	free(hr);
}

/* One registration; -1 with err. */
static int
heartbeat(struct hostreg *hr, struct tnfs_err *err)
{
	struct vapi_client_opts o = {0};
	struct vapi_client *c;
	int rc;

	o.url = hr->vapi_url;
	o.token = hr->token;
	o.timeout_ms = hr->timeout_ms;
	o.connect_timeout_ms = 3000;
	o.user_agent = "tritonnfs-plugin";
	if ((c = vapi_client_new(&o, err)) == NULL)
		return -1;
	rc = vapi_client_put_host(c, hr->host, hr->owner, hr->hostname,
	    hr->address, hr->version, err);
	vapi_client_free(c);
	return rc;
}

static void *
hostreg_main(void *arg)
{
	struct hostreg *hr = arg;
	struct tnfs_err err;
	struct timespec ts;
	int failing = -1, wait_ms; /* -1: no attempt yet */

	pthread_mutex_lock(&hr->mu);
	while (!hr->stopping) {
		pthread_mutex_unlock(&hr->mu);
		tnfs_err_clear(&err);
		if (heartbeat(hr, &err) == -1) {
			if (failing != 1)
				log_err(TNFS_LOG_WARN, &err,
				    "registering host %s (%s) with the VAPI; "
				    "retrying every %d s: its references do "
				    "not hold meanwhile",
				    hr->host, hr->hostname, RETRY_MS / 1000);
			failing = 1;
			wait_ms = hr->heartbeat_ms < RETRY_MS ? hr->heartbeat_ms
							      : RETRY_MS;
		} else {
			if (failing != 0)
				log_info("host %s (%s) registered with the "
					 "VAPI; heartbeat every %d s",
				    hr->host, hr->hostname,
				    hr->heartbeat_ms / 1000);
			failing = 0;
			wait_ms = hr->heartbeat_ms;
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += wait_ms / 1000;
		ts.tv_nsec += (long)(wait_ms % 1000) * 1000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_mutex_lock(&hr->mu);
		while (!hr->stopping &&
		    pthread_cond_timedwait(&hr->cv, &hr->mu, &ts) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&hr->mu);
	return NULL;
}

static char *
dup_or_null(const char *s)
{
	return s != NULL && s[0] != '\0' ? strdup(s) : NULL;
}

struct hostreg *
hostreg_start(const struct hostreg_config *cfg, struct tnfs_err *err)
{
	struct hostreg *hr;
	char name[256];

	if ((hr = calloc(1, sizeof(*hr))) == NULL) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&hr->mu, NULL);
	pthread_cond_init(&hr->cv, NULL);
	if (cfg->hostname != NULL && cfg->hostname[0] != '\0')
		snprintf(name, sizeof(name), "%s", cfg->hostname);
	else if (gethostname(name, sizeof(name)) == -1)
		snprintf(name, sizeof(name), "unknown");
	name[sizeof(name) - 1] = '\0';
	hr->vapi_url = strdup(cfg->vapi_url);
	hr->token = dup_or_null(cfg->token);
	hr->owner = strdup(cfg->owner_uuid);
	hr->host = strdup(cfg->host_uuid);
	hr->hostname = strdup(name);
	hr->address = dup_or_null(cfg->address);
	hr->version = strdup(cfg->version);
	hr->heartbeat_ms = cfg->heartbeat_ms > 0 ? cfg->heartbeat_ms : 30000;
	hr->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : 20000;
	if (hr->vapi_url == NULL || hr->owner == NULL || hr->host == NULL ||
	    hr->hostname == NULL || hr->version == NULL ||
	    (cfg->token != NULL && cfg->token[0] != '\0' && hr->token == NULL) ||
	    (cfg->address != NULL && cfg->address[0] != '\0' &&
		hr->address == NULL)) {
		tnfs_err_set(err, TNFS_E_INTERNAL, "out of memory");
		goto fail;
	}
	if ((errno = pthread_create(&hr->thread, NULL, hostreg_main, hr)) !=
	    0) {
		tnfs_err_errno(err, TNFS_E_INTERNAL, errno,
		    "starting the heartbeat thread");
		goto fail;
	}
	return hr;
fail:
	hostreg_free(hr);
	return NULL;
}

void
hostreg_stop(struct hostreg *hr)
{
	if (hr == NULL)
		return;
	pthread_mutex_lock(&hr->mu);
	hr->stopping = 1;
	pthread_cond_broadcast(&hr->cv);
	pthread_mutex_unlock(&hr->mu);
	pthread_join(hr->thread, NULL);
	hostreg_free(hr);
}
