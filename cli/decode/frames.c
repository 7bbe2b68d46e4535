// SPDX-License-Identifier: GPL-2.0-only
#include <string.h>

#include "frames.h"

_Static_assert(FS_FRAMES_MAX_SIZE <= 65535, "a record's size is 16 bits");

/*
 * Appends s (cut to FS_FRAMES_STR_MAX) to the strings at *at; its offset
 * + 1, or 0 for none; the previous frame's same string, prev, is shared.
 */
static uint32_t put(char *strings, size_t *at, const char *s, uint32_t prev)
{
	size_t n;
	uint32_t off;

	if (!s)
		return 0;
	n = strnlen(s, FS_FRAMES_STR_MAX - 1);
	if (prev && !strncmp(strings + prev - 1, s, n) &&
	    !strings[prev - 1 + n])
		return prev;
	memcpy(strings + *at, s, n);
	strings[*at + n] = 0;
	off = *at + 1;
	*at += n + 1;
	return off;
}

size_t fs_frames_build(void *buf, const struct fs_hdr *rec, unsigned int what,
		       const struct fs_stack *st)
{
	static const struct fs_rec_frame none;
	struct fs_rec_frames *r = buf;
	struct fs_rec_frame *f = (struct fs_rec_frame *)(r + 1);
	char *strings = (char *)(f + st->nr);
	size_t used = 0, size;

	if (st->nr > FS_STACK_MAX_IPS)
		return 0;
	memset(r, 0, sizeof(*r));
	r->hdr = *rec;
	r->hdr.type = FS_REC_FRAMES;
	r->hdr.fixed = sizeof(*r);
	r->rec_type = rec->type;
	r->nr = st->nr;
	r->what = what;
	r->method = st->method;
	r->partial = st->partial;
	for (uint32_t i = 0; i < st->nr; i++) {
		const struct fs_frame *in = &st->frames[i];
		const struct fs_rec_frame *p = i ? &f[i - 1] : &none;

		memset(&f[i], 0, sizeof(f[i]));
		f[i].addr = in->addr;
		f[i].offset = in->offset;
		f[i].line = in->line;
		f[i].module = put(strings, &used, in->module, p->module);
		f[i].build_id = put(strings, &used, in->build_id, p->build_id);
		f[i].function = put(strings, &used, in->function, p->function);
		f[i].file = put(strings, &used, in->file, p->file);
	}
	r->strings_len = used;
	size = FS_ALIGN8(sizeof(*r) + st->nr * sizeof(*f) + used);
	memset(strings + used, 0, size - (sizeof(*r) + st->nr * sizeof(*f) +
					  used));
	r->hdr.size = size;
	return size;
}

static const char *str(const struct fs_rec_frames *r, uint32_t off)
{
	const char *strings = (const char *)fs_frames_of(r) +
			      r->nr * sizeof(struct fs_rec_frame);

	return off ? strings + off - 1 : NULL;
}

void fs_frames_stack(const struct fs_rec_frames *r, struct fs_stack *st,
		     struct fs_frame *frames)
{
	const struct fs_rec_frame *f = fs_frames_of(r);

	st->method = r->method;
	st->partial = r->partial;
	st->nr = r->nr;
	st->frames = frames;
	for (uint32_t i = 0; i < r->nr; i++) {
		frames[i].addr = f[i].addr;
		frames[i].offset = f[i].offset;
		frames[i].line = f[i].line;
		frames[i].module = str(r, f[i].module);
		frames[i].build_id = str(r, f[i].build_id);
		frames[i].function = str(r, f[i].function);
		frames[i].file = str(r, f[i].file);
	}
}
