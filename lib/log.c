/*
 * log.c: bunyan-compatible JSON log lines.
 *
 * The logger's settings are the one process-wide state of each program:
 * main() sets them before any thread starts, and afterwards they are only
 * read (the level is an atomic so --log-level may change it at runtime).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "jsonx.h"
#include "log.h"
#include "timefmt.h"

static struct {
	char name[64];
	char hostname[256];
	atomic_int level;
	atomic_int fd;
} logger = {"tritonnfs", "localhost", TNFS_LOG_INFO, 2};

static const struct {
	const char *name;
	int level;
} level_names[] = {
    {"trace", TNFS_LOG_TRACE},
    {"debug", TNFS_LOG_DEBUG},
    {"info", TNFS_LOG_INFO},
    {"warn", TNFS_LOG_WARN},
    {"error", TNFS_LOG_ERROR},
    {"fatal", TNFS_LOG_FATAL},
};

void
log_init(const char *name)
{
	const char *env;

	snprintf(logger.name, sizeof(logger.name), "%s", name);
	if (gethostname(logger.hostname, sizeof(logger.hostname)) == -1)
		snprintf(logger.hostname, sizeof(logger.hostname), "localhost");
	logger.hostname[sizeof(logger.hostname) - 1] = '\0';
	if ((env = getenv("TNFS_LOG_LEVEL")) != NULL && *env != '\0')
		(void)log_set_level_str(env, NULL);
}

int
log_set_level_str(const char *level, struct tnfs_err *err)
{
	size_t i;
	char *end;
	long n;

	for (i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (strcasecmp(level, level_names[i].name) == 0) {
			log_set_level(level_names[i].level);
			return 0;
		}
	}
	errno = 0;
	n = strtol(level, &end, 10);
	if (errno == 0 && end != level && *end == '\0' && n >= 10 && n <= 60) {
		log_set_level((int)n);
		return 0;
	}
	tnfs_err_set(err, TNFS_E_VALIDATION,
	    "invalid log level \"%.40s\": use trace, debug, info, warn, "
	    "error, fatal or a number from 10 to 60",
	    level);
	return -1;
}

void
log_set_level(int level)
{
	atomic_store(&logger.level, level);
}

int
log_get_level(void)
{
	return atomic_load(&logger.level);
}

void
log_set_fd(int fd)
{
	atomic_store(&logger.fd, fd);
}

static void
emit(int level, json_object *fields, const char *msg)
{
	json_object *rec;
	char now[TNFS_TIME_BUFSZ];
	const char *text;
	size_t len, off;
	ssize_t n;
	int fd = atomic_load(&logger.fd);

	if ((rec = json_object_new_object()) == NULL)
		goto out;
	tnfs_time_format(tnfs_now_ms(), now);
	if (jsonx_add_str(rec, "name", logger.name) == -1 ||
	    jsonx_add_str(rec, "hostname", logger.hostname) == -1 ||
	    jsonx_add_int64(rec, "pid", (int64_t)getpid()) == -1 ||
	    jsonx_add_int64(rec, "level", level) == -1)
		goto out;
	if (fields != NULL && json_object_is_type(fields, json_type_object)) {
		json_object_object_foreach(fields, key, val)
		{
			/* The record's own keys win over a field's. */
			if (json_object_object_get_ex(rec, key, NULL))
				continue;
			json_object_object_add(rec, key, json_object_get(val));
		}
	}
	if (jsonx_add_str(rec, "msg", msg) == -1 ||
	    jsonx_add_str(rec, "time", now) == -1 ||
	    jsonx_add_int64(rec, "v", 0) == -1)
		goto out;
	text = json_object_to_json_string_ext(
	    rec, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	len = strlen(text);
	{
		/* One write per record, newline included, so lines from
		 * several threads never interleave. */
		char *line = malloc(len + 1);

		if (line == NULL)
			goto out;
		memcpy(line, text, len);
		line[len] = '\n';
		for (off = 0; off < len + 1; off += (size_t)n) {
			n = write(fd, line + off, len + 1 - off);
			if (n == -1 && errno == EINTR) {
				n = 0;
				continue;
			}
			if (n <= 0)
				break;
		}
		free(line);
	}
out:
	json_object_put(rec);
	json_object_put(fields);
}

void
log_msg(int level, json_object *fields, const char *fmt, ...)
{
	char msg[4096];
	va_list ap;

	if (level < atomic_load(&logger.level)) {
		json_object_put(fields);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	emit(level, fields, msg);
}

void
log_err(int level, const struct tnfs_err *err, const char *fmt, ...)
{
	char msg[4096];
	json_object *fields;
	va_list ap;

	if (level < atomic_load(&logger.level))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if ((fields = json_object_new_object()) != NULL &&
	    tnfs_err_isset(err)) {
		jsonx_add_str(fields, "err_code", err->code);
		jsonx_add_int64(fields, "err_status", err->http_status);
		jsonx_add_str(fields, "err", err->msg);
	}
	emit(level, fields, msg);
}
