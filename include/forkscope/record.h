/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * forkscope record ABI: the one format written by the BPF programs and the
 * kernel module and read by the forkscope CLI.
 *
 * Every record starts with struct fs_hdr. Records are naturally aligned
 * and their sizes are multiples of 8. A record has a fixed part, the
 * struct of its type below (hdr.fixed bytes), then a variable part up to
 * hdr.size (exec's filename and argv, a cgroup's path; room for a tail
 * such as a user stack): it takes the bytes it uses. A reader must reject
 * a record whose fixed part is smaller than its type's struct, or runs
 * past hdr.size; a larger fixed part means a newer minor revision appended
 * fields, which the reader skips. Reserved fields are written as zero.
 *
 * All pids are as seen from the initial pid namespace unless a field says
 * otherwise. Timestamps are CLOCK_BOOTTIME nanoseconds (they keep counting
 * across suspend and are what bpf_ktime_get_boot_ns() returns).
 *
 * Bump FS_ABI_VERSION for any change that is not an append to a fixed
 * part. Version 2: hdr.fixed (v1 had a 32-bit cpu there), container
 * identity (struct fs_ident) in fork and snapshot records and the
 * cgroup records, exec records of variable length. A v2 reader refuses
 * v1 and newer-major producers: the module says its version
 * (FS_IOC_INFO), a record file will carry it in its header. The failed
 * fork and exec records (13, 14) came in version 2 before it was
 * released.
 */
#ifndef FORKSCOPE_RECORD_H
#define FORKSCOPE_RECORD_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define FS_ABI_VERSION		2

#define FS_COMM_LEN		16	/* TASK_COMM_LEN */
#define FS_FILENAME_LEN		256	/* exec filename at most, NUL included */
#define FS_ARGS_LEN		512	/* exec argv at most, NUL-separated */
#define FS_CGROUP_PATH_LEN	4096	/* cgroup path at most (PATH_MAX) */

enum fs_rec_type {
	FS_REC_FORK		= 1,	/* sched_process_fork: a task was cloned */
	FS_REC_EXEC		= 2,	/* sched_process_exec: a new image runs */
	FS_REC_EXIT		= 3,	/* sched_process_exit: a task is exiting */
	FS_REC_WAIT		= 4,	/* sched_process_wait: do_wait() began */
	FS_REC_WAIT_RESULT	= 5,	/* wait4/waitid returned to the waiter */
	FS_REC_REAP		= 6,	/* sched_process_free: task freed */
	FS_REC_LOST		= 7,	/* records the producer could not write */
	FS_REC_TASK		= 8,	/* snapshot: one task that exists now */
	FS_REC_SYNC		= 9,	/* snapshot begins or ends */
	FS_REC_COW		= 10,	/* a live process's COW counters */
	FS_REC_CGROUP		= 11,	/* a process moved to another cgroup */
	FS_REC_CGROUP_PATH	= 12,	/* the reader's: a cgroup id's path */
	FS_REC_FORK_FAIL	= 13,	/* fork/vfork/clone/clone3 failed */
	FS_REC_EXEC_FAIL	= 14,	/* execve/execveat failed */
	FS_REC_PIDS		= 15,	/* the reader's: a PID budget reading */
	FS_REC_FORK_STACK	= 16,	/* a target's user stack at a fork */
	FS_REC_EXEC_FDS		= 17,	/* descriptors an exec'd image inherited */
	FS_REC_TASK_NOW		= 18,	/* what a target's thread is doing now */
	FS_REC_FRAMES		= 19,	/* the reader's: a stack's frames named */
	FS_REC_TYPE_MAX,
};

/*
 * Common header. pid, tgid, ppid, start_ns and comm describe the record's
 * subject task, which each record type names below (it is not always the
 * task that was running on the CPU).
 */
struct fs_hdr {
	__u16 type;		/* enum fs_rec_type */
	__u16 size;		/* bytes in the whole record, header included */
	__u16 fixed;		/* bytes of the fixed part, header included:
				 * the variable part starts here */
	__u16 cpu;		/* CPU the producer ran on */
	__u64 ts_ns;		/* CLOCK_BOOTTIME ns when the event happened */
	__s32 pid;		/* subject's thread id (task->pid) */
	__s32 tgid;		/* subject's process id (task->tgid) */
	__s32 ppid;		/* tgid of the subject's real_parent; 0: unknown */
	__u32 reserved;
	__u64 start_ns;		/* subject's start_boottime: with pid, an
				 * identity that pid reuse cannot repeat */
	char comm[FS_COMM_LEN];	/* subject's comm, NUL-terminated */
};

