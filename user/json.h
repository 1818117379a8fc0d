/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * A streaming JSON writer into a FILE *: commas and colons are placed for the caller, strings are
 * fully escaped (invalid UTF-8 becomes U+FFFD, so the output is always valid JSON whatever comm
 * or argv hold), non-finite doubles become null. Nothing is allocated.
 *
 *	struct json_w w;
 *	json_init(&w, stdout);
 *	json_obj_begin(&w);
 *	json_kv_str(&w, "type", "fork");
 *	json_kv_u64(&w, "pid", 42);
 *	json_obj_end(&w);
 *	json_newline(&w);
 */
#ifndef LL_JSON_H
#define LL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 64

struct json_w {
	FILE *f;
	unsigned int depth;
	bool after_key;		/* the next value completes a "key": pair */
	uint64_t nonempty;	/* bit d: the container at depth d already has a member */
};

void json_init(struct json_w *w, FILE *f);

void json_obj_begin(struct json_w *w);
void json_obj_end(struct json_w *w);
void json_arr_begin(struct json_w *w);
void json_arr_end(struct json_w *w);
/* Ends a JSON line (after the top-level value). */
void json_newline(struct json_w *w);

void json_key(struct json_w *w, const char *key);
void json_str(struct json_w *w, const char *s);
void json_strn(struct json_w *w, const char *s, size_t n);
void json_u64(struct json_w *w, uint64_t v);
void json_i64(struct json_w *w, int64_t v);
/* Shortest round-tripping form ("%.17g" at most); NaN and infinities become null. */
void json_double(struct json_w *w, double v);
/* Fixed number of decimals ("%.*f"); NaN and infinities become null. */
void json_fixed(struct json_w *w, double v, int decimals);
void json_bool(struct json_w *w, bool v);
void json_null(struct json_w *w);

/* key + value in one call. */
void json_kv_str(struct json_w *w, const char *key, const char *s);
void json_kv_strn(struct json_w *w, const char *key, const char *s, size_t n);
void json_kv_u64(struct json_w *w, const char *key, uint64_t v);
void json_kv_i64(struct json_w *w, const char *key, int64_t v);
void json_kv_double(struct json_w *w, const char *key, double v);
void json_kv_fixed(struct json_w *w, const char *key, double v, int decimals);
void json_kv_bool(struct json_w *w, const char *key, bool v);
void json_kv_null(struct json_w *w, const char *key);

#endif
