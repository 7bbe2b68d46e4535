/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Traced strings (comm, argv, file names) are the traced program's bytes:
 * they may hold escape sequences or quotes. Every text view writes them
 * through here.
 */
#ifndef FS_ESCAPE_H
#define FS_ESCAPE_H

#include <stddef.h>

enum fs_escape {
	FS_ESC_TERMINAL,	/* control bytes as \xNN */
	FS_ESC_SHELL,		/* and single-quoted when a shell would split it */
	FS_ESC_DOT,		/* inside a Graphviz "..." label */
	FS_ESC_PROM,		/* a Prometheus label value: \\ and \", and
				 * control bytes and bytes past ASCII as the
				 * text \xNN (a value must be UTF-8) */
	FS_ESC_READABLE,	/* as SHELL, but newline and tab as \\n, \\t:
				 * a script given with -c stays legible */
};

/* Writes s into dst (always NUL-terminated); returns dst. */
char *fs_escape(char *dst, size_t len, const char *s, enum fs_escape how);

/*
 * argv as one line for people: each argument FS_ESC_READABLE, cut to
 * width columns with an ellipsis when longer. Returns dst.
 */
char *fs_escape_cmdline(char *dst, size_t len, char *const *argv,
			size_t width);
/* Columns s takes on a terminal: UTF-8 sequences count one each. */
size_t fs_columns(const char *s);
/* Cuts s (in place) to width columns, ending it with "…" when cut. */
void fs_cut_columns(char *s, size_t width);

#endif
