/*
 * httpd_text.c: the text helpers of the HTTP server (see httpd.h):
 * whether a request's bytes are UTF-8, and escaping them for a log line.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "httpd.h"

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

int
httpd_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;

	while (i < len) {
		if ((n = utf8_seq(p + i, len - i)) == 0)
			return 0;
		i += n;
	}
	return 1;
}

void
httpd_escape(const char *s, char *buf, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0, n, slen = strlen(s), i = 0;

	if (len == 0)
		return;
	while (i < slen) {
		n = utf8_seq(p + i, slen - i);
		if (n == 1 && p[i] >= 0x20 && p[i] != 0x7f && p[i] != '\\')
			;
		else if (n > 1)
			;
		else
			n = 0;
		if (n > 0) {
			if (o + n >= len)
				break;
			memcpy(buf + o, p + i, n);
			o += n;
			i += n;
			continue;
		}
		if (o + 4 >= len)
			break;
		snprintf(buf + o, len - o, "\\x%02x", p[i]);
		o += 4;
		i++;
	}
	buf[o] = '\0';
}
