/*
 * fsx_tnfs.c: a randomized file-operation checker in the style of fsx.
 *
 *   fsx_tnfs [-n OPS] [-s SEED] [-l MAXLEN] FILE
 *
 * Random writes, truncates and reads at random offsets on FILE (through
 * the mount under test), each checked against an in-memory model of the
 * file; now and then the file is closed and reopened and compared whole.
 * The seed is printed first and again on failure, with the last
 * operations, so a failure can be replayed with -s.  Exit 0 when every
 * check passed, 1 on a mismatch or failed call, 2 on bad usage.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define HISTORY 16

struct fsx {
	const char *path;
	int fd;
	uint64_t rng;
	uint64_t seed;
	unsigned char *model; /* maxlen bytes; bytes past size are zero */
	unsigned char *buf;
	size_t size, maxlen;
	long op;
	char history[HISTORY][96];
};

static uint64_t
next_rand(struct fsx *x)
{
	/* xorshift64*: deterministic across platforms for a given seed. */
	x->rng ^= x->rng >> 12;
	x->rng ^= x->rng << 25;
	x->rng ^= x->rng >> 27;
	return x->rng * UINT64_C(2685821657736338717);
}

static size_t
rand_below(struct fsx *x, size_t n)
{
	return n == 0 ? 0 : (size_t)(next_rand(x) % n);
}

static void
note(struct fsx *x, const char *what, size_t off, size_t len)
{
	snprintf(x->history[x->op % HISTORY], sizeof(x->history[0]),
	    "op %ld: %s off %zu len %zu (size %zu)", x->op, what, off, len,
	    x->size);
}

static void fail(struct fsx *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));

static void
fail(struct fsx *x, const char *fmt, ...)
{
	va_list ap;
	long i;

	fprintf(stderr, "fsx_tnfs: %s: ", x->path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr,
	    "\nfsx_tnfs: FAILED at op %ld, replay with -s %" PRIu64
	    "\nfsx_tnfs: last operations:\n",
	    x->op, x->seed);
	for (i = x->op - HISTORY + 1; i <= x->op; i++)
		if (i >= 0 && x->history[i % HISTORY][0] != '\0')
			fprintf(stderr, "  %s\n", x->history[i % HISTORY]);
	exit(1);
}

static void
check_range(struct fsx *x, size_t off, size_t len)
{
	ssize_t n;
	size_t want =
	    off >= x->size ? 0 : (x->size - off < len ? x->size - off : len);
	size_t i;
	char msg[160];

	n = pread(x->fd, x->buf, len, (off_t)off);
	if (n < 0)
		fail(x, "read: %s", strerror(errno));
	if ((size_t)n != want) {
		snprintf(msg, sizeof(msg),
		    "read at %zu got %zd bytes, want %zu", off, n, want);
		fail(x, "%s", msg);
	}
	for (i = 0; i < want; i++) {
		if (x->buf[i] != x->model[off + i]) {
			snprintf(msg, sizeof(msg),
			    "byte %zu is 0x%02x, want 0x%02x", off + i,
			    x->buf[i], x->model[off + i]);
			fail(x, "%s", msg);
		}
	}
}

static void
do_write(struct fsx *x)
{
	size_t off = rand_below(x, x->maxlen);
	size_t len = 1 +
	    rand_below(x, x->maxlen - off < 65536 ? x->maxlen - off : 65536);
	size_t i, done = 0;
	ssize_t n;

	note(x, "write", off, len);
	for (i = 0; i < len; i++)
		x->buf[i] = (unsigned char)(next_rand(x) >> 56);
	while (done < len) {
		n = pwrite(
		    x->fd, x->buf + done, len - done, (off_t)(off + done));
		if (n <= 0)
			fail(x, "write: %s",
			    n < 0 ? strerror(errno) : "wrote 0");
		done += (size_t)n;
	}
	memcpy(x->model + off, x->buf, len);
	if (off + len > x->size)
		x->size = off + len;
}

static void
do_truncate(struct fsx *x)
{
	size_t size = rand_below(x, x->maxlen + 1);

	note(x, "truncate", size, 0);
	if (ftruncate(x->fd, (off_t)size) != 0)
		fail(x, "truncate: %s", strerror(errno));
	if (size < x->size)
		memset(x->model + size, 0, x->size - size);
	x->size = size;
}

static void
do_read(struct fsx *x)
{
	size_t off = rand_below(x, x->maxlen);
	size_t len = 1 + rand_below(x, 65536);

	note(x, "read", off, len);
	check_range(x, off, len);
}

static void
do_reopen(struct fsx *x)
{
	struct stat st;
	char msg[96];

	note(x, "reopen", 0, 0);
	if (close(x->fd) != 0)
		fail(x, "close: %s", strerror(errno));
	if ((x->fd = open(x->path, O_RDWR)) < 0)
		fail(x, "open: %s", strerror(errno));
	if (fstat(x->fd, &st) != 0)
		fail(x, "fstat: %s", strerror(errno));
	if ((size_t)st.st_size != x->size) {
		snprintf(msg, sizeof(msg), "size is %lld, want %zu",
		    (long long)st.st_size, x->size);
		fail(x, "%s", msg);
	}
	check_range(x, 0, x->maxlen);
}

int
main(int argc, char **argv)
{
	struct fsx x;
	long ops = 10000;
	int c;

	memset(&x, 0, sizeof(x));
	x.seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	x.maxlen = 256 * 1024;
	while ((c = getopt(argc, argv, "n:s:l:")) != -1) {
		switch (c) {
		case 'n':
			ops = strtol(optarg, NULL, 10);
			break;
		case 's':
			x.seed = strtoull(optarg, NULL, 10);
			break;
		case 'l':
			x.maxlen = strtoul(optarg, NULL, 10);
			break;
		default:
			fprintf(stderr,
			    "usage: fsx_tnfs [-n OPS] [-s SEED] "
			    "[-l MAXLEN] FILE\n");
			return 2;
		}
	}
	if (optind + 1 != argc || ops <= 0 || x.maxlen < 16 ||
	    x.maxlen > 64 * 1024 * 1024) {
		fprintf(stderr,
		    "usage: fsx_tnfs [-n OPS] [-s SEED] [-l MAXLEN] "
		    "FILE\n");
		return 2;
	}
	x.path = argv[optind];
	x.rng = x.seed != 0 ? x.seed : 1;
	if ((x.model = calloc(1, x.maxlen)) == NULL ||
	    (x.buf = calloc(1, x.maxlen > 65536 ? x.maxlen : 65536)) == NULL) {
		fprintf(stderr, "fsx_tnfs: out of memory\n");
		return 1;
	}
	printf("fsx_tnfs: seed %" PRIu64 ", %ld operations, max length %zu\n",
	    x.seed, ops, x.maxlen);
	if ((x.fd = open(x.path, O_RDWR | O_CREAT | O_TRUNC, 0644)) < 0)
		fail(&x, "open: %s", strerror(errno));
	for (x.op = 0; x.op < ops; x.op++) {
		size_t r = rand_below(&x, 100);

		if (r < 45)
			do_write(&x);
		else if (r < 55)
			do_truncate(&x);
		else if (r < 98)
			do_read(&x);
		else
			do_reopen(&x);
	}
	do_reopen(&x);
	close(x.fd);
	free(x.model);
	free(x.buf);
	printf("fsx_tnfs: %ld operations passed\n", ops);
	return 0;
}
