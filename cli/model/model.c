// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "common.h"
#include "decode.h"
#include "cgroups.h"
#include "model.h"

/* Most entries one record can add: subject, parent, child, their parent. */
#define MAX_PUTS_PER_RECORD	4
#define CMD_MAX			256

int fs_model_init(struct fs_model *m, int32_t select_pid)
{
	memset(m, 0, sizeof(*m));
	m->select_pid = select_pid;
	return fs_proctab_init(&m->tab, 1024);
}

void fs_model_filter(struct fs_model *m, const char *cgroup,
		     const char *container)
{
	m->select_cgroup = cgroup;
	m->select_container = container;
}

void fs_model_free(struct fs_model *m)
{
	fs_model_forget_cgroups(m);
	fs_proctab_free(&m->tab);
	fs_pids_readings_free(&m->pids);
	fs_callsites_free(&m->sites);
	fs_task_now_free(&m->nows);
}

uint64_t fs_model_bytes(const struct fs_model *m)
{
	return (uint64_t)(m->tab.mask + 1) * sizeof(struct fs_task) +
	       m->cmd_bytes + m->cgroup_bytes + m->sites.bytes +
	       m->nows.bytes;
}

bool fs_task_is_zombie(const struct fs_task *t)
{
	return (t->flags & (FS_TASK_EXITED | FS_TASK_REAPED)) == FS_TASK_EXITED;
}

bool fs_task_leader_waits(const struct fs_task *t)
{
	return t->pid == t->tgid && fs_task_is_zombie(t) && t->nr_threads;
}

bool fs_task_is_live(const struct fs_task *t)
{
	return t->tgid && !(t->flags & FS_TASK_REAPED);
}

static bool is_leader(const struct fs_task *t)
{
	return t->pid == t->tgid;
}

/*
 * Parent and thread counts live in the leader entries they point at, for
 * tasks not yet released; a parent not seen yet gets a placeholder entry
 * (tgid 0) to hold its count. Callers reserve table room first, so no
 * entry moves under them.
 */
static void link_task(struct fs_model *m, struct fs_task *t, int delta)
{
	int32_t up_pid = is_leader(t) ? t->ppid : t->tgid;
	struct fs_task *up;
	uint32_t *count;

	if (!t->tgid || (t->flags & FS_TASK_REAPED) || up_pid <= 0)
		return;
	up = delta > 0 ? fs_proctab_put(&m->tab, up_pid) :
			 fs_proctab_get(&m->tab, up_pid);
	if (!up)
		return;
	count = is_leader(t) ? &up->nr_children : &up->nr_threads;
	if (delta > 0 || *count)
		*count += delta;
}

static void set_parent(struct fs_model *m, struct fs_task *t, int32_t ppid,
		       int32_t tgid)
{
	if (t->ppid == ppid && t->tgid == tgid)
		return;
	link_task(m, t, -1);
	t->ppid = ppid;
	t->tgid = tgid;
	link_task(m, t, +1);
}

static void forget_cmd(struct fs_model *m, struct fs_task *t)
{
	if (t->cmd)
		m->cmd_bytes -= strlen(t->cmd) + 1;
	free(t->cmd);
	t->cmd = NULL;
}

/* Removes t; pointers into the table are stale afterwards. */
static void forget(struct fs_model *m, struct fs_task *t)
{
	link_task(m, t, -1);
	forget_cmd(m, t);
	fs_proctab_del(&m->tab, t->pid);
}

/* A fresh entry for a new task, keeping a placeholder's counts. */
static struct fs_task *create(struct fs_model *m, int32_t pid)
{
	struct fs_task *t = fs_proctab_put(&m->tab, pid);
	uint32_t children, threads;

	if (!t)
		return NULL;
	children = t->nr_children;
	threads = t->nr_threads;
	if (t->tgid) {
		forget(m, t);
		t = fs_proctab_put(&m->tab, pid);
		if (!t)
			return NULL;
	}
	memset(t, 0, sizeof(*t));
	t->pid = pid;
	t->nr_children = children;
	t->nr_threads = threads;
	return t;
}

/*
 * The entry a record about (pid, start) should change. Start times order
 * the tasks that have had one pid: a record about an older task than the
 * entry holds is stale (a late free after pid reuse), NULL; an entry older
 * than the record died unseen and is replaced.
 */
