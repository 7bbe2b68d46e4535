// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "lint.h"

/* A child of a threaded parent, forked and not yet exec'd nor exited. */
struct mt_child {
	int32_t parent;
	uint64_t parent_start;
	uint64_t start_ns;	/* the child's */
	uint64_t fork_ns;
	uint32_t threads;	/* the parent's at the fork */
};

/* The same exec failing: in one process, or in a parent's children. */
struct exec_fail {
	uint64_t start_ns;	/* whose failures: the process's */
	uint64_t last_ns;
	uint32_t count;
	int err;
	char filename[FS_FILENAME_LEN];
};

/* A process forked without exec: its COW faults over the samples. */
struct cow_worker {
	uint64_t start_ns;
	uint64_t first_ns, last_ns;
	uint64_t first_faults, last_faults;
	uint64_t told;		/* faults added to its parent's finding */
	uint32_t rising;	/* samples in a row its faults grew at */
	bool counted;		/* one of its parent's finding's workers */
};

static const char *const kind_names[FS_LINT_KINDS] = {
	[FS_LINT_MT_FORK] = "mt-fork",
	[FS_LINT_ZOMBIES] = "zombies",
	[FS_LINT_AUTOREAP] = "autoreap",
	[FS_LINT_EXEC_LOOP] = "exec-loop",
	[FS_LINT_FORK_FAIL] = "fork-failed",
	[FS_LINT_EXEC_FDS] = "exec-fds",
	[FS_LINT_PREFORK_COW] = "prefork-cow",
};

static const char *const severity_names[] = { "info", "warning", "error" };

const char *fs_lint_kind_name(enum fs_lint_kind k)
{
	return k < FS_LINT_KINDS ? kind_names[k] : "?";
}

const char *fs_lint_severity_name(enum fs_lint_severity s)
{
	return s <= FS_SEV_ERROR ? severity_names[s] : "?";
}

int fs_lint_severity_parse(const char *s)
{
	for (int i = 0; i <= FS_SEV_ERROR; i++)
		if (!strcmp(s, severity_names[i]))
			return i;
	return -1;
}

const struct fs_lint_opts fs_lint_defaults = {
	.mt_fork_ns = 50 * NSEC_PER_MSEC,
	.zombie_ns = NSEC_PER_SEC,
	.exec_repeat = 3,
	.exec_window_ns = 10 * NSEC_PER_SEC,
	.cow_min_bytes = 1 << 20,
	.page_bytes = 4096,
};

void fs_lint_init(struct fs_lint *l, const struct fs_lint_opts *o)
{
	memset(l, 0, sizeof(*l));
	l->o = *o;
}

void fs_lint_free(struct fs_lint *l)
{
	fs_idmap_clear(&l->mt_children, free);
	fs_idmap_clear(&l->exec_fails, free);
	fs_idmap_clear(&l->child_fails, free);
	fs_idmap_clear(&l->fd_files, NULL);
	fs_idmap_clear(&l->cow_workers, free);
	free(l->mt_children.slots);
	free(l->exec_fails.slots);
	free(l->child_fails.slots);
	free(l->fd_files.slots);
	for (uint32_t i = 0; i < l->n; i++)
		free(l->f[i].fds);
	free(l->f);
	memset(l, 0, sizeof(*l));
}

static const struct fs_task *process(const struct fs_model *m, int32_t tgid)
{
	const struct fs_task *t;

	if (tgid <= 0)
		return NULL;
	t = fs_proctab_get((struct fs_proctab *)&m->tab, tgid);
	return t && t->tgid ? t : NULL;
}

/* The same program (by its comm) inheriting the same descriptors. */
static bool same_fds(const struct fs_finding *f, const struct fs_finding *key)
{
	if (f->nr_fds != key->nr_fds || strcmp(f->filename, key->filename))
		return false;
	for (uint16_t i = 0; i < f->nr_fds; i++)
		if (f->fds[i].fd != key->fds[i].fd ||
		    f->fds[i].kind != key->fds[i].kind ||
		    f->fds[i].family != key->fds[i].family)
			return false;
	return true;
}

static bool same(const struct fs_finding *f, enum fs_lint_kind kind,
		 int32_t tgid, uint64_t start, const struct fs_finding *key)
{
	if (f->kind != kind || f->tgid != tgid || f->start_ns != start)
		return false;
	if (kind == FS_LINT_EXEC_LOOP)
		return f->by_children == key->by_children && f->err == key->err &&
		       !strcmp(f->filename, key->filename);
	if (kind == FS_LINT_FORK_FAIL)
		return f->limit == key->limit && f->err == key->err;
	if (kind == FS_LINT_EXEC_FDS)
		return same_fds(f, key);
	return true;
}

