/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reports that come again and again (cow, tree --follow), like top: on a
 * terminal each one redraws the screen in place, cut to its size; in
 * batch mode (not a terminal, -b) each one follows the last as written.
 * A view writes a frame into the FILE that fs_screen_begin() hands it.
 */
#ifndef FS_SCREEN_H
#define FS_SCREEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct fs_screen {
	FILE *out;
	bool batch;
	int frames;		/* drawn so far */
	int rows, cols;		/* the terminal's, read at each frame */
	char *buf;		/* the frame being written */
	size_t len;
	FILE *frame;
};

/* batch: write frames as they are (not a terminal, -b, JSON). */
void fs_screen_init(struct fs_screen *s, FILE *out, bool batch);
/* Where the view writes the next frame; NULL when out of memory. */
FILE *fs_screen_begin(struct fs_screen *s);
/*
 * Shows the frame: on a terminal from its top left corner, each line cut
 * to the terminal's width (UTF-8 counted by characters), as many lines as
 * fit, and the rest of the screen cleared, so nothing scrolls. Returns
 * fs_output_check()'s result for out.
 */
int fs_screen_end(struct fs_screen *s, const char *name);
/* Frees what the frames used. */
void fs_screen_free(struct fs_screen *s);

#endif
