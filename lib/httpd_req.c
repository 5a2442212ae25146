/*
 * httpd_req.c: what a handler reads of its request (httpd.h), from the
 * copy httpd.c made of it when it was complete.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <strings.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "httpd_impl.h"

const char *
httpd_req_method(const struct httpd_req *rq)
{
	return rq->method;
}

const char *
httpd_req_url(const struct httpd_req *rq)
{
	return rq->url;
}

const char *
httpd_req_raw_url(const struct httpd_req *rq)
{
	return rq->raw_url != NULL ? rq->raw_url : rq->url;
}

const char *
httpd_req_body(const struct httpd_req *rq, size_t *len)
{
	*len = rq->body != NULL ? rq->len : 0;
	return rq->body != NULL ? rq->body : "";
}

int
httpd_req_body_too_large(const struct httpd_req *rq)
{
	return rq->too_large;
}

const char *
httpd_req_header(const struct httpd_req *rq, const char *name)
{
	size_t i;

	for (i = 0; i < rq->nhdrs; i++)
		if (strcasecmp(rq->hdrs[i].name, name) == 0)
			return rq->hdrs[i].value;
	return NULL;
}

void
httpd_req_peer(const struct httpd_req *rq, char *buf, size_t len)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(
	    rq->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

	if (len > 0)
		buf[0] = '\0';
	if (ci == NULL || ci->client_addr == NULL ||
	    ci->client_addr->sa_family != AF_INET)
		return;
	inet_ntop(AF_INET,
	    &((const struct sockaddr_in *)(const void *)ci->client_addr)
		 ->sin_addr,
	    buf, (socklen_t)len);
}

int
httpd_req_arg(const struct httpd_req *rq, size_t i, const char **key,
    size_t *klen, const char **value, size_t *vlen)
{
	if (i >= rq->nargs)
		return -1;
	*key = rq->args[i].key;
	*klen = rq->args[i].klen;
	*value = rq->args[i].value;
	*vlen = rq->args[i].vlen;
	return 0;
}

int64_t
httpd_req_start_ms(const struct httpd_req *rq)
{
	return rq->start_ms;
}
