/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The timeline: every task's life as dated events, for the exports that
 * draw lives on a time axis (Perfetto, HTML). Built from a session's
 * stream: the command's on_event callback hands each record and the
 * model's note to fs_timeline_apply(), live or replaying a recording
 * alike.
 *
 * Per task (a process leader or a thread) it keeps: pid, tgid, the parent
 * at fork, the forking thread, command names, when it began (its fork, or
 * when it was first seen: FS_TL_SEEN), its execs (filename, argv; failed
 * ones with their errno), failed forks, its exit (status: code, signal,
 * core), for a process when its last thread exited (it is a zombie from
 * then) and when it was reaped, how and by whom, the wait results it got,
 * its COW samples, its container.
 *
 * Memory is bounded per task: at most FS_TL_MAX_EXECS execs,
 * FS_TL_MAX_WAITS waits, FS_TL_MAX_FORK_FAILS failed forks and
 * FS_TL_MAX_COW COW samples are kept (the first ones; the rest are only
 * counted in dropped), argv at most FS_ARGS_LEN bytes as the record holds
 * it. A streaming consumer sees every event all the same through
 * on_event, with what the record said. A task leaves the timeline once
 * its story is over (it was reaped, or a resync found it gone): then
 * on_event gets FS_TL_END and the task is freed, unless keep is set (an
 * export that draws at the end, HTML), in which case memory grows with
 * the number of tasks in the stream (fs_timeline_stats: bytes).
 *
 * Only tasks the session selects (-p, --cgroup, --container) are kept.
 * Threads belong to their leader's process by tgid; a non-leader thread
 * that execs ends as a thread (released by the exec) and its process
 * carries on under the leader's pid, as the kernel does it.
 */
#ifndef FS_TIMELINE_H
#define FS_TIMELINE_H

#include <stdbool.h>
#include <stdint.h>
#include "decode.h"
#include "forkscope/record.h"
#include "model.h"
#include "runtime.h"

#define FS_TL_MAX_EXECS		16
#define FS_TL_MAX_WAITS		32
#define FS_TL_MAX_FORK_FAILS	8
#define FS_TL_MAX_COW		64

/* fs_tl_task.flags */
#define FS_TL_THREAD	(1U << 0)	/* not its process's leader */
#define FS_TL_BORN	(1U << 1)	/* its fork was seen: begin_ns is it */
#define FS_TL_SEEN	(1U << 2)	/* not born before our eyes: in the
					 * snapshot (or found later, after
					 * losses); begin_ns is when it was
					 * first seen, start_ns the kernel's */
#define FS_TL_EXITED	(1U << 3)	/* its own exit: exit_ns, status */
#define FS_TL_DEAD	(1U << 4)	/* leader: the process's last thread
					 * exited (dead_ns): a zombie from
					 * then until reaped */
#define FS_TL_REAPED	(1U << 5)	/* released: reap_ns, released */
#define FS_TL_EXIT_UNKNOWN (1U << 6)	/* a zombie already when first seen:
					 * dead_ns is when it was seen */
#define FS_TL_VANISHED	(1U << 7)	/* a resync found it gone: it died
					 * while records were lost; reap_ns
					 * is when that was found */
#define FS_TL_EXECED	(1U << 8)	/* exec'd since it was seen */

/* One exec, or a failed one (err != 0: the old program goes on). */
struct fs_tl_exec {
	uint64_t ts;
	int32_t err;		/* 0: ran; else the positive errno */
	uint32_t flags;		/* FS_EXEC_* (truncated, unreadable) */
	char comm[FS_COMM_LEN];	/* the command name after it */
	const char *filename;	/* as passed to exec */
	const char *argv;	/* argc strings, each NUL-ended */
	uint32_t argv_len;	/* bytes at argv */
	uint32_t argc;
};

/* What one wait4/waitid returned to the waiter. */
struct fs_tl_wait {
	uint64_t begin_ns;	/* when its do_wait() began; 0: not seen */
	uint64_t ts;		/* when it returned */
	int64_t ret;		/* the syscall's return */
	int32_t waiter;		/* thread that waited */
	int32_t pid;		/* child it returned; 0: none ready */
	uint32_t status;	/* wait-status word, waitid's folded in */
	bool has_status;	/* status was read */
	bool reaped;		/* it released the child */
	bool ns_local;		/* pid is in the waiter's pid namespace */
};

struct fs_tl_fork_fail {
	uint64_t ts;
	int32_t err;		/* positive errno */
	uint16_t syscall;	/* FS_FORK_SYS_* */
	enum fs_fork_limit limit;	/* which limit refused it */
};

struct fs_tl_cow {
	uint64_t ts;
	uint64_t faults;	/* the process's COW faults so far */
	uint64_t copies;	/* pages copied, where counted, else 0 */
};

/* A container as the stream named it; shared by its tasks. */
struct fs_tl_container {
	enum fs_runtime runtime;
	const char *path;	/* cgroup path; "" when it was not found */
	const char *id;		/* the runtime's container id, or NULL */
	const char *unit;	/* its systemd unit, or NULL */
};

/* How much of a task's past is kept; the rest was only counted. */
struct fs_tl_dropped {
	uint32_t execs, waits, fork_fails, cow;
};

