/* Unit tests for fuse/nfs4_readdir.c: the READDIR entry parsers. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>
#include <nfsc/libnfs-raw-nfs4.h>

#include "../../fuse/nfs4_readdir.h"
#include "check_tap.h"

/* Attribute mask words: TYPE = 1, FILEID = 20, MODE = 33. */
#define T (1u << 1)
#define F (1u << 20)
#define M (1u << 1)

struct attrs_case {
	const char *what;
	uint32_t mask[3];
	size_t mask_len;
	unsigned char vals[24];
	size_t vals_len;
	int rc;
	uint64_t ino;
	mode_t mode;
};

static const struct attrs_case attrs_cases[] = {
    {"type, fileid and mode", {T | F, M}, 2,
	{0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 42, 0, 0, 1, 0xa4}, 16, 0,
	UINT64_C(0x10000002a), S_IFREG | 0644},
    {"a directory", {T | F, M}, 2,
	{0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0x0f, 0xff}, 16, 0, 7,
	S_IFDIR | 07777},
    {"every type", {T}, 1, {0, 0, 0, 7}, 4, 0, 0, S_IFIFO},
    {"a symlink", {T}, 1, {0, 0, 0, 5}, 4, 0, 0, S_IFLNK},
    {"fileid alone", {F}, 1, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
	8, 0, UINT64_MAX, 0},
    {"mode alone", {0, M}, 2, {0, 0, 0x01, 0xed}, 4, 0, 0, 0755},
    {"mode bits above 07777 ignored", {0, M}, 2, {0xff, 0xff, 0xff, 0xff}, 4, 0,
	0, 07777},
    {"nothing at all", {0}, 0, {0}, 0, 0, 0, 0},
    {"zero third mask word", {T, 0, 0}, 3, {0, 0, 0, 1}, 4, 0, 0, S_IFREG},
    /* hostile */
    {"an attribute we did not ask for", {T | (1u << 4)}, 1,
	{0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}, 12, -EINVAL, 0, 0},
    {"a third mask word set", {T, 0, 1}, 3, {0, 0, 0, 1, 0, 0, 0, 0}, 8,
	-EINVAL, 0, 0},
    {"a second word attribute not asked for", {0, M | 1u}, 2,
	{0, 0, 0, 0, 0, 0, 1, 0xed}, 8, -EINVAL, 0, 0},
    {"type 0", {T}, 1, {0, 0, 0, 0}, 4, -EINVAL, 0, 0},
    {"named attribute type", {T}, 1, {0, 0, 0, 9}, 4, -EINVAL, 0, 0},
    {"huge type", {T}, 1, {0xff, 0xff, 0xff, 0xff}, 4, -EINVAL, 0, 0},
    {"type cut short", {T}, 1, {0, 0, 0}, 3, -EINVAL, 0, 0},
    {"fileid cut short", {T | F}, 1, {0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0}, 11,
	-EINVAL, 0, 0},
    {"mode cut short", {T | F, M}, 2,
	{0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0}, 14, -EINVAL, 0, 0},
    {"values without a mask", {0}, 0, {0, 0, 0, 1}, 4, -EINVAL, 0, 0},
    {"bytes left over", {T}, 1, {0, 0, 0, 1, 0}, 5, -EINVAL, 0, 0},
    {"mask says mode, values empty", {0, M}, 2, {0}, 0, -EINVAL, 0, 0},
};

START_TEST(test_attrs)
{
	const struct attrs_case *c = &attrs_cases[_i];
	uint64_t ino = 99;
	mode_t mode = 99;
	int rc;

	rc = nfs4_readdir_attrs(
	    c->mask, c->mask_len, c->vals, c->vals_len, &ino, &mode);
	ck_assert_msg(rc == c->rc, "%s: rc %d, want %d", c->what, rc, c->rc);
	if (c->rc == 0) {
		ck_assert_msg(ino == c->ino, "%s: ino %llu", c->what,
		    (unsigned long long)ino);
		ck_assert_msg(mode == c->mode, "%s: mode 0%o, want 0%o",
		    c->what, (unsigned)mode, (unsigned)c->mode);
	}
}
END_TEST