/* fs_ident.flags */
#define FS_IDENT_NS_INIT	(1U << 0)	/* the init of its pid namespace
						 * (its child_reaper): orphans
						 * there are adopted by it */

/*
 * Which container a task is in, as the kernel sees it: its cgroups and
 * its pid namespace. Carried where a task's identity is set or changes
 * (fork, cgroup moves) and in snapshots; exec changes none of it. Ids,
 * not paths: the reader turns ids into paths (FS_REC_CGROUP_PATH).
 *
 * Why not in every header: measured with bpf_stats on a fork storm of
 * 20,000 (each child: fork, exit, wait, wait result, free; 10 ABBA runs
 * per layout, lower quartiles, 2-vCPU VM), against ABI 1. In fork
 * records: 32 bytes more per child; the fork program went from ~600 to
 * ~780 ns per run, all programs together from ~3,260 to ~3,320 ns per
 * child. In every header (each program reading its subject's identity):
 * 192 bytes more per child, ~4,500 ns per child.
 */
struct fs_ident {
	__u64 cgroup;		/* cgroup v2 id (kernfs node id: the inode
				 * number of its directory in cgroup2) */
	__u64 pids_cgroup;	/* the cgroup whose pids controller counts the
				 * task, where pids.max applies: in the v1 pids
				 * hierarchy on hybrid hosts, else in cgroup v2
				 * (the root when no cgroup enables it); 0: no
				 * pids controller in this kernel */
	__u32 pidns;		/* its pid namespace's inode number, as
				 * /proc/PID/ns/pid shows it */
	__s32 ns_pid;		/* thread id inside that namespace */
	__s32 ns_tgid;		/* process id inside that namespace */
	__u32 flags;		/* FS_IDENT_* */
};

/* fs_rec_fork.flags */
#define FS_FORK_THREAD		(1U << 0)	/* child shares the thread group */
#define FS_FORK_SHARED_VM	(1U << 1)	/* a process sharing the parent's
						 * memory (CLONE_VM: vfork,
						 * posix_spawn); the parent
						 * sleeps until it execs/exits */

/* Subject: the task that called fork/clone (the kernel's current). */
struct fs_rec_fork {
	struct fs_hdr hdr;
	__s32 child_pid;	/* new task's thread id */
	__s32 child_tgid;	/* == child_pid for a new process */
	__s32 child_ppid;	/* child's real_parent tgid: differs from
				 * hdr.tgid with CLONE_PARENT and threads */
	__u32 flags;		/* FS_FORK_* */
	__u64 child_start_ns;	/* child's start_boottime */
	struct fs_ident child;	/* the child's container identity */
};

/* fs_rec_exec.flags */
#define FS_EXEC_FILENAME_TRUNC	(1U << 0)	/* filename did not fit */
#define FS_EXEC_ARGS_TRUNC	(1U << 1)	/* argv did not fit in args */
#define FS_EXEC_ARGS_FAULT	(1U << 2)	/* argv could not be read */
#define FS_EXEC_FAIL_FATAL	(1U << 3)	/* a failed exec past the point of
						 * no return: the old memory is
						 * gone and the process is being
						 * killed; nothing was read */

/*
 * Subject: the task after exec. When a non-leader thread execs it takes
 * over the leader's pid: hdr.pid is then the leader's pid and old_pid the
 * thread id it had before.
 *
 * Variable part: the path given to exec (filename_len bytes, the last a
 * NUL), then the argv strings as the new image sees them
 * (mm->arg_start..arg_end, args_len bytes, each string NUL-ended but a
 * truncated last one), then zeros to a multiple of 8: FS_EXEC_SIZE().
 * When argv could not be read (FS_EXEC_ARGS_FAULT) the bytes asked for
 * stay in the size as zeros and args_len is 0.
 */
struct fs_rec_exec {
	struct fs_hdr hdr;
	__s32 old_pid;
	__u32 flags;		/* FS_EXEC_* */
	__u16 filename_len;	/* 1..FS_FILENAME_LEN, NUL included */
	__u16 args_len;		/* 0..FS_ARGS_LEN */
	__u32 reserved;
};

