/*
 * fuzz_vapi_request.c: raw HTTP requests to a whole tritonnfs-vapi, in
 * process: its HTTP layer (vapi/http.c on lib/httpd.c and libmicrohttpd)
 * parses the request line, path, query, headers and body, authenticates,
 * matches the route (vapi/routes.c), validates the parameters
 * (vapi/api_params.c, vapi/validate.c) and calls the handler, on a real
 * SQLite store and dir storage in a private directory.  The input is the
 * bytes a client sends on one connection (several requests may follow
 * one another); the connection is then half-closed and every reply read.
 * Tokens: "operator-token" (the operator) and "alice-token" (owner
 * 11111111-1111-4111-8111-111111111111).
 * Properties: every reply is a complete HTTP reply; a JSON reply is JSON;
 * no 500 (a 500 is a
 * request the server could not handle, which a client must not cause).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <json-c/json.h>

#include "exports.h"
#include "fuzz.h"
#include "http.h"
#include "jsonx.h"
#include "provision.h"
#include "sha256.h"
#include "storage.h"
#include "store.h"
#include "timefmt.h"
#include "vapi.h"

#define ALICE "11111111-1111-4111-8111-111111111111"

static char dir[4096], sock[4200];
static struct vapi_config cfg;
static struct vapi va;
static struct vapi_http *srv;

static void
fail(const char *what, const struct tnfs_err *err)
{
	fprintf(stderr, "fuzz_vapi_request: %s: %s\n", what, err->msg);
	abort();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct exporter_config ec;
	struct tnfs_err err;

	(void)argc;
	(void)argv;
	fuzz_quiet();
	signal(SIGPIPE, SIG_IGN);
	fuzz_tmpdir(dir, sizeof(dir), "vapi");
	tnfs_err_clear(&err);
	vapi_config_defaults(&cfg);
	snprintf(sock, sizeof(sock), "%s/vapi.sock", dir);
	if (strlen(sock) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		fprintf(stderr, "%s: too long for a Unix socket\n", sock);
		abort();
	}
	snprintf(cfg.listen, sizeof(cfg.listen), "unix:%s", sock);
	snprintf(cfg.store, sizeof(cfg.store), "sqlite:%s/vapi.db", dir);
	snprintf(cfg.storage, sizeof(cfg.storage), "dir:%s/storage", dir);
	snprintf(cfg.state_dir, sizeof(cfg.state_dir), "%s", dir);
	cfg.workers = 1;
	tnfs_sha256_hex("operator-token", 14, cfg.tokens[0].sha256);
	cfg.tokens[0].operator= 1;
	tnfs_sha256_hex("alice-token", 11, cfg.tokens[1].sha256);
	snprintf(cfg.tokens[1].owner_uuid, sizeof(cfg.tokens[1].owner_uuid),
	    ALICE);
	cfg.ntokens = 2;
	if (config_finish(&cfg, &err) == -1)
		fail("config", &err);
	snprintf(cfg.networks[0].uuid, sizeof(cfg.networks[0].uuid),
	    "0a0a0a0a-0000-4000-8000-0000000000ff");
	va.cfg = &cfg;
	snprintf(va.host_uuid, sizeof(va.host_uuid),
	    "0a0a0a0a-0000-4000-8000-0000000000ee");
	if ((va.store = store_open(cfg.store, &err)) == NULL)
		fail("store", &err);
	if ((va.storage = storage_open(cfg.storage, dir, &err)) == NULL)
		fail("storage", &err);
	memset(&ec, 0, sizeof(ec));
	ec.state_dir = dir;
	if ((va.exporter = exporter_open("none", &ec, &err)) == NULL)
		fail("exporter", &err);
	if ((va.prov = provision_start(&va, cfg.workers, &err)) == NULL)
		fail("provisioner", &err);
	if ((srv = vapi_http_start(&va, &err)) == NULL)
		fail("http", &err);
	return 0;
}

/*
 * Read until the server closes or goes quiet for IDLE_MS: a request cut
 * short (a Content-Length or chunk larger than what follows) is left
 * waiting for the rest until the server's request deadline, as a slow
 * client is, and a client would give up.  At most cap bytes.
 */
#define IDLE_MS 300

static size_t
read_all(int fd, char *buf, size_t cap)
{
	struct pollfd p = {fd, POLLIN, 0};
	size_t got = 0;
	ssize_t n;
	int rc;

	while (got < cap) {
		if ((rc = poll(&p, 1, IDLE_MS)) < 0 && errno == EINTR)
			continue;
		if (rc <= 0)
			break;
		n = read(fd, buf + got, cap - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	return got;
}

/*
 * Each reply in buf: a status line, and, from the VAPI (its Server
 * header), a JSON body and never a 500.  A reply without it is
 * libmicrohttpd's own to HTTP it cannot parse (HTML, sometimes with its
 * header twice), and the connection ends there.
 */
static void
check_replies(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *hdr_end = strstr(p, "\r\n\r\n"), *cl, *ct, *sv;
		unsigned long status, clen = 0;
		json_object *o;

		FUZZ_CHECK(strncmp(p, "HTTP/1.", 7) == 0);
		FUZZ_CHECK(hdr_end != NULL);
		status = strtoul(p + 9, NULL, 10);
		FUZZ_CHECK(status >= 200 && status <= 599);
		sv = strcasestr(p, "\r\nServer: tritonnfs-vapi\r\n");
		if (sv == NULL || sv > hdr_end)
			return;
		if (status == 500)
			fprintf(stderr, "500: %.*s\n", (int)(end - p), p);
		FUZZ_CHECK(status != 500);
		cl = strcasestr(p, "\r\nContent-Length:");
		if (cl != NULL && cl < hdr_end)
			clen = strtoul(cl + 17, NULL, 10);
		ct = strcasestr(p, "\r\nContent-Type: application/json");
		FUZZ_CHECK(clen == 0 || (ct != NULL && ct < hdr_end));
		p = hdr_end + 4;
		FUZZ_CHECK(clen <= (size_t)(end - p));
		if (clen > 0) {
			o = jsonx_parse(p, clen, 64, NULL);
			FUZZ_CHECK(o != NULL);
			json_object_put(o);
		}
		p += clen;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[1 << 20];
	struct sockaddr_un sa;
	ssize_t n;
	size_t off = 0, got;
	int fd;

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		abort();
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	FUZZ_CHECK(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	while (off < size) {
		n = write(fd, data + off, size - off);
		if (n <= 0)
			break; /* the server may close on a bad request */
		off += (size_t)n;
	}
	shutdown(fd, SHUT_WR);
	got = read_all(fd, buf, sizeof(buf) - 1);
	close(fd);
	check_replies(buf, got);
	return 0;
}
