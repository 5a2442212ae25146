/*
 * routes.h: the table of the Volume API's routes: method, path pattern,
 * the parameters each accepts and requires, who may call it, and the one
 * handler that serves it.
 */
#ifndef TNFS_VAPI_ROUTES_H
#define TNFS_VAPI_ROUTES_H

#include <stddef.h>

#include <json-c/json.h>

#include "api.h"
#include "api_params.h"
#include "err.h"

struct route {
	const char *name;            /* VOLAPI's route name: "ListVolumes" */
	const char *method;          /* "GET", "POST", "DELETE" */
	const char *pattern;         /* "/volumes/:uuid/snapshots/:name" */
	const char *const *allowed;  /* besides required; NULL-terminated */
	const char *const *required; /* NULL-terminated */
	int operator_only;
	vapi_handler *handler;
};

/*
 * The route for method and path, with its :params added to path_params.
 * NULL and 404 ResourceNotFound when no pattern matches the path, 405
 * MethodNotAllowed (allow receives "GET, POST") when only the method is
 * wrong.
 */
const struct route *routes_match(const char *method, const char *path,
    json_object *path_params, char *allow, size_t allow_len,
    struct tnfs_err *err);

/* Whether route accepts name as a parameter. */
int routes_accepts(const struct route *r, const char *name);

/* The whole table, for tests and documentation checks. */
const struct route *routes_table(size_t *n);

#endif
