/*
 * nfs4_open.c: the NFSv4 open state of a context's open files (see
 * nfs4_open.h).
 */
#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include <nfsc/libnfs.h>

#include "libnfs_private.h"
#include "nfs4_open.h"

struct nfs4_open {
	struct nfsfh *fh;
	char *path;
	int acc;  /* ACC_READ | ACC_WRITE: what the holders opened for */
	int refs; /* open files holding it */
	struct nfs4_opens *table; /* NULL once forgotten */
	struct nfs4_open *prev, *next;
};

struct nfs4_opens {
	struct nfs4_open *head;
};

enum { ACC_READ = 1, ACC_WRITE = 2 };

static int
acc_bits(int acc)
{
	switch (acc & O_ACCMODE) {
	case O_WRONLY:
		return ACC_WRITE;
	case O_RDWR:
		return ACC_READ | ACC_WRITE;
	default:
		return ACC_READ;
	}
}

static int
same_file(struct nfsfh *a, struct nfsfh *b)
{
	const struct nfs_fh *x = nfs_get_fh(a), *y = nfs_get_fh(b);

	return x != NULL && y != NULL && x->len == y->len && x->len > 0 &&
	    memcmp(x->val, y->val, (size_t)x->len) == 0;
}

static void
unlink_open(struct nfs4_open *o)
{
	if (o->table == NULL)
		return;
	if (o->prev != NULL)
		o->prev->next = o->next;
	else
		o->table->head = o->next;
	if (o->next != NULL)
		o->next->prev = o->prev;
	o->prev = o->next = NULL;
	o->table = NULL;
}

static void
open_free(struct nfs4_open *o)
{
	free(o->path);
	free(o);
}

struct nfs4_opens *
nfs4_opens_new(void)
{
	return calloc(1, sizeof(struct nfs4_opens));
}

void
nfs4_opens_forget(struct nfs4_opens *t)
{
	while (t->head != NULL)
		unlink_open(t->head);
}

void
nfs4_opens_free(struct nfs4_opens *t)
{
	if (t == NULL)
		return;
	nfs4_opens_forget(t);
	free(t);
}

int
nfs4_opens_empty(const struct nfs4_opens *t)
{
	return t->head == NULL;
}

void
nfs4_opens_each(struct nfs4_opens *t,
    void (*fn)(struct nfs4_open *o, void *arg), void *arg)
{
	struct nfs4_open *o, *next;

	/* What fn adds goes in at the head, behind this walk. */
	for (o = t->head; o != NULL; o = next) {
		next = o->next;
		fn(o, arg);
	}
}

struct nfs4_open *
nfs4_opens_add(
    struct nfs4_opens *t, struct nfsfh *fh, int acc, const char *path)
{
	struct nfs4_open *o;
	char *copy = strdup(path);

	for (o = t->head; o != NULL; o = o->next)
		if (same_file(o->fh, fh))
			break;
	if (o != NULL) {
		/* The server merged the two OPENs: fh has the newest stateid. */
		nfs_free_nfsfh(o->fh);
		o->fh = fh;
		if (copy != NULL) { /* else reopen by the older name */
			free(o->path);
			o->path = copy;
		}
		o->acc |= acc_bits(acc);
		o->refs++;
		return o;
	}
	if (copy == NULL || (o = calloc(1, sizeof(*o))) == NULL) {
		free(copy);
		return NULL;
	}
	o->path = copy;
	o->fh = fh;
	o->acc = acc_bits(acc);
	o->refs = 1;
	o->table = t;
	o->next = t->head;
	if (t->head != NULL)
		t->head->prev = o;
	t->head = o;
	return o;
}

struct nfsfh *
nfs4_open_fh(const struct nfs4_open *o)
{
	return o->fh;
}

const char *
nfs4_open_path(const struct nfs4_open *o)
{
	return o->path;
}

int
nfs4_open_access(const struct nfs4_open *o)
{
	switch (o->acc) {
	case ACC_WRITE:
		return O_WRONLY;
	case ACC_READ | ACC_WRITE:
		return O_RDWR;
	default:
		return O_RDONLY;
	}
}

struct nfsfh *
nfs4_open_put(struct nfs4_open *o)
{
	struct nfsfh *fh = o->fh;

	if (--o->refs > 0)
		return NULL;
	if (o->table == NULL) {
		nfs_free_nfsfh(fh);
		fh = NULL;
	}
	unlink_open(o);
	open_free(o);
	return fh;
}
