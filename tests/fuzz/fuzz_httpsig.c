/*
 * fuzz_httpsig.c: tritonnfs-cloudapi's HTTP Signature check
 * (cloudapi/httpsig.c behind cloudapi/auth.c) on hostile requests.
 * Input lines: the Authorization value, the method, the URI as sent, then
 * "name: value" headers.  The accounts are the unit tests' (alice: RSA,
 * P-256, P-384; bob: P-521, Ed25519), the clock the seeds' Date.
 * Properties: a request is let in only as the account its path names; a
 * header that parses names a supported algorithm and a signature; the
 * signing string holds exactly the headers named, each once per name.
 */
#include <strings.h>

#include "accounts.h"
#include "auth.h"
#include "fuzz.h"
#include "httpsig.h"
#include "sshkey.h"
#include "../unit/test_cloudapi_keys.h"

#define NOW 1796186114 /* Wed, 02 Dec 2026 04:35:14 GMT */
#define MAX_HEADERS 16

static struct accounts *as;

struct headers {
	char *names[MAX_HEADERS];
	char *values[MAX_HEADERS];
	size_t n;
};

static const char *
lookup(void *cls, const char *name)
{
	const struct headers *h = cls;
	size_t i;

	for (i = 0; i < h->n; i++)
		if (strcasecmp(h->names[i], name) == 0)
			return h->values[i];
	return NULL;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char text[16384];

	(void)argc;
	(void)argv;
	fuzz_quiet();
	snprintf(text, sizeof(text),
	    "{\"accounts\": ["
	    "{\"login\": \"alice\", \"uuid\": "
	    "\"11111111-1111-4111-8111-111111111111\", \"keys\": ["
	    "{\"name\": \"rsa\", \"key\": \"%s\"},"
	    "{\"name\": \"p256\", \"key\": \"%s\"},"
	    "{\"name\": \"p384\", \"key\": \"%s\"}]},"
	    "{\"login\": \"bob\", \"uuid\": "
	    "\"22222222-2222-4222-8222-222222222222\", \"keys\": ["
	    "{\"name\": \"p521\", \"key\": \"%s\"},"
	    "{\"name\": \"laptop\", \"key\": \"%s\"}]}]}",
	    TEST_KEYS[0].public_line, TEST_KEYS[1].public_line,
	    TEST_KEYS[2].public_line, TEST_KEYS[3].public_line,
	    TEST_KEYS[4].public_line);
	if ((as = accounts_parse(text, strlen(text), NULL)) == NULL)
		abort();
	return 0;
}

/*
 * The login a CloudAPI path acts for, as cloudapi/http.c matches it:
 * "/alice/volumes" -> "alice"; "" when none.
 */
static char *
path_login(const char *uri)
{
	const char *end;

	if (uri[0] != '/')
		return fuzz_strndup((const uint8_t *)"", 0);
	end = uri + 1 + strcspn(uri + 1, "/?");
	return fuzz_strndup((const uint8_t *)uri + 1, (size_t)(end - uri - 1));
}

static void
check_signing_string(const struct httpsig *sig, const char *method,
    const char *uri, struct headers *h)
{
	struct tnfs_err err;
	char *ss = NULL;

	tnfs_err_clear(&err);
	if (httpsig_signing_string(sig, method, uri, lookup, h, &ss, &err) ==
	    -1) {
		FUZZ_CHECK(ss == NULL && tnfs_err_isset(&err));
		return;
	}
	FUZZ_CHECK(ss != NULL);
	free(ss);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct headers h;
	struct httpsig sig;
	struct tnfs_err err;
	const struct account *a;
	char *authz = fuzz_field(&data, &size, '\n');
	char *method = fuzz_field(&data, &size, '\n');
	char *uri = fuzz_field(&data, &size, '\n');
	char *login = path_login(uri);
	size_t i;

	memset(&h, 0, sizeof(h));
	h.names[0] = strdup("authorization");
	h.values[0] = strdup(authz);
	FUZZ_CHECK(h.names[0] != NULL && h.values[0] != NULL);
	h.n = 1;
	while (size > 0 && h.n < MAX_HEADERS) {
		char *line = fuzz_field(&data, &size, '\n');
		char *colon = strchr(line, ':');

		if (colon == NULL) {
			free(line);
			continue;
		}
		*colon = '\0';
		h.names[h.n] = line;
		h.values[h.n] = strdup(colon + 1 + strspn(colon + 1, " "));
		FUZZ_CHECK(h.values[h.n] != NULL);
		h.n++;
	}
	tnfs_err_clear(&err);
	if (httpsig_parse(authz, &sig, &err) == 0) {
		FUZZ_CHECK(sig.algorithm[0] != '\0' && sig.signature[0] != '\0');
		httpsig_signs_date(&sig);
		check_signing_string(&sig, method, uri, &h);
	} else
		FUZZ_CHECK(tnfs_err_isset(&err) && err.http_status == 401);
	if (lookup(&h, "date") != NULL)
		httpsig_check_date(lookup(&h, "date"), NOW, NULL);
	auth_version_ok(lookup(&h, "accept-version"));
	tnfs_err_clear(&err);
	a = auth_request(as, method, uri, login, lookup, &h, NOW, &err);
	if (a != NULL)
		FUZZ_CHECK(strcmp(a->login, login) == 0);
	else
		FUZZ_CHECK(tnfs_err_isset(&err));
	for (i = 0; i < h.n; i++) {
		free(h.names[i]);
		free(h.values[i]);
	}
	free(authz);
	free(method);
	free(uri);
	free(login);
	return 0;
}
