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
void fs_json_add_double(struct json_object *o, const char *key, double v);
/* {"raw": N, "exited": bool, "code": N | "signal": "SIGX", ...} */
void fs_json_add_status(struct json_object *o, const char *key,
			uint32_t status);

#endif
