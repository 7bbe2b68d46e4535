/* SPDX-License-Identifier: GPL-2.0-only */
/* The one JSON writer: json-c objects, written one per line. */
#ifndef FS_JSON_H
#define FS_JSON_H

#include <stdint.h>
#include <stdio.h>
#include <json-c/json.h>

/* Writes o as one line and releases it. */
void fs_json_emit(FILE *f, struct json_object *o);

void fs_json_add_str(struct json_object *o, const char *key, const char *v);
void fs_json_add_int(struct json_object *o, const char *key, int64_t v);
void fs_json_add_u64(struct json_object *o, const char *key, uint64_t v);
void fs_json_add_bool(struct json_object *o, const char *key, int v);
/*
 * v / 10^decimals, written with exactly that many decimals: 0.050249063
 * for (50249063, 9). A decimal is printed at the precision it has, never
 * as a double's binary noise (0.050249062999999997). Counts and
 * nanoseconds are integers: fs_json_add_u64().
 */
void fs_json_add_fixed(struct json_object *o, const char *key, int64_t v,
		       unsigned int decimals);
/* {"raw": N, "exited": bool, "code": N | "signal": "SIGX", ...} */
void fs_json_add_status(struct json_object *o, const char *key,
			uint32_t status);

#endif
