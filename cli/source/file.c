// SPDX-License-Identifier: GPL-2.0-only
/*
 * The recording source: a file `forkscope record` wrote, read back as the
 * stream it was. Its clock is the recording's: a poll delivers the records
 * stamped up to where the clock moves, at once, so a command runs over an
 * hour of recording as fast as the file can be read. Snapshots are
 * delivered whole, wherever they fall.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends.h"
#include "common.h"
#include "core.h"
#include "recfile.h"

struct file_source {
	struct fs_source base;
	struct fs_recr *r;
	char name[256];
	const struct fs_hdr *next;	/* read, not yet delivered */
	uint64_t clock;
	bool done;
	int err;		/* where it was cut or damaged, once done */
	bool in_snapshot;
	bool snapshotted;
};

#define FILE_SOURCE(s)	((struct file_source *)(s))

/*
 * Reads the next record into f->next; 0 at the end of the file, when the
 * clock stops at its end, or a negative errno where it is cut or damaged
 * (again at every call after: a read ahead must not swallow it).
 */
static int peek(struct file_source *f)
{
	int n;

	if (f->next)
		return 1;
	if (f->done)
		return f->err;
	n = fs_recr_next(f->r, &f->next);
	if (n <= 0) {
		f->done = true;
		f->err = n;
		f->next = NULL;
		if (fs_recr_last_ns(f->r) > f->clock)
			f->clock = fs_recr_last_ns(f->r);
	}
	return n;
}

static int deliver_next(struct file_source *f)
{
	const struct fs_hdr *h = f->next;

	if (h->type == FS_REC_SYNC)
		f->in_snapshot = ((const struct fs_rec_sync *)h)->phase ==
				 FS_SYNC_BEGIN;
	f->next = NULL;
	if (h->ts_ns > f->clock)
		f->clock = h->ts_ns;
	fs_source_deliver_checked(&f->base, h);	/* fs_recr_next checked it */
	return 1;
}

/* Delivers up to ns, and a snapshot begun before ns to its end. */
static int file_poll_until(struct fs_source *s, uint64_t ns)
{
	struct file_source *f = FILE_SOURCE(s);
	int count = 0, n;

	while ((n = peek(f)) > 0) {
		if (f->next->ts_ns > ns && !f->in_snapshot)
			break;
		count += deliver_next(f);
	}
	if (n > 0 && ns > f->clock)
		f->clock = ns;
	return n < 0 ? n : count;
}

static int file_poll(struct fs_source *s, int timeout_ms)
{
	struct file_source *f = FILE_SOURCE(s);

	return file_poll_until(s, f->clock + timeout_ms * NSEC_PER_MSEC);
}

/*
 * The first snapshot opens the session: delivered to its end. Later
 * ones are the recording's own, delivered where they fall.
 */
static int file_snapshot(struct fs_source *s, uint32_t gen)
{
	struct file_source *f = FILE_SOURCE(s);
	int n, count = 0;

	(void)gen;
	if (f->snapshotted)
		return 0;
	f->snapshotted = true;
	while ((n = peek(f)) > 0) {
		bool end = f->next->type == FS_REC_SYNC &&
			   ((const struct fs_rec_sync *)f->next)->phase ==
			   FS_SYNC_END;

		count += deliver_next(f);
		if (end)
			return count;
	}
	if (n < 0)
		return n;
	return fs_error(EBADMSG, "%s holds no whole snapshot: nothing to replay",
			f->name);
}

/* The next record's stamp, read ahead; UINT64_MAX past the last. */
static uint64_t file_next_ns(struct fs_source *s)
{
	struct file_source *f = FILE_SOURCE(s);

	return peek(f) > 0 ? f->next->ts_ns : UINT64_MAX;
}

static int file_cow_sample(struct fs_source *s)
{
	(void)s;
	return 0;	/* the recording's samples come where they fall */
}

static void file_losses(struct fs_source *s)
{
	(void)s;	/* the recording's LOST records come where they fell */
}

static uint64_t file_now(const struct fs_source *s)
{
	return FILE_SOURCE(s)->clock;
}

static bool file_done(const struct fs_source *s)
{
	return FILE_SOURCE(s)->done;
}

static const struct fs_file_meta *file_meta(const struct fs_source *s)
{
	return fs_recr_meta(FILE_SOURCE(s)->r);
}

static const struct fs_file_end *file_end(const struct fs_source *s)
{
	return fs_recr_end(FILE_SOURCE(s)->r);
}

static void file_close(struct fs_source *s)
{
	fs_recr_close(FILE_SOURCE(s)->r);
	free(s);
}

static const struct fs_source_ops file_ops = {
	.poll = file_poll,
	.snapshot = file_snapshot,
	.cow_sample = file_cow_sample,
	.losses = file_losses,
	.close = file_close,
	.poll_until = file_poll_until,
	.next_ns = file_next_ns,
	.now = file_now,
	.done = file_done,
	.meta = file_meta,
	.end = file_end,
};

static void take_meta(struct file_source *f, const struct fs_file_meta *m)
{
	struct fs_source *s = &f->base;

	s->cow_kind = m->cow_kind;
	s->cow_copies = m->flags & FS_META_COW_COPIES;
	s->exact_group_dead = m->flags & FS_META_EXACT_GROUP_DEAD;
	s->cow_method = m->cow_method;
	snprintf(s->describe, sizeof(s->describe), "%s", m->source);
	f->clock = m->start_ns;
	fs_set_boot_to_real_ns(m->boot_to_real_ns);
}

struct fs_source *fs_source_file_open(const struct fs_source_opts *opts)
{
	bool std_in = !strcmp(opts->input, "-");
	FILE *in = std_in ? stdin : fopen(opts->input, "re");
	struct file_source *f;

	if (!in) {
		fs_error(errno, "cannot read %s: %s", opts->input,
			 strerror(errno));
		return NULL;
	}
	f = calloc(1, sizeof(*f));
	if (!f) {
		if (!std_in)
			fclose(in);
		fs_error(ENOMEM, "out of memory for a recording");
		return NULL;
	}
	f->base.ops = &file_ops;
	f->base.replay = true;
	snprintf(f->name, sizeof(f->name), "%s",
		 std_in ? "standard input" : opts->input);
	f->r = fs_recr_open(in, f->name);
	if (!f->r) {
		free(f);
		return NULL;
	}
	take_meta(f, fs_recr_meta(f->r));
	return &f->base;
}
