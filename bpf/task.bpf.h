/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the BPF producers read from a task_struct, written once: the common
 * record header, the process's SIGCHLD disposition, and who adopts its
 * children. Include after vmlinux.h and the libbpf headers.
 */
#ifndef FS_TASK_BPF_H
#define FS_TASK_BPF_H

#include "forkscope/record.h"
#include "forkscope/rules.h"

#define SIGCHLD			17
#define SIG_IGN			1
#define SA_NOCLDWAIT		2
#define SIGNAL_GROUP_EXIT	0x00000004
#define PF_EXITING		0x00000004
#define PF_KTHREAD		0x00200000
#define EXIT_ZOMBIE		0x00000020
#define MAX_ANCESTORS		32
#define MAX_CGROUP_DEPTH	16
#define RLIMIT_NPROC		6
#define CAP_SYS_ADMIN		21
#define CAP_SYS_RESOURCE	24
#define PIDNS_ADDING		(1U << 31)
#define CLONE_VM		0x00000100
#define CLONE_VFORK		0x00004000

/* pid_namespace.pid_max: since 6.14 (per namespace), a global before. */
struct pid_namespace___v614 {
	int pid_max;
} __attribute__((preserve_access_index));

static __always_inline void fill_hdr(struct fs_hdr *h, __u16 type,
				     __u16 size, struct task_struct *t,
				     bool with_parent)
{
	h->type = type;
	h->size = size;
	h->fixed = size;
	h->cpu = bpf_get_smp_processor_id();
	h->ts_ns = bpf_ktime_get_boot_ns();
	h->pid = t->pid;
	h->tgid = t->tgid;
	h->ppid = with_parent ? t->real_parent->tgid : 0;
	h->reserved = 0;
	h->start_ns = t->start_boottime;
	__builtin_memcpy(h->comm, t->comm, sizeof(h->comm));
}

/*
 * t's container identity, by plain loads where the verifier allows them:
 * the pids controller's index is the running kernel's (CO-RE; a kernel
 * without the controller has no such enum value: 0 then), a constant to
 * the verifier. Most tasks live in the initial pid namespace (level 0),
 * where their ids are their own; inside a container the level is a
 * variable index, which only the helper may read (as in heir_of()).
 */
static __always_inline void read_ident(struct task_struct *t,
				       struct fs_ident *id)
{
	struct css_set *cgs = t->cgroups;
	struct pid *pid = t->thread_pid;
	unsigned int level = pid->level;

	id->cgroup = cgs->dfl_cgrp->kn->id;
	id->pids_cgroup = 0;
	if (bpf_core_enum_value_exists(enum cgroup_subsys_id, pids_cgrp_id)) {
		int i = bpf_core_enum_value(enum cgroup_subsys_id, pids_cgrp_id);

		id->pids_cgroup = cgs->subsys[i]->cgroup->kn->id;
	}
	if (level == 0) {
		id->pidns = pid->numbers[0].ns->ns.inum;
		id->ns_pid = t->pid;
		id->ns_tgid = t->tgid;
	} else {
		id->pidns = BPF_CORE_READ(pid, numbers[level].ns, ns.inum);
		id->ns_pid = BPF_CORE_READ(pid, numbers[level].nr);
		id->ns_tgid = BPF_CORE_READ(t, group_leader, thread_pid,
					    numbers[level].nr);
	}
	id->flags = fs_ident_flags(id->ns_tgid);
}

/* FS_SNAP_SIGCHLD_* and FS_SNAP_NOCLDWAIT for t's process. */
static __always_inline __u32 sigchld_flags(struct task_struct *t)
{
	struct sighand_struct *sh = t->sighand;
	unsigned long handler, flags;
	__u32 out = 0;

	if (!sh)
		return 0;
	handler = (unsigned long)sh->action[SIGCHLD - 1].sa.sa_handler;
	flags = sh->action[SIGCHLD - 1].sa.sa_flags;
	if (handler == SIG_IGN)
		out |= FS_SNAP_SIGCHLD_IGN;
	else if (handler)
		out |= FS_SNAP_SIGCHLD_HANDLER;
	if (flags & SA_NOCLDWAIT)
		out |= FS_SNAP_NOCLDWAIT;
	return out;
}