START_TEST(test_attrs_huge_mask)
{
	/* A mask of many zero words is fine; the values must still match. */
	static uint32_t mask[1024];
	unsigned char vals[4] = {0, 0, 0, 2};
	uint64_t ino;
	mode_t mode;

	mask[0] = T;
	ck_assert_int_eq(
	    nfs4_readdir_attrs(mask, 1024, vals, 4, &ino, &mode), 0);
	ck_assert_uint_eq(mode, S_IFDIR);
	mask[1023] = 0x80000000u;
	ck_assert_int_eq(
	    nfs4_readdir_attrs(mask, 1024, vals, 4, &ino, &mode), -EINVAL);
}
END_TEST

struct name_case {
	const char *name;
	size_t len;
	int rc;
};

static const struct name_case name_cases[] = {
    {"a", 1, 1},
    {"f1234", 5, 1},
    {"abcd", 4, 1},
    {"\xc3\xa9t\xc3\xa9", 5, 1},
    {".", 1, 0},
    {"..", 2, 0},
    {"...", 3, 1},
    {".hidden", 7, 1},
    /* only len bytes count: what follows is the next XDR field */
    {"abcd\x01\x02", 4, 1},
    {"..x", 2, 0},
    {"", 0, -EINVAL},
    {"a/b", 3, -EINVAL},
    {"/", 1, -EINVAL},
    {"a\0b", 3, -EINVAL},
    {"\0", 1, -EINVAL},
};

START_TEST(test_name)
{
	const struct name_case *c = &name_cases[_i];

	ck_assert_msg(nfs4_readdir_name(c->name, c->len) == c->rc,
	    "case %d: want %d", _i, c->rc);
}
END_TEST

START_TEST(test_name_lengths)
{
	char buf[300];

	memset(buf, 'x', sizeof(buf));
	ck_assert_int_eq(nfs4_readdir_name(buf, 255), 1);
	ck_assert_int_eq(nfs4_readdir_name(buf, 256), -EINVAL);
	ck_assert_int_eq(nfs4_readdir_name(buf, 300), -EINVAL);
	ck_assert_int_eq(nfs4_readdir_name(buf, (size_t)-1), -EINVAL);
}
END_TEST

START_TEST(test_status_errno)
{
	ck_assert_int_eq(nfs4_readdir_status_errno(0), 0);
	ck_assert_int_eq(nfs4_readdir_status_errno(1), EPERM);
	ck_assert_int_eq(nfs4_readdir_status_errno(2), ENOENT);
	ck_assert_int_eq(nfs4_readdir_status_errno(13), EACCES);
	ck_assert_int_eq(nfs4_readdir_status_errno(20), ENOTDIR);
	ck_assert_int_eq(nfs4_readdir_status_errno(70), ESTALE);
	ck_assert_int_eq(nfs4_readdir_status_errno(10014), ESTALE);
	ck_assert_int_eq(nfs4_readdir_status_errno(10008), EAGAIN);
	/* unknown and hostile statuses */
	ck_assert_int_eq(nfs4_readdir_status_errno(10003), EIO);
	ck_assert_int_eq(nfs4_readdir_status_errno(-1), EIO);
	ck_assert_int_eq(nfs4_readdir_status_errno(99999), EIO);
}
END_TEST

