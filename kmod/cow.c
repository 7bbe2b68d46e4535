// SPDX-License-Identifier: GPL-2.0-only
/*
 * Exact copy-on-write counting with kprobes on do_wp_page() (every COW
 * fault) and wp_page_copy() (every page copied; inlined on some kernels,
 * then only faults are counted), and the per-process state that goes
 * with it: the counters, and which exit claimed group death.
 *
 * Keyed by the group leader's task_struct: it cannot be reused before the
 * leader is freed, when its entry goes (a pid can be, before that).
 */
#include <linux/hashtable.h>
#include <linux/kprobes.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "forkscope.h"

struct fs_proc {
	struct hlist_node node;
	struct rcu_head rcu;
	struct task_struct *leader;	/* a key only: never dereferenced */
	atomic64_t faults;
	atomic64_t copies;
	atomic_t group_dead_claimed;
};

static DEFINE_HASHTABLE(procs, 12);
static DEFINE_SPINLOCK(procs_lock);

static struct fs_proc *proc_find(struct task_struct *leader)
{
	struct fs_proc *p;

	hash_for_each_possible_rcu(procs, p, node, (unsigned long)leader)
		if (p->leader == leader)
			return p;
	return NULL;
}

/* The entry for leader, made if need be; NULL if memory is short. */
static struct fs_proc *proc_get(struct task_struct *leader)
{
	struct fs_proc *p, *q;
	unsigned long flags;

	rcu_read_lock();
	p = proc_find(leader);
	rcu_read_unlock();
	if (p)
		return p;
	q = kzalloc(sizeof(*q), GFP_ATOMIC);
	if (!q)
		return NULL;
	q->leader = leader;
	spin_lock_irqsave(&procs_lock, flags);
	p = proc_find(leader);
	if (!p) {
		hash_add_rcu(procs, &q->node, (unsigned long)leader);
		p = q;
		q = NULL;
	}
	spin_unlock_irqrestore(&procs_lock, flags);
	kfree(q);
	return p;
}

bool fs_claim_group_dead(struct task_struct *leader)
{
	struct fs_proc *p = proc_get(leader);

	/* No memory: better two claims than a process never dying. */
	return !p || atomic_cmpxchg(&p->group_dead_claimed, 0, 1) == 0;
}

void fs_cow_take(struct task_struct *leader, u64 *faults, u64 *copies)
{
	struct fs_proc *p;

	rcu_read_lock();
	p = proc_find(leader);
	*faults = p ? atomic64_xchg(&p->faults, 0) : 0;
	*copies = p ? atomic64_xchg(&p->copies, 0) : 0;
	rcu_read_unlock();
}

void fs_proc_forget(struct task_struct *leader)
{
	struct fs_proc *p;
	unsigned long flags;

	spin_lock_irqsave(&procs_lock, flags);
	p = proc_find(leader);
	if (p)
		hash_del_rcu(&p->node);
	spin_unlock_irqrestore(&procs_lock, flags);
	if (p)
		kfree_rcu(p, rcu);
}

void fs_procs_free(void)
{
	struct hlist_node *tmp;
	struct fs_proc *p;
	int bkt;

	/* Probes are gone (tracepoint_synchronize_unregister): no readers. */
	synchronize_rcu();
	hash_for_each_safe(procs, bkt, tmp, p, node) {
		hash_del(&p->node);
		kfree(p);
	}
}

static int on_do_wp_page(struct kprobe *kp, struct pt_regs *regs)
{
	struct fs_proc *p;

	if (!fs_reader_attached())
		return 0;
	p = proc_get(current->group_leader);
	if (p)
		atomic64_inc(&p->faults);
	return 0;
}

static int on_wp_page_copy(struct kprobe *kp, struct pt_regs *regs)
{
	struct fs_proc *p;

	if (!fs_reader_attached())
		return 0;
	p = proc_get(current->group_leader);
	if (p)
		atomic64_inc(&p->copies);
	return 0;
}

static struct kprobe kp_fault = {
	.symbol_name = "do_wp_page",
	.pre_handler = on_do_wp_page,
};

static struct kprobe kp_copy = {
	.symbol_name = "wp_page_copy",
	.pre_handler = on_wp_page_copy,
};

static bool have_fault, have_copy;

int fs_cow_register(void)
{
	have_fault = !register_kprobe(&kp_fault);
	if (!have_fault)
		return -ENOENT;
	/* Inlined on some kernels (Debian's 6.12): faults only, then. */
	have_copy = !register_kprobe(&kp_copy);
	return 0;
}

void fs_cow_unregister(void)
{
	if (have_copy)
		unregister_kprobe(&kp_copy);
	if (have_fault)
		unregister_kprobe(&kp_fault);
	have_copy = have_fault = false;
}

u32 fs_cow_kind(void)
{
	return have_fault ? FS_COW_DO_WP_PAGE : 0;
}

bool fs_cow_copies(void)
{
	return have_copy;
}

/*
 * Walks the live processes, not the table, as bpf/cow.bpf.c's iterator
 * does: the header then says what the process is now (comm after exec or
 * PR_SET_NAME, the parent after reparenting), and an entry whose leader is
 * gone is never touched.
 */
void fs_emit_cow_sample(void)
{
	struct task_struct *t;

	rcu_read_lock();
	for_each_process(t) {
		struct ring_buffer_event *ev;
		struct fs_rec_cow *r;
		struct fs_proc *p = proc_find(t);
		u64 faults, copies;

		if (!p)
			continue;
		faults = atomic64_read(&p->faults);
		copies = atomic64_read(&p->copies);
		if (!faults && !copies)
			continue;
		r = fs_reserve(&ev, FS_REC_COW, sizeof(*r));
		if (!r)
			continue;
		fs_fill_hdr(&r->hdr, FS_REC_COW, sizeof(*r), t, true);
		r->faults = faults;
		r->copies = copies;
		r->method = FS_COW_DO_WP_PAGE;
		r->reserved = 0;
		fs_commit(ev);
	}
	rcu_read_unlock();
}
