/*
 * timefmt.c: the two clocks, and timestamps in the RFC 3339 form VOLAPI
 * writes ("2017-11-16T17:31:56.763Z").  Parsing is done by hand, not with
 * strptime, so it depends on no locale and no TZ, and checks every field.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "timefmt.h"

/* How much of a rejected value an error message repeats. */
#define ECHO_MAX 40

int64_t
tnfs_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
tnfs_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
tnfs_deadline_ts(struct timespec *ts, int64_t ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

void
tnfs_time_format(int64_t epoch_ms, char buf[TNFS_TIME_BUFSZ])
{
	/* Floor division: -1 ms is 23:59:59.999 the day before. */
	int64_t ms = epoch_ms % 1000, secs = epoch_ms / 1000;
	time_t t;
	struct tm tm;

	if (ms < 0) {
		ms += 1000;
		secs--;
	}
	t = (time_t)secs;
	if (gmtime_r(&t, &tm) == NULL || tm.tm_year < -1900 ||
	    tm.tm_year > 9999 - 1900) {
		snprintf(buf, TNFS_TIME_BUFSZ, "invalid-time");
		return;
	}
	/* By hand, not strftime: %Y does not pad years before 1000. */
	if (snprintf(buf, TNFS_TIME_BUFSZ,
		"%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
		tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		(int)ms) >= TNFS_TIME_BUFSZ)
		snprintf(buf, TNFS_TIME_BUFSZ, "invalid-time");
}

static int
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(int y, int m)
{
	static const int days[12] = {
	    31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t
days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Exactly n decimal digits at *p, advanced past. */
static int
digits(const char **p, int n, int *out)
{
	const char *s = *p;
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*p = s + n;
	*out = v;
	return 0;
}

static int
expect(const char **p, char c)
{
	if (**p != c)
		return -1;
	(*p)++;
	return 0;
}

static int
fail(const char *text, const char *why, struct tnfs_err *err)
{
	size_t n = 0;

	/* Repeat only the printable start of the text. */
	while (
	    text[n] >= 0x20 && text[n] < 0x7f && text[n] != '"' && n < ECHO_MAX)
		n++;
	tnfs_err_set(err, TNFS_E_VALIDATION,
	    "invalid time \"%.*s%s\": %s; expected RFC 3339 such as "
	    "2017-11-16T17:31:56.763Z",
	    (int)n, text, text[n] != '\0' ? "..." : "", why);
	return -1;
}

int
tnfs_time_parse(const char *text, int64_t *epoch_ms, struct tnfs_err *err)
{
	const char *p = text;
	int y, mo, d, h, mi, s, ms = 0, oh = 0, om = 0, sign = 0, i;
	int64_t secs;

	if (text == NULL || *text == '\0') {
		tnfs_err_set(err, TNFS_E_VALIDATION,
		    "invalid time \"\": expected RFC 3339 such as "
		    "2017-11-16T17:31:56.763Z");
		return -1;
	}
	if (digits(&p, 4, &y) || expect(&p, '-') || digits(&p, 2, &mo) ||
	    expect(&p, '-') || digits(&p, 2, &d))
		return fail(text, "bad date", err);
	if (*p != 'T' && *p != 't' && *p != ' ')
		return fail(text, "no time after the date", err);
	p++;
	if (digits(&p, 2, &h) || expect(&p, ':') || digits(&p, 2, &mi) ||
	    expect(&p, ':') || digits(&p, 2, &s))
		return fail(text, "bad time of day", err);
	if (*p == '.') {
		p++;
		for (i = 0; *p >= '0' && *p <= '9'; i++, p++) {
			if (i == 9)
				return fail(
				    text, "more than 9 fraction digits", err);
			if (i < 3)
				ms = ms * 10 + (*p - '0');
		}
		if (i == 0)
			return fail(text, "no digits after '.'", err);
		for (; i < 3; i++)
			ms *= 10;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		p++;
		if (digits(&p, 2, &oh) || expect(&p, ':') || digits(&p, 2, &om))
			return fail(text, "bad offset", err);
	} else {
		return fail(text, "no 'Z' or offset", err);
	}
	if (*p != '\0')
		return fail(text, "text after the offset", err);
	if (mo < 1 || mo > 12)
		return fail(text, "month out of range", err);
	if (d < 1 || d > days_in_month(y, mo))
		return fail(text, "no such day in that month", err);
	if (h > 23 || mi > 59)
		return fail(text, "time of day out of range", err);
	if (s > 59)
		return fail(text, "second out of range (no leap seconds)", err);
	if (oh > 23 || om > 59)
		return fail(text, "offset out of range", err);
	secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
	secs -= sign * (oh * 3600 + om * 60);
	*epoch_ms = secs * 1000 + ms;
	return 0;
}