#ifdef __TARGET_ARCH_x86
/* User registers in DWARF order, as FS_STACK_NR_REGS says. */
static __always_inline void user_regs(__u64 *out, struct pt_regs *regs)
{
	out[0] = regs->ax;
	out[1] = regs->dx;
	out[2] = regs->cx;
	out[3] = regs->bx;
	out[4] = regs->si;
	out[5] = regs->di;
	out[6] = regs->bp;
	out[7] = regs->sp;
	out[8] = regs->r8;
	out[9] = regs->r9;
	out[10] = regs->r10;
	out[11] = regs->r11;
	out[12] = regs->r12;
	out[13] = regs->r13;
	out[14] = regs->r14;
	out[15] = regs->r15;
	out[16] = regs->ip;
}

/*
 * The user stack from sp up into dst (room for FS_STACK_COPY_MAX + 4096:
 * the verifier's bound on the last piece), a page at a time, up to
 * FS_STACK_COPY_MAX bytes or to start_stack when it is above sp: the
 * main thread's stack ends at mm->start_stack (above it: argv and the
 * environment), so a shallow stack is copied without reading past its
 * mapping. A read that fails ends the copy with what came before and
 * sets FS_FSTACK_COPY_FAULT in *flags: measured here, a failed read at a
 * fork costs ~15-20 us (a fault taken and fixed up, in a VM), against
 * ~2 us for a page read. t NULL: the running task's stack; else t's,
 * through its own mm (sleepable programs only: pass a constant NULL
 * elsewhere, so the compiler drops that helper's call).
 */
static __always_inline __u32 copy_user_stack(char *dst, __u16 *flags,
					     __u64 sp, __u64 start_stack,
					     struct task_struct *t)
{
	__u32 want = FS_STACK_COPY_MAX, got = 0;
	long err;

	if (sp < start_stack && start_stack - sp < FS_STACK_COPY_MAX)
		want = start_stack - sp;
	for (int i = 0; i < FS_STACK_COPY_MAX / 4096 + 1; i++) {
		__u32 len = 4096 - ((sp + got) & 4095);

		if (got >= want)
			break;
		if (len > want - got)
			len = want - got;
		/* Bounds the verifier sees on the register passed. */
		asm volatile("" : "+r"(len));
		len &= 0x1fff;
		if (len > 4096 || got > FS_STACK_COPY_MAX)
			break;
		err = t ? bpf_copy_from_user_task(dst + got, len,
						  (void *)(sp + got), t, 0) :
			  bpf_probe_read_user(dst + got, len,
					      (void *)(sp + got));
		if (err) {
			*flags |= FS_FSTACK_COPY_FAULT;
			break;
		}
		got += len;
	}
	return got;
}
#endif

static __always_inline bool is_subreaper(struct task_struct *t)
{
	struct signal_struct *sig = BPF_CORE_READ(t, signal);

	return sig && BPF_CORE_READ_BITFIELD_PROBED(sig, is_child_subreaper);
}

static __always_inline int pid_level(struct task_struct *t)
{
	return BPF_CORE_READ(t, thread_pid, level);
}

/*
 * The tgid that adopts the children of t's process when its last thread
 * exits, as find_new_reaper() picks it: the nearest subreaper ancestor
 * that still has live threads, in t's pid namespace, else the namespace's
 * init. *subreaper says which it was.
 */
