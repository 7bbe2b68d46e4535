/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * How a producer derives the flags of fork and exit records from what it
 * read of the tasks. Both producers (bpf/lifecycle.bpf.c, kmod/probes.c)
 * call these and nothing else decides a flag, so the records cannot drift
 * apart: each reads the inputs its own way (CO-RE or plain loads), the
 * rule is one. Pure functions over values, for BPF and kernel code alike.
 */
#ifndef FORKSCOPE_RULES_H
#define FORKSCOPE_RULES_H

#include "forkscope/counters.h"
#include "forkscope/record.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/*
 * FS_FORK_* for a child, at sched_process_fork. The mm, not vfork_done:
 * the tracepoint fires before vfork_done is set. A kernel thread has no
 * mm, and neither has its parent when that is a kernel thread too: two
 * NULLs are no memory shared.
 */
static __always_inline __u32 fs_fork_flags(__s32 child_pid, __s32 child_tgid,
					   const void *child_mm,
					   const void *parent_mm)
{
	if (child_pid != child_tgid)
		return FS_FORK_THREAD;
	if (child_mm && child_mm == parent_mm)
		return FS_FORK_SHARED_VM;
	return 0;
}

/* What an exit's flags follow from; each member is 0 or 1 unless noted. */
struct fs_exit_facts {
	__u32 thread;		/* not the group leader (pid != tgid) */
	__u32 group_dead;	/* the last thread of its group to exit */
	__u32 group_exit;	/* SIGNAL_GROUP_EXIT: killed or exit_group() */
	__u32 ptraced;		/* a tracer is told first: never autoreaped */
	__u32 parent_sigchld;	/* real_parent's FS_SNAP_SIGCHLD_IGN,
				 * FS_SNAP_SIGCHLD_HANDLER, FS_SNAP_NOCLDWAIT */
	__u32 heir_subreaper;	/* with group_dead: the heir is a subreaper */
};

/* FS_EXIT_* at sched_process_exit, as exit_notify() will then act. */
static __always_inline __u32 fs_exit_flags(const struct fs_exit_facts *f)
{
	__u32 flags = 0;

	if (f->group_exit)
		flags |= FS_EXIT_GROUP_EXIT;
	if (f->group_dead)
		flags |= FS_EXIT_GROUP_DEAD;
	if (f->group_dead && f->heir_subreaper)
		flags |= FS_EXIT_HEIR_SUBREAPER;
	if (f->thread)
		flags |= FS_EXIT_THREAD;
	else if (!f->group_dead)
		/* A leader with live threads is released after the last. */
		return flags | FS_EXIT_LEADER_WAITS;
	if (!f->ptraced &&
	    (f->thread ||
	     (f->parent_sigchld & (FS_SNAP_SIGCHLD_IGN | FS_SNAP_NOCLDWAIT))))
		flags |= FS_EXIT_AUTOREAP;
	return flags;
}

/*
 * FS_IDENT_* for a task whose process has id ns_tgid in its own pid
 * namespace: pid 1 there is the namespace's init (its child_reaper for
 * as long as the namespace lives).
 */
static __always_inline __u32 fs_ident_flags(__s32 ns_tgid)
{
	return ns_tgid == 1 ? FS_IDENT_NS_INIT : 0;
}

#define FS_CLONE_INTO_CGROUP	0x200000000ULL

/* What a failed fork's flags follow from; each member 0 or 1 unless noted. */
struct fs_fork_fail_facts {
	__u32 uid;		/* the caller's real uid */
	__u32 admin_caps;	/* CAP_SYS_ADMIN or CAP_SYS_RESOURCE, held in
				 * the initial user namespace */
	__u32 pidns_dead;	/* its children's pid namespace has no init */
	__u16 syscall;		/* FS_FORK_SYS_* */
	__u64 clone_flags;
};

/*
 * FS_FFAIL_* but FS_FFAIL_FLAGS_FAULT. copy_process() exempts real root
 * and the two capabilities from RLIMIT_NPROC. clone3's CLONE_INTO_CGROUP
 * charges the cgroup it names, not the caller's, whose pids cgroups the
 * producer then leaves unread; legacy clone ignores that bit.
 */
static __always_inline __u16
fs_fork_fail_flags(const struct fs_fork_fail_facts *f)
{
	__u16 flags = 0;

	if (f->uid == 0 || f->admin_caps)
		flags |= FS_FFAIL_PRIVILEGED;
	if (f->pidns_dead)
		flags |= FS_FFAIL_PIDNS_DEAD;
	if (f->syscall == FS_FORK_SYS_CLONE3 &&
	    (f->clone_flags & FS_CLONE_INTO_CGROUP))
		flags |= FS_FFAIL_INTO_CGROUP;
	return flags;
}

/*
 * A syscall's return that user space never sees: -ERESTARTSYS (512) to
 * -ERESTART_RESTARTBLOCK (516), which the signal code turns into a
 * restart (a fork that met a pending signal is made again) or into
 * -EINTR. Not a failure to record.
 */
static __always_inline int fs_syscall_restarted(long ret)
{
	return ret <= -512 && ret >= -516;
}

/*
 * Which in-kernel counter (forkscope/counters.h) an event goes to: the
 * same rules the reader applies to records, so counts and records agree.
 * Errno values are the Linux ones of every architecture forkscope builds
 * for (asm-generic/errno-base.h), spelled as numbers: BPF has no errno.h.
 */
static __always_inline __u32 fs_fork_counter(__u32 fork_flags)
{
	if (fork_flags & FS_FORK_THREAD)
		return FS_CNT_FORK_THREAD;
	if (fork_flags & FS_FORK_SHARED_VM)
		return FS_CNT_FORK_SHARED_VM;
	return FS_CNT_FORK_PROCESS;
}

/* A process's wait status: exited, killed by a signal, dumped core. */
static __always_inline __u32 fs_exit_counter(__u32 status)
{
	if (!(status & 0x7f))
		return FS_CNT_EXIT_EXITED;
	return status & 0x80 ? FS_CNT_EXIT_CORE : FS_CNT_EXIT_SIGNALED;
}

static __always_inline __u32 fs_fork_fail_counter(__s32 err)
{
	switch (err) {
	case 11:	/* EAGAIN */
		return FS_CNT_FORK_FAIL_EAGAIN;
	case 12:	/* ENOMEM */
		return FS_CNT_FORK_FAIL_ENOMEM;
	default:
		return FS_CNT_FORK_FAIL_OTHER;
	}
}

static __always_inline __u32 fs_exec_fail_counter(__s32 err)
{
	switch (err) {
	case 2:		/* ENOENT */
		return FS_CNT_EXEC_FAIL_ENOENT;
	case 13:	/* EACCES */
		return FS_CNT_EXEC_FAIL_EACCES;
	case 8:		/* ENOEXEC */
		return FS_CNT_EXEC_FAIL_ENOEXEC;
	case 7:		/* E2BIG */
		return FS_CNT_EXEC_FAIL_E2BIG;
	case 12:	/* ENOMEM */
		return FS_CNT_EXEC_FAIL_ENOMEM;
	default:
		return FS_CNT_EXEC_FAIL_OTHER;
	}
}

#endif /* FORKSCOPE_RULES_H */
