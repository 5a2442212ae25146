/*
 * predicate_impl.h: the parsed predicate tree, shared by predicate.c
 * (parsing, validation, building the tree, the compiler's accessors) and
 * predicate_eval.c (matching a volume in memory).  Nothing else includes
 * it: stores read the tree through predicate.h.
 */
#ifndef TNFS_VAPI_PREDICATE_IMPL_H
#define TNFS_VAPI_PREDICATE_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "predicate.h"

enum pred_op { P_TRUE, P_AND, P_OR, P_EQ, P_NE, P_LT, P_LE, P_GT, P_GE };
enum field_type { F_STRING, F_NUMBER, F_BOOLEAN };

struct predicate {
	enum pred_op op;
	struct predicate **kids; /* and, or */
	size_t nkids;
	char field[16];
	enum field_type type;
	char *str;
	int64_t num;
	int boolean;
};

#endif