/*
 * The finding of kind for process tgid (what key says tells findings of
 * one kind apart), made when new; NULL past FS_LINT_MAX.
 */
static struct fs_finding *finding(struct fs_lint *l, const struct fs_model *m,
				  enum fs_lint_kind kind, int32_t tgid,
				  const struct fs_finding *key, uint64_t ts)
{
	const struct fs_task *p = process(m, tgid);
	uint64_t start = p ? p->start_ns : 0;
	struct fs_finding *f;

	for (uint32_t i = 0; i < l->n; i++)
		if (same(&l->f[i], kind, tgid, start, key))
			return &l->f[i];
	if (l->n == FS_LINT_MAX) {
		l->dropped++;
		return NULL;
	}
	if (l->n == l->cap) {
		uint32_t cap = l->cap ? l->cap * 2 : 16;
		struct fs_finding *nf = realloc(l->f, cap * sizeof(*nf));

		if (!nf) {
			l->failed = -ENOMEM;
			return NULL;
		}
		l->f = nf;
		l->cap = cap;
	}
	f = &l->f[l->n++];
	*f = key ? *key : (struct fs_finding){};
	f->count = 0;
	f->kind = kind;
	f->sev = kind == FS_LINT_FORK_FAIL ? FS_SEV_ERROR : FS_SEV_WARNING;
	f->fds = NULL;	/* the caller copies the key's */
	f->shared_bytes = f->private_bytes = -1;
	f->tgid = tgid;
	f->start_ns = start;
	f->first_ns = ts;
	if (p) {
		f->ppid = p->ppid;
		f->id = p->id;
		memcpy(f->comm, p->comm, sizeof(f->comm));
	}
	return f;
}

/* A pending entry of map for id, made (zeroed) when missing. */
static void *pending(struct fs_lint *l, struct fs_idmap *map, int32_t id,
		     size_t size)
{
	struct fs_idmap_slot *s;
	bool added;

	if (id <= 0)
		return NULL;
	s = fs_idmap_put(map, id, &added);
	if (!s) {
		l->failed = -ENOMEM;
		return NULL;
	}
	if (!s->value) {
		s->value = calloc(1, size);
		if (!s->value) {
			fs_idmap_del(map, id);
			l->failed = -ENOMEM;
		}
	}
	return s->value;
}

static void *lookup(const struct fs_idmap *map, int32_t id)
{
	struct fs_idmap_slot *s = id > 0 ? fs_idmap_get(map, id) : NULL;

	return s ? s->value : NULL;
}

static void drop(struct fs_idmap *map, int32_t id)
{
	struct fs_idmap_slot *s = id > 0 ? fs_idmap_get(map, id) : NULL;

	if (s) {
		free(s->value);
		fs_idmap_del(map, id);
	}
}

/*
 * A process forked by a threaded parent: the child has a copy of one
 * thread and of every lock the others held. Children sharing the
 * parent's memory (vfork, posix_spawn) and threads are not copies.
 */
static void mt_fork(struct fs_lint *l, const struct fs_model *m,
		    const struct fs_rec_fork *r)
{
	const struct fs_task *p = process(m, r->hdr.tgid);
	uint32_t threads = p ? p->nr_threads + 1 : 1;
	struct mt_child *c;

	if ((r->flags & (FS_FORK_THREAD | FS_FORK_SHARED_VM)) || threads < 2)
		return;
	c = pending(l, &l->mt_children, r->child_pid, sizeof(*c));
	if (!c)
		return;
	c->parent = r->hdr.tgid;
	c->parent_start = p->start_ns;
	c->start_ns = r->child_start_ns;
	c->fork_ns = r->hdr.ts_ns;
	c->threads = threads;
}

/* The child of a threaded parent ran ran_ns before exec, exit or now. */
static struct fs_finding *mt_fork_ran(struct fs_lint *l,
				      const struct fs_model *m,
				      const struct mt_child *c, int32_t child,
				      uint64_t ran_ns, const char *exec)
{
	struct fs_finding *f;

	if (ran_ns <= l->o.mt_fork_ns)
		return NULL;
	f = finding(l, m, FS_LINT_MT_FORK, c->parent, NULL,
		    c->fork_ns + ran_ns);
	if (!f || (f->start_ns && c->parent_start &&
		   f->start_ns != c->parent_start))
		return NULL;
	f->count++;
	f->last_ns = c->fork_ns + ran_ns;
	if (c->threads > f->threads)
		f->threads = c->threads;
	if (ran_ns >= f->ran_ns) {
		f->ran_ns = ran_ns;
		f->child = child;
		f->execd = exec != NULL;
		f->still_running = false;
		snprintf(f->filename, sizeof(f->filename), "%s",
			 exec ? exec : "");
	}
	return f;
}

