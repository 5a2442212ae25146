/*
 * mountinfo.c: reading /proc/self/mountinfo (mountinfo.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mountinfo.h"

/* Decode mountinfo's \ooo escapes (space, tab, newline, backslash). */
static void
unescape(const char *s, size_t n, char *buf, size_t len)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 1 < len; i++) {
		if (s[i] == '\\' && i + 3 < n && s[i + 1] >= '0' &&
		    s[i + 1] <= '3' && s[i + 2] >= '0' && s[i + 2] <= '7' &&
		    s[i + 3] >= '0' && s[i + 3] <= '7') {
			buf[o++] = (char)((s[i + 1] - '0') * 64 +
			    (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
			i += 3;
		} else
			buf[o++] = s[i];
	}
	buf[o] = '\0';
}

int
mountinfo_parse_line(const char *line, char *buf, size_t len)
{
	const char *p = line, *start;
	int field;

	/* id parent major:minor root mountpoint ... */
	for (field = 0; field < 4; field++) {
		p = strchr(p, ' ');
		if (p == NULL)
			return -1;
		p++;
	}
	start = p;
	while (*p != '\0' && *p != ' ' && *p != '\n')
		p++;
	if (p == start || *p != ' ')
		return -1;
	unescape(start, (size_t)(p - start), buf, len);
	return 0;
}

int
mountinfo_is_mountpoint(const char *path)
{
	return mountinfo_describe(path, NULL, 0);
}

int
mountinfo_describe(const char *path, char *buf, size_t len)
{
	FILE *f;
	char *line = NULL, mp[4096];
	size_t cap = 0;
	int found = 0;

	if ((f = fopen("/proc/self/mountinfo", "re")) == NULL)
		return -1;
	while (getline(&line, &cap, f) != -1) {
		char *sep, *fstype, *source, *opts, *save = NULL;

		if (mountinfo_parse_line(line, mp, sizeof(mp)) != 0 ||
		    strcmp(mp, path) != 0 ||
		    (sep = strstr(line, " - ")) == NULL)
			continue;
		/* The last mount at path is the one visible there. */
		fstype = strtok_r(sep + 3, " \n", &save);
		source = strtok_r(NULL, " \n", &save);
		opts = strtok_r(NULL, " \n", &save);
		if (buf != NULL)
			snprintf(buf, len, "%s %s %s", fstype ? fstype : "?",
			    source ? source : "?", opts ? opts : "");
		found = 1;
	}
	free(line);
	fclose(f);
	return found;
}
