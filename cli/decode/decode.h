/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one record decoder. Every record, from any source, passes
 * fs_record_check() before anything reads its fields: after that the
 * typed structs of include/forkscope/record.h can be read directly.
 */
#ifndef FS_DECODE_H
#define FS_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "forkscope/record.h"

/* What a reader saw of one stream of records; the source keeps it. */
struct fs_stream_stats {
	uint64_t records;			/* delivered, LOST excluded */
	uint64_t bytes;				/* of those records */
	uint64_t by_type[FS_REC_TYPE_MAX];	/* delivered, by type */
	uint64_t ringbuf_lost[FS_REC_TYPE_MAX];	/* kernel buffer full */
	uint64_t recursion_lost;	/* lifecycle program runs the kernel
					 * skipped */
	uint64_t cow_lost;		/* COW faults not counted */
	uint64_t malformed;		/* rejected by the decoder */
	uint64_t snapshot_filled;	/* tasks a kernel-side snapshot missed
					 * and /proc supplied */
};

/*
 * Whether a stream written in record ABI abi (its major version) can be
 * read: 0, or -EPROTO with one line naming who wrote it (the module, a
 * file) and what to do. Minor revisions only append to fixed parts, which
 * fs_record_check() accepts, so the major version alone decides.
 */
int fs_abi_check(unsigned int abi, const char *writer);

/* 0 when buf holds one well-formed record, else -EBADMSG and fs_error(). */
int fs_record_check(const void *buf, size_t len);

/* "fork", "exec", ...; "?" for an unknown type. */
const char *fs_record_name(unsigned int type);
/* The record type for a name, or 0. */
unsigned int fs_record_type(const char *name);

/*
 * Whether a loss (FS_LOST_*) may have hidden a fork, exec, exit, wait or
 * reap: only then is the table in doubt and a new snapshot needed.
 */
bool fs_lost_lifecycle(uint32_t reason);
/* Whether a loss (FS_LOST_*) is COW faults a counter missed: no record. */
bool fs_lost_cow(uint32_t reason);

/* The wait-status word a wait result carries, waitid's si_code folded in. */
unsigned int fs_wait_result_status(const struct fs_rec_wait_result *r);
/* The waiter reaped the child: it exited or was killed, and no WNOWAIT. */
bool fs_wait_result_reaped(const struct fs_rec_wait_result *r);

/*
 * The variable parts of checked records. An exec's filename is
 * NUL-terminated; its args are args_len bytes (see fs_exec_for_each_arg).
 * The exec functions read failed execs too (the same layout): pass a
 * struct fs_rec_exec_fail cast.
 */
const char *fs_exec_filename(const struct fs_rec_exec *r);
const char *fs_exec_args(const struct fs_rec_exec *r);
const char *fs_cgroup_path(const struct fs_rec_cgroup_path *r);
/* A fork stack's frame-pointer addresses and its copy of the stack. */
const uint64_t *fs_fork_stack_ips(const struct fs_rec_fork_stack *r);
const unsigned char *fs_fork_stack_copy(const struct fs_rec_fork_stack *r);
/* This architecture's name of syscall nr ("epoll_wait"), or NULL. */
const char *fs_syscall_name(int nr);
/* A frames record's frames: nr of them (frames.h reads them). */
const struct fs_rec_frame *fs_frames_of(const struct fs_rec_frames *r);
/* A task-now record's kernel return addresses: nr_kips of them. */
const uint64_t *fs_task_now_kips(const struct fs_rec_task_now *r);
/*
 * A user stack to unwind, as a fork-stack or task-now record carries it:
 * the thread, its registers (NULL: none, a kernel thread), the
 * frame-pointer addresses the kernel walked, and the copy of the stack
 * from the registers' sp up.
 */
struct fs_ustack {
	const struct fs_hdr *hdr;
	const uint64_t *regs;		/* FS_STACK_NR_REGS of them */
	const uint64_t *ips;
	uint32_t nr_ips;
	const unsigned char *copy;
	uint32_t copy_len;
};
/* The user stack of a checked record of either type; -EINVAL: neither. */
int fs_ustack_of(const struct fs_hdr *h, struct fs_ustack *u);
/* A pids reading's cgroup path; "" for the machine. */
const char *fs_pids_path(const struct fs_rec_pids *r);
/* An exec-fds record's entries: r->nr of them. */
const struct fs_exec_fd *fs_exec_fds(const struct fs_rec_exec_fds *r);
/* The container identity a record carries (fork: the child's), or NULL. */
const struct fs_ident *fs_record_ident(const struct fs_hdr *h);

/* Which limit refused a failed fork (fs_fork_fail_limit()). */
enum fs_fork_limit {
	FS_LIMIT_NONE,		/* an error no limit explains: EINVAL, EPERM */
	FS_LIMIT_NPROC,		/* the real user's RLIMIT_NPROC */
	FS_LIMIT_THREADS,	/* kernel.threads-max */
	FS_LIMIT_PID_MAX,	/* kernel.pid_max: no free pid */
	FS_LIMIT_PIDS_CGROUP,	/* a pids cgroup's pids.max */
	FS_LIMIT_MEMORY,	/* ENOMEM */
	FS_LIMIT_PIDNS_DEAD,	/* ENOMEM: the pid namespace's init is gone */
	FS_LIMIT_UNKNOWN,	/* EAGAIN with every limit found below full:
				 * one was freed before the syscall returned */
	FS_LIMIT_COUNT,
};

/*
 * Which limit refused a failed fork, from what the record says the limits
 * stood at: RLIMIT_NPROC, a pids cgroup found at pids.max, threads-max,
 * then pid_max. The kernel checks threads-max first, but tasks counts
 * pids a group or session keeps too, so it can find threads-max full
 * when it is not, and the pid space can only be judged from a count: it
 * may be full once the tasks leave fewer free pids than the allocator
 * keeps for early tasks after it wraps (RESERVED_PIDS, 300), which a
 * small pid_max makes always true. A pids cgroup at its limit is certain,
 * so it is told before both. Not read: a container's own pid_max (6.14+)
 * and RLIMIT_NPROC counts of outer user namespaces: such refusals are
 * FS_LIMIT_UNKNOWN.
 */
enum fs_fork_limit fs_fork_fail_limit(const struct fs_rec_fork_fail *r);
/* "RLIMIT_NPROC", "pids.max", ... */
const char *fs_fork_limit_name(enum fs_fork_limit l);
/* "EAGAIN", or "errno N" for one libc does not name (until the next call). */
const char *fs_errno_name(int err);

/*
 * Calls fn for each argv string of an exec record, in order; stops early
 * when fn returns non-zero. Returns the number of strings visited.
 */
int fs_exec_for_each_arg(const struct fs_rec_exec *r,
			 int (*fn)(void *ctx, const char *arg), void *ctx);

#endif
