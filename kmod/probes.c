// SPDX-License-Identifier: GPL-2.0-only
/*
 * The tracepoint probes: the same records, field for field, as
 * bpf/lifecycle.bpf.c writes, so that the CLI cannot tell the producers
 * apart.
 */
#include <linux/binfmts.h>
#include <linux/compat.h>
#include <linux/cgroup.h>
#include <linux/mm.h>
#include <linux/pid_namespace.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <linux/uaccess.h>
#include <asm/syscall.h>
#include <asm/unistd.h>

#include "forkscope.h"
#include "forkscope/rules.h"

#define MAX_ANCESTORS	32

static void probe_fork(void *data, struct task_struct *parent,
		       struct task_struct *child)
{
	struct ring_buffer_event *ev;
	struct fs_rec_fork *r = fs_reserve(&ev, FS_REC_FORK, sizeof(*r));

	if (!r)
		return;
	fs_fill_hdr(&r->hdr, FS_REC_FORK, sizeof(*r), parent, true);
	r->child_pid = child->pid;
	r->child_tgid = child->tgid;
	rcu_read_lock();
	r->child_ppid = rcu_dereference(child->real_parent)->tgid;
	rcu_read_unlock();
	r->flags = fs_fork_flags(child->pid, child->tgid, child->mm,
				 parent->mm);
	r->child_start_ns = child->start_boottime;
	fs_read_ident(child, &r->child);
	fs_commit(ev);
}

/*
 * Sized before it is written, from the lengths asked for (FS_EXEC_SIZE):
 * the same bytes as the BPF producer's, a fault's zeros included.
 */
static void probe_exec(void *data, struct task_struct *p, pid_t old_pid,
		       struct linux_binprm *bprm)
{
	struct ring_buffer_event *ev;
	struct fs_rec_exec *r;
	unsigned long start, end, len;
	size_t fn, size;
	u32 flags = 0;
	char *v;

	fn = strnlen(bprm->filename, FS_FILENAME_LEN);
	if (fn == FS_FILENAME_LEN) {
		fn = FS_FILENAME_LEN - 1;
		flags |= FS_EXEC_FILENAME_TRUNC;
	}
	fn++;
	/* The new image's argv is on its stack already; p is current. */
	start = p->mm ? p->mm->arg_start : 0;
	end = p->mm ? p->mm->arg_end : 0;
	len = end > start ? end - start : 0;
	if (len > FS_ARGS_LEN) {
		len = FS_ARGS_LEN;
		flags |= FS_EXEC_ARGS_TRUNC;
	}
	size = FS_EXEC_SIZE(fn, len);
	r = fs_reserve(&ev, FS_REC_EXEC, size);
	if (!r)
		return;
	fs_fill_hdr(&r->hdr, FS_REC_EXEC, sizeof(*r), p, true);
	r->hdr.size = size;
	r->old_pid = old_pid;
	r->reserved = 0;
	v = (char *)(r + 1);
	memset(v, 0, size - sizeof(*r));
	memcpy(v, bprm->filename, fn - 1);
	if (len && copy_from_user_nofault(v + fn, (void __user *)start, len)) {
		memset(v + fn, 0, len);
		len = 0;
		flags |= FS_EXEC_ARGS_FAULT;
	}
	r->flags = flags;
	r->filename_len = fn;
	r->args_len = len;
	fs_commit(ev);
}

/* FS_SNAP_SIGCHLD_* and FS_SNAP_NOCLDWAIT of t's process. */
static u32 sigchld_flags(struct task_struct *t)
{
	struct k_sigaction *ka;
	u32 flags = 0;

	/* A task past __exit_signal() has no handlers left to look at. */
	if (!t->sighand)
		return 0;
	ka = &t->sighand->action[SIGCHLD - 1];
	if (ka->sa.sa_handler == SIG_IGN)
		flags |= FS_SNAP_SIGCHLD_IGN;
	else if (ka->sa.sa_handler != SIG_DFL)
		flags |= FS_SNAP_SIGCHLD_HANDLER;
	if (ka->sa.sa_flags & SA_NOCLDWAIT)
		flags |= FS_SNAP_NOCLDWAIT;
	return flags;
}

