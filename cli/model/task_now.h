/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a process was doing when last looked at (FS_REC_TASK_NOW): each
 * thread's state, the syscall and the kernel function it sleeps in, its
 * user stack resolved, its share of a CPU since the look before, and the
 * process's SIGCHLD handler named. The session resolves (it asks the
 * source), this keeps the latest look per process and compares it with
 * the one before; views print it.
 */
#ifndef FS_TASK_NOW_H
#define FS_TASK_NOW_H

#include <stdbool.h>
#include <stdint.h>
#include "forkscope/record.h"
#include "callsites.h"
#include "idmap.h"

#define FS_NOW_KERNEL_SHOWN	4

struct fs_thread_now {
	int32_t pid;
	uint64_t start_ns;
	char comm[FS_COMM_LEN];
	uint32_t state;		/* FS_NOW_RUNNING ... */
	uint32_t flags;		/* FS_NOW_* */
	int32_t syscall;	/* if FS_NOW_IN_SYSCALL */
	bool in_fault;		/* in a page fault from user space */
	/*
	 * Where it waits in the kernel, innermost first: kernel[0] is its
	 * wait channel; up to FS_NOW_KERNEL_SHOWN functions.
	 */
	uint32_t nr_kernel;
	char kernel[FS_NOW_KERNEL_SHOWN][48];
	struct fs_site *stack;	/* its user stack; NULL: none */
	uint64_t cpu_ns;	/* user and system time so far */
	int32_t cpu_permille;	/* of one CPU since the look before; -1:
				 * no look before */
};

struct fs_proc_now {
	int32_t tgid;
	uint16_t look;		/* the look's number, its records share */
	uint64_t at_ns;		/* when looked at */
	uint64_t handler;	/* SIGCHLD: 0 default, 1 ignored, else the
				 * handler's address */
	uint64_t sa_flags;
	struct fs_site *handler_site;	/* the handler named; NULL: none */
	uint32_t nr;
	struct fs_thread_now threads[FS_NOW_MAX_THREADS];
	/* The look before, for CPU shares: its threads' times. */
	uint64_t prev_at_ns;
	uint32_t prev_nr;
	struct {
		int32_t pid;
		uint64_t start_ns, cpu_ns;
	} prev[FS_NOW_MAX_THREADS];
	uint64_t bytes;		/* its stacks held */
};

struct fs_task_nows {
	struct fs_idmap by_tgid;	/* tgid -> struct fs_proc_now */
	uint64_t bytes;			/* held */
};

/*
 * What the session resolved of one record: its user stack and handler
 * (NULL: nothing resolved), the names of its kernel addresses (NULL
 * where unknown), in order.
 */
struct fs_now_resolved {
	const struct fs_stack *stack;
	const struct fs_stack *handler;
	const char *knames[FS_NOW_MAX_KIPS];
};

/*
 * Applies one thread's record: index 0 starts a new look; a record of
 * another look, or out of order, is left out (-EINVAL).
 */
int fs_task_now_apply(struct fs_task_nows *n, const struct fs_rec_task_now *r,
		      const struct fs_now_resolved *res);
/* The last look at tgid, or NULL. */
const struct fs_proc_now *fs_task_now_of(const struct fs_task_nows *n,
					 int32_t tgid);
/* tgid exited or exec'd: what was seen of it goes. */
void fs_task_now_forget(struct fs_task_nows *n, int32_t tgid);
void fs_task_now_free(struct fs_task_nows *n);

#endif
