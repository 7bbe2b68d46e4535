/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Counters the BPF producer keeps in the kernel (a per-CPU array, summed
 * by the reader at scrape time), for readers that need counts and not
 * every event: forkscope exporter. Indexes are ABI, as the records are:
 * new counters go at the end.
 */
#ifndef FORKSCOPE_COUNTERS_H
#define FORKSCOPE_COUNTERS_H

enum fs_counter {
	/* Successful clones, by what the child shares (fs_fork_flags()). */
	FS_CNT_FORK_PROCESS,	/* a new process, own memory */
	FS_CNT_FORK_THREAD,	/* a thread of the parent's group */
	FS_CNT_FORK_SHARED_VM,	/* a process sharing the memory (vfork) */
	FS_CNT_EXEC,		/* a new image runs */
	/* Processes that ended (their last exit), by how (wait status). */
	FS_CNT_EXIT_EXITED,	/* called exit: WIFEXITED */
	FS_CNT_EXIT_SIGNALED,	/* killed by a signal, no core */
	FS_CNT_EXIT_CORE,	/* killed by a signal, core dumped */
	/* Failed fork/vfork/clone/clone3, by errno (restarts are not). */
	FS_CNT_FORK_FAIL_EAGAIN,	/* a limit: which one, the record says */
	FS_CNT_FORK_FAIL_ENOMEM,
	FS_CNT_FORK_FAIL_OTHER,		/* EINVAL, EPERM, EBUSY, ... */
	/* Failed execve/execveat, by errno. */
	FS_CNT_EXEC_FAIL_ENOENT,
	FS_CNT_EXEC_FAIL_EACCES,
	FS_CNT_EXEC_FAIL_ENOEXEC,
	FS_CNT_EXEC_FAIL_E2BIG,
	FS_CNT_EXEC_FAIL_ENOMEM,
	FS_CNT_EXEC_FAIL_OTHER,
	FS_CNT_MAX,
};

#endif /* FORKSCOPE_COUNTERS_H */