/* find_new_reaper()'s pick, as in bpf/task.bpf.h. Caller holds RCU. */
static pid_t heir_of(struct task_struct *t, bool *subreaper)
{
	struct pid *pid = task_pid(t);
	struct task_struct *init = task_active_pid_ns(t)->child_reaper;
	struct task_struct *a = t;
	int i;

	*subreaper = false;
	if (!t->signal->has_child_subreaper)
		return init->tgid;
	for (i = 0; i < MAX_ANCESTORS; i++) {
		a = rcu_dereference(a->real_parent);
		if (!a || a == init || !a->pid ||
		    task_pid(a)->level != pid->level)
			break;
		if (a->signal->is_child_subreaper &&
		    atomic_read(&a->signal->live) > 0) {
			*subreaper = true;
			return a->tgid;
		}
	}
	return init->tgid;
}

static void exit_record(struct task_struct *p, bool group_dead)
{
	struct ring_buffer_event *ev;
	struct fs_rec_exit *r = fs_reserve(&ev, FS_REC_EXIT, sizeof(*r));
	struct fs_exit_facts f = {};
	bool subreaper = false;

	if (!r)
		return;
	fs_fill_hdr(&r->hdr, FS_REC_EXIT, sizeof(*r), p, true);
	r->exit_code = p->exit_code;
	r->status = p->exit_code;
	r->cow_faults = 0;
	r->cow_copies = 0;
	if (p->signal->flags & SIGNAL_GROUP_EXIT) {
		r->status = p->signal->group_exit_code;
		f.group_exit = 1;
	}
	rcu_read_lock();
	f.parent_sigchld = sigchld_flags(rcu_dereference(p->real_parent));
	r->heir = group_dead ? heir_of(p, &subreaper) : p->tgid;
	rcu_read_unlock();
	f.thread = p->pid != p->tgid;
	f.group_dead = group_dead;
	f.ptraced = p->ptrace != 0;
	f.heir_subreaper = subreaper;
	r->flags = fs_exit_flags(&f);
	if (group_dead)
		fs_cow_take(p->group_leader, &r->cow_faults, &r->cow_copies);
	fs_commit(ev);
}

#if FS_EXIT_HAS_GROUP_DEAD
static void probe_exit(void *data, struct task_struct *p, bool group_dead)
{
	exit_record(p, group_dead);
}
#else
/* See bpf/lifecycle.bpf.c: one exit a process claims group death. */
static void probe_exit(void *data, struct task_struct *p)
{
	if (!fs_reader_attached())
		return;
	exit_record(p, atomic_read(&p->signal->live) == 0 &&
		       fs_claim_group_dead(p->group_leader));
}
#endif

static void probe_wait(void *data, struct pid *pid)
{
	struct ring_buffer_event *ev;
	struct fs_rec_wait *r = fs_reserve(&ev, FS_REC_WAIT, sizeof(*r));

	if (!r)
		return;
	fs_fill_hdr(&r->hdr, FS_REC_WAIT, sizeof(*r), current, true);
	r->wait_pid = pid ? pid_nr(pid) : 0;
	r->reserved = 0;
	fs_commit(ev);
}

static void probe_free(void *data, struct task_struct *p)
{
	struct ring_buffer_event *ev;
	struct fs_rec_reap *r = fs_reserve(&ev, FS_REC_REAP, sizeof(*r));

	if (r) {
		fs_fill_hdr(&r->hdr, FS_REC_REAP, sizeof(*r), p, false);
		fs_commit(ev);
	}
	if (p == p->group_leader)
		fs_proc_forget(p);
}