#define FS_ALIGN8(n)		(((n) + 7) & ~7U)
/* An exec record's size, from the lengths its producer asked for. */
#define FS_EXEC_SIZE(filename_len, args_len)				\
	FS_ALIGN8(sizeof(struct fs_rec_exec) + (filename_len) + (args_len))
#define FS_EXEC_MAX_SIZE	FS_EXEC_SIZE(FS_FILENAME_LEN, FS_ARGS_LEN)

/* fs_rec_exit.flags */
#define FS_EXIT_GROUP_DEAD	(1U << 0)	/* last thread of its group: on
						 * exactly one exit a process.
						 * Kernels before 6.16 do not
						 * say which thread was last;
						 * there it is the first exit
						 * to find no live threads */
#define FS_EXIT_THREAD		(1U << 1)	/* not the group leader */
#define FS_EXIT_AUTOREAP	(1U << 2)	/* released right after this
						 * exit, without a wait: a
						 * thread, or the parent ignores
						 * SIGCHLD / has SA_NOCLDWAIT
						 * (read at exit); never with
						 * FS_EXIT_LEADER_WAITS */
#define FS_EXIT_GROUP_EXIT	(1U << 3)	/* the group was killed or
						 * exit_group()ed: status holds
						 * group_exit_code */
#define FS_EXIT_LEADER_WAITS	(1U << 4)	/* a leader exiting while other
						 * threads run: stays a zombie
						 * that cannot be reaped yet */
#define FS_EXIT_HEIR_SUBREAPER	(1U << 5)	/* heir is a subreaper, not the
						 * namespace's init */

/*
 * Subject: the exiting task. The tracepoint fires in do_exit() before
 * exit_notify(): the task is not a zombie yet.
 */
struct fs_rec_exit {
	struct fs_hdr hdr;
	__u32 exit_code;	/* task->exit_code: raw wait-status word */
	__u32 status;		/* the word a waiter will be given: exit_code,
				 * or group_exit_code with FS_EXIT_GROUP_EXIT */
	__u32 flags;		/* FS_EXIT_* */
	__s32 heir;		/* with FS_EXIT_GROUP_DEAD: the tgid that adopts
				 * the process's children (the nearest live
				 * subreaper ancestor, else the pid namespace's
				 * init), by the kernel's find_new_reaper()
				 * rule; else hdr.tgid */
	__u64 cow_faults;	/* with FS_EXIT_GROUP_DEAD and COW counting on:
				 * the process's faults (see fs_rec_cow) */
	__u64 cow_copies;
};

/*
 * Subject: the waiter, at the start of do_wait(). wait_pid is the pid asked
 * for: 0 for any child; for a process group wait, the group's id.
 */
struct fs_rec_wait {
	struct fs_hdr hdr;
	__s32 wait_pid;
	__u32 reserved;
};

/* fs_rec_wait_result.syscall */
#define FS_WAIT_SYS_WAIT4	1
#define FS_WAIT_SYS_WAITID	2

/* fs_rec_wait_result.flags */
#define FS_WAITR_STATUS		(1U << 0)	/* status/si_code were read */
#define FS_WAITR_NS_LOCAL	(1U << 1)	/* waiter is in a child pid
						 * namespace: pid is in that
						 * namespace, not the initial */

/*
 * Subject: the waiter, when wait4() or waitid() returns to it.
 * pid is who was waited for (wait4's return value, waitid's si_pid): 0 when
 * nothing was ready (WNOHANG). ret is the raw syscall return. For wait4,
 * status is the status word; for waitid, status is si_status and si_code
 * says what happened (CLD_EXITED, CLD_KILLED, CLD_DUMPED, ...). Whether the
 * child was reaped follows from the status and options (not with WNOWAIT,
 * nor for a stop or continue).
 */
struct fs_rec_wait_result {
	struct fs_hdr hdr;
	__s64 ret;
	__s32 pid;
	__u32 status;
	__s32 si_code;		/* waitid only, else 0 */
	__u32 options;		/* WNOHANG, WUNTRACED, WEXITED, WNOWAIT, ... */
	__u16 syscall;		/* FS_WAIT_SYS_* */
	__u16 flags;		/* FS_WAITR_* */
	__u32 reserved;
};

/*
 * Subject: the task being freed (sched_process_free, from an RCU callback
 * after release_task()). hdr.ppid is 0: the parent link is stale by then.
 */
struct fs_rec_reap {
	struct fs_hdr hdr;
};