static __always_inline __s32 heir_of(struct task_struct *t, bool *subreaper)
{
	struct pid *pid = t->thread_pid;
	unsigned int level = pid->level;
	struct task_struct *init, *a = t;
	struct signal_struct *sig;

	*subreaper = false;
	/* A variable index: only the helper may read there, and init too. */
	init = BPF_CORE_READ(pid, numbers[level].ns, child_reaper);
	sig = t->signal;
	if (!BPF_CORE_READ_BITFIELD(sig, has_child_subreaper))
		return BPF_CORE_READ(init, tgid);
	/*
	 * The helper here too: plain loads made the verifier walk this loop
	 * for 200 ms at every start, for a walk few exits take.
	 */
	for (int i = 0; i < MAX_ANCESTORS; i++) {
		a = BPF_CORE_READ(a, real_parent);
		if (!a || a == init || pid_level(a) != level ||
		    BPF_CORE_READ(a, pid) == 0)
			break;
		if (is_subreaper(a) &&
		    BPF_CORE_READ(a, signal, live.counter) > 0) {
			*subreaper = true;
			return BPF_CORE_READ(a, tgid);
		}
	}
	return BPF_CORE_READ(init, tgid);
}

/*
 * The nearest pids cgroup at its pids.max, from t's up: where
 * pids_try_charge() stops a fork. The root has no limit. Probe reads: the
 * struct is private to the pids controller, and the walk leaves what the
 * verifier can follow.
 */
static __always_inline void read_pids_limit(struct task_struct *t,
					    struct fs_rec_fork_fail *r)
{
	struct cgroup_subsys_state *css;
	__s64 cur, max;

	if (!bpf_core_enum_value_exists(enum cgroup_subsys_id, pids_cgrp_id))
		return;
	css = t->cgroups->subsys[bpf_core_enum_value(enum cgroup_subsys_id,
						     pids_cgrp_id)];
	for (int i = 0; i < MAX_CGROUP_DEPTH && css &&
			BPF_CORE_READ(css, parent); i++) {
		struct pids_cgroup *p = (void *)css;

		cur = BPF_CORE_READ(p, counter.counter);
		max = BPF_CORE_READ(p, limit.counter);
		if (cur >= max) {
			r->pids_cgroup = BPF_CORE_READ(css, cgroup, kn, id);
			r->pids_current = cur;
			r->pids_max = max;
			return;
		}
		css = BPF_CORE_READ(css, parent);
	}
}

/*
 * What copy_process() checked when t's fork failed, as the kernel reads
 * it: RLIMIT_NPROC against the real user's process count, threads-max
 * against the tasks, pid_max, the pids cgroups. r's syscall and
 * clone_flags are set.
 */
static __always_inline void read_fork_limits(struct task_struct *t,
					     struct fs_rec_fork_fail *r)
{
	const struct cred *cred = t->real_cred;
	struct fs_fork_fail_facts f = {
		.syscall = r->syscall, .clone_flags = r->clone_flags,
	};
	struct pid_namespace *ns;
	__u64 caps = 0;

	r->uid = f.uid = cred->uid.val;
	/* rlimit[UCOUNT_RLIMIT_NPROC], which is 0 in every kernel with it. */
	r->nproc = BPF_CORE_READ(cred, ucounts, rlimit[0].counter);
	r->nproc_max = t->signal->rlim[RLIMIT_NPROC].rlim_cur;
	/* 64 bits in every kernel; two u32 before 6.3: read as bytes. */
	bpf_core_read(&caps, sizeof(caps), &cred->cap_effective);
	f.admin_caps = BPF_CORE_READ(cred, user_ns, level) == 0 &&
		       (caps & (1ULL << CAP_SYS_ADMIN | 1ULL << CAP_SYS_RESOURCE));
	ns = t->thread_pid->numbers[0].ns;
	r->tasks = BPF_CORE_READ(ns, pid_allocated) & ~PIDNS_ADDING;
	if (bpf_core_field_exists(struct pid_namespace___v614, pid_max))
		r->pid_max = BPF_CORE_READ((struct pid_namespace___v614 *)ns,
					   pid_max);
	ns = BPF_CORE_READ(t, nsproxy, pid_ns_for_children);
	f.pidns_dead = ns && !(BPF_CORE_READ(ns, pid_allocated) & PIDNS_ADDING);
	r->flags |= fs_fork_fail_flags(&f);
	if (!(r->flags & FS_FFAIL_INTO_CGROUP))
		read_pids_limit(t, r);
}

#endif
