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

/*
 * Parses forkscope's JSON, NULL when it is not. A tree nests two levels a
 * generation: json-c's default depth (32) is a process 16 deep, which a
 * busy machine's tree passes (another suite's fork chain, say).
 */
static inline struct json_object *json_parse_with(const char *text,
						  int depth, int flags)
{
	struct json_tokener *tok = json_tokener_new_ex(depth);
	struct json_object *o;

	if (!tok)
		return NULL;
	json_tokener_set_flags(tok, flags);
	o = json_tokener_parse_ex(tok, text, strlen(text));
	if (json_tokener_get_error(tok) != json_tokener_success) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

static inline struct json_object *json_parse_deep(const char *text)
{
	return json_parse_with(text, 4096, 0);
}

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
