// SPDX-License-Identifier: GPL-2.0-only
#include <stdbool.h>
#include <string.h>

#include "escape.h"

/* Writes into a fixed buffer, keeping room for the NUL; drops the rest. */
struct out {
	char *p;
	char *end;	/* the last byte, kept for the NUL */
};

static void put(struct out *o, const char *s, size_t n)
{
	if (n > (size_t)(o->end - o->p))
		n = o->end - o->p;
	memcpy(o->p, s, n);
	o->p += n;
}

static void put_byte(struct out *o, unsigned char ch, bool quote,
		     enum fs_escape how)
{
	static const char hex[] = "0123456789abcdef";
	char c[4];

	if (how == FS_ESC_PROM && (ch < 0x20 || ch >= 0x7f)) {
		c[0] = '\\', c[1] = '\\', c[2] = 'x';
		put(o, c, 3);
		c[0] = hex[ch >> 4], c[1] = hex[ch & 15];
		put(o, c, 2);
	} else if (ch < 0x20 || ch == 0x7f) {
		c[0] = '\\', c[1] = 'x', c[2] = hex[ch >> 4], c[3] = hex[ch & 15];
		put(o, c, 4);
	} else if (quote && ch == '\'') {
		put(o, "'\\''", 4);
	} else if ((how == FS_ESC_DOT || how == FS_ESC_PROM) &&
		   (ch == '"' || ch == '\\')) {
		c[0] = '\\', c[1] = ch;
		put(o, c, 2);
	} else if (o->p < o->end) {
		*o->p++ = ch;
	}
}

char *fs_escape(char *dst, size_t len, const char *s, enum fs_escape how)
{
	struct out o = { dst, dst + len - 1 };
	bool quote = how == FS_ESC_SHELL &&
		     (!*s || strpbrk(s, " \t'\"\\$`&|;<>()*?[]#~{}!"));

	if (!len)
		return dst;
	if (quote)
		put(&o, "'", 1);
	for (; *s && o.p < o.end; s++)
		put_byte(&o, *s, quote, how);
	if (quote)
		put(&o, "'", 1);
	*o.p = 0;
	return dst;
}