static struct fs_task *identify(struct fs_model *m, int32_t pid,
				uint64_t start, bool *stale)
{
	struct fs_task *t = fs_proctab_get(&m->tab, pid);

	*stale = false;
	if (t && t->tgid && t->start_ns && start && t->start_ns != start) {
		if (start < t->start_ns) {
			*stale = true;
			return NULL;
		}
		t = NULL;
	}
	if (!t || !t->tgid) {
		t = create(m, pid);
		if (t)
			t->start_ns = start;
	}
	return t;
}

/* The subject's entry, brought up to date with what the header says. */
static struct fs_task *subject(struct fs_model *m, const struct fs_hdr *h,
			       bool *stale)
{
	struct fs_task *t = identify(m, h->pid, h->start_ns, stale);

	if (!t)
		return NULL;
	if (h->start_ns)
		t->start_ns = h->start_ns;
	t->gen = m->gen;
	/*
	 * A COW sample's comm and ppid may be older than the fork and exec
	 * already applied (the module's date from the first fault): they
	 * only name a task nothing else has.
	 */
	if (h->type == FS_REC_COW && t->tgid)
		return t;
	set_parent(m, t, h->ppid ? h->ppid : t->ppid, h->tgid);
	memcpy(t->comm, h->comm, sizeof(t->comm));
	return t;
}

/* -p is a property of the process: threads share their leader's. */
static bool group_selected(const struct fs_model *m, const struct fs_task *t)
{
	const struct fs_task *leader;

	if (!m->select_pid || (t->flags & FS_TASK_SELECTED))
		return true;
	leader = fs_proctab_get((struct fs_proctab *)&m->tab, t->tgid);
	return leader && (leader->flags & FS_TASK_SELECTED);
}

/*
 * A container is each task's own (a thread can sit in another cgroup),
 * and it changes as the task moves: a task is in --container while its
 * cgroup is, from the move in to the move out; a child forked inside is
 * born in it.
 */
bool fs_model_task_selected(const struct fs_model *m, const struct fs_task *t)
{
	return group_selected(m, t) && fs_model_ident_selected(m, &t->id);
}

static void apply_fork(struct fs_model *m, const struct fs_rec_fork *r,
		       struct fs_task *parent)
{
	bool sel = group_selected(m, parent), stale;
	struct fs_task *c;

	/* identify() may delete, which moves entries: parent is stale after. */
	c = identify(m, r->child_pid, r->child_start_ns, &stale);
	if (!c)
		return;
	/* An exit read before the fork (another CPU's buffer) stays true. */
	if (!c->tgid)
		memcpy(c->comm, r->hdr.comm, sizeof(c->comm));
	c->start_ns = r->child_start_ns;
	c->id = r->child;
	c->gen = m->gen;
	set_parent(m, c, r->child_ppid, r->child_tgid);
	c->flags |= FS_TASK_BORN;
	if (sel)
		c->flags |= FS_TASK_SELECTED;
}

/* Marks t released and tells the note, once per task. */
static void release(struct fs_model *m, struct fs_task *t, uint64_t ts,
		    enum fs_release how, const struct fs_hdr *waiter,
		    struct fs_note *note)
{
	if (t->flags & FS_TASK_REAPED)
		return;
	link_task(m, t, -1);
	t->flags |= FS_TASK_REAPED;
	t->reaper = waiter ? waiter->tgid : 0;
	if (how == FS_RELEASE_AUTO)
		t->flags |= FS_TASK_AUTOREAP;
	fs_callsites_released(&m->sites, t->pid, t->start_ns);

	note->released = how;
	note->gone = *t;
	note->gone_selected = fs_model_task_selected(m, t);
	note->reaper = t->reaper;
	if (waiter)
		memcpy(note->reaper_comm, waiter->comm, sizeof(note->reaper_comm));
	if ((t->flags & FS_TASK_EXITED) && !(t->flags & FS_TASK_EXIT_UNKNOWN) &&
	    ts >= t->exit_ns)
		note->zombie_ns = ts - t->exit_ns;
}