/* The pending child's exec or exit: how long it ran as a copy. */
static struct fs_finding *mt_child_done(struct fs_lint *l,
					const struct fs_model *m,
					const struct fs_hdr *h,
					const char *exec)
{
	struct mt_child *c = lookup(&l->mt_children, h->tgid);
	struct fs_finding *f = NULL;

	if (!c)
		return NULL;
	if (h->ts_ns >= c->fork_ns)
		f = mt_fork_ran(l, m, c, h->tgid, h->ts_ns - c->fork_ns, exec);
	drop(&l->mt_children, h->tgid);
	return f;
}

/* One more of the same failure in t; a new streak when it differs. */
static uint32_t streak(struct fs_lint *l, struct exec_fail *t, uint64_t start,
		       uint64_t ts, int err, const char *filename)
{
	if (t->count && t->start_ns == start && t->err == err &&
	    ts - t->last_ns <= l->o.exec_window_ns &&
	    !strcmp(t->filename, filename)) {
		t->count++;
	} else {
		t->count = 1;
		t->start_ns = start;
		t->err = err;
		snprintf(t->filename, sizeof(t->filename), "%s", filename);
	}
	t->last_ns = ts;
	return t->count;
}

static struct fs_finding *exec_loop(struct fs_lint *l,
				    const struct fs_model *m, int32_t tgid,
				    const struct exec_fail *t, bool children,
				    uint64_t ts)
{
	struct fs_finding key = { .err = t->err, .by_children = children };
	struct fs_finding *f;

	if (t->count < l->o.exec_repeat)
		return NULL;
	snprintf(key.filename, sizeof(key.filename), "%s", t->filename);
	f = finding(l, m, FS_LINT_EXEC_LOOP, tgid, &key, ts);
	if (!f)
		return NULL;
	/* A streak counts from its first failure; a new one adds to it. */
	f->count += t->count == l->o.exec_repeat ? t->count : 1;
	f->last_ns = ts;
	return f;
}

static struct fs_finding *exec_failed(struct fs_lint *l,
				      const struct fs_model *m,
				      const struct fs_rec_exec_fail *r)
{
	const char *filename = fs_exec_filename((const void *)r);
	struct exec_fail *t;

	if (r->flags & FS_EXEC_FAIL_FATAL)
		return NULL;
	t = pending(l, &l->exec_fails, r->hdr.pid, sizeof(*t));
	if (!t)
		return NULL;
	streak(l, t, r->hdr.start_ns, r->hdr.ts_ns, r->err, filename);
	return exec_loop(l, m, r->hdr.tgid, t, false, r->hdr.ts_ns);
}

/*
 * A task that exits after failed execs and no exec that worked (a
 * search of PATH that found the program drops them): its parent's
 * children fail one after another, as a restart loop does.
 */
static struct fs_finding *failed_child_exits(struct fs_lint *l,
					     const struct fs_model *m,
					     const struct fs_hdr *h)
{
	struct exec_fail *t = lookup(&l->exec_fails, h->pid), *p;
	const struct fs_task *parent = process(m, h->ppid);
	struct fs_finding *f = NULL;

	if (!t)
		return NULL;
	p = pending(l, &l->child_fails, h->ppid, sizeof(*p));
	if (p) {
		streak(l, p, parent ? parent->start_ns : 0, h->ts_ns, t->err,
		       t->filename);
		f = exec_loop(l, m, h->ppid, p, true, h->ts_ns);
	}
	drop(&l->exec_fails, h->pid);
	return f;
}

/* A child exiting non-zero whose parent ignores SIGCHLD: nobody knows. */
static struct fs_finding *autoreaped(struct fs_lint *l,
				     const struct fs_model *m,
				     const struct fs_rec_exit *r)
{
	struct fs_finding *f;

	if (!(r->flags & FS_EXIT_AUTOREAP) || (r->flags & FS_EXIT_THREAD) ||
	    r->hdr.pid != r->hdr.tgid || !r->status || r->hdr.ppid <= 0)
		return NULL;
	f = finding(l, m, FS_LINT_AUTOREAP, r->hdr.ppid, NULL, r->hdr.ts_ns);
	if (!f)
		return NULL;
	f->count++;
	f->last_ns = r->hdr.ts_ns;
	f->child = r->hdr.pid;
	f->status = r->status;
	return f;
}

