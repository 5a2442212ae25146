/*
 * timefmt.h: clocks and RFC 3339 timestamps ("2017-11-16T17:31:56.763Z").
 */
#ifndef TNFS_TIMEFMT_H
#define TNFS_TIMEFMT_H

#include <stdint.h>
#include <time.h>

#include "err.h"

#define TNFS_TIME_BUFSZ 32

/* Wall clock, milliseconds since the epoch. */
int64_t tnfs_now_ms(void);

/* Monotonic clock in milliseconds: use it for every deadline. */
int64_t tnfs_mono_ms(void);

/*
 * The wall-clock time ms milliseconds from now, as the absolute deadline
 * pthread_cond_timedwait takes (a condition's default clock is
 * CLOCK_REALTIME).
 */
void tnfs_deadline_ts(struct timespec *ts, int64_t ms);

/*
 * UTC with milliseconds and a Z, as VAPI renders create_timestamp.  A time
 * outside the years 0000-9999 has no RFC 3339 form: buf gets
 * "invalid-time", which no parser accepts.
 */
void tnfs_time_format(int64_t epoch_ms, char buf[TNFS_TIME_BUFSZ]);

/*
 * Parse RFC 3339: date, 'T' (or 't' or ' '), time, optional fraction (up to
 * 9 digits, kept to the millisecond), and 'Z' or a +hh:mm/-hh:mm offset.
 * The fraction is truncated, not rounded, so a formatted time parses back to
 * itself.  Years 0000-9999; month, day (with leap years), hour, minute and
 * offset are range-checked.  Second 60 (a leap second) is refused: epoch
 * time has no place for it.  Anything after the offset is refused.  A
 * ValidationError on failure.
 */
int tnfs_time_parse(const char *text, int64_t *epoch_ms, struct tnfs_err *err);

#endif