/* "filename arg1 arg2", at most CMD_MAX, allocated to its length. */
static void set_cmd(struct fs_model *m, struct fs_task *t,
		    const struct fs_rec_exec *r)
{
	const char *args = fs_exec_args(r);
	char cmd[CMD_MAX], *copy;
	size_t len, n;

	len = snprintf(cmd, sizeof(cmd), "%s", fs_exec_filename(r));
	/* argv[0] usually repeats the file name: show the arguments. */
	for (size_t off = strlen(args) + 1; off < r->args_len &&
	     len < CMD_MAX - 1; off += n + 1) {
		n = strnlen(args + off, r->args_len - off);
		len += snprintf(cmd + len, CMD_MAX - len, " %.*s", (int)n,
				args + off);
	}
	copy = strdup(cmd);
	if (!copy)
		return;
	forget_cmd(m, t);
	m->cmd_bytes += strlen(copy) + 1;
	t->cmd = copy;
}

static void apply_exec(struct fs_model *m, const struct fs_rec_exec *r,
		       struct fs_task *t, struct fs_note *note)
{
	struct fs_task *old;
	bool stale;

	if (r->args_len && memchr(fs_exec_args(r), 0, r->args_len))
		set_cmd(m, t, r);
	if ((t->flags & (FS_TASK_EXECED | FS_TASK_BORN)) == FS_TASK_BORN &&
	    r->hdr.ts_ns > t->start_ns && r->old_pid == r->hdr.pid)
		note->fork_to_exec_ns = r->hdr.ts_ns - t->start_ns;
	t->flags |= FS_TASK_EXECED;
	if (r->old_pid == r->hdr.pid)
		return;
	/*
	 * A non-leader thread exec'd: de_thread() killed the old leader (its
	 * exit was seen under this pid), gave its pid to the thread, and
	 * released it under the thread's old id.
	 */
	t->flags &= ~(FS_TASK_EXITED | FS_TASK_REAPED | FS_TASK_EXIT_UNKNOWN);
	old = identify(m, r->old_pid, 0, &stale);	/* t is stale after */
	if (!old)
		return;
	set_parent(m, old, r->hdr.ppid, r->hdr.tgid);
	old->flags |= FS_TASK_EXITED;
	old->exit_ns = r->hdr.ts_ns;
	release(m, old, r->hdr.ts_ns, FS_RELEASE_EXEC, NULL, note);
}

/*
 * The process's children go to the heir, zombies with them (the kernel's
 * forget_original_parent() moves every task on its children list). A child
 * already reaped is off that list, though its entry waits for the free.
 */
static void reparent_children(struct fs_model *m, int32_t tgid, int32_t heir,
			      struct fs_note *note)
{
	struct fs_task *p = fs_proctab_get(&m->tab, tgid), *e;
	uint32_t moved = 0;

	if (!p || !p->nr_children || heir <= 0 || heir == tgid)
		return;
	if (fs_proctab_reserve(&m->tab, 1))
		return;
	fs_proctab_for_each(&m->tab, e) {
		if (fs_task_is_live(e) && is_leader(e) && e->ppid == tgid &&
		    e->pid != tgid) {
			set_parent(m, e, heir, e->tgid);
			e->flags |= FS_TASK_ADOPTED;
			moved++;
		}
	}
	note->reparented = heir;
	note->nr_reparented = moved;
	p = fs_proctab_get(&m->tab, heir);
	note->heir_subreaper = p && (p->flags & FS_TASK_SUBREAPER);
}

static void apply_exit(struct fs_model *m, const struct fs_rec_exit *r,
		       struct fs_task *t, struct fs_note *note)
{
	int32_t tgid = t->tgid;

