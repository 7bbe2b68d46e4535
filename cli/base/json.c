// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>
#include <sys/wait.h>

#include "json.h"
#include "status.h"

void fs_json_emit(FILE *f, struct json_object *o)
{
	fputs(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
					     JSON_C_TO_STRING_NOSLASHESCAPE), f);
	fputc('\n', f);
	json_object_put(o);
}

void fs_json_add_str(struct json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, v ? json_object_new_string(v) : NULL);
}

void fs_json_add_int(struct json_object *o, const char *key, int64_t v)
{
	json_object_object_add(o, key, json_object_new_int64(v));
}

void fs_json_add_u64(struct json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_uint64(v));
}

void fs_json_add_bool(struct json_object *o, const char *key, int v)
{
	json_object_object_add(o, key, json_object_new_boolean(v));
}

void fs_json_add_fixed(struct json_object *o, const char *key, int64_t v,
		       unsigned int decimals)
{
	uint64_t scale = 1, mag = v < 0 ? -(uint64_t)v : (uint64_t)v;
	char text[48];

	if (decimals > 18)	/* 10^19 overflows */
		decimals = 18;
	for (unsigned int i = 0; i < decimals; i++)
		scale *= 10;
	if (scale == 1)
		snprintf(text, sizeof(text), "%lld", (long long)v);
	else
		snprintf(text, sizeof(text), "%s%llu.%0*llu", v < 0 ? "-" : "",
			 (unsigned long long)(mag / scale), (int)decimals,
			 (unsigned long long)(mag % scale));
	/* The value for readers of the object; text is what is written. */
	json_object_object_add(o, key,
			       json_object_new_double_s((double)v / scale, text));
}

void fs_json_add_status(struct json_object *o, const char *key, uint32_t st)
{
	struct json_object *s = json_object_new_object();
	char buf[64];

	fs_json_add_int(s, "raw", st);
	fs_json_add_str(s, "text", fs_status_str(buf, sizeof(buf), st));
	if (WIFEXITED(st)) {
		fs_json_add_str(s, "kind", "exited");
		fs_json_add_int(s, "code", WEXITSTATUS(st));
	} else if (WIFSIGNALED(st)) {
		fs_json_add_str(s, "kind", "killed");
		fs_json_add_int(s, "signo", WTERMSIG(st));
		fs_json_add_str(s, "signal",
				fs_signal_name(buf, sizeof(buf), WTERMSIG(st)));
		fs_json_add_bool(s, "core_dumped", WCOREDUMP(st));
	} else if (WIFSTOPPED(st)) {
		fs_json_add_str(s, "kind", "stopped");
		fs_json_add_int(s, "signo", WSTOPSIG(st));
	} else if (WIFCONTINUED(st)) {
		fs_json_add_str(s, "kind", "continued");
	}
	json_object_object_add(o, key, s);
}
