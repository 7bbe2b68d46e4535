/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The process model: applies records, in stream order, to the process
 * table and says what each one meant (struct fs_note) for the views.
 */
#ifndef FS_MODEL_H
#define FS_MODEL_H

#include <stdbool.h>
#include "forkscope/record.h"
#include "proctab.h"

struct fs_model {
	struct fs_proctab tab;
	int32_t select_pid;	/* -p: 0 selects everything */
};

/* How a task was released (stopped being a zombie). */
enum fs_release {
	FS_RELEASE_NONE,
	FS_RELEASE_WAIT,	/* its parent's wait4/waitid reaped it */
	FS_RELEASE_AUTO,	/* at exit: a thread, or SIGCHLD ignored */
	FS_RELEASE_EXEC,	/* an old leader, replaced by an exec'ing thread */
	FS_RELEASE_FREE,	/* seen only when the kernel freed it */
};

/*
 * What the model learnt from one record. A record can also reveal that a
 * task was released (the reap): then released names how, and gone is that
 * task as it was. sched_process_free comes late (RCU, lazily), so a reap is
 * told from the first sign: the wait result, the autoreap at exit, or the
 * exec; the free only tells one no earlier record did.
 */
struct fs_note {
	struct fs_task task;	/* the subject after the record (a copy: a
				 * free removes the entry) */
	uint64_t runtime_ns;	/* exit: time since start, when known */
	bool selected;		/* the subject is inside the -p subtree */
	bool reaped;		/* waited: this result released the child */

	enum fs_release released;
	struct fs_task gone;	/* the released task */
	bool gone_selected;
	uint64_t zombie_ns;	/* exit to release, when both are known */
	int32_t reaper;		/* tgid that waited, 0: none */
	char reaper_comm[FS_COMM_LEN];
};

int fs_model_init(struct fs_model *m, int32_t select_pid);
void fs_model_free(struct fs_model *m);
/* Loads the processes that exist now (from /proc) into the table. */
int fs_model_snapshot(struct fs_model *m);
/* Applies one checked record; fills *note. */
void fs_model_apply(struct fs_model *m, const struct fs_hdr *rec,
		    struct fs_note *note);

#endif