static bool is_fork_syscall(long nr)
{
#ifdef __NR_fork
	if (nr == __NR_fork)
		return true;
#endif
#ifdef __NR_vfork
	if (nr == __NR_vfork)
		return true;
#endif
	return nr == __NR_clone || nr == __NR_clone3;
}

/*
 * Failed forks and execs (failures.c), and the results of
 * wait4(upid, stat_addr, options, ru) and waitid(which, upid, infop, ...)
 */
static void probe_sys_exit(void *data, struct pt_regs *regs, long ret)
{
	struct fs_rec_wait_result *r;
	struct ring_buffer_event *ev;
	unsigned long args[6];
	void __user *uptr;
	long nr;

	/*
	 * While a reader is attached every syscall comes here: leave at once.
	 * A 32-bit task's numbers are another table's, which the syscall
	 * tracepoints BPF uses skip too.
	 */
	if (in_compat_syscall())
		return;
	nr = syscall_get_nr(current, regs);
	if (ret < 0) {
		if (fs_syscall_restarted(ret))
			return;		/* never seen by user space */
		if (is_fork_syscall(nr))
			fs_fork_failed(regs, nr, ret);
		else if (nr == __NR_execve || nr == __NR_execveat)
			fs_exec_failed(regs, nr, ret);
		return;
	}
	if (nr != __NR_wait4 && nr != __NR_waitid)
		return;
	r = fs_reserve(&ev, FS_REC_WAIT_RESULT, sizeof(*r));
	if (!r)
		return;
	syscall_get_arguments(current, regs, args);
	fs_fill_hdr(&r->hdr, FS_REC_WAIT_RESULT, sizeof(*r), current, true);
	r->ret = ret;
	r->flags = 0;
	r->reserved = 0;
	r->status = 0;
	r->si_code = 0;
	if (nr == __NR_wait4) {
		r->syscall = FS_WAIT_SYS_WAIT4;
		r->pid = ret;
		r->options = args[2];
		uptr = (void __user *)args[1];
		if (uptr && !copy_from_user_nofault(&r->status, uptr, 4))
			r->flags |= FS_WAITR_STATUS;
	} else {
		struct siginfo __user *info = (void __user *)args[2];

		r->syscall = FS_WAIT_SYS_WAITID;
		r->options = args[3];
		r->pid = 0;
		if (info &&
		    !copy_from_user_nofault(&r->pid, &info->si_pid, 4) &&
		    !copy_from_user_nofault(&r->status, &info->si_status, 4) &&
		    !copy_from_user_nofault(&r->si_code, &info->si_code, 4))
			r->flags |= FS_WAITR_STATUS;
	}
	if (task_pid(current)->level > 0)
		r->flags |= FS_WAITR_NS_LOCAL;
	fs_commit(ev);
}

/* After the move: the process's whole identity, whichever hierarchy. */
static void probe_cgroup_attach(void *data, struct cgroup *dst,
				const char *path, struct task_struct *t,
				bool threadgroup)
{
	struct ring_buffer_event *ev;
	struct fs_rec_cgroup *r = fs_reserve(&ev, FS_REC_CGROUP, sizeof(*r));

	if (!r)
		return;
	fs_fill_hdr(&r->hdr, FS_REC_CGROUP, sizeof(*r), t, true);
	fs_read_ident(t, &r->id);
	fs_commit(ev);
}

static struct fs_tp {
	const char *name;
	void *probe;
	struct tracepoint *tp;
} tps[] = {
	{ "sched_process_fork", probe_fork },
	{ "sched_process_exec", probe_exec },
	{ "sched_process_exit", probe_exit },
	{ "sched_process_wait", probe_wait },
	{ "sched_process_free", probe_free },
	{ "cgroup_attach_task", probe_cgroup_attach },
};

