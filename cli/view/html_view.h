/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * forkscope export --html: the timeline as one self-contained HTML page
 * (cli/view/html/: its template, style and code; the data is one JSON
 * object inside it, schema in docs/json.md, "export --html").
 *
 * The page is drawn once the stream has ended, from the timeline kept
 * whole (fs_timeline_opts.keep). What trace --explain would have printed
 * for each event, its line and its sentence, is gathered while the
 * records are applied, since it is worded from the model as it was then;
 * the page shows it on hover.
 */
#ifndef FS_HTML_VIEW_H
#define FS_HTML_VIEW_H

#include <stdio.h>
#include "forkscope/file.h"
#include "forkscope/record.h"
#include "model.h"
#include "timeline.h"

struct fs_html;

/* NULL when out of memory (fs_last_error()). */
struct fs_html *fs_html_new(void);
/*
 * From a session's on_event, after the model applied the record: keeps
 * the record's trace line and explanation, and those of the reap it
 * revealed, for the selected tasks' events the page draws.
 */
void fs_html_capture(struct fs_html *h, const struct fs_model *m,
		     const struct fs_hdr *rec, const struct fs_note *note);
/*
 * Writes the page: a lane per process of tl (kept whole, finished), the
 * header from meta (the recording's; NULL: none). 0, or a negative errno
 * (fs_last_error() says why); write errors show in ferror(f).
 */
int fs_html_write(FILE *f, struct fs_html *h, const struct fs_timeline *tl,
		  const struct fs_file_meta *meta);
void fs_html_free(struct fs_html *h);

#endif