	t->flags |= FS_TASK_EXITED;
	t->flags &= ~FS_TASK_EXIT_UNKNOWN;
	t->exit_ns = r->hdr.ts_ns;
	t->status = r->status;
	if (t->start_ns && r->hdr.ts_ns > t->start_ns)
		note->runtime_ns = r->hdr.ts_ns - t->start_ns;
	if (r->flags & FS_EXIT_AUTOREAP)
		release(m, t, r->hdr.ts_ns, FS_RELEASE_AUTO, NULL, note);
	if (r->flags & FS_EXIT_GROUP_DEAD) {
		struct fs_task *leader = fs_proctab_get(&m->tab, tgid);

		/* The last thread's status is the one the leader reports. */
		if (leader && leader != t)
			leader->status = r->status;
		if (leader) {
			leader->cow_faults = r->cow_faults;
			leader->cow_copies = r->cow_copies;
		}
		/* The kernel found a subreaper: now we know it is one. */
		if (r->flags & FS_EXIT_HEIR_SUBREAPER) {
			struct fs_task *heir = fs_proctab_get(&m->tab, r->heir);

			if (heir)
				heir->flags |= FS_TASK_SUBREAPER;
		}
		reparent_children(m, tgid, r->heir, note);
	}
}

/*
 * A wait4(pid, NULL, 0) returns no status; without WNOWAIT, WUNTRACED or
 * WCONTINUED, a pid returned for an exited child was reaped all the same.
 */
static bool reaped_without_status(const struct fs_rec_wait_result *r,
				  const struct fs_task *c)
{
	return !(r->flags & FS_WAITR_STATUS) && r->pid > 0 && c &&
	       (c->flags & FS_TASK_EXITED) &&
	       !(r->options & (WNOWAIT | WUNTRACED | WCONTINUED));
}

static void note_wait(struct fs_model *m, const struct fs_hdr *h)
{
	struct fs_task *p = fs_proctab_get(&m->tab, h->tgid);

	if (p) {
		p->flags |= FS_TASK_WAITED;
		p->last_wait_ns = h->ts_ns;
		/* Each call once: its start, not its result too. */
		p->nr_waits += h->type == FS_REC_WAIT;
	}
}

static void apply_waited(struct fs_model *m,
			 const struct fs_rec_wait_result *r,
			 struct fs_note *note)
{
	struct fs_task *c;

	note_wait(m, &r->hdr);
	/* A pid from inside a child pid namespace names another task here. */
	if (r->flags & FS_WAITR_NS_LOCAL)
		return;
	c = fs_proctab_get(&m->tab, r->pid);
	if (c && !c->tgid)
		c = NULL;
	if (!fs_wait_result_reaped(r) && !reaped_without_status(r, c))
		return;
	note->reaped = true;
	if (c)
		release(m, c, r->hdr.ts_ns, FS_RELEASE_WAIT, &r->hdr, note);
}

static void apply_task(struct fs_model *m, const struct fs_rec_task *r,
		       struct fs_task *t)
{
	t->id = r->id;
	t->flags &= ~(FS_TASK_SIGCHLD_MASK | FS_TASK_SUBREAPER |
		      FS_TASK_KTHREAD);
	if (r->flags & FS_SNAP_SIGCHLD_IGN)
		t->flags |= FS_TASK_SIGCHLD_IGN;
	if (r->flags & FS_SNAP_SIGCHLD_HANDLER)
		t->flags |= FS_TASK_SIGCHLD_HANDLER;
	if (r->flags & FS_SNAP_NOCLDWAIT)
		t->flags |= FS_TASK_NOCLDWAIT;
	if (r->flags & FS_SNAP_SUBREAPER)
		t->flags |= FS_TASK_SUBREAPER;
	if (r->flags & FS_SNAP_KTHREAD)
		t->flags |= FS_TASK_KTHREAD;
	if ((r->flags & FS_SNAP_ZOMBIE) && !(t->flags & FS_TASK_EXITED)) {
		t->flags |= FS_TASK_EXITED | FS_TASK_EXIT_UNKNOWN;
		t->status = r->status;
	}
}

/* Marks the -p process and everything below it, threads included. */
static void select_subtree(struct fs_model *m)
{
	struct fs_task *e;
	bool changed = true;

	/* Parent links point up: repeat until no new member appears. */
	while (changed) {
		changed = false;
		fs_proctab_for_each(&m->tab, e) {
			const struct fs_task *up;

			if (!e->tgid || (e->flags & FS_TASK_SELECTED))
				continue;
			up = fs_proctab_get(&m->tab, is_leader(e) ? e->ppid :
								    e->tgid);
			if (e->tgid == m->select_pid ||
			    (up && (up->flags & FS_TASK_SELECTED))) {
				e->flags |= FS_TASK_SELECTED;
				changed = true;
			}
		}
	}
}