/* What the limit that refused a fork stood at. */
static void fork_limit(struct fs_finding *f, const struct fs_rec_fork_fail *r)
{
	switch (f->limit) {
	case FS_LIMIT_PIDS_CGROUP:
		f->used = r->pids_current;
		f->max = r->pids_max;
		break;
	case FS_LIMIT_NPROC:
		f->used = r->nproc;
		f->max = r->nproc_max;
		break;
	case FS_LIMIT_THREADS:
		f->used = r->tasks;
		f->max = r->threads_max;
		break;
	case FS_LIMIT_PID_MAX:
		f->used = r->tasks;
		f->max = r->pid_max;
		break;
	default:
		f->used = f->max = 0;
	}
}

static struct fs_finding *fork_failed(struct fs_lint *l,
				      const struct fs_model *m,
				      const struct fs_rec_fork_fail *r)
{
	struct fs_finding key = {
		.err = r->err,
		.limit = fs_fork_fail_limit(r),
	};
	struct fs_finding *f;

	f = finding(l, m, FS_LINT_FORK_FAIL, r->hdr.tgid, &key, r->hdr.ts_ns);
	if (!f)
		return NULL;
	f->count++;
	f->last_ns = r->hdr.ts_ns;
	fork_limit(f, r);
	return f;
}

/*
 * Devices (a terminal, /dev/null) and directories are inherited on
 * purpose often enough: worth knowing, no more. Sockets, pipes, files
 * and event descriptors keep a peer waiting or a resource alive.
 */
static enum fs_lint_severity fds_severity(const struct fs_exec_fd *e,
					  uint16_t nr)
{
	for (uint16_t i = 0; i < nr; i++)
		if (e[i].kind != FS_FD_CHR && e[i].kind != FS_FD_DIR)
			return FS_SEV_WARNING;
	return FS_SEV_INFO;
}

/*
 * An inherited descriptor's identity: its number and its inode on its
 * filesystem, as it keeps them down a tree (two descriptors of
 * /dev/null are two); never 0.
 */
static uint64_t file_id(const struct fs_exec_fd *e)
{
	uint64_t h = e->ino * 0x9e3779b97f4a7c15ULL;

	h ^= ((uint64_t)e->dev << 32 | (uint32_t)e->fd) * 0xc2b2ae3d27d4eb4fULL;
	return h | 1ULL << 63;
}

/* The finding that first showed open file e inherited, or NULL. */
static struct fs_finding *file_finding(struct fs_lint *l,
				       const struct fs_exec_fd *e)
{
	struct fs_idmap_slot *s = fs_idmap_get(&l->fd_files, file_id(e));
	uintptr_t i = s ? (uintptr_t)s->value : 0;

	return i && i <= l->n ? &l->f[i - 1] : NULL;
}

/*
 * Keeps the entries of r whose open file no finding has shown yet, in
 * new (FS_EXEC_FDS_MAX room); the finding of the first known one in
 * *known.
 */
static uint16_t new_files(struct fs_lint *l, const struct fs_rec_exec_fds *r,
			  struct fs_exec_fd *new, struct fs_finding **known)
{
	const struct fs_exec_fd *e = fs_exec_fds(r);
	uint16_t n = 0;

	*known = NULL;
	for (uint16_t i = 0; i < r->nr; i++) {
		struct fs_finding *f = file_finding(l, &e[i]);

		if (!f)
			new[n++] = e[i];
		else if (!*known)
			*known = f;
	}
	return n;
}

static void remember_files(struct fs_lint *l, const struct fs_finding *f)
{
	uintptr_t index = f - l->f + 1;
	bool added;

	for (uint16_t i = 0; i < f->nr_fds; i++) {
		struct fs_idmap_slot *s = fs_idmap_put(&l->fd_files,
						       file_id(&f->fds[i]),
						       &added);

		if (s)
			s->value = (void *)index;
	}
}

/*
 * Descriptors an exec'd image inherited: its parent's leak. One open
 * file handed down a whole tree (a shell's descriptor every command it
 * runs inherits) is one leak: told once, where first seen, and each
 * exec inheriting it again adds to that finding's count.
 */