/* fs_rec_lost.reason */
#define FS_LOST_RINGBUF		1	/* no room in the kernel buffer */
#define FS_LOST_RECURSION	2	/* a program run was skipped */
#define FS_LOST_READER		3	/* the reader dropped records */
#define FS_LOST_COW_MAP		4	/* COW faults not counted: map full */
#define FS_LOST_COW_SKIPPED	5	/* COW faults not counted: the kernel
					 * skipped a counting program's run */

/*
 * Subject: none (pid, tgid are 0). count records of rec_type (0: any) were
 * lost since the previous LOST record of the same reason and type.
 */
struct fs_rec_lost {
	struct fs_hdr hdr;
	__u64 count;
	__u32 reason;		/* FS_LOST_* */
	__u32 rec_type;		/* enum fs_rec_type, or 0 */
};

/* fs_rec_task.flags */
#define FS_SNAP_ZOMBIE		(1U << 0)	/* exit_state is EXIT_ZOMBIE */
#define FS_SNAP_KTHREAD		(1U << 1)	/* a kernel thread */
#define FS_SNAP_SUBREAPER	(1U << 2)	/* PR_SET_CHILD_SUBREAPER */
#define FS_SNAP_SIGCHLD_IGN	(1U << 3)	/* SIGCHLD is SIG_IGN */
#define FS_SNAP_SIGCHLD_HANDLER	(1U << 4)	/* SIGCHLD has a handler */
#define FS_SNAP_NOCLDWAIT	(1U << 5)	/* SA_NOCLDWAIT on SIGCHLD */
#define FS_SNAP_EXITING		(1U << 6)	/* PF_EXITING: in do_exit() */

/*
 * Subject: a task that exists when the snapshot is taken, threads and
 * zombies included. The SIGCHLD flags are the process's (shared by its
 * threads). hdr.start_ns is 0 when the producer cannot know it exactly
 * (/proc gives clock ticks).
 */
struct fs_rec_task {
	struct fs_hdr hdr;
	__u32 flags;		/* FS_SNAP_* */
	__u32 status;		/* for a zombie: the word a waiter will get */
	struct fs_ident id;
};

/* fs_rec_sync.phase */
#define FS_SYNC_BEGIN		1
#define FS_SYNC_END		2

/* fs_rec_sync.method */
#define FS_SYNC_BPF_ITER	1	/* a BPF task iterator */
#define FS_SYNC_PROCFS		2	/* /proc, when the iterator is unavailable */
#define FS_SYNC_KMOD		3	/* the kernel module */

/*
 * Subject: none. The task records of one snapshot come between a BEGIN and
 * an END with the same generation; END's count is how many there were.
 */
struct fs_rec_sync {
	struct fs_hdr hdr;
	__u32 phase;		/* FS_SYNC_* */
	__u32 generation;
	__u32 method;		/* FS_SYNC_BPF_ITER, ... */
	__u32 count;
};

/* fs_rec_cow.method, and the method a source reports */
#define FS_COW_WP_FAULTS	1	/* x86 write-protect faults, (err & 3) == 3:
					 * every COW fault, but also reuse after the
					 * sharer left, uffd-wp, soft-dirty */
#define FS_COW_DO_WP_PAGE	2	/* do_wp_page() calls: COW faults exactly */

/*
 * Subject: a live process (hdr.pid == hdr.tgid). Its copy-on-write counters
 * so far, all threads summed: faults taken by the method, and pages copied
 * (wp_page_copy()) where the kernel lets that be counted, else 0.
 */
struct fs_rec_cow {
	struct fs_hdr hdr;
	__u64 faults;
	__u64 copies;
	__u32 method;		/* FS_COW_* */
	__u32 reserved;
};

/*
 * Subject: a process (or thread) moved to another cgroup, written after
 * each cgroup_attach_task: once per hierarchy it moved in, so a hybrid
 * host's moves in v1 hierarchies other than pids repeat an unchanged
 * identity. id is the whole identity after the move.
 */
struct fs_rec_cgroup {
	struct fs_hdr hdr;
	struct fs_ident id;
};

/* fs_rec_cgroup_path.hierarchy */
#define FS_CGROUP_V2		1	/* fs_ident.cgroup */
#define FS_CGROUP_PIDS		2	/* fs_ident.pids_cgroup */

/* fs_rec_cgroup_path.flags */
#define FS_CGPATH_UNKNOWN	(1U << 0)	/* not found: the cgroup was
						 * removed before the reader
						 * looked, or is not mounted */

