/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test helper: values of a parsed JSON object (json-c) by a dotted path,
 * "child.container.id", for the suites that read forkscope's --json.
 */
#ifndef FS_TEST_JSON_GET_H
#define FS_TEST_JSON_GET_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>

/* The value at path, or NULL when a part of it is missing. */
static inline struct json_object *get(struct json_object *o, const char *path)
{
	char key[64], *dot;

	snprintf(key, sizeof(key), "%s", path);
	dot = strchr(key, '.');
	if (dot)
		*dot = 0;
	if (!json_object_object_get_ex(o, key, &o))
		return NULL;
	return dot ? get(o, path + (dot - key) + 1) : o;
}

/* The integer at path, -1 when missing. */
static inline int64_t get_int(struct json_object *o, const char *path)
{
	struct json_object *v = get(o, path);

	return v ? json_object_get_int64(v) : -1;
}

/* The string at path (a number or bool as its text), NULL when missing. */
static inline const char *get_str(struct json_object *o, const char *path)
{
	struct json_object *v = get(o, path);

	return v ? json_object_get_string(v) : NULL;
}

/* The same, "" when missing: for comparisons that must not crash. */
static inline const char *get_text(struct json_object *o, const char *path)
{
	const char *s = get_str(o, path);

	return s ? s : "";
}

#endif
