// SPDX-License-Identifier: GPL-2.0-only
/*
 * Failed forks and execs, from the sys_exit probe: the same records, field
 * for field, as bpf/lifecycle.bpf.c's syscall-exit programs write.
 */
#include <linux/cgroup.h>
#include <linux/cred.h>
#include <linux/percpu.h>
#include <linux/pid_namespace.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>
#include <linux/version.h>
#include <asm/syscall.h>
#include <asm/unistd.h>

#include "forkscope.h"
#include "forkscope/rules.h"

#define MAX_CGROUP_DEPTH	16

#ifdef CONFIG_CGROUP_PIDS
/*
 * The head of the pids controller's private struct pids_cgroup
 * (kernel/cgroup/pids.c), which has begun so since 4.3: the counter and
 * the limit, both 64-bit, right after the css.
 */
struct fs_pids_head {
	struct cgroup_subsys_state css;
	atomic64_t counter;
	atomic64_t limit;
};

/* The nearest pids cgroup at its pids.max, as bpf/task.bpf.h finds it. */
static void read_pids_limit(struct task_struct *t, struct fs_rec_fork_fail *r)
{
	struct cgroup_subsys_state *css;
	int i;

	rcu_read_lock();
	css = task_css(t, pids_cgrp_id);
	for (i = 0; i < MAX_CGROUP_DEPTH && css && css->parent; i++) {
		struct fs_pids_head *p = (struct fs_pids_head *)css;
		s64 cur = atomic64_read(&p->counter);
		s64 max = atomic64_read(&p->limit);

		if (cur >= max) {
			r->pids_cgroup = cgroup_id(css->cgroup);
			r->pids_current = cur;
			r->pids_max = max;
			break;
		}
		css = css->parent;
	}
	rcu_read_unlock();
}
#else
static void read_pids_limit(struct task_struct *t, struct fs_rec_fork_fail *r)
{
}
#endif

/*
 * What copy_process() checked, as bpf/task.bpf.h's read_fork_limits().
 * r's syscall and clone_flags are set.
 */
static void read_fork_limits(struct task_struct *t, struct fs_rec_fork_fail *r)
{
	struct fs_fork_fail_facts f = {
		.syscall = r->syscall, .clone_flags = r->clone_flags,
	};
	const struct cred *cred;
	struct pid_namespace *ns;

	rcu_read_lock();
	cred = rcu_dereference(t->real_cred);
	r->uid = f.uid = __kuid_val(cred->uid);
	r->nproc = get_rlimit_value(cred->ucounts, UCOUNT_RLIMIT_NPROC);
	f.admin_caps = cred->user_ns == &init_user_ns &&
		       (cap_raised(cred->cap_effective, CAP_SYS_ADMIN) ||
			cap_raised(cred->cap_effective, CAP_SYS_RESOURCE));
	rcu_read_unlock();
	r->nproc_max = task_rlimit(t, RLIMIT_NPROC);
	r->tasks = READ_ONCE(init_pid_ns.pid_allocated) & ~PIDNS_ADDING;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 14, 0)
	r->pid_max = READ_ONCE(init_pid_ns.pid_max);
#endif
	ns = t->nsproxy ? t->nsproxy->pid_ns_for_children : NULL;
	f.pidns_dead = ns && !(READ_ONCE(ns->pid_allocated) & PIDNS_ADDING);
	r->flags |= fs_fork_fail_flags(&f);
	if (!(r->flags & FS_FFAIL_INTO_CGROUP))
		read_pids_limit(t, r);
}

void fs_fork_failed(struct pt_regs *regs, long nr, long ret)
{
	struct ring_buffer_event *ev;
	struct fs_rec_fork_fail *r;
	unsigned long args[6];

	r = fs_reserve(&ev, FS_REC_FORK_FAIL, sizeof(*r));
	if (!r)
		return;
	memset(r, 0, sizeof(*r));
	fs_fill_hdr(&r->hdr, FS_REC_FORK_FAIL, sizeof(*r), current, true);
	r->err = -ret;
	syscall_get_arguments(current, regs, args);
	switch (nr) {
#ifdef __NR_fork	/* not on every architecture */
	case __NR_fork:
		r->syscall = FS_FORK_SYS_FORK;
		r->clone_flags = SIGCHLD;
		break;
#endif
#ifdef __NR_vfork
	case __NR_vfork:
		r->syscall = FS_FORK_SYS_VFORK;
		r->clone_flags = CLONE_VM | CLONE_VFORK | SIGCHLD;
		break;
#endif
	case __NR_clone:
		r->syscall = FS_FORK_SYS_CLONE;
		r->clone_flags = args[0];
		break;
	default:	/* clone3(struct clone_args *, size): flags first */
		r->syscall = FS_FORK_SYS_CLONE3;
		if (copy_from_user_nofault(&r->clone_flags,
					   (void __user *)args[0], 8)) {
			r->clone_flags = 0;	/* as BPF's read leaves it */
			r->flags |= FS_FFAIL_FLAGS_FAULT;
		}
	}
	read_fork_limits(current, r);
	fs_read_ident(current, &r->id);
	fs_commit(ev);
}