/*
 * Subject: none. Made by the reader, not the kernel: the first time a
 * stream names a cgroup id, the path of that cgroup below its hierarchy's
 * root ("/" for the root) comes before the record naming it, so a
 * recorded stream keeps the names. Variable part: the path, path_len
 * bytes with its NUL, then zeros to a multiple of 8.
 */
struct fs_rec_cgroup_path {
	struct fs_hdr hdr;
	__u64 id;
	__u32 hierarchy;	/* FS_CGROUP_* */
	__u16 flags;		/* FS_CGPATH_* */
	__u16 path_len;		/* 1..FS_CGROUP_PATH_LEN, NUL included */
};

/*
 * FS_REC_PIDS: made by the reader, never by a kernel producer, for
 * recordings (forkscope record samples every second): the PID budget as
 * cgroupfs and /proc/sys read at one moment, so that `pids -i` judges a
 * recorded machine. A reading is one record per pids cgroup, then one for
 * the machine (FS_PIDS_MACHINE), all stamped alike. Variable part: the
 * cgroup's path below the pids hierarchy's root, path_len bytes with its
 * NUL, then zeros to a multiple of 8; none for the machine.
 */
struct fs_rec_pids {
	struct fs_hdr hdr;
	__s64 used;		/* pids.current; the machine: its tasks */
	__s64 max;		/* pids.max, -1: "max"; the machine: pid_max */
	__u64 refused;		/* pids.events max; the machine: 0 */
	__s64 threads_max;	/* the machine: kernel.threads-max */
	__u32 flags;		/* FS_PIDS_* */
	__u16 hierarchy;	/* FS_PIDS_V1, FS_PIDS_V2; 0: no controller */
	__u16 path_len;		/* 0 for the machine */
};

#define FS_PIDS_MACHINE		(1U << 0)	/* the reading's last record */
#define FS_PIDS_V1		1
#define FS_PIDS_V2		2

/* fs_rec_fork_fail.syscall */
#define FS_FORK_SYS_FORK	1
#define FS_FORK_SYS_VFORK	2
#define FS_FORK_SYS_CLONE	3
#define FS_FORK_SYS_CLONE3	4

/* fs_rec_fork_fail.flags */
#define FS_FFAIL_PRIVILEGED	(1U << 0)	/* real uid 0, or CAP_SYS_ADMIN or
						 * CAP_SYS_RESOURCE: RLIMIT_NPROC
						 * does not hold it back */
#define FS_FFAIL_PIDNS_DEAD	(1U << 1)	/* the pid namespace its children
						 * go to has lost its init: no
						 * pid is given there (ENOMEM) */
#define FS_FFAIL_FLAGS_FAULT	(1U << 2)	/* clone3's flags were unreadable */
#define FS_FFAIL_INTO_CGROUP	(1U << 3)	/* clone3 CLONE_INTO_CGROUP: the
						 * child was to start in another
						 * cgroup, whose pids.max is not
						 * read (pids_cgroup stays 0) */

/*
 * Subject: the task whose fork, vfork, clone or clone3 returned an error,
 * written at the syscall's exit. With it, what the kernel's limits stood
 * at then, so a reader can tell which one refused the fork (copy_process()
 * checks RLIMIT_NPROC, then threads-max, then allocates the pid against
 * pid_max, then charges the pids cgroups): the values are read after the
 * failure undid its own charges, so a limit that refused it is found
 * full, not over. Values the producer cannot read are 0 and the reader
 * fills them (threads_max always, pid_max before 6.14) from
 * /proc/sys/kernel as it receives the record, so a recorded stream keeps
 * them.
 */
struct fs_rec_fork_fail {
	struct fs_hdr hdr;
	__s32 err;		/* errno, positive: EAGAIN, ENOMEM, ... */
	__u16 syscall;		/* FS_FORK_SYS_* */
	__u16 flags;		/* FS_FFAIL_* */
	__u64 clone_flags;	/* clone's and clone3's flags; fork and vfork's
				 * equivalents (SIGCHLD; CLONE_VM|CLONE_VFORK|
				 * SIGCHLD) */
	__u64 nproc;		/* processes of the caller's real uid in its
				 * user namespace: what RLIMIT_NPROC counts */
	__u64 nproc_max;	/* the caller's RLIMIT_NPROC soft limit (~0:
				 * unlimited) */
	__u64 pids_cgroup;	/* the pids cgroup found at its pids.max, the
				 * caller's or the nearest such ancestor (an id
				 * as fs_ident.pids_cgroup); 0: none was */
	__s64 pids_current;	/* that cgroup's pids.current and pids.max */
	__s64 pids_max;
	__u32 tasks;		/* pids in use in the initial pid namespace:
				 * the tasks, zombies included (what threads-max
				 * counts), and ids a group or session keeps */
	__u32 threads_max;	/* kernel.threads-max (see above) */
	__u32 pid_max;		/* kernel.pid_max (see above) */
	__u32 uid;		/* the caller's real uid (the initial user
				 * namespace's): whose processes nproc counts */
	struct fs_ident id;	/* the caller's container */
};