/*
 * Registered only while a reader has the device open: a probe on sys_exit
 * sets SYSCALL_WORK_SYSCALL_TRACEPOINT on every task, which sends every
 * syscall on the machine through the slow entry and exit path.
 */
static struct fs_tp sys_exit_tp = { "sys_exit", probe_sys_exit };

static void find_tp(struct tracepoint *tp, void *priv)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(tps); i++)
		if (!strcmp(tp->name, tps[i].name))
			tps[i].tp = tp;
	if (!strcmp(tp->name, sys_exit_tp.name))
		sys_exit_tp.tp = tp;
}

int fs_probes_register(void)
{
	int i, err;

	for_each_kernel_tracepoint(find_tp, NULL);
	/* Checked now, so that no open() finds it missing. */
	if (!sys_exit_tp.tp) {
		pr_err("forkscope: no tracepoint %s\n", sys_exit_tp.name);
		return -ENOENT;
	}
	for (i = 0; i < ARRAY_SIZE(tps); i++) {
		if (!tps[i].tp) {
			pr_err("forkscope: no tracepoint %s\n", tps[i].name);
			err = -ENOENT;
			goto undo;
		}
		err = tracepoint_probe_register(tps[i].tp, tps[i].probe, NULL);
		if (err)
			goto undo;
	}
	return 0;
undo:
	while (--i >= 0)
		tracepoint_probe_unregister(tps[i].tp, tps[i].probe, NULL);
	return err;
}

void fs_probes_unregister(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(tps); i++)
		if (tps[i].tp)
			tracepoint_probe_unregister(tps[i].tp, tps[i].probe,
						    NULL);
}

int fs_wait_probe_register(void)
{
	return tracepoint_probe_register(sys_exit_tp.tp, sys_exit_tp.probe,
					 NULL);
}

void fs_wait_probe_unregister(void)
{
	tracepoint_probe_unregister(sys_exit_tp.tp, sys_exit_tp.probe, NULL);
	/* A probe still running must not write into the next session. */
	tracepoint_synchronize_unregister();
}

static void sync_record(u32 phase, u32 generation, u32 count)
{
	struct ring_buffer_event *ev;
	struct fs_rec_sync *r = fs_reserve(&ev, FS_REC_SYNC, sizeof(*r));

	if (!r)
		return;
	fs_synth_hdr(&r->hdr, FS_REC_SYNC, sizeof(*r));
	r->phase = phase;
	r->generation = generation;
	r->method = FS_SYNC_KMOD;
	r->count = count;
	fs_commit(ev);
}

static u32 snapshot_flags(struct task_struct *t)
{
	u32 flags = sigchld_flags(t);

	if (t->exit_state & EXIT_ZOMBIE)
		flags |= FS_SNAP_ZOMBIE;
	if (t->flags & PF_KTHREAD)
		flags |= FS_SNAP_KTHREAD;
	if (t->flags & PF_EXITING)
		flags |= FS_SNAP_EXITING;
	if (t->signal->is_child_subreaper)
		flags |= FS_SNAP_SUBREAPER;
	return flags;
}

void fs_emit_snapshot(u32 generation)
{
	struct task_struct *g, *t;
	u32 count = 0;

	sync_record(FS_SYNC_BEGIN, generation, 0);
	rcu_read_lock();
	for_each_process_thread(g, t) {
		struct ring_buffer_event *ev;
		struct fs_rec_task *r = fs_reserve(&ev, FS_REC_TASK, sizeof(*r));

		if (!r)
			continue;
		fs_fill_hdr(&r->hdr, FS_REC_TASK, sizeof(*r), t, true);
		r->flags = snapshot_flags(t);
		r->status = t->signal->flags & SIGNAL_GROUP_EXIT ?
			    t->signal->group_exit_code : t->exit_code;
		fs_read_ident(t, &r->id);
		fs_commit(ev);
		count++;
	}
	rcu_read_unlock();
	sync_record(FS_SYNC_END, generation, count);
}
