/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Recording a session: every record it applies, kept in a file (decode/
 * recfile.h) as the model noted it, filtered as asked, flushed every
 * second, rotated at a size. `record` is a session with one; any command
 * can keep its own (--record).
 */
#ifndef FS_RECORDER_H
#define FS_RECORDER_H

#include <stdbool.h>
#include <stdint.h>
#include "event_filter.h"
#include "forkscope/file.h"
#include "model.h"

struct fs_recw;
struct fs_source;

struct fs_recorder_opts {
	const char *path;
	uint64_t max_bytes;	/* 0: no limit */
	long rotate;		/* files kept before the current one */
	/* NULL: every record; else only these events (and snapshots,
	 * losses, cgroup names, whole). */
	const struct fs_event_filter *filter;
	/* Only the tasks the model selects (-p, --cgroup, --container). */
	bool selected_only;
};

struct fs_recorder {
	struct fs_recorder_opts o;
	struct fs_file_meta meta;	/* fill its selection and command */
	struct fs_recw *w;
	int err;		/* the first failure to write */
	bool full;		/* max_bytes reached without rotate */
	bool rotating;		/* a new part wants a snapshot */
	uint32_t parts;		/* files started */
	uint64_t bytes_done, records_done;	/* of the closed parts */
	uint64_t flushed_ns;
};

void fs_recorder_init(struct fs_recorder *r, const struct fs_recorder_opts *o);
/*
 * Keeps rec if asked; the first record opens the file, with what src
 * says of the machine and itself in the meta.
 */
void fs_recorder_event(struct fs_recorder *r, const struct fs_hdr *rec,
		       const struct fs_note *n, const struct fs_source *src);
/*
 * After each poll: flushes a block every FS_FILE_FLUSH_MS, and at
 * max_bytes starts the next part (the caller then takes a snapshot, as
 * r->rotating says) or stops keeping (r->full). A negative errno, with
 * fs_last_error(), on failure.
 */
int fs_recorder_tick(struct fs_recorder *r, const struct fs_source *src,
		     uint64_t now_ns);
/*
 * Writes the END (reason FS_END_*, the command's wait status) and closes
 * the file; r keeps the totals.
 */
int fs_recorder_finish(struct fs_recorder *r, uint32_t reason, int status,
		       uint64_t now_ns);
/* Abandons the file as a kill would: no END. */
void fs_recorder_abandon(struct fs_recorder *r);

#endif