/* fs_rec_exec_fail.syscall */
#define FS_EXEC_SYS_EXECVE	1
#define FS_EXEC_SYS_EXECVEAT	2

/* At most this many argv strings in a failed exec's record. */
#define FS_EXEC_FAIL_ARGC	32

/*
 * Subject: the task whose execve or execveat returned an error; it goes on
 * running its old image. Laid out as fs_rec_exec, with err where old_pid
 * is, and the same variable part, but for argv: the strings the caller
 * passed (up to FS_EXEC_FAIL_ARGC of them in FS_ARGS_LEN bytes; more is
 * FS_EXEC_ARGS_TRUNC; an unreadable array or string ends the list with
 * FS_EXEC_ARGS_FAULT, after the strings read before it). filename is the
 * path as passed, relative to the caller's cwd or execveat's directory.
 * With FS_EXEC_FAIL_FATAL both are empty. Syscall returns user space
 * never sees (a restart) are not failures: fs_syscall_restarted().
 */
struct fs_rec_exec_fail {
	struct fs_hdr hdr;
	__s32 err;		/* errno, positive: ENOENT, EACCES, ENOEXEC, ... */
	__u32 flags;		/* FS_EXEC_* */
	__u16 filename_len;	/* as fs_rec_exec's */
	__u16 args_len;
	__u16 syscall;		/* FS_EXEC_SYS_* */
	__u16 reserved;
};

/*
 * A fork's user stack, for zombie leaks traced to the line that forks.
 * Captured only for the processes the reader asked for (a BPF map of
 * target tgids), right after the FORK record of the same fork.
 *
 * x86-64 only: regs are the parent's user registers at the fork syscall
 * in DWARF register order (rax, rdx, rcx, rbx, rsi, rdi, rbp, rsp,
 * r8..r15, then rip: 17), what a DWARF unwinder starts from.
 *
 * Variable part: nr_ips return addresses of a frame-pointer walk
 * (bpf_get_stack, BPF_F_USER_STACK: innermost first; it stops early in
 * code built without frame pointers), then stack_len bytes of the user
 * stack copied from regs[7] (sp) up, then zeros to a multiple of 8. The
 * copy is bounded at FS_STACK_COPY_MAX, perf's default --call-graph dwarf
 * dump: enough for the frames of a fork's callers in ordinary code (a
 * deep or stack-hungry chain unwinds partially, and says so), small
 * enough that a target's fork costs a copy of 8 KiB. It is shorter when
 * the stack's mapping ends first.
 */
#define FS_STACK_NR_REGS	17
#define FS_STACK_REG_SP		7
#define FS_STACK_REG_IP		16
#define FS_STACK_MAX_IPS	64
#define FS_STACK_COPY_MAX	8192

/* fs_rec_fork_stack.flags */
#define FS_FSTACK_NO_REGS	(1U << 0)	/* no user registers (a kernel
						 * thread): nothing to unwind */
#define FS_FSTACK_COPY_FAULT	(1U << 1)	/* the copy stopped at a fault
						 * before FS_STACK_COPY_MAX */

/* Subject: the task that forked (the parent), as fs_rec_fork's. */
struct fs_rec_fork_stack {
	struct fs_hdr hdr;
	__s32 child_pid;
	__s32 child_tgid;
	__u64 child_start_ns;	/* with child_pid: the fork's child */
	__u64 regs[FS_STACK_NR_REGS];
	__u16 nr_ips;		/* 0..FS_STACK_MAX_IPS */
	__u16 flags;		/* FS_FSTACK_* */
	__u32 stack_len;	/* 0..FS_STACK_COPY_MAX */
};

#define FS_FORK_STACK_SIZE(nr_ips, stack_len)				\
	FS_ALIGN8(sizeof(struct fs_rec_fork_stack) + (nr_ips) * 8 + (stack_len))
