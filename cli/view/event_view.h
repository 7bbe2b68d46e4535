/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Views of one event (a record plus what the model made of it): a text
 * line for people, a JSON object for scripts (schema: docs/json.md).
 */
#ifndef FS_EVENT_VIEW_H
#define FS_EVENT_VIEW_H

#include <stdio.h>
#include "forkscope/record.h"
#include "model.h"

/*
 * m: the model the note came from (it names cgroups); explain: a sentence
 * to add (trace --explain), or NULL. A text line ends with its subject's
 * container when that is not the host's (fs_container_text()).
 */
void fs_event_text_header(FILE *f);
void fs_event_text(FILE *f, const struct fs_model *m, const struct fs_hdr *rec,
		   const struct fs_note *note, const char *explain);
void fs_event_json(FILE *f, const struct fs_model *m, const struct fs_hdr *rec,
		   const struct fs_note *note, const char *explain);
/* The reap a record revealed (note->released), at the record's time. */
void fs_release_text(FILE *f, const struct fs_model *m, uint64_t ts_ns,
		     const struct fs_note *note, const char *explain);
void fs_release_json(FILE *f, uint64_t ts_ns, const struct fs_note *note,
		     const char *explain);

#endif
