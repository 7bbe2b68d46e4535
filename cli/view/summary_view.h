/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a trace saw, said when it ends, and the note a resync leaves in
 * the stream: for people (on stderr, beside the events) and as JSON.
 */
#ifndef FS_SUMMARY_VIEW_H
#define FS_SUMMARY_VIEW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "decode.h"
#include "model.h"

struct fs_trace_summary {
	uint64_t ns;				/* traced for */
	const char *source;			/* how, for people */
	const struct fs_stream_stats *stats;
	const uint64_t *shown;			/* events shown, by type */
	unsigned int types;			/* bit per type that could be */
	bool cow;				/* COW faults were counted */
	const struct fs_model *model;
};

void fs_summary_text(FILE *f, const struct fs_trace_summary *s);
void fs_summary_json(FILE *f, const struct fs_trace_summary *s);

/* Records were lost: the table was rebuilt; swept tasks had gone unseen. */
void fs_resync_text(FILE *f, uint64_t lost, uint64_t swept);
void fs_resync_json(FILE *f, uint64_t now_ns, uint64_t lost, uint64_t swept);

#endif