#define FS_FORK_STACK_MAX_SIZE						\
	FS_FORK_STACK_SIZE(FS_STACK_MAX_IPS, FS_STACK_COPY_MAX)

/* fs_exec_fd.kind: the file's type, from its inode's mode */
#define FS_FD_OTHER		0
#define FS_FD_REG		1
#define FS_FD_DIR		2
#define FS_FD_CHR		3
#define FS_FD_BLK		4
#define FS_FD_FIFO		5	/* a pipe or FIFO */
#define FS_FD_SOCK		6
#define FS_FD_ANON		7	/* an anonymous inode (eventfd, timerfd,
					 * signalfd, epoll, ...): name says which */
#define FS_FD_LNK		8

/* At most this many descriptors listed in one FS_REC_EXEC_FDS record. */
#define FS_EXEC_FDS_MAX		64
/* Descriptors looked at: 0 to FS_EXEC_FDS_SCAN - 1. */
#define FS_EXEC_FDS_SCAN	1024

/* One inherited descriptor. */
struct fs_exec_fd {
	__s32 fd;
	__u16 kind;		/* FS_FD_* */
	__u16 family;		/* a socket's AF_*, else 0 */
	__u16 sock_type;	/* a socket's SOCK_STREAM, SOCK_DGRAM, ... */
	__u16 port;		/* AF_INET, AF_INET6: the local port */
	__u16 peer_port;	/* ... and the peer's, 0: none */
	__u16 reserved;
	__u32 dev;		/* the filesystem's s_dev; a device's i_rdev
				 * (kernel encoding: major << 20 | minor) */
	__u32 magic;		/* the filesystem's s_magic */
	__u64 ino;
	__u8 addr[16];		/* AF_INET: 4 bytes, AF_INET6: 16 */
	__u8 peer_addr[16];
	char name[32];		/* its dentry's name, NUL-ended, maybe cut:
				 * a file's base name, "[eventfd]", a
				 * pipe's "pipe:[N]" is not: empty */
};

/* fs_rec_exec_fds.flags */
#define FS_EXECFD_MORE		(1U << 0)	/* more open than listed */
#define FS_EXECFD_SCAN_CUT	(1U << 1)	/* the table has descriptors
						 * past FS_EXEC_FDS_SCAN,
						 * which were not looked at */

/*
 * Subject: the task after exec, written right after its FS_REC_EXEC when
 * a reader asked for it (forkscope lint, trace --explain) and the new
 * image holds descriptors above 2. At sched_process_exec close-on-exec
 * descriptors are closed already (begin_new_exec() ran
 * do_close_on_exec()), so each one listed was inherited. Variable part:
 * nr struct fs_exec_fd, the lowest descriptors first.
 */
struct fs_rec_exec_fds {
	struct fs_hdr hdr;
	__u32 count;		/* descriptors above 2 open, of those looked
				 * at */
	__u16 nr;		/* entries that follow: <= FS_EXEC_FDS_MAX */
	__u16 flags;		/* FS_EXECFD_* */
};

/* fs_rec_task_now.state: as /proc's state letters say it */
#define FS_NOW_RUNNING		1	/* R: on a CPU or ready to run */
#define FS_NOW_SLEEPING		2	/* S: interruptible sleep */
#define FS_NOW_DISK		3	/* D: uninterruptible sleep */
#define FS_NOW_STOPPED		4	/* T: stopped by a signal */
#define FS_NOW_TRACED		5	/* t: stopped by a tracer */
#define FS_NOW_ZOMBIE		6	/* Z: exited, not reaped */
#define FS_NOW_DEAD		7	/* X: being released */
#define FS_NOW_IDLE		8	/* I: an idle kernel thread */

/* fs_rec_task_now.flags */
#define FS_NOW_ON_CPU		(1U << 0)	/* running on a CPU as read: its
						 * registers are where it last
						 * entered the kernel */
#define FS_NOW_IN_SYSCALL	(1U << 1)	/* inside the syscall named */
#define FS_NOW_SIGCHLD_BLOCKED	(1U << 2)	/* the thread blocks SIGCHLD:
						 * no handler runs for it */
#define FS_NOW_SIGCHLD_PENDING	(1U << 3)	/* a SIGCHLD is pending for
						 * the process or the thread */
#define FS_NOW_MM_BUSY		(1U << 4)	/* its memory map was being
						 * changed (mmap_lock held for
						 * writing): no stack copied,
						 * rather than wait on it */

