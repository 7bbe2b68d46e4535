// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common.h"
#include "escape.h"
#include "screen.h"

void fs_screen_init(struct fs_screen *s, FILE *out, bool batch)
{
	*s = (struct fs_screen){ .out = out, .batch = batch };
}

/* The terminal's size now: a resize shows at the next frame. */
static void measure(struct fs_screen *s)
{
	struct winsize ws;

	s->rows = 24;
	s->cols = 80;
	if (!ioctl(fileno(s->out), TIOCGWINSZ, &ws) && ws.ws_row && ws.ws_col) {
		s->rows = ws.ws_row;
		s->cols = ws.ws_col;
	}
}

FILE *fs_screen_begin(struct fs_screen *s)
{
	if (s->batch)
		return s->out;
	free(s->buf);
	s->buf = NULL;
	s->frame = open_memstream(&s->buf, &s->len);
	return s->frame;
}

/*
 * Home, each line then "clear to its end", and below the last one
 * "clear to the end of the screen": the old frame is overwritten, never
 * scrolled. The first frame clears the screen of what was there before.
 * The last line has no newline, which would scroll a full screen.
 */
static void draw(struct fs_screen *s)
{
	char *line = s->buf, *nl;
	int row = 0;

	fputs(s->frames ? "\033[H" : "\033[H\033[2J", s->out);
	for (; *line && row < s->rows; line = nl ? nl + 1 : line + strlen(line)) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = 0;
		fs_cut_columns(line, s->cols);
		fprintf(s->out, "%s%s\033[K", row ? "\n" : "", line);
		row++;
		if (!nl)
			break;
	}
	fputs("\033[J", s->out);
}

int fs_screen_end(struct fs_screen *s, const char *name)
{
	if (!s->batch) {
		if (!s->frame || fclose(s->frame))
			return fs_error(ENOMEM, "out of memory for a frame");
		s->frame = NULL;
		measure(s);
		draw(s);
	}
	s->frames++;
	return fs_output_check(s->out, name);
}

void fs_screen_free(struct fs_screen *s)
{
	if (s->frame)
		fclose(s->frame);
	free(s->buf);
	s->frame = NULL;
	s->buf = NULL;
}
