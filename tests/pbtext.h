/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test helper: a protobuf message read back as protoc's text format
 * (`protoc --decode=TYPE FILE.proto < msg`, Debian's protobuf-compiler),
 * parsed into a tree of fields, to assert what a binary trace holds with
 * a reader forkscope does not share. Header-only.
 */
#ifndef FS_TEST_PBTEXT_H
#define FS_TEST_PBTEXT_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A field: a message (child set) or a scalar (value set). */
struct pb {
	char *key;
	char *value;		/* unquoted for strings; NULL for a message */
	struct pb *child, *next;
};

/* "abc \"d\"" -> abc "d" (the escapes protoc writes for our strings). */
static inline char *pb_unquote(const char *s)
{
	size_t len = strlen(s);
	char *out = malloc(len + 1), *o = out;

	if (!out)
		abort();
	if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
		for (size_t i = 1; i < len - 1; i++) {
			if (s[i] == '\\' && i + 1 < len - 1)
				i++;
			*o++ = s[i];
		}
		*o = 0;
	} else {
		strcpy(out, s);
	}
	return out;
}

/* Parses lines from f until a closing brace or the end. */
static inline struct pb *pb_parse_block(FILE *f)
{
	struct pb *first = NULL, **tail = &first;
	char line[8192];

	while (fgets(line, sizeof(line), f)) {
		char *s = line, *end, *colon;
		struct pb *n;

		while (*s == ' ')
			s++;
		end = s + strlen(s);
		while (end > s && (end[-1] == '\n' || end[-1] == ' '))
			*--end = 0;
		if (!*s)
			continue;
		if (!strcmp(s, "}"))
			break;
		n = calloc(1, sizeof(*n));
		if (!n)
			abort();
		if (end - s >= 2 && !strcmp(end - 2, " {")) {
			end[-2] = 0;
			n->key = strdup(s);
			n->child = pb_parse_block(f);
		} else if ((colon = strstr(s, ": "))) {
			*colon = 0;
			n->key = strdup(s);
			n->value = pb_unquote(colon + 2);
		} else {
			n->key = strdup(s);
			n->value = strdup("");
		}
		*tail = n;
		tail = &n->next;
	}
	return first;
}

/* Decodes file as proto's message type; NULL when protoc failed. */
static inline struct pb *pb_decode(const char *proto, const char *type,
				   const char *file)
{
	char cmd[1024], dir[512];
	const char *slash = strrchr(proto, '/');
	struct pb *root;
	FILE *f;

	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - proto) : 1,
		 slash ? proto : ".");
	snprintf(cmd, sizeof(cmd), "protoc --decode=%s -I%s %s < %s", type, dir,
		 proto, file);
	f = popen(cmd, "r");
	if (!f)
		return NULL;
	root = calloc(1, sizeof(*root));
	if (!root)
		abort();
	root->key = strdup(type);
	root->child = pb_parse_block(f);
	if (pclose(f)) {
		root->child = NULL;	/* leaked: a failing test's */
		return NULL;
	}
	return root;
}

static inline void pb_free(struct pb *n)
{
	while (n) {
		struct pb *next = n->next;

		pb_free(n->child);
		free(n->key);
		free(n->value);
		free(n);
		n = next;
	}
}

/* The first field named key in message m (after `after`), or NULL. */
static inline const struct pb *pb_next(const struct pb *m, const char *key,
				       const struct pb *after)
{
	const struct pb *n = after ? after->next : m ? m->child : NULL;

	for (; n; n = n->next)
		if (!strcmp(n->key, key))
			return n;
	return NULL;
}

static inline const struct pb *pb_get(const struct pb *m, const char *key)
{
	return pb_next(m, key, NULL);
}

/* A path of keys, "a.b.c": the first match at each step. */
static inline const struct pb *pb_path(const struct pb *m, const char *path)
{
	char buf[256], *save, *k;

	snprintf(buf, sizeof(buf), "%s", path);
	for (k = strtok_r(buf, ".", &save); k && m; k = strtok_r(NULL, ".", &save))
		m = pb_get(m, k);
	return m;
}

static inline const char *pb_str(const struct pb *m, const char *path)
{
	const struct pb *n = pb_path(m, path);

	return n && n->value ? n->value : NULL;
}

/* A number at path; dflt when absent. */
static inline long long pb_int(const struct pb *m, const char *path,
			       long long dflt)
{
	const char *s = pb_str(m, path);

	return s ? strtoll(s, NULL, 0) : dflt;
}

static inline unsigned long long pb_uint(const struct pb *m, const char *path,
					 unsigned long long dflt)
{
	const char *s = pb_str(m, path);

	return s ? strtoull(s, NULL, 0) : dflt;
}

#define pb_for_each(m, key, it)						\
	for ((it) = pb_next((m), (key), NULL); (it);			\
	     (it) = pb_next((m), (key), (it)))

#endif