static struct fs_finding *exec_fds(struct fs_lint *l, const struct fs_model *m,
				   const struct fs_rec_exec_fds *r)
{
	static struct fs_exec_fd new[FS_EXEC_FDS_MAX];
	struct fs_finding key = { .fds = new, .fds_open = r->count };
	struct fs_finding *f, *known;

	key.nr_fds = new_files(l, r, new, &known);
	if (!key.nr_fds) {
		if (known) {
			known->count++;
			known->last_ns = r->hdr.ts_ns;
		}
		return known;
	}
	memcpy(key.filename, r->hdr.comm, sizeof(r->hdr.comm));
	f = finding(l, m, FS_LINT_EXEC_FDS, r->hdr.ppid, &key, r->hdr.ts_ns);
	if (!f)
		return NULL;
	if (!f->count++) {
		size_t bytes = key.nr_fds * sizeof(*f->fds);

		f->fds = malloc(bytes);
		if (!f->fds) {
			l->failed = -ENOMEM;
			f->nr_fds = 0;
		} else {
			memcpy(f->fds, new, bytes);
		}
		f->child = r->hdr.pid;
		f->fds_flags = r->flags;
		f->sev = fds_severity(new, key.nr_fds);
		remember_files(l, f);
	}
	f->last_ns = r->hdr.ts_ns;
	return f;
}

/* A worker: a process seen forked, that has not exec'd since. */
static const struct fs_task *worker(const struct fs_model *m, int32_t pid)
{
	const struct fs_task *t = process(m, pid);

	return t && t->pid == t->tgid &&
	       (t->flags & (FS_TASK_BORN | FS_TASK_EXECED)) == FS_TASK_BORN ?
	       t : NULL;
}

/* The worker's faults so far, into its parent's finding. */
static struct fs_finding *cow_told(struct fs_lint *l, const struct fs_model *m,
				   const struct fs_task *t,
				   struct cow_worker *w)
{
	uint64_t bytes = w->last_faults * l->o.page_bytes;
	struct fs_finding *f;
	double secs;

	if (bytes < l->o.cow_min_bytes || t->ppid <= 0)
		return NULL;
	f = finding(l, m, FS_LINT_PREFORK_COW, t->ppid, NULL, w->last_ns);
	if (!f)
		return NULL;
	f->sev = FS_SEV_INFO;
	if (!w->counted) {
		w->counted = true;
		f->count++;
	}
	f->cow_bytes += (w->last_faults - w->told) * l->o.page_bytes;
	w->told = w->last_faults;
	f->last_ns = w->last_ns;
	if (bytes >= f->worker_bytes || f->child == t->pid) {
		f->worker_bytes = bytes;
		f->child = t->pid;
		secs = (w->last_ns - w->first_ns) / 1e9;
		f->worker_rate = secs > 0 ? (w->last_faults - w->first_faults) *
					    l->o.page_bytes / secs : 0;
	}
	if (w->rising >= FS_LINT_STEADY) {
		f->steady = true;
		f->sev = FS_SEV_WARNING;
	}
	return f;
}

/* A worker's COW count, from a sample or its exit. */
static struct fs_finding *cow_count(struct fs_lint *l, const struct fs_model *m,
				    const struct fs_hdr *h, uint64_t faults)
{
	const struct fs_task *t = worker(m, h->tgid);
	struct cow_worker *w;

	if (!t)
		return NULL;
	w = pending(l, &l->cow_workers, h->tgid, sizeof(*w));
	if (!w)
		return NULL;
	if (!w->first_ns || w->start_ns != t->start_ns) {
		*w = (struct cow_worker){ .start_ns = t->start_ns,
					  .first_ns = h->ts_ns,
					  .first_faults = faults };
	} else if (faults > w->last_faults) {
		w->rising++;
	} else if (h->type == FS_REC_COW) {
		w->rising = 0;
	}
	w->last_ns = h->ts_ns;
	w->last_faults = faults;
	return cow_told(l, m, t, w);
}

static struct fs_finding *exited(struct fs_lint *l, const struct fs_model *m,
				 const struct fs_rec_exit *r)
{
	struct fs_finding *f = NULL, *g = NULL;

	if (r->flags & FS_EXIT_GROUP_DEAD) {
		f = mt_child_done(l, m, &r->hdr, NULL);
		/* Its last count: on the leader, whichever thread was last. */
		if (r->cow_faults)
			g = cow_count(l, m, &r->hdr, r->cow_faults);
		if (!f)
			f = g;
		drop(&l->cow_workers, r->hdr.tgid);
	}
	g = failed_child_exits(l, m, &r->hdr);
	if (!f)
		f = g;
	g = autoreaped(l, m, r);
	return g ? g : f;
}

