/*
 * fuzz_nfs4_readdir.c: tritonnfs-fuse's NFSv4 READDIR decoding
 * (fuse/nfs4_readdir.c) on replies a server could send.  The input is a
 * run of READDIR4resok bodies as they come on the wire (cookie verifier,
 * entries with cookie, name and fattr4, eof), decoded exactly (bounded,
 * each field in a buffer of its own size), and taken one after another into one
 * listing from the cookie each gives, as a long listing continues.
 * Properties: every name listed is one a directory can hold (1-255 bytes,
 * no '/', no NUL, not "." or ".."), every mode a valid type, the listing
 * never past its bound, a reply that would repeat refused.
 */
#include <errno.h>
#include <sys/stat.h>

#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>
#include <nfsc/libnfs-raw-nfs4.h>

#include "fuzz.h"
#include "nfs4_readdir.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static void
check_listing(const struct nfs4_dir *dir)
{
	size_t i, n = nfs4_dir_count(dir);

	FUZZ_CHECK(n <= NFS4_READDIR_MAX_ENTRIES);
	for (i = 0; i < n; i++) {
		const char *name = nfs4_dir_name(dir, i);
		mode_t mode = nfs4_dir_mode(dir, i);

		FUZZ_CHECK(name != NULL);
		FUZZ_CHECK(nfs4_readdir_name(name, strlen(name)) == 1);
		FUZZ_CHECK(mode == 0 || (mode & S_IFMT) != 0 ||
			   (mode & ~07777u) == 0);
		nfs4_dir_ino(dir, i);
	}
}

/* A bounded XDR reader over the input. */
struct xdr {
	const uint8_t *p;
	size_t left;
};

static int
get32(struct xdr *x, uint32_t *v)
{
	if (x->left < 4)
		return -1;
	*v = (uint32_t)x->p[0] << 24 | (uint32_t)x->p[1] << 16 |
	    (uint32_t)x->p[2] << 8 | x->p[3];
	x->p += 4;
	x->left -= 4;
	return 0;
}

static int
get64(struct xdr *x, uint64_t *v)
{
	uint32_t hi, lo;

	if (get32(x, &hi) == -1 || get32(x, &lo) == -1)
		return -1;
	*v = (uint64_t)hi << 32 | lo;
	return 0;
}

/* A variable-length opaque, copied (the caller frees), padded to 4. */
static int
get_opaque(struct xdr *x, char **val, u_int *len)
{
	uint32_t n;
	size_t padded;

	if (get32(x, &n) == -1 || n > x->left)
		return -1;
	padded = ((size_t)n + 3) & ~(size_t)3;
	if (padded > x->left)
		return -1;
	/* At the exact size, so a read past the end is ASan's to see. */
	if ((*val = malloc(n > 0 ? n : 1)) == NULL)
		abort();
	memcpy(*val, x->p, n);
	*len = n;
	x->p += padded;
	x->left -= padded;
	return 0;
}

static void
free_entries(entry4 *e)
{
	while (e != NULL) {
		entry4 *next = e->nextentry;

		free(e->name.utf8string_val);
		free(e->attrs.attrmask.bitmap4_val);
		free(e->attrs.attr_vals.attrlist4_val);
		free(e);
		e = next;
	}
}

/*
 * One READDIR4resok as on the wire (RFC 7530 16.24): verifier, entries
 * (each preceded by a "value follows" word), eof.  0, or -1 when the
 * input ends first.  libnfs's decoder is not used: it trusts lengths and
 * fixed sizes (libnfs's to fix); this one is bounded and exact.
 */
static int
decode(struct xdr *x, READDIR4resok *ok)
{
	entry4 **tail = &ok->reply.entries;
	uint32_t follows, words, i, eof;

	memset(ok, 0, sizeof(*ok));
	if (x->left < NFS4_VERIFIER_SIZE)
		return -1;
	memcpy(ok->cookieverf, x->p, NFS4_VERIFIER_SIZE);
	x->p += NFS4_VERIFIER_SIZE;
	x->left -= NFS4_VERIFIER_SIZE;
	for (;;) {
		entry4 *e;

		if (get32(x, &follows) == -1)
			return -1;
		if (follows == 0)
			break;
		if ((e = calloc(1, sizeof(*e))) == NULL)
			abort();
		*tail = e;
		tail = &e->nextentry;
		if (get64(x, &e->cookie) == -1 ||
		    get_opaque(x, &e->name.utf8string_val,
			&e->name.utf8string_len) == -1 ||
		    get32(x, &words) == -1 || words > 8 ||
		    (size_t)words * 4 > x->left)
			return -1;
		e->attrs.attrmask.bitmap4_len = words;
		e->attrs.attrmask.bitmap4_val =
		    malloc(words > 0 ? words * sizeof(uint32_t) : 1);
		if (e->attrs.attrmask.bitmap4_val == NULL)
			abort();
		for (i = 0; i < words; i++)
			(void)get32(x, &e->attrs.attrmask.bitmap4_val[i]);
		if (get_opaque(x, &e->attrs.attr_vals.attrlist4_val,
			&e->attrs.attr_vals.attrlist4_len) == -1)
			return -1;
	}
	if (get32(x, &eof) == -1)
		return -1;
	ok->reply.eof = eof != 0;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nfs4_dir *dir = nfs4_dir_new();
	struct xdr x = {data, size};
	uint64_t cookie = 0, next;
	int eof = 0, round, rc;

	FUZZ_CHECK(dir != NULL);
	for (round = 0; round < 8 && !eof; round++) {
		READDIR4resok ok;

		if (decode(&x, &ok) == -1) {
			free_entries(ok.reply.entries);
			break;
		}
		rc = nfs4_dir_take(dir, &ok, cookie, &next, &eof);
		free_entries(ok.reply.entries);
		FUZZ_CHECK(rc == 0 || rc == -EPROTO || rc == -EFBIG ||
			   rc == -ENOMEM);
		if (rc != 0)
			break;
		/* A round that is not the last moves the cookie on. */
		FUZZ_CHECK(eof || next != cookie);
		cookie = next;
	}
	check_listing(dir);
	nfs4_dir_free(dir);
	return 0;
}
