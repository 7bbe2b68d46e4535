// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "task_now.h"

/*
 * The scheduler's own frames: where every sleeper sleeps. The wait
 * channel is the first frame past them, close to the kernel's
 * get_wchan() (which skips the whole __sched section: mutex and rwsem
 * slow paths too, named here).
 */
static bool scheduler_frame(const char *name)
{
	return strstr(name, "schedule") || strstr(name, "__switch_to") ||
	       !strncmp(name, "preempt_", 8);
}

static bool syscall_entry(const char *name)
{
	return !strncmp(name, "do_syscall_", 11) ||
	       !strncmp(name, "entry_SYSCALL", 13);
}

/* Where a syscall or an exception came into the kernel: the end. */
static bool entry_frame(const char *name)
{
	return syscall_entry(name) || !strncmp(name, "asm_", 4) ||
	       !strncmp(name, "exc_", 4);
}

static void kernel_side(struct fs_thread_now *t, const struct fs_rec_task_now *r,
			const struct fs_now_resolved *res)
{
	bool fault = false, syscall = false;

	t->nr_kernel = 0;
	for (uint32_t i = 0; i < r->nr_kips; i++) {
		const char *name = res->knames[i];

		if (!name)
			continue;
		fault |= !strcmp(name, "exc_page_fault");
		syscall |= syscall_entry(name);
		if (entry_frame(name) ||
		    (!t->nr_kernel && scheduler_frame(name)))
			continue;
		if (t->nr_kernel < FS_NOW_KERNEL_SHOWN)
			snprintf(t->kernel[t->nr_kernel++],
				 sizeof(t->kernel[0]), "%s", name);
	}
	/*
	 * A fault taken inside a syscall (copy_to_user) is the syscall's;
	 * one from user space has no syscall under it. x86 writes -1 to
	 * orig_ax at an exception, but say what the stack says.
	 */
	t->in_fault = fault && !syscall;
	if (t->in_fault)
		t->flags &= ~FS_NOW_IN_SYSCALL;
}

/* The thread's CPU time against the look before, if it was seen there. */
static void cpu_share(struct fs_thread_now *t, const struct fs_proc_now *p)
{
	t->cpu_permille = -1;
	if (p->at_ns <= p->prev_at_ns)
		return;
	for (uint32_t i = 0; i < p->prev_nr; i++) {
		if (p->prev[i].pid != t->pid ||
		    p->prev[i].start_ns != t->start_ns ||
		    t->cpu_ns < p->prev[i].cpu_ns)
			continue;
		t->cpu_permille = (t->cpu_ns - p->prev[i].cpu_ns) * 1000 /
				  (p->at_ns - p->prev_at_ns);
		/* Ticks counted whole over a short window: at most all. */
		if (t->cpu_permille > 1000)
			t->cpu_permille = 1000;
		return;
	}
}

/* The look's stacks freed; its threads' times kept as the look before. */
static void end_look(struct fs_task_nows *n, struct fs_proc_now *p)
{
	for (uint32_t i = 0; i < p->nr; i++) {
		p->prev[i].pid = p->threads[i].pid;
		p->prev[i].start_ns = p->threads[i].start_ns;
		p->prev[i].cpu_ns = p->threads[i].cpu_ns;
		free(p->threads[i].stack);
		p->threads[i].stack = NULL;
	}
	p->prev_nr = p->nr;
	p->prev_at_ns = p->at_ns;
	p->nr = 0;
	free(p->handler_site);
	p->handler_site = NULL;
	if (n)
		n->bytes -= p->bytes;
	p->bytes = 0;
}

static void proc_free(void *value)
{
	struct fs_proc_now *p = value;

	if (p)
		end_look(NULL, p);
	free(p);
}

/* Kept even without frames: how it was had (exited, none) is told. */
static struct fs_site *own(struct fs_task_nows *n, struct fs_proc_now *p,
			   const struct fs_stack *s)
{
	size_t bytes = 0;
	struct fs_site *site = s ? fs_site_new(s, &bytes) : NULL;

	p->bytes += bytes;
	n->bytes += bytes;
	return site;
}

static struct fs_proc_now *proc_slot(struct fs_task_nows *n, int32_t tgid)
{
	struct fs_idmap_slot *slot;
	struct fs_proc_now *p;
	bool added;

	slot = fs_idmap_put(&n->by_tgid, (uint32_t)tgid, &added);
	if (!slot)
		return NULL;
	if (!slot->value) {
		p = calloc(1, sizeof(*p));
		if (!p) {
			fs_idmap_del(&n->by_tgid, (uint32_t)tgid);
			return NULL;
		}
		p->tgid = tgid;
		slot->value = p;
		n->bytes += sizeof(*p);
	}
	return slot->value;
}

int fs_task_now_apply(struct fs_task_nows *n, const struct fs_rec_task_now *r,
		      const struct fs_now_resolved *res)
{
	struct fs_proc_now *p = proc_slot(n, r->hdr.tgid);
	struct fs_thread_now *t;

	if (!p)
		return -ENOMEM;
	if (r->index == 0) {
		end_look(n, p);
		p->look = r->look;
		p->at_ns = r->hdr.ts_ns;
		p->handler = r->sigchld_handler;
		p->sa_flags = r->sigchld_sa_flags;
		if (r->sigchld_handler > 1)
			p->handler_site = own(n, p, res->handler);
	}
	/* A look's records come in order; a stray one is left out. */
	if (r->look != p->look || r->index != p->nr ||
	    p->nr >= FS_NOW_MAX_THREADS)
		return -EINVAL;
	t = &p->threads[p->nr++];
	memset(t, 0, sizeof(*t));
	t->pid = r->hdr.pid;
	t->start_ns = r->hdr.start_ns;
	memcpy(t->comm, r->hdr.comm, sizeof(t->comm));
	t->state = r->state;
	t->flags = r->flags;
	t->syscall = r->syscall;
	t->cpu_ns = r->utime_ns + r->stime_ns;
	t->stack = own(n, p, res->stack);
	kernel_side(t, r, res);
	cpu_share(t, p);
	return 0;
}

const struct fs_proc_now *fs_task_now_of(const struct fs_task_nows *n,
					 int32_t tgid)
{
	struct fs_idmap_slot *slot = tgid > 0 ?
		fs_idmap_get(&n->by_tgid, (uint32_t)tgid) :
		NULL;
	const struct fs_proc_now *p = slot ? slot->value : NULL;

	return p && p->nr ? p : NULL;
}

void fs_task_now_forget(struct fs_task_nows *n, int32_t tgid)
{
	struct fs_idmap_slot *slot = tgid > 0 ?
		fs_idmap_get(&n->by_tgid, (uint32_t)tgid) : NULL;
	struct fs_proc_now *p = slot ? slot->value : NULL;

	if (!p)
		return;
	n->bytes -= p->bytes + sizeof(*p);
	proc_free(p);
	fs_idmap_del(&n->by_tgid, (uint32_t)tgid);
}

void fs_task_now_free(struct fs_task_nows *n)
{
	fs_idmap_clear(&n->by_tgid, proc_free);
	n->bytes = 0;
}