const struct fs_finding *fs_lint_event(struct fs_lint *l,
				       const struct fs_model *m,
				       const struct fs_hdr *rec,
				       const struct fs_note *n)
{
	if (!n->selected || n->stale)
		return NULL;
	switch (rec->type) {
	case FS_REC_FORK:
		mt_fork(l, m, (const void *)rec);
		return NULL;
	case FS_REC_EXEC: {
		const struct fs_rec_exec *r = (const void *)rec;

		/* A search of PATH that found the program is no loop. */
		drop(&l->exec_fails, r->old_pid);
		drop(&l->exec_fails, r->hdr.pid);
		return mt_child_done(l, m, rec, fs_exec_filename(r));
	}
	case FS_REC_EXIT:
		return exited(l, m, (const void *)rec);
	case FS_REC_EXEC_FAIL:
		return exec_failed(l, m, (const void *)rec);
	case FS_REC_FORK_FAIL:
		return fork_failed(l, m, (const void *)rec);
	case FS_REC_EXEC_FDS:
		return exec_fds(l, m, (const void *)rec);
	case FS_REC_COW:
		return cow_count(l, m, rec,
				 ((const struct fs_rec_cow *)rec)->faults);
	}
	return NULL;
}

/* Children of threaded parents still running as copies at the end. */
static void mt_children_left(struct fs_lint *l, const struct fs_model *m,
			     uint64_t now)
{
	struct fs_idmap *map = &l->mt_children;

	for (uint32_t i = 0; map->slots && i <= map->mask; i++) {
		const struct mt_child *c = map->slots[i].value;
		int32_t pid = map->slots[i].id;
		const struct fs_task *t;
		struct fs_finding *f;

		if (!pid || !c || now < c->fork_ns)
			continue;
		/* Gone unseen (records lost): nothing to say of it. */
		t = process(m, pid);
		if (!t || !fs_task_is_live(t) || (t->flags & FS_TASK_EXITED) ||
		    (t->start_ns && c->start_ns && t->start_ns != c->start_ns))
			continue;
		f = mt_fork_ran(l, m, c, pid, now - c->fork_ns, NULL);
		if (f && f->child == pid)
			f->still_running = true;
	}
}

/* Zombies older than zombie_ns, by the parent that should reap them. */
static void zombies_left(struct fs_lint *l, const struct fs_model *m,
			 uint64_t now)
{
	uint64_t watched = now > m->watch_start_ns ? now - m->watch_start_ns : 0;
	const struct fs_task *e;

	fs_proctab_for_each(&m->tab, e) {
		uint64_t age = 0;
		struct fs_finding *f;

		if (!e->tgid || e->pid != e->tgid || !fs_task_is_zombie(e) ||
		    fs_task_leader_waits(e) || !fs_model_task_selected(m, e))
			continue;
		if (!(e->flags & FS_TASK_EXIT_UNKNOWN))
			age = now > e->exit_ns ? now - e->exit_ns : 0;
		if ((age ? age : watched) < l->o.zombie_ns)
			continue;
		f = finding(l, m, FS_LINT_ZOMBIES, e->ppid, NULL,
			    age ? e->exit_ns : m->watch_start_ns);
		if (!f)
			continue;
		f->count++;
		f->last_ns = now;
		if (!f->child || (f->oldest_ns && (!age || age > f->oldest_ns))) {
			f->child = e->pid;
			f->oldest_ns = age;
		}
	}
}

void fs_lint_finish(struct fs_lint *l, const struct fs_model *m,
		    uint64_t now_ns)
{
	mt_children_left(l, m, now_ns);
	zombies_left(l, m, now_ns);
}

static int cmp(const void *a, const void *b)
{
	const struct fs_finding *x = a, *y = b;

	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	if (x->start_ns != y->start_ns)
		return x->start_ns < y->start_ns ? -1 : 1;
	if (x->sev != y->sev)
		return x->sev > y->sev ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return x->first_ns < y->first_ns ? -1 : x->first_ns > y->first_ns;
}

void fs_lint_sort(struct fs_lint *l)
{
	if (l->n)
		qsort(l->f, l->n, sizeof(*l->f), cmp);
}

int fs_lint_worst(const struct fs_lint *l)
{
	int worst = -1;

	for (uint32_t i = 0; i < l->n; i++)
		if ((int)l->f[i].sev > worst)
			worst = l->f[i].sev;
	return worst;
}
