/*
 * log.h: bunyan-compatible JSON log lines on stderr.
 *
 * One line per record, in the format Triton services write, so `bunyan` and
 * the usual log tooling read it:
 *   {"name":"tritonnfs-vapi","hostname":"h","pid":1,"level":30,
 *    "msg":"volume ready","time":"2026-11-25T13:56:14.123Z","v":0,...fields}
 *
 * The logger is the one piece of process-wide state in every program: it is
 * set up once by main() and then only read.  Each record is formatted in a
 * buffer and written with a single write(2), so threads never interleave.
 */
#ifndef TNFS_LOG_H
#define TNFS_LOG_H

#include <json-c/json.h>

#include "err.h"

enum tnfs_log_level {
	TNFS_LOG_TRACE = 10,
	TNFS_LOG_DEBUG = 20,
	TNFS_LOG_INFO = 30,
	TNFS_LOG_WARN = 40,
	TNFS_LOG_ERROR = 50,
	TNFS_LOG_FATAL = 60,
};

/*
 * Name the service and pick the level: TNFS_LOG_LEVEL from the environment
 * when set (a name such as "debug" or a number 10-60), else info.
 */
void log_init(const char *name);

/* Level by name ("trace".."fatal") or number; -1 and err on a bad value. */
int log_set_level_str(const char *level, struct tnfs_err *err);
void log_set_level(int level);
int log_get_level(void);

/* Where records go (default: fd 2). */
void log_set_fd(int fd);

/*
 * Write a record.  fields, when not NULL, is an object whose members are
 * added to the record; log_msg takes over the caller's reference.
 */
void log_msg(int level, json_object *fields, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Record an error: its code, status and message become fields. */
void log_err(int level, const struct tnfs_err *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_trace(...) log_msg(TNFS_LOG_TRACE, NULL, __VA_ARGS__)
#define log_debug(...) log_msg(TNFS_LOG_DEBUG, NULL, __VA_ARGS__)
#define log_info(...)  log_msg(TNFS_LOG_INFO, NULL, __VA_ARGS__)
#define log_warn(...)  log_msg(TNFS_LOG_WARN, NULL, __VA_ARGS__)
#define log_error(...) log_msg(TNFS_LOG_ERROR, NULL, __VA_ARGS__)

#endif
