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
	} else if (how == FS_ESC_READABLE && (ch == '\n' || ch == '\t')) {
		c[0] = '\\', c[1] = ch == '\n' ? 'n' : 't';
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
	bool quote = (how == FS_ESC_SHELL || how == FS_ESC_READABLE) &&
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

size_t fs_columns(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

void fs_cut_columns(char *s, size_t width)
{
	static const char ellipsis[] = "\u2026";
	size_t n = 0;
	char *p, *cut = NULL;

	if (!width || fs_columns(s) <= width) {
		if (!width)
			*s = 0;
		return;
	}
	/* Keep width - 1 columns, whole UTF-8 sequences, then the ellipsis. */
	for (p = s; *p; p++) {
		if (((unsigned char)*p & 0xc0) == 0x80)
			continue;
		if (n++ == width - 1) {
			cut = p;
			break;
		}
	}
	if (!cut)
		return;
	/* The ellipsis takes 3 bytes: give up one more column for them. */
	while (strlen(cut) < sizeof(ellipsis) - 1 && cut > s)
		while (--cut > s && ((unsigned char)*cut & 0xc0) == 0x80)
			;
	if (strlen(cut) >= sizeof(ellipsis) - 1)
		memcpy(cut, ellipsis, sizeof(ellipsis));
	else
		*cut = 0;
}

char *fs_escape_cmdline(char *dst, size_t len, char *const *argv,
			size_t width)
{
	size_t used = 0;

	if (!len)
		return dst;
	*dst = 0;
	for (char *const *a = argv; *a && used + 1 < len; a++) {
		if (a != argv)
			dst[used++] = ' ', dst[used] = 0;
		fs_escape(dst + used, len - used, *a, FS_ESC_READABLE);
		used += strlen(dst + used);
	}
	fs_cut_columns(dst, width);
	return dst;
}
