// SPDX-License-Identifier: GPL-2.0-only
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"

struct out {
	char *p;
	size_t left;
};

static void put(struct out *o, const char *s)
{
	size_t n = strlen(s);

	if (n >= o->left)
		n = o->left ? o->left - 1 : 0;
	memcpy(o->p, s, n);
	o->p += n;
	o->left -= n;
	*o->p = 0;
}

char *fs_escape(char *dst, size_t len, const char *s, enum fs_escape how)
{
	struct out o = { dst, len };
	bool quote = how == FS_ESC_SHELL &&
		     (!*s || strpbrk(s, " \t'\"\\$`&|;<>()*?[]#~{}!"));
	char c[8];

	if (!len)
		return dst;
	*dst = 0;
	if (quote)
		put(&o, "'");
	for (; *s; s++) {
		unsigned char ch = *s;

		if (ch < 0x20 || ch == 0x7f)
			snprintf(c, sizeof(c), "\\x%02x", ch);
		else if (quote && ch == '\'')
			snprintf(c, sizeof(c), "'\\''");
		else if (how == FS_ESC_DOT && (ch == '"' || ch == '\\'))
			snprintf(c, sizeof(c), "\\%c", ch);
		else
			snprintf(c, sizeof(c), "%c", ch);
		put(&o, c);
	}
	if (quote)
		put(&o, "'");
	return dst;
}
