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
#define FS_TASK_AUTOREAP	(1U << 3)	/* released without a wait */
#define FS_TASK_EXIT_UNKNOWN	(1U << 4)	/* a zombie before we watched:
						 * exit_ns is not known */
#define FS_TASK_WAITED		(1U << 5)	/* called wait: last_wait_ns */
#define FS_TASK_KTHREAD		(1U << 6)
#define FS_TASK_SUBREAPER	(1U << 7)	/* PR_SET_CHILD_SUBREAPER */
#define FS_TASK_SIGCHLD_IGN	(1U << 8)	/* SIGCHLD is SIG_IGN */
#define FS_TASK_SIGCHLD_HANDLER	(1U << 9)	/* SIGCHLD has a handler */
#define FS_TASK_NOCLDWAIT	(1U << 10)	/* SA_NOCLDWAIT */
#define FS_TASK_EXECED		(1U << 11)	/* exec'd since it was watched */
#define FS_TASK_BORN		(1U << 12)	/* its fork was seen */
#define FS_TASK_ADOPTED		(1U << 13)	/* its parent exited and the
						 * kernel gave it to an heir */
#define FS_TASK_SIGCHLD_MASK	(FS_TASK_SIGCHLD_IGN | FS_TASK_SIGCHLD_HANDLER | \
				 FS_TASK_NOCLDWAIT)

/*
 * One task. An entry with tgid 0 is a placeholder: a parent that children
 * point at before the parent itself has been seen.
 */
struct fs_task {
	uint64_t start_ns;	/* start_boottime; 0 when not known */
	uint64_t exit_ns;	/* when it exited, if FS_TASK_EXITED */
	uint64_t last_wait_ns;	/* leader: the process last waited, if WAITED */
	int32_t pid;		/* thread id; 0 marks a free slot */
	int32_t tgid;
	int32_t ppid;		/* real parent's tgid */
	int32_t reaper;		/* tgid that waited for it; 0: none/auto */
	uint32_t status;	/* wait-status word, if FS_TASK_EXITED */
	uint32_t flags;		/* FS_TASK_* */
	uint32_t nr_children;	/* leader: child processes pointing here */
	uint32_t nr_threads;	/* leader: other threads of the process */
	uint32_t gen;		/* snapshot generation last confirmed in */
	uint32_t cow_faults;	/* leader: the process's COW faults so far */
	uint32_t cow_copies;	/* leader: pages copied, where counted */
	uint32_t nr_waits;	/* leader: the process's waits seen (do_wait) */
	char comm[FS_COMM_LEN];
	char *cmd;		/* "filename arg1 arg2" of the last exec seen */
	struct fs_ident id;	/* its container; zero when never told */
};

struct fs_proctab {
	struct fs_task *slots;
	uint32_t mask;		/* capacity - 1; capacity is a power of 2 */
	uint32_t count;
};

int fs_proctab_init(struct fs_proctab *t, uint32_t capacity_hint);
void fs_proctab_free(struct fs_proctab *t);
struct fs_task *fs_proctab_get(struct fs_proctab *t, int32_t pid);
/*
 * The entry for pid, a zeroed new one (pid set) if there was none. Only
 * put may move entries (when it grows the table), and del moves the ones
 * after the hole: re-get pointers after either, or reserve first.
 */
struct fs_task *fs_proctab_put(struct fs_proctab *t, int32_t pid);
/* Grows now so that n puts will not grow (nor move) the table. */
int fs_proctab_reserve(struct fs_proctab *t, uint32_t n);
void fs_proctab_del(struct fs_proctab *t, int32_t pid);

#define fs_proctab_for_each(t, e)					\
	for ((e) = (t)->slots; (e) <= (t)->slots + (t)->mask; (e)++)	\
		if ((e)->pid)

#endif