/* Built here first: a ring reservation must know its size. */
struct exec_fail_scratch {
	struct fs_rec_exec_fail r;
	char data[FS_FILENAME_LEN + FS_ARGS_LEN + 8];
};

static DEFINE_PER_CPU(struct exec_fail_scratch, exec_fail_scratch);

/*
 * A user string into dst (room bytes), as bpf_probe_read_user_str() reads
 * it: its bytes with the NUL, room when cut (the last byte made NUL), or
 * -EFAULT. By chunks that stay within a page, so that a string ending
 * before an unmapped page is read (strncpy_from_user_nofault() is not
 * exported before 6.4). *trunc when it did not fit.
 */
static long read_user_str(char *dst, const char __user *src, long room,
			  bool *trunc)
{
	long off = 0;

	*trunc = false;
	while (off < room) {
		unsigned long addr = (unsigned long)src + off;
		long n = min3(room - off, 64L,
			      (long)(PAGE_SIZE - offset_in_page(addr)));
		char *nul;

		if (copy_from_user_nofault(dst + off, src + off, n))
			return -EFAULT;
		nul = memchr(dst + off, 0, n);
		if (nul)
			return nul - dst + 1;
		off += n;
	}
	dst[room - 1] = 0;	/* no NUL in room bytes: cut */
	*trunc = true;
	return room;
}

/* argv as the caller passed it, as bpf/lifecycle.bpf.c's read_argv(). */
static u32 read_argv(char *args, const char __user *const __user *argv,
		     u32 *flags)
{
	const char __user *arg;
	u32 off = 0;
	bool trunc;
	long got;
	int i;

	if (!argv)
		return 0;
	for (i = 0; i < FS_EXEC_FAIL_ARGC; i++) {
		if (copy_from_user_nofault(&arg, &argv[i], sizeof(arg))) {
			*flags |= FS_EXEC_ARGS_FAULT;
			return off;
		}
		if (!arg)
			return off;
		if (off >= FS_ARGS_LEN) {
			*flags |= FS_EXEC_ARGS_TRUNC;
			return off;
		}
		got = read_user_str(args + off, arg, FS_ARGS_LEN - off, &trunc);
		if (got < 0) {
			*flags |= FS_EXEC_ARGS_FAULT;
			return off;
		}
		if (trunc) {
			*flags |= FS_EXEC_ARGS_TRUNC;
			return FS_ARGS_LEN;
		}
		off += got;
	}
	if (!copy_from_user_nofault(&arg, &argv[i], sizeof(arg)) && arg)
		*flags |= FS_EXEC_ARGS_TRUNC;
	return off;
}

void fs_exec_failed(struct pt_regs *regs, long nr, long ret)
{
	const char __user *const __user *argv;
	struct exec_fail_scratch *x;
	struct ring_buffer_event *ev;
	const char __user *filename;
	unsigned long args[6];
	u32 fn, len, size, flags = 0;
	void *r;
	bool trunc;
	long got;

	syscall_get_arguments(current, regs, args);
	if (nr == __NR_execve) {	/* execve(filename, argv, envp) */
		filename = (const char __user *)args[0];
		argv = (const char __user *const __user *)args[1];
	} else {	/* execveat(dfd, filename, argv, envp, flags) */
		filename = (const char __user *)args[1];
		argv = (const char __user *const __user *)args[2];
	}
	/* Past the point of no return the pointers lead into new memory. */
	if (current->signal->flags & SIGNAL_GROUP_EXIT) {
		flags |= FS_EXEC_FAIL_FATAL;
		filename = NULL;
		argv = NULL;
	}
	x = get_cpu_ptr(&exec_fail_scratch);
	got = filename ? read_user_str(x->data, filename, FS_FILENAME_LEN,
				       &trunc) : -EFAULT;
	if (got < 0) {
		x->data[0] = 0;
		got = 1;
	} else if (trunc) {
		flags |= FS_EXEC_FILENAME_TRUNC;
	}
	fn = got;
	len = read_argv(x->data + fn, argv, &flags);
	size = FS_EXEC_SIZE(fn, len);
	memset(x->data + fn + len, 0, size - sizeof(x->r) - fn - len);
	fs_fill_hdr(&x->r.hdr, FS_REC_EXEC_FAIL, sizeof(x->r), current, true);
	x->r.hdr.size = size;
	x->r.err = -ret;
	x->r.flags = flags;
	x->r.filename_len = fn;
	x->r.args_len = len;
	x->r.syscall = nr == __NR_execve ? FS_EXEC_SYS_EXECVE :
					   FS_EXEC_SYS_EXECVEAT;
	x->r.reserved = 0;
	r = fs_reserve(&ev, FS_REC_EXEC_FAIL, size);
	if (r) {
		memcpy(r, x, size);
		fs_commit(ev);
	}
	put_cpu_ptr(&exec_fail_scratch);
}
