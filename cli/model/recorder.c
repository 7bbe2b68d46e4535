// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "frames.h"
#include "recfile.h"
#include "recorder.h"
#include "source.h"

void fs_recorder_init(struct fs_recorder *r, const struct fs_recorder_opts *o)
{
	memset(r, 0, sizeof(*r));
	r->o = *o;
}

/*
 * Filtered, a recording keeps the snapshots whole (the replay's model
 * needs them), every loss, cgroup name and PID budget reading, whatever released a selected
 * task (init's wait for an orphan: the zombie's end is when it was), and
 * the events asked for.
 */
static bool keep(const struct fs_recorder *r, const struct fs_hdr *rec,
		 const struct fs_note *n)
{
	static const struct fs_event_filter all = { .events = FS_ALL_EVENTS };
	const struct fs_event_filter *f = r->o.filter ? r->o.filter : &all;

	if (!r->o.filter && !r->o.selected_only)
		return true;
	if (n->released && n->gone_selected)
		return true;
	switch (rec->type) {
	case FS_REC_SYNC:
	case FS_REC_TASK:
	case FS_REC_LOST:
	case FS_REC_CGROUP_PATH:
	case FS_REC_PIDS:
		return true;
	case FS_REC_COW:
		return n->selected;
	case FS_REC_REAP:
		return n->selected || n->gone_selected;
	default:
		return fs_event_wanted(f, rec, n);
	}
}

static int start_part(struct fs_recorder *r, const struct fs_source *src)
{
	if (!r->meta.start_ns)	/* the session's start, else now */
		r->meta.start_ns = fs_source_now(src);
	r->meta.part = r->parts;
	fs_source_fill_meta(src, &r->meta);
	r->w = fs_recw_open(r->o.path, &r->meta);
	if (!r->w)
		return -EIO;
	r->parts++;
	r->flushed_ns = r->meta.start_ns;
	return 0;
}

/* The frames record for rec's stack, written before it. */
static void add_frames(struct fs_recorder *r, const struct fs_hdr *rec,
		       unsigned int what, const struct fs_stack *st)
{
	static uint64_t buf[FS_FRAMES_MAX_SIZE / 8 + 1];
	size_t size = fs_frames_build(buf, rec, what, st);

	if (size && !r->err)
		r->err = fs_recw_add(r->w, (const struct fs_hdr *)buf);
}

void fs_recorder_event(struct fs_recorder *r, const struct fs_hdr *rec,
		       const struct fs_note *n, const struct fs_source *src)
{
	/* A replay's own names: written anew before their records. */
	if (r->err || r->full || rec->type == FS_REC_FRAMES ||
	    !keep(r, rec, n))
		return;
	if (!r->w && (r->err = start_part(r, src)))
		return;
	/* Named as resolved now: read back elsewhere, or once it is gone. */
	if (n->stack && n->stack->nr)
		add_frames(r, rec, FS_FRAMES_STACK, n->stack);
	if (n->handler && n->handler->nr)
		add_frames(r, rec, FS_FRAMES_HANDLER, n->handler);
	if (n->kernel && n->kernel->nr)
		add_frames(r, rec, FS_FRAMES_KERNEL, n->kernel);
	if (!r->err)
		r->err = fs_recw_add(r->w, rec);
}

/* Closes the part being written; its END says why. */
static int end_part(struct fs_recorder *r, uint32_t reason, int status,
		    uint64_t now_ns)
{
	struct fs_file_end end = {
		.end_ns = now_ns,
		.reason = reason,
		.command_status = status,
	};
	uint64_t bytes = 0;
	int err;

	if (!r->w)
		return r->err;
	err = fs_recw_close(r->w, &end, &bytes);
	r->w = NULL;
	r->bytes_done += bytes;
	r->records_done += end.records;
	return r->err ? r->err : err;
}

/* FILE -> FILE.1 -> ... -> FILE.N; the oldest goes. */
static int shift_parts(const struct fs_recorder *r)
{
	size_t len = strlen(r->o.path) + 24;
	char from[len], to[len];

	for (long i = r->o.rotate; i >= 1; i--) {
		if (i > 1)
			snprintf(from, len, "%s.%ld", r->o.path, i - 1);
		else
			snprintf(from, len, "%s", r->o.path);
		snprintf(to, len, "%s.%ld", r->o.path, i);
		if (rename(from, to) && errno != ENOENT)
			return fs_error(errno, "cannot rename %s to %s: %s",
					from, to, strerror(errno));
	}
	return 0;
}

/* The next part reads on its own: it starts with a snapshot. */
static int rotate(struct fs_recorder *r, const struct fs_source *src,
		  uint64_t now_ns)
{
	int err = end_part(r, FS_END_ROTATED, 0, now_ns);

	if (!err)
		err = shift_parts(r);
	r->meta.start_ns = now_ns;
	if (!err)
		err = start_part(r, src);
	r->rotating = !err;
	return err;
}

int fs_recorder_tick(struct fs_recorder *r, const struct fs_source *src,
		     uint64_t now_ns)
{
	if (r->err || !r->w)
		return r->err;
	if (now_ns - r->flushed_ns >= FS_FILE_FLUSH_MS * NSEC_PER_MSEC) {
		r->err = fs_recw_flush(r->w);
		r->flushed_ns = now_ns;
	}
	/* Counted compressed, the buffer at a guess of 8 to 1. */
	if (!r->err && r->o.max_bytes &&
	    fs_recw_bytes(r->w) + fs_recw_buffered(r->w) / 8 >= r->o.max_bytes) {
		if (r->o.rotate)
			r->err = rotate(r, src, now_ns);
		else
			r->full = true;
	}
	return r->err;
}

int fs_recorder_finish(struct fs_recorder *r, uint32_t reason, int status,
		       uint64_t now_ns)
{
	return end_part(r, r->full ? FS_END_MAX_SIZE : reason, status, now_ns);
}

void fs_recorder_abandon(struct fs_recorder *r)
{
	fs_recw_abandon(r->w);
	r->w = NULL;
}
