/*
 * b64.c: strict base64 (see b64.h).
 */
#include <stdlib.h>

#include "b64.h"

static const char ALPHABET[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int
value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int
b64_decode(const char *in, size_t len, unsigned char **out, size_t *outlen)
{
	unsigned char *buf;
	size_t i, n = 0, pad = 0;
	unsigned int acc = 0;
	int v;

	*out = NULL;
	*outlen = 0;
	if (len == 0 || len % 4 != 0)
		return -1;
	if (in[len - 1] == '=')
		pad = in[len - 2] == '=' ? 2 : 1;
	if ((buf = malloc(len / 4 * 3)) == NULL)
		return -1;
	for (i = 0; i < len; i++) {
		if (i >= len - pad) {
			if (in[i] != '=')
				goto bad;
			v = 0;
		} else if ((v = value(in[i])) < 0) {
			goto bad;
		}
		acc = acc << 6 | (unsigned int)v;
		if (i % 4 == 3) {
			buf[n++] = (unsigned char)(acc >> 16);
			buf[n++] = (unsigned char)(acc >> 8);
			buf[n++] = (unsigned char)acc;
			acc = 0;
		}
	}
	/* The bits under the padding must be zero: one text per blob. */
	if ((pad == 1 && buf[n - 1] != 0) ||
	    (pad == 2 && (buf[n - 1] != 0 || buf[n - 2] != 0)))
		goto bad;
	*out = buf;
	*outlen = n - pad;
	return 0;
bad:
	free(buf);
	return -1;
}

int
b64_encode(const unsigned char *in, size_t len, int pad, char *out,
    size_t outsz)
{
	size_t i, o = 0;

	for (i = 0; i < len; i += 3) {
		unsigned int acc = (unsigned int)in[i] << 16;
		size_t left = len - i, k, nchar;

		if (left > 1)
			acc |= (unsigned int)in[i + 1] << 8;
		if (left > 2)
			acc |= in[i + 2];
		nchar = left >= 3 ? 4 : left + 1;
		for (k = 0; k < 4; k++) {
			char c;

			if (k < nchar)
				c = ALPHABET[(acc >> (18 - 6 * k)) & 63];
			else if (pad)
				c = '=';
			else
				break;
			if (o + 1 >= outsz)
				return -1;
			out[o++] = c;
		}
	}
	if (o >= outsz)
		return -1;
	out[o] = '\0';
	return 0;
}