/*
 * A snapshot ended: a task it did not list and no record has touched since
 * it began is gone (it died while records were lost, or was released and
 * its free not seen). Placeholders nobody points at go too.
 */
static void apply_sync_end(struct fs_model *m, const struct fs_hdr *h)
{
	uint32_t n = 0, cap = m->tab.count;
	int32_t *gone = malloc(cap * sizeof(*gone));
	struct fs_task *e;

	if (!gone)
		return;
	fs_proctab_for_each(&m->tab, e) {
		if (e->tgid ? e->gen != m->gen :
			      !(e->nr_children + e->nr_threads))
			gone[n++] = e->pid;
	}
	/* Deleting moves entries: look each one up again. */
	for (uint32_t i = 0; i < n; i++) {
		e = fs_proctab_get(&m->tab, gone[i]);
		if (e)
			forget(m, e);
	}
	free(gone);
	if (m->synced) {
		m->swept += n;
		m->resyncs++;
	} else if (m->select_pid) {
		select_subtree(m);
	}
	m->synced = true;
	m->need_resync = false;
	if (!m->watch_start_ns)
		m->watch_start_ns = h->ts_ns;
}

void fs_model_apply(struct fs_model *m, const struct fs_hdr *rec,
		    struct fs_note *note)
{
	struct fs_task *t;

	memset(note, 0, sizeof(*note));
	if (rec->type == FS_REC_LOST) {
		const struct fs_rec_lost *l = (const void *)rec;

		/* A fault a COW counter missed changes no task: no resync. */
		if (fs_lost_lifecycle(l->reason)) {
			m->lost += l->count;
			m->need_resync = true;
		}
		note->selected = true;
		return;
	}
	if (rec->type == FS_REC_SYNC) {
		const struct fs_rec_sync *s = (const void *)rec;

		if (s->phase == FS_SYNC_BEGIN)
			m->gen = s->generation;
		else if (s->generation == m->gen)
			apply_sync_end(m, rec);
		return;
	}
	if (rec->type == FS_REC_PIDS) {	/* a reading, no task */
		fs_pids_readings_apply(&m->pids, (const void *)rec);
		return;
	}
	if (rec->type == FS_REC_CGROUP_PATH) {	/* a name, no task */
		fs_model_name_cgroup(m, (const void *)rec);
		return;
	}
	if (fs_proctab_reserve(&m->tab, MAX_PUTS_PER_RECORD))
		return;
	t = subject(m, rec, &note->stale);
	if (!t)
		return;
	note->selected = fs_model_task_selected(m, t);

	switch (rec->type) {
	case FS_REC_FORK:
		apply_fork(m, (const void *)rec, t);
		break;
	case FS_REC_EXEC:
		apply_exec(m, (const void *)rec, t, note);
		break;
	case FS_REC_EXIT:
		apply_exit(m, (const void *)rec, t, note);
		break;
	case FS_REC_WAIT:
		note_wait(m, rec);
		break;
	case FS_REC_WAIT_RESULT:
		apply_waited(m, (const void *)rec, note);
		break;
	case FS_REC_TASK:
		apply_task(m, (const void *)rec, t);
		break;
	case FS_REC_CGROUP:
		t->id = ((const struct fs_rec_cgroup *)rec)->id;
		break;
	case FS_REC_COW:
		t->cow_faults = ((const struct fs_rec_cow *)rec)->faults;
		t->cow_copies = ((const struct fs_rec_cow *)rec)->copies;
		break;
	case FS_REC_REAP:
		release(m, t, rec->ts_ns, FS_RELEASE_FREE, NULL, note);
		note->task = *t;
		forget(m, t);
		return;
	}
	/* Entries may have moved: copy the subject by its pid. */
	t = fs_proctab_get(&m->tab, rec->pid);
	if (t)
		note->task = *t;
	/* A move into the container, a fork into it: shown with it. */
	if (t && !note->selected)
		note->selected = fs_model_task_selected(m, t);
	if (rec->type == FS_REC_FORK && !note->selected) {
		const struct fs_rec_fork *f = (const void *)rec;

		t = fs_proctab_get(&m->tab, f->child_pid);
		note->selected = t && fs_model_task_selected(m, t);
	}
}