/*
 * Threads of one process told by one look, the leader first; the reader
 * knows how many more it has.
 */
#define FS_NOW_MAX_THREADS	16
/* Kernel return addresses at most: where it sleeps, and its callers. */
#define FS_NOW_MAX_KIPS		16

/*
 * What a target process is doing now, one record per thread (the leader
 * first: index 0 starts a look), made when the reader asks (forkscope
 * zombies --stacks looks at each leaking parent at every report): its
 * state, the syscall it is in and the kernel stack it sleeps on, its
 * user stack to unwind as a fork stack's, the process's SIGCHLD handler,
 * and CPU time, for the reader to tell a busy loop from a sleep.
 *
 * regs and the copy are as in fs_rec_fork_stack (x86-64 only): the user
 * registers saved when the thread last entered the kernel, and up to
 * FS_STACK_COPY_MAX bytes of its stack from regs[FS_STACK_REG_SP] up.
 * There is no frame-pointer walk: the kernel has none for another task.
 *
 * Variable part: nr_kips kernel return addresses (innermost first), then
 * stack_len bytes of the user stack, then zeros to a multiple of 8.
 */
struct fs_rec_task_now {
	struct fs_hdr hdr;	/* subject: the thread */
	__u64 sigchld_handler;	/* the process's: 0 SIG_DFL, 1 SIG_IGN, else
				 * the handler's address */
	__u64 sigchld_sa_flags;	/* its SA_* flags */
	__u64 utime_ns;		/* CPU time so far, the thread's own */
	__u64 stime_ns;
	__u32 state;		/* FS_NOW_RUNNING ... */
	__u32 flags;		/* FS_NOW_* */
	__s32 syscall;		/* the syscall's number, if FS_NOW_IN_SYSCALL */
	__u16 index;		/* the thread's place in this look: 0, 1, ... */
	__u16 nr_kips;		/* 0..FS_NOW_MAX_KIPS */
	__u64 regs[FS_STACK_NR_REGS];
	__u16 look;		/* the reader's number for this look: its
				 * records share it */
	__u16 stack_flags;	/* FS_FSTACK_* */
	__u32 stack_len;	/* 0..FS_STACK_COPY_MAX */
};

#define FS_TASK_NOW_SIZE(nr_kips, stack_len)				\
	FS_ALIGN8(sizeof(struct fs_rec_task_now) + (nr_kips) * 8 + (stack_len))
#define FS_TASK_NOW_MAX_SIZE						\
	FS_TASK_NOW_SIZE(FS_NOW_MAX_KIPS, FS_STACK_COPY_MAX)

/* fs_rec_frames.what */
#define FS_FRAMES_STACK		0	/* the record's user stack */
#define FS_FRAMES_HANDLER	1	/* a task-now record's SIGCHLD handler */
#define FS_FRAMES_KERNEL	2	/* a task-now record's kernel addresses
					 * (functions only): another boot's
					 * addresses are not this one's */

/* One named frame; strings are offsets into the record's strings, + 1. */
struct fs_rec_frame {
	__u64 addr;		/* the pc as the process saw it */
	__u64 offset;		/* from the function's start */
	__u32 line;		/* 0: unknown */
	__u32 module;		/* 0: none */
	__u32 build_id;
	__u32 function;
	__u32 file;
	__u32 reserved;
};

/*
 * FS_REC_FRAMES: made by the reader, never by a kernel producer, for
 * recordings: the frames a fork-stack or task-now record's stack (or
 * handler) resolved to when it was recorded, written right before that
 * record, so that a recording read elsewhere, or after the process is
 * gone, names its stacks as they were. Subject: the stack record's.
 * Variable part: nr struct fs_rec_frame, innermost first, then
 * strings_len bytes of NUL-ended strings, then zeros to a multiple of 8.
 */
struct fs_rec_frames {
	struct fs_hdr hdr;
	__u16 rec_type;		/* FS_REC_FORK_STACK or FS_REC_TASK_NOW */
	__u16 nr;		/* 0..FS_STACK_MAX_IPS */
	__u8 what;		/* FS_FRAMES_* */
	__u8 method;		/* how it was had: the reader's enum (stack.h) */
	__u8 partial;		/* the walk stopped before the first frame */
	__u8 reserved;
	__u32 strings_len;
	__u32 reserved2;
};

#endif /* FORKSCOPE_RECORD_H */
