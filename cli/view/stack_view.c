// SPDX-License-Identifier: GPL-2.0-only
#include <inttypes.h>
#include <string.h>

#include "stack_view.h"

static const char *base_name(const char *path)
{
	const char *slash = path ? strrchr(path, '/') : NULL;

	return slash ? slash + 1 : path;
}

/* "name (file.c:12)", "name+0x1c [libfoo.so]", or the bare address. */
void fs_frame_text(FILE *f, const struct fs_frame *fr)
{
	if (fr->function)
		fputs(fr->function, f);
	else
		fprintf(f, "0x%" PRIx64, fr->addr);
	if (fr->file && fr->line)
		fprintf(f, " (%s:%u)", base_name(fr->file), fr->line);
	else if (fr->function)
		fprintf(f, "+0x%" PRIx64 " [%s]", fr->offset,
			fr->module ? base_name(fr->module) : "?");
	else if (fr->module)
		fprintf(f, " [%s]", base_name(fr->module));
}

static const char *method_words(const struct fs_stack *s)
{
	switch (s->method) {
	case FS_STACK_DWARF:
		return "unwound by DWARF CFI";
	case FS_STACK_FP:
		return "frame pointers";
	case FS_STACK_NONE:
		return "no user registers";
	default:
		return "[exited]";
	}
}

void fs_site_line(FILE *f, const struct fs_site *s, uint32_t max)
{
	const struct fs_stack *st = &s->stack;
	uint32_t end = st->nr;

	if (!st->nr) {
		fputs(st->method == FS_STACK_EXITED ? "[exited]" :
		      "[no stack]", f);
		return;
	}
	if (max && s->frame + max < end)
		end = s->frame + max;
	for (uint32_t i = s->frame; i < end; i++) {
		if (i > s->frame)
			fputs(" <- ", f);
		fs_frame_text(f, &st->frames[i]);
	}
	if (end < st->nr)
		fputs(" <- ...", f);
	else if (st->partial)
		fputs(" <- [partial]", f);
}

void fs_site_text(FILE *f, const struct fs_site *s, const char *indent)
{
	const struct fs_stack *st = &s->stack;

	fprintf(f, "%sforked from (%s%s):%s\n", indent, method_words(st),
		st->partial ? ", partial" : "", st->nr ? "" : " nothing named");
	for (uint32_t i = s->frame; i < st->nr; i++) {
		fprintf(f, "%s  #%-2u ", indent, i - s->frame);
		fs_frame_text(f, &st->frames[i]);
		fputc('\n', f);
	}
}

void fs_frame_json(struct fs_json *j, const char *key,
		   const struct fs_frame *fr)
{
	fs_json_object(j, key);
	fs_json_u64(j, "address", fr->addr);
	fs_json_str(j, "module", fr->module);
	fs_json_str(j, "build_id", fr->build_id);
	fs_json_str(j, "function", fr->function);
	fs_json_u64(j, "offset", fr->offset);
	fs_json_str(j, "file", fr->file);
	fs_json_int(j, "line", fr->line);
	fs_json_close(j);
}

void fs_site_json(struct fs_json *j, const char *key, const struct fs_site *s)
{
	const struct fs_stack *st = &s->stack;

	fs_json_object(j, key);
	fs_json_str(j, "method", fs_stack_method_name(st->method));
	fs_json_bool(j, "partial", st->partial);
	fs_json_int(j, "site_frame", s->frame);
	fs_json_array(j, "frames");
	for (uint32_t i = 0; i < st->nr; i++)
		fs_frame_json(j, NULL, &st->frames[i]);
	fs_json_close(j);
	fs_json_close(j);
}
