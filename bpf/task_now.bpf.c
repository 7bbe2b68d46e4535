// SPDX-License-Identifier: GPL-2.0-only
/*
 * What a process is doing now: one FS_REC_TASK_NOW record per thread of
 * the process the reader's iterator link names (the task iterator's pid
 * filter), the leader first, written to the iterator's seq_file. A
 * sleepable iterator, because another task's stack is read through its
 * own mm (bpf_copy_from_user_task): a probe's read can take its time, a
 * fork's could not.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "task.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define TASK_INTERRUPTIBLE	0x0001
#define TASK_UNINTERRUPTIBLE	0x0002
#define __TASK_STOPPED		0x0004
#define __TASK_TRACED		0x0008
#define TASK_NOLOAD		0x0400
#define EXIT_DEAD		0x0010
#define SIGCHLD_BIT		(1ULL << (SIGCHLD - 1))
#define RWSEM_WRITER_LOCKED	1

/* Threads told in this read: the reader zeroes it before each one. */
__u32 told;
/* The reader's number for this look, set with told. */
__u16 look;

struct now_scratch {
	struct fs_rec_task_now r;
	__u64 kips[FS_NOW_MAX_KIPS];
	/* The copy, then room for the verifier's bound on its last piece. */
	char copy[FS_STACK_COPY_MAX + 4096];
};

/* One reader at a time reads the iterator: one scratch. */
static struct now_scratch scratch;

static __always_inline __u32 now_state(struct task_struct *t)
{
	unsigned int state = BPF_CORE_READ(t, __state);
	int exit_state = BPF_CORE_READ(t, exit_state);

	if (exit_state & EXIT_ZOMBIE)
		return FS_NOW_ZOMBIE;
	if (exit_state & EXIT_DEAD)
		return FS_NOW_DEAD;
	if (!state)
		return FS_NOW_RUNNING;
	if (state & __TASK_STOPPED)
		return FS_NOW_STOPPED;
	if (state & __TASK_TRACED)
		return FS_NOW_TRACED;
	if (state & TASK_INTERRUPTIBLE)
		return FS_NOW_SLEEPING;
	if ((state & TASK_UNINTERRUPTIBLE) && (state & TASK_NOLOAD))
		return FS_NOW_IDLE;
	if (state & TASK_UNINTERRUPTIBLE)
		return FS_NOW_DISK;
	return FS_NOW_SLEEPING;
}

static __always_inline __u32 sigchld_now(struct task_struct *t)
{
	__u64 pending = BPF_CORE_READ(t, pending.signal.sig[0]) |
			BPF_CORE_READ(t, signal, shared_pending.signal.sig[0]);
	__u32 flags = 0;

	if (BPF_CORE_READ(t, blocked.sig[0]) & SIGCHLD_BIT)
		flags |= FS_NOW_SIGCHLD_BLOCKED;
	if (pending & SIGCHLD_BIT)
		flags |= FS_NOW_SIGCHLD_PENDING;
	return flags;
}

#ifdef __TARGET_ARCH_x86
/* Registers and stack copy; false when the task has no user side. */
static __always_inline __u32 user_side(struct task_struct *t, bool leader)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(t);
	long orig_ax;

	if (!regs || !BPF_CORE_READ(t, mm) ||
	    (BPF_CORE_READ(t, flags) & PF_KTHREAD)) {
		scratch.r.stack_flags |= FS_FSTACK_NO_REGS;
		return 0;
	}
	user_regs(scratch.r.regs, regs);
	/* Exceptions and interrupts write -1 there: a syscall is >= 0. */
	orig_ax = BPF_CORE_READ(regs, orig_ax);
	if (orig_ax >= 0) {
		scratch.r.flags |= FS_NOW_IN_SYSCALL;
		scratch.r.syscall = orig_ax;
	}
	/*
	 * The copy takes the mmap_lock for reading, killable only by
	 * SIGKILL: a process stuck while its map is write-locked would
	 * hold the reader. Seen locked (its count's writer bit), skipped.
	 */
	if (BPF_CORE_READ(t, mm, mmap_lock.count.counter) & RWSEM_WRITER_LOCKED) {
		scratch.r.flags |= FS_NOW_MM_BUSY;
		return 0;
	}
	/* Another task's stack: read through its own mm. */
	return copy_user_stack(scratch.copy, &scratch.r.stack_flags,
			       scratch.r.regs[FS_STACK_REG_SP],
			       leader ? BPF_CORE_READ(t, mm, start_stack) : 0, t);
}
#else
static __always_inline __u32 user_side(struct task_struct *t, bool leader)
{
	scratch.r.stack_flags |= FS_FSTACK_NO_REGS;
	return 0;
}
#endif

SEC("iter.s/task")
int task_now(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	struct fs_rec_task_now *r = &scratch.r;
	struct sighand_struct *sh;
	__u64 nr = 0, len, size, used;
	long got;

	if (!t)
		return 0;
	if (told >= FS_NOW_MAX_THREADS)
		return 0;
	fill_hdr(&r->hdr, FS_REC_TASK_NOW, sizeof(*r), t, true);
	sh = BPF_CORE_READ(t, sighand);
	r->sigchld_handler = sh ? (__u64)BPF_CORE_READ(sh,
				action[SIGCHLD - 1].sa.sa_handler) : 0;
	r->sigchld_sa_flags = sh ? BPF_CORE_READ(sh,
				action[SIGCHLD - 1].sa.sa_flags) : 0;
	r->utime_ns = BPF_CORE_READ(t, utime);
	r->stime_ns = BPF_CORE_READ(t, stime);
	r->state = now_state(t);
	r->flags = sigchld_now(t);
	if (bpf_core_field_exists(t->on_cpu) && BPF_CORE_READ(t, on_cpu))
		r->flags |= FS_NOW_ON_CPU;
	r->syscall = -1;
	r->index = told;
	r->look = look;
	r->stack_flags = 0;
	__builtin_memset(r->regs, 0, sizeof(r->regs));
	got = bpf_get_task_stack(t, scratch.kips, sizeof(scratch.kips), 0);
	nr = got > 0 ? (__u64)got / 8 : 0;
	len = user_side(t, t->pid == t->tgid);
	/* Bounds the verifier sees on the registers used (no folding). */
	asm volatile("" : "+r"(nr), "+r"(len));
	if (nr > FS_NOW_MAX_KIPS)
		nr = FS_NOW_MAX_KIPS;
	if (len > FS_STACK_COPY_MAX)
		len = FS_STACK_COPY_MAX;
	asm volatile("" : "+r"(nr));
	nr &= 2 * FS_NOW_MAX_KIPS - 1;
	/* The copy follows the addresses taken: move it down after them. */
	if (nr < FS_NOW_MAX_KIPS && len)
		bpf_probe_read_kernel((char *)scratch.kips + nr * 8, len,
				      scratch.copy);
	r->nr_kips = nr;
	r->stack_len = len;
	size = FS_TASK_NOW_SIZE(nr, len);
	used = nr * 8 + len;
	asm volatile("" : "+r"(used));
	if (used <= sizeof(scratch.kips) + FS_STACK_COPY_MAX)
		__builtin_memset((char *)scratch.kips + used, 0, 8);
	r->hdr.size = size;
	/*
	 * A full seq_file buffer (32 KiB: three or four records) refuses
	 * the write, and the next read() runs this again for the same
	 * task: the index goes up only once it is out.
	 */
	if (size <= FS_TASK_NOW_MAX_SIZE &&
	    !bpf_seq_write(ctx->meta->seq, r, size))
		told++;
	return 0;
}
