/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A live session: a record source feeding the process model, started with
 * a snapshot, kept whole after losses by a new snapshot. Every command
 * that watches the machine runs one.
 */
#ifndef FS_SESSION_H
#define FS_SESSION_H

#include <stdbool.h>
#include "model.h"
#include "recorder.h"
#include "source.h"

/* Opaque: a command holds it and uses the functions below. */
struct fs_session;

/*
 * Called for every record after the model has applied it, from the first
 * snapshot on: before fs_session_open() has returned.
 */
typedef void (*fs_event_fn)(void *ctx, const struct fs_session *s,
			    const struct fs_hdr *rec,
			    const struct fs_note *note);
/* Called after a resync; swept: tasks found gone unseen. */
typedef void (*fs_resync_fn)(void *ctx, const struct fs_session *s,
			     uint64_t swept);

/* Whose forks have their user stacks captured (--stacks). */
enum fs_stack_targets {
	FS_STACKS_OFF,
	/* trace, record: the selected processes, those forked later too */
	FS_STACKS_SELECTED,
	/*
	 * zombies: each parent of a zombie older than stacks_zombie_ns, from
	 * the first look at it on (every 250 ms), until it exits
	 */
	FS_STACKS_ZOMBIE_PARENTS,
};

struct fs_session_opts {
	struct fs_source_opts source;
	int32_t select_pid;	/* -p: must exist when the session opens */
	const char *select_cgroup;	/* --cgroup (fs_model_filter) */
	const char *select_container;	/* --container: an ambiguous
					 * prefix fails the open (-EINVAL) */
	enum fs_stack_targets stacks;
	uint64_t stacks_zombie_ns;
	fs_event_fn on_event;	/* may be NULL */
	fs_resync_fn on_resync;	/* may be NULL */
	/*
	 * Keeps every record applied (filtered as it says), flushed and
	 * rotated as the session polls; the command finishes it. May be NULL.
	 */
	struct fs_recorder *recorder;
	void *ctx;
};

/* Opens the source, loads the snapshot. NULL on failure: fs_last_error(). */
struct fs_session *fs_session_open(const struct fs_session_opts *o);
/*
 * Applies what arrives within timeout_ms; resyncs after losses. Returns
 * records delivered, or a negative errno (not -EINTR; fs_last_error()
 * says what failed).
 */
int fs_session_poll(struct fs_session *s, int timeout_ms);
/*
 * Polls until ms have passed or a stop was asked for. Replaying, ms of
 * the recording's time pass at once.
 */
int fs_session_run_for(struct fs_session *s, uint64_t ms);
/*
 * Polls until CLOCK_BOOTTIME ns (fs_session_now() reaches it) or a stop
 * was asked for. Replaying, exactly the records stamped up to ns are
 * applied, at once; a negative errno where the recording is cut or
 * damaged, fs_last_error() saying where.
 */
int fs_session_run_until(struct fs_session *s, uint64_t ns);
/*
 * Replaying, the stamp of the next record not yet applied (UINT64_MAX
 * past the last); live, now. A command reading a recording in steps
 * starts each at the next record, so that a stretch of the recording
 * with none, however long (a damaged stamp: centuries), is one step.
 */
uint64_t fs_session_next_ns(struct fs_session *s);
/*
 * Drains what is left and reports final losses. The session's clock
 * stops there: what a view shows after is as of the end of the watch,
 * and a recording kept ends then too.
 */
void fs_session_drain(struct fs_session *s);
/* A new snapshot now, e.g. to refresh SIGCHLD dispositions. */
int fs_session_refresh(struct fs_session *s);
/*
 * Looks at what each process whose forks are captured (--stacks) is
 * doing now, into the model (fs_task_now_of()). Live only: a recording
 * has its looks where they fell. A negative errno when the source
 * cannot look (-ENOTSUP: the module).
 */
int fs_session_look_at_targets(struct fs_session *s);
/* A PID budget reading into the model (and any recording kept). */
int fs_session_pids_sample(struct fs_session *s);
/* Reads every process's COW counters into the model; -ENOTSUP when off. */
int fs_session_cow_sample(struct fs_session *s);
void fs_session_close(struct fs_session *s);

/* What the session knows of the machine, for views to show. */
const struct fs_model *fs_session_model(const struct fs_session *s);
/* When it started watching: CLOCK_BOOTTIME ns, after the first snapshot. */
uint64_t fs_session_start_ns(const struct fs_session *s);
/*
 * Now, for every age and duration a view shows: fs_boot_ns() live; when
 * replaying, the recording's time up to which records were applied.
 */
uint64_t fs_session_now(const struct fs_session *s);
/*
 * A replayed recording has been read to its end: polling delivers no
 * more. Never true live.
 */
bool fs_session_done(const struct fs_session *s);
/* Fills what the session's source says of a recording made from it. */
void fs_session_fill_meta(const struct fs_session *s, struct fs_file_meta *m);
/*
 * The END of the recording being replayed, once read to it; NULL live or
 * when the recording was cut short.
 */
const struct fs_file_end *fs_session_end(const struct fs_session *s);
/* The recording being replayed (who, where, how), or NULL when live. */
const struct fs_file_meta *fs_session_meta(const struct fs_session *s);
/* What its COW counters count, for every output; NULL when off. */
const char *fs_session_cow_method(const struct fs_session *s);
/* Whether descriptors inherited across exec are listed (exec-fds). */
bool fs_session_exec_fds(const struct fs_session *s);
/* Its source's counts of records and losses, and what the source is. */
const struct fs_stream_stats *fs_session_stats(const struct fs_session *s);
/* The source's in-kernel counters (fs_source_counters()), summed. */
int fs_session_counters(struct fs_session *s, uint64_t *out);
const char *fs_session_describe(const struct fs_session *s);

/* SIGINT/SIGTERM ask every loop to stop. */
void fs_stop_on_signals(void);
/* The signal that asked to stop, or 0. */
int fs_stop_requested(void);

#endif