START_TEST(test_compound_size)
{
	char long_path[5000];
	long base = nfs4_readdir_compound_size("", "", 4096);

	ck_assert_int_gt(base, 0);
	/* LOOKUP "export": op 4, length 4, name padded to 8. */
	ck_assert_int_eq(
	    nfs4_readdir_compound_size("/export", "/", 4096), base + 16);
	ck_assert_int_eq(nfs4_readdir_compound_size("/export/", "//a//", 4096),
	    base + 16 + 12);
	ck_assert_int_eq(
	    nfs4_readdir_compound_size("/abcd", "", 4096), base + 12);
	/* A path too long for one COMPOUND: the caller uses libnfs. */
	memset(long_path, 'a', sizeof(long_path) - 1);
	long_path[sizeof(long_path) - 1] = '\0';
	ck_assert_int_eq(nfs4_readdir_compound_size(
			     "/e", long_path, NFS4_READDIR_MAX_COMPOUND),
	    -1);
	ck_assert_int_eq(nfs4_readdir_compound_size("/e", "/a", base), -1);
	ck_assert_int_eq(nfs4_readdir_compound_size("", "", base - 1), -1);
}
END_TEST

/* A READDIR reply of n entries, as libnfs decodes one. */
struct reply {
	READDIR4resok ok;
	entry4 e[8];
	char names[8][300];
	uint32_t mask[8][2];
	unsigned char vals[8][16];
};

/* Entry i: name, cookie, a regular file with fileid ino and mode 0640. */
static void
set_entry(struct reply *r, int i, const char *name, size_t len, uint64_t cookie,
    uint64_t ino)
{
	entry4 *e = &r->e[i];
	unsigned char *v = r->vals[i];
	int k;

	memcpy(r->names[i], name, len);
	e->cookie = cookie;
	e->name.utf8string_val = r->names[i];
	e->name.utf8string_len = (u_int)len;
	r->mask[i][0] = T | F;
	r->mask[i][1] = M;
	e->attrs.attrmask.bitmap4_val = r->mask[i];
	e->attrs.attrmask.bitmap4_len = 2;
	memset(v, 0, 16);
	v[3] = 1;
	for (k = 0; k < 8; k++)
		v[4 + k] = (unsigned char)(ino >> (56 - 8 * k));
	v[14] = 0x01;
	v[15] = 0xa0;
	e->attrs.attr_vals.attrlist4_val = (char *)v;
	e->attrs.attr_vals.attrlist4_len = 16;
}

/* Chain entries 0..n-1 into r->ok. */
static void
chain(struct reply *r, int n, int eof)
{
	int i;

	for (i = 0; i < n; i++)
		r->e[i].nextentry = i + 1 < n ? &r->e[i + 1] : NULL;
	r->ok.reply.entries = n > 0 ? &r->e[0] : NULL;
	r->ok.reply.eof = (uint32_t)eof;
}

START_TEST(test_take)
{
	static struct reply r;
	struct nfs4_dir *dir = nfs4_dir_new();
	uint64_t next = 0;
	int eof = -1;

	ck_assert_ptr_nonnull(dir);
	memset(&r, 0, sizeof(r));
	set_entry(&r, 0, ".", 1, 3, 10);
	set_entry(&r, 1, "abcd", 4, 4, 11);
	set_entry(&r, 2, "f1", 2, 5, 12);
	chain(&r, 3, 0);
	/* The name is taken by its length only, not up to a NUL. */
	r.names[1][4] = 'X';
	ck_assert_int_eq(nfs4_dir_take(dir, &r.ok, 0, &next, &eof), 0);
	ck_assert_int_eq(eof, 0);
	ck_assert_uint_eq(next, 5);
	ck_assert_uint_eq(nfs4_dir_count(dir), 2);
	ck_assert_str_eq(nfs4_dir_name(dir, 0), "abcd");
	ck_assert_uint_eq(nfs4_dir_ino(dir, 0), 11);
	ck_assert_uint_eq(nfs4_dir_mode(dir, 0), S_IFREG | 0640);
	ck_assert_str_eq(nfs4_dir_name(dir, 1), "f1");
	/* The end: an empty last reply is fine. */
	chain(&r, 0, 1);
	ck_assert_int_eq(nfs4_dir_take(dir, &r.ok, 5, &next, &eof), 0);
	ck_assert_int_eq(eof, 1);
	ck_assert_uint_eq(next, 5);
	ck_assert_uint_eq(nfs4_dir_count(dir), 2);
	nfs4_dir_free(dir);
}
END_TEST