struct fs_tl_task {
	uint64_t uid;		/* unique in the timeline, from 1, in order
				 * of appearance: never reused with a pid */
	int32_t pid, tgid;
	int32_t ppid;		/* parent process (tgid) at fork, or when
				 * first seen */
	int32_t forker;		/* thread that called fork; 0: not seen */
	uint32_t fork_flags;	/* FS_FORK_* of its fork */
	uint32_t flags;		/* FS_TL_* (bit 31: the timeline's own) */
	uint64_t start_ns;	/* the kernel's start_boottime; 0: unknown */
	uint64_t begin_ns;	/* its fork record, or first seen */
	uint64_t exit_ns;	/* FS_TL_EXITED: its own exit */
	uint64_t dead_ns;	/* leader, FS_TL_DEAD: last thread's exit */
	uint64_t reap_ns;	/* FS_TL_REAPED */
	uint32_t status;	/* the wait-status word: at its exit; a
				 * leader's becomes the process's at death */
	enum fs_release released;	/* FS_TL_REAPED: how */
	int32_t reaper;		/* tgid whose wait reaped it; 0: none */
	char reaper_comm[FS_COMM_LEN];
	char first_comm[FS_COMM_LEN];	/* when it began */
	char comm[FS_COMM_LEN];		/* now: the last exec's */
	struct fs_ident ident;
	const struct fs_tl_container *container;	/* NULL: not named */

	uint32_t nr_execs, nr_waits, nr_fork_fails, nr_cow;	/* kept */
	struct fs_tl_exec *execs;
	struct fs_tl_wait *waits;
	struct fs_tl_fork_fail *fork_fails;
	struct fs_tl_cow *cow;
	struct fs_tl_dropped dropped;
	uint32_t nr_forks;	/* children and threads it forked, seen */

	uintptr_t view;		/* the consumer's own; never read here */
	struct fs_tl_task *next;	/* in order of appearance */
	/* Internal. */
	struct fs_tl_task *prev;
	uint64_t wait_begin_ns;	/* a do_wait() under way */
	uint32_t bytes;
};

enum fs_tl_kind {
	FS_TL_BEGIN,		/* task appears: born (other: the forking
				 * thread's task, if kept) or seen */
	FS_TL_EXEC,		/* exec; a failed one too (exec->err) */
	FS_TL_FORK_FAIL,	/* the task's fork failed: fork_fail */
	FS_TL_EXIT,		/* the task exited (a thread, or a leader) */
	FS_TL_DEATH,		/* the process's last thread exited: task is
				 * the leader, a zombie from now */
	FS_TL_WAIT,		/* a wait returned to task: wait; other: the
				 * child it returned, if kept */
	FS_TL_REAP,		/* task was released (how: task->released);
				 * other: the reaper's task, if kept */
	FS_TL_COW,		/* a COW sample of a process: cow */
	FS_TL_END,		/* the task leaves the timeline (then freed,
				 * without keep): reaped, vanished, or still
				 * alive at fs_timeline_finish() (ts) */
};

/*
 * One event, as it happens. The tasks are already updated for the whole
 * record: a process's last exit comes as EXIT with the leader FS_TL_DEAD
 * already, then DEATH; a thread's autoreap at exit as EXIT with
 * FS_TL_REAPED set, then REAP; a snapshot's zombie begins FS_TL_DEAD, then
 * DEATH. The exec, wait, fork_fail and cow may be the task's kept copy
 * or, past the limits, the record's, valid during the call only.
 */
struct fs_tl_event {
	enum fs_tl_kind kind;
	uint64_t ts;
	const struct fs_tl_task *task;
	const struct fs_tl_task *other;
	union {
		const struct fs_tl_exec *exec;
		const struct fs_tl_wait *wait;
		const struct fs_tl_fork_fail *fork_fail;
		const struct fs_tl_cow *cow;
	};
};

typedef void (*fs_tl_event_fn)(void *ctx, const struct fs_tl_event *ev);

struct fs_timeline_opts {
	fs_tl_event_fn on_event;	/* may be NULL */
	void *ctx;
	bool keep;		/* keep ended tasks for fs_timeline_first() */
};

struct fs_tl_stats {
	uint64_t first_ns, last_ns;	/* of the records applied */
	uint64_t end_ns;		/* fs_timeline_finish()'s */
	uint64_t tasks;			/* ever kept */
	uint64_t processes;		/* of which leaders */
	uint64_t live;			/* in the timeline now */
	uint64_t cow_samples;		/* seen: the stream counts COW */
	uint64_t vanished;		/* found gone by a resync */
	uint64_t dropped;		/* events counted, not kept */
	uint64_t bytes;			/* held now, tasks and strings */
};

struct fs_timeline;

/* NULL when out of memory (fs_last_error()). */
struct fs_timeline *fs_timeline_new(const struct fs_timeline_opts *o);
/*
 * Applies one record after the model applied it (from a session's
 * on_event: m is fs_session_model(), note what it said).
 */
void fs_timeline_apply(struct fs_timeline *tl, const struct fs_model *m,
		       const struct fs_hdr *rec, const struct fs_note *note);
/*
 * The stream ended at end_ns: every task still in the timeline gets
 * FS_TL_END (still running, or a zombie, then).
 */
void fs_timeline_finish(struct fs_timeline *tl, uint64_t end_ns);
void fs_timeline_free(struct fs_timeline *tl);

/* Tasks kept, in order of appearance (next); without keep, live ones. */
const struct fs_tl_task *fs_timeline_first(const struct fs_timeline *tl);
/* The task in the timeline under pid now, or NULL. */
const struct fs_tl_task *fs_timeline_find(const struct fs_timeline *tl,
					  int32_t pid);
const struct fs_tl_stats *fs_timeline_stats(const struct fs_timeline *tl);
/* A task's consumer field (fs_tl_task.view), set from a callback. */
void fs_timeline_set_view(const struct fs_tl_task *t, uintptr_t view);

#endif
