/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one JSON writer. It streams: each call appends its text to a buffer
 * that goes to the FILE when full and at the end of the line, with no
 * tree of objects in between (building, hashing and freeing one per record
 * was most of the cost of trace --json).
 *
 *	struct fs_json j;
 *
 *	fs_json_begin(&j, stdout);
 *	fs_json_object(&j, NULL);
 *	fs_json_str(&j, "event", "exit");
 *	fs_json_status(&j, "status", st);
 *	fs_json_array(&j, "argv");
 *	fs_json_str(&j, NULL, arg);
 *	fs_json_close(&j);
 *	fs_json_close(&j);
 *	fs_json_end(&j);		// {"event":"exit","status":{...},"argv":["..."]}\n
 *
 * Inside an object every value takes a key, inside an array none does, and
 * a line holds one value. Breaking that is a bug in forkscope, not bad
 * input: the writer says so on stderr and aborts, rather than print JSON
 * that no reader can parse. Write errors show in ferror(f), which callers
 * check once (fs_output_check()).
 *
 * Strings (keys too) are written per RFC 8259: '"' and '\' escaped,
 * control bytes as \b \f \n \r \t or \u00XX, '/' and DEL as they are.
 * Traced strings are the traced program's bytes, not always UTF-8: a byte
 * that is not part of a well-formed UTF-8 sequence is written as U+FFFD,
 * so every line is valid UTF-8 (docs/json.md).
 */
#ifndef FS_JSON_H
#define FS_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* tree --json nests two levels per process level (tree_view.c: 4096). */
#define FS_JSON_MAX_DEPTH	8256

struct fs_json {
	FILE *f;
	size_t len;		/* bytes in buf */
	unsigned int depth;	/* containers open */
	bool comma;		/* the open container has a member already */
	bool done;		/* the line's one value is (being) written */
	uint8_t array[FS_JSON_MAX_DEPTH / 8];	/* bit per depth: [ or { */
	char buf[4096];
};

void fs_json_begin(struct fs_json *j, FILE *f);
/* Ends the line (exactly one complete value) and writes it all out. */
void fs_json_end(struct fs_json *j);

/* key: the member's name inside an object, NULL inside an array or alone. */
void fs_json_object(struct fs_json *j, const char *key);
void fs_json_array(struct fs_json *j, const char *key);
/* Closes the innermost open object or array. */
void fs_json_close(struct fs_json *j);

/* v NULL writes null. */
void fs_json_str(struct fs_json *j, const char *key, const char *v);
void fs_json_int(struct fs_json *j, const char *key, int64_t v);
void fs_json_u64(struct fs_json *j, const char *key, uint64_t v);
void fs_json_bool(struct fs_json *j, const char *key, bool v);
void fs_json_null(struct fs_json *j, const char *key);
/*
 * v / 10^decimals, written with exactly that many decimals: 0.050249063
 * for (50249063, 9). A decimal is printed at the precision it has, never
 * as a double's binary noise (0.050249062999999997). Counts and
 * nanoseconds are integers: fs_json_u64().
 */
void fs_json_fixed(struct fs_json *j, const char *key, int64_t v,
		   unsigned int decimals);
/*
 * A wait-status word: {"raw": N, "text": "exit 3", "kind": "exited",
 * "code": 3} and the like (docs/json.md).
 */
void fs_json_status(struct fs_json *j, const char *key, uint32_t status);

#endif