START_TEST(test_take_hostile)
{
	static struct reply r;
	struct nfs4_dir *dir = nfs4_dir_new();
	uint64_t next;
	int eof;

	ck_assert_ptr_nonnull(dir);
	memset(&r, 0, sizeof(r));
	/* No entries and not the end: the next call would be the same. */
	chain(&r, 0, 0);
	ck_assert_int_eq(nfs4_dir_take(dir, &r.ok, 7, &next, &eof), -EPROTO);
	/* Only "." and "..", not the end, last cookie advances: fine. */
	set_entry(&r, 0, ".", 1, 8, 1);
	set_entry(&r, 1, "..", 2, 9, 2);
	chain(&r, 2, 0);
	ck_assert_int_eq(nfs4_dir_take(dir, &r.ok, 7, &next, &eof), 0);
	ck_assert_uint_eq(nfs4_dir_count(dir), 0);
	/* The last cookie is the one asked from: it would loop. */
	set_entry(&r, 0, "a", 1, 9, 1);
	set_entry(&r, 1, "b", 1, 7, 2);
	ck_assert_int_eq(nfs4_dir_take(dir, &r.ok, 7, &next, &eof), -EPROTO);
	/* At the end a repeated cookie does no harm. */
	chain(&r, 2, 1);
	nfs4_dir_free(dir);
	dir = nfs4_dir_new();
	ck_assert_int_eq(nfs4_dir_take(dir, &r.ok, 7, &next, &eof), 0);
	ck_assert_uint_eq(nfs4_dir_count(dir), 2);
	/* A name with a slash, a NUL, empty, too long. */
	set_entry(&r, 0, "a/b", 3, 20, 1);
	chain(&r, 1, 1);
	ck_assert_int_eq(nfs4_dir_take(dir, &r.ok, 0, &next, &eof), -EPROTO);
	set_entry(&r, 0, "a\0b", 3, 20, 1);
	ck_assert_int_eq(nfs4_dir_take(dir, &r.ok, 0, &next, &eof), -EPROTO);
	set_entry(&r, 0, "", 0, 20, 1);
	ck_assert_int_eq(nfs4_dir_take(dir, &r.ok, 0, &next, &eof), -EPROTO);
	memset(r.names[0], 'x', 256);
	r.e[0].name.utf8string_len = 256;
	ck_assert_int_eq(nfs4_dir_take(dir, &r.ok, 0, &next, &eof), -EPROTO);
	/* Attributes cut short, or one we did not ask for. */
	set_entry(&r, 0, "ok", 2, 20, 1);
	r.e[0].attrs.attr_vals.attrlist4_len = 15;
	ck_assert_int_eq(nfs4_dir_take(dir, &r.ok, 0, &next, &eof), -EPROTO);
	set_entry(&r, 0, "ok", 2, 20, 1);
	r.mask[0][0] |= 1u << 3;
	ck_assert_int_eq(nfs4_dir_take(dir, &r.ok, 0, &next, &eof), -EPROTO);
	/* Nothing bad was added. */
	ck_assert_uint_eq(nfs4_dir_count(dir), 2);
	nfs4_dir_free(dir);
	nfs4_dir_free(NULL);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("fuse_nfs4_readdir");
	TCase *tc = tcase_create("parse");

	tcase_add_loop_test(tc, test_attrs, 0,
	    (int)(sizeof(attrs_cases) / sizeof(attrs_cases[0])));
	tcase_add_test(tc, test_attrs_huge_mask);
	tcase_add_loop_test(tc, test_name, 0,
	    (int)(sizeof(name_cases) / sizeof(name_cases[0])));
	tcase_add_test(tc, test_name_lengths);
	tcase_add_test(tc, test_status_errno);
	tcase_add_test(tc, test_compound_size);
	tcase_add_test(tc, test_take);
	tcase_add_test(tc, test_take_hostile);
	suite_add_tcase(s, tc);
	return s;
}

TNFS_CHECK_MAIN(make_suite)
