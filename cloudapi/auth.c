/*
 * auth.c: request authentication for tritonnfs-cloudapi (see auth.h).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth.h"

const struct account *
auth_request(const struct accounts *as, const char *method, const char *uri,
    const char *path_login, httpsig_header_fn *hdr, void *cls, int64_t now,
    struct tnfs_err *err)
{
	const struct account *a;
	const struct sshkey *key;
	const char *authz, *date, *login, *slash;
	char keyid_login[ACCOUNT_LOGIN_MAX + 1];
	struct httpsig sig;
	char *ss = NULL;
	size_t n;

	if ((authz = hdr(cls, "authorization")) == NULL) {
		httpsig_err(err, "InvalidCredentials",
		    "You must make authenticated requests to use CloudAPI "
		    "(no Authorization header)");
		return NULL;
	}
	if (strncasecmp(authz, "Signature", 9) != 0 ||
	    (authz[9] != ' ' && authz[9] != '\0')) {
		/* Basic, Bearer and the like: not how CloudAPI is called. */
		httpsig_err(err, "InvalidCredentials",
		    "You must make authenticated requests to use CloudAPI "
		    "(the Authorization scheme must be Signature)");
		return NULL;
	}
	if (httpsig_parse(authz, &sig, err) == -1)
		return NULL;
	/*
	 * keyId: /LOGIN/keys/KEY, KEY an MD5 fingerprint, a SHA256 one (whose
	 * base64 may hold '/') or the key's name in the accounts file.
	 */
	login = sig.key_id + 1;
	if (sig.key_id[0] != '/' || (slash = strchr(login, '/')) == NULL ||
	    (n = (size_t)(slash - login)) == 0 || n > ACCOUNT_LOGIN_MAX ||
	    strncmp(slash, "/keys/", 6) != 0 || slash[6] == '\0' ||
	    (strchr(slash + 6, '/') != NULL &&
		strncmp(slash + 6, "SHA256:", 7) != 0)) {
		httpsig_err(err, "InvalidCredentials",
		    "Invalid KeyId %.200s in authorization header", sig.key_id);
		return NULL;
	}
	memcpy(keyid_login, login, n);
	keyid_login[n] = '\0';
	/* One answer for an unknown login and an unknown key: no probing. */
	if ((a = accounts_find(as, keyid_login)) == NULL ||
	    (key = account_key_find(a, slash + 6)) == NULL) {
		httpsig_err(err, "InvalidCredentials",
		    "Invalid authorization credentials supplied: key %.200s is "
		    "not known",
		    sig.key_id);
		return NULL;
	}
	if (!httpsig_signs_date(&sig)) {
		httpsig_err(err, "InvalidSignature",
		    "date was not a signed header");
		return NULL;
	}
	if (httpsig_signing_string(&sig, method, uri, hdr, cls, &ss, err) == -1)
		return NULL;
	date = hdr(cls, "x-date");
	if (date == NULL)
		date = hdr(cls, "date");
	if (date == NULL || httpsig_check_date(date, now, err) == -1 ||
	    httpsig_verify(&sig, key, ss, err) == -1) {
		if (date == NULL)
			httpsig_err(err, "InvalidSignature",
			    "date was not in the request");
		free(ss);
		return NULL;
	}
	free(ss);
	if (strcmp(a->login, path_login) != 0) {
		tnfs_err_set_raw(err, "NotAuthorized", 403,
		    "You do not have permission to access the account in the "
		    "path");
		return NULL;
	}
	return a;
}

/* One term of a range: [~^=v>=]MAJOR[.MINOR|x[.PATCH|x]], or * / x. */
static int
term_ok(const char *t, size_t len)
{
	size_t i = 0;
	long major = 0;
	int ge = 0, digits = 0;

	while (len > 0 && t[len - 1] == ' ')
		len--;
	while (i < len && t[i] == ' ')
		i++;
	if (len - i == 1 && (t[i] == '*' || t[i] == 'x' || t[i] == 'X'))
		return 1;
	if (len - i >= 2 && t[i] == '>' && t[i + 1] == '=')
		ge = 1, i += 2;
	else if (i < len && (t[i] == '~' || t[i] == '^' || t[i] == '='))
		i++;
	if (i < len && t[i] == 'v')
		i++;
	while (i < len && isdigit((unsigned char)t[i]) && digits < 4)
		major = major * 10 + (t[i++] - '0'), digits++;
	if (digits == 0 || digits == 4)
		return 0;
	/* The rest: .N, .x or .* parts, two at most. */
	{
		int parts = 0;

		while (i < len && t[i] == '.' && parts < 2) {
			i++;
			if (i < len && (t[i] == 'x' || t[i] == 'X' || t[i] == '*'))
				i++;
			else if (i < len && isdigit((unsigned char)t[i]))
				while (i < len && isdigit((unsigned char)t[i]))
					i++;
			else
				return 0;
			parts++;
		}
	}
	if (i != len)
		return 0;
	return ge ? major <= 9 : (major == 9 || major == 8);
}

int
auth_version_ok(const char *v)
{
	const char *p, *bar;

	if (v == NULL)
		return 1;
	if (strlen(v) > 128)
		return 0;
	for (p = v;; p = bar + 2) {
		bar = strstr(p, "||");
		if (term_ok(p, bar != NULL ? (size_t)(bar - p) : strlen(p)))
			return 1;
		if (bar == NULL)
			return 0;
	}
}
