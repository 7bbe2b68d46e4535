/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The process table: one entry per task (thread or process) the model
 * knows, keyed by pid. A pid names one live task at a time; start_ns tells
 * a reused pid from the task that had it before.
 *
 * Entries live in one flat open-addressed array (linear probing, deletion
 * by backward shift), so there is no per-task allocation and memory follows
 * the number of live tasks.
 */
#ifndef FS_PROCTAB_H
#define FS_PROCTAB_H

#include <stdint.h>
#include "forkscope/record.h"

/* fs_task.flags */
#define FS_TASK_EXITED		(1U << 0)	/* exit seen: zombie or dead */
#define FS_TASK_REAPED		(1U << 1)	/* released: waited or autoreaped */
#define FS_TASK_SELECTED	(1U << 2)	/* inside the -p subtree */
#define FS_TASK_SNAPSHOT	(1U << 3)	/* learnt from a snapshot */
#define FS_TASK_AUTOREAP	(1U << 4)	/* released without a wait */

struct fs_task {
	uint64_t start_ns;	/* start_boottime; 0 when not known yet */
	uint64_t exit_ns;	/* when it exited, if FS_TASK_EXITED */
	uint64_t reap_ns;	/* when it was released, if FS_TASK_REAPED */
	int32_t pid;		/* thread id; 0 marks a free slot */
	int32_t tgid;
	int32_t ppid;		/* real parent's tgid */
	int32_t reaper;		/* tgid that waited for it; 0: none/auto */
	uint32_t status;	/* wait-status word, if FS_TASK_EXITED */
	uint32_t flags;		/* FS_TASK_* */
	char comm[FS_COMM_LEN];
};

struct fs_proctab {
	struct fs_task *slots;
	uint32_t mask;		/* capacity - 1; capacity is a power of 2 */
	uint32_t count;
};

int fs_proctab_init(struct fs_proctab *t, uint32_t capacity_hint);
void fs_proctab_free(struct fs_proctab *t);
struct fs_task *fs_proctab_get(struct fs_proctab *t, int32_t pid);
/* The entry for pid, a zeroed new one (pid set) if there was none. */
struct fs_task *fs_proctab_put(struct fs_proctab *t, int32_t pid);
void fs_proctab_del(struct fs_proctab *t, int32_t pid);

#endif
