// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "idmap.h"
#include "timeline.h"

#define FS_TL_ENDED	(1U << 31)	/* internal: left the timeline */

struct fs_timeline {
	struct fs_timeline_opts o;
	struct fs_idmap live;		/* pid -> its task in the timeline */
	struct fs_tl_task *first, *last;
	struct fs_tl_stats st;
	/* Containers named, each kept once, with the path they were by. */
	struct fs_tl_container **containers;
	uint32_t nr_containers, cap_containers;
};

/* An exec's strings, built before we know whether they are kept. */
struct exec_buf {
	struct fs_tl_exec e;
	char data[FS_FILENAME_LEN + FS_ARGS_LEN + 1];
};

struct fs_timeline *fs_timeline_new(const struct fs_timeline_opts *o)
{
	struct fs_timeline *tl = calloc(1, sizeof(*tl));

	if (!tl) {
		fs_error(ENOMEM, "out of memory for the timeline");
		return NULL;
	}
	if (o)
		tl->o = *o;
	return tl;
}

static struct fs_tl_task *find(const struct fs_timeline *tl, int32_t pid)
{
	struct fs_idmap_slot *s = pid > 0 ? fs_idmap_get(&tl->live, pid) : NULL;

	return s ? s->value : NULL;
}

const struct fs_tl_task *fs_timeline_find(const struct fs_timeline *tl,
					  int32_t pid)
{
	return find(tl, pid);
}

const struct fs_tl_task *fs_timeline_first(const struct fs_timeline *tl)
{
	return tl->first;
}

const struct fs_tl_stats *fs_timeline_stats(const struct fs_timeline *tl)
{
	return &tl->st;
}

void fs_timeline_set_view(const struct fs_tl_task *t, uintptr_t view)
{
	((struct fs_tl_task *)t)->view = view;
}

static void emit(struct fs_timeline *tl, enum fs_tl_kind kind, uint64_t ts,
		 const struct fs_tl_task *t, const struct fs_tl_task *other,
		 const void *what)
{
	struct fs_tl_event ev = {
		.kind = kind, .ts = ts, .task = t, .other = other, .exec = what,
	};

	if (tl->o.on_event)
		tl->o.on_event(tl->o.ctx, &ev);
}

static char *dup_or_null(const char *s, uint32_t *bytes)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (d)
		*bytes += strlen(s) + 1;
	return d;
}

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/*
 * The container the model names for an identity, kept once per cgroup
 * path: a model forgets paths no task uses, a timeline outlives them.
 */
static const struct fs_tl_container *container(struct fs_timeline *tl,
					       const struct fs_model *m,
					       const struct fs_ident *id)
{
	const struct fs_cgroup *cg = fs_model_container(m, id);
	struct fs_tl_container *c, **grown;
	uint32_t bytes = sizeof(*c);

	if (!cg)
		return NULL;
	for (uint32_t i = tl->nr_containers; i-- > 0;) {
		c = tl->containers[i];
		if (!strcmp(c->path, cg->path) && same_str(c->id, cg->id) &&
		    same_str(c->unit, cg->unit))
			return c;
	}
	if (tl->nr_containers == tl->cap_containers) {
		uint32_t cap = tl->cap_containers ? 2 * tl->cap_containers : 8;

		grown = realloc(tl->containers, cap * sizeof(*grown));
		if (!grown)
			return NULL;
		tl->containers = grown;
		tl->cap_containers = cap;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->runtime = cg->runtime;
	c->path = dup_or_null(cg->path, &bytes);
	c->id = dup_or_null(cg->id, &bytes);
	c->unit = dup_or_null(cg->unit, &bytes);
	if (!c->path) {
		free((char *)c->id);
		free((char *)c->unit);
		free(c);
		return NULL;
	}
	tl->containers[tl->nr_containers++] = c;
	tl->st.bytes += bytes;
	return c;
}

/*
 * A new task from what the model holds of it, in the live index and at
 * the end of the list; BEGIN is the caller's, once it has filled in how
 * the task began.
 */
static struct fs_tl_task *add(struct fs_timeline *tl, const struct fs_model *m,
			      const struct fs_task *mt, uint64_t ts)
{
	struct fs_tl_task *t = calloc(1, sizeof(*t));
	struct fs_idmap_slot *slot;
	bool added;

	if (!t)
		return NULL;
	slot = fs_idmap_put(&tl->live, mt->pid, &added);
	if (!slot) {
		free(t);
		return NULL;
	}
	slot->value = t;
	t->uid = ++tl->st.tasks;
	t->pid = mt->pid;
	t->tgid = mt->tgid;
	t->ppid = mt->ppid;
	t->start_ns = mt->start_ns;
	t->begin_ns = ts;
	memcpy(t->first_comm, mt->comm, sizeof(t->first_comm));
	memcpy(t->comm, mt->comm, sizeof(t->comm));
	t->ident = mt->id;
	t->container = container(tl, m, &mt->id);
	if (t->pid != t->tgid)
		t->flags |= FS_TL_THREAD;
	else
		tl->st.processes++;
	t->bytes = sizeof(*t);
	t->prev = tl->last;
	if (tl->last)
		tl->last->next = t;
	else
		tl->first = t;
	tl->last = t;
	tl->st.live++;
	tl->st.bytes += t->bytes;
	return t;
}

static void free_task(struct fs_tl_task *t)
{
	for (uint32_t i = 0; i < t->nr_execs; i++)
		free((char *)t->execs[i].filename);
	free(t->execs);
	free(t->waits);
	free(t->fork_fails);
	free(t->cow);
	free(t);
}

/* The task leaves the timeline: told, out of the index, freed unless kept. */
static void end(struct fs_timeline *tl, struct fs_tl_task *t, uint64_t ts)
{
	struct fs_idmap_slot *s = fs_idmap_get(&tl->live, t->pid);

	if (t->flags & FS_TL_ENDED)
		return;
	t->flags |= FS_TL_ENDED;
	emit(tl, FS_TL_END, ts, t, NULL, NULL);
	if (s && s->value == t)
		fs_idmap_del(&tl->live, t->pid);
	tl->st.live--;
	if (tl->o.keep)
		return;
	if (t->prev)
		t->prev->next = t->next;
	else
		tl->first = t->next;
	if (t->next)
		t->next->prev = t->prev;
	else
		tl->last = t->prev;
	tl->st.bytes -= t->bytes;
	free_task(t);
}

/* A task that died unseen (records were lost): it ends where found gone. */
static void vanish(struct fs_timeline *tl, struct fs_tl_task *t, uint64_t ts)
{
	t->flags |= FS_TL_VANISHED | FS_TL_REAPED;
	t->reap_ns = ts;
	tl->st.vanished++;
	end(tl, t, ts);
}

/* Room for n entries of an array of at most max: powers of 2. */
static uint32_t room(uint32_t n, uint32_t max)
{
	uint32_t c = 1;

	if (!n)
		return 0;
	while (c < n)
		c <<= 1;
	return c < max ? c : max;
}

/*
 * One more entry of a kept array of at most max, grown as needed; NULL
 * when full (the caller counts it dropped) or out of memory.
 */
static void *grow(struct fs_timeline *tl, struct fs_tl_task *t, void **arr,
		  uint32_t *n, uint32_t max, size_t size)
{
	uint32_t had = room(*n, max), cap;
	void *a = *arr;

	if (*n >= max)
		return NULL;
	if (*n == had) {
		cap = room(*n + 1, max);
		a = realloc(*arr, cap * size);
		if (!a)
			return NULL;
		*arr = a;
		t->bytes += (cap - had) * size;
		tl->st.bytes += (cap - had) * size;
	}
	return (char *)a + (*n)++ * size;
}

#define KEEP(tl, t, field, nr, max)					\
	((typeof((t)->field))grow(tl, t, (void **)&(t)->field, &(t)->nr, \
				  max, sizeof(*(t)->field)))

/* A record about a task of an older pid's life, or the one we hold? */
static bool stale(const struct fs_tl_task *t, uint64_t start)
{
	return t->start_ns && start && start < t->start_ns;
}

/*
 * The task a record is about: the one held under its pid, ended first if
 * the record shows a newer task there (the old one died unseen); a task
 * selected but not held yet begins here, seen.
 */
static struct fs_tl_task *subject(struct fs_timeline *tl,
				  const struct fs_model *m,
				  const struct fs_hdr *rec,
				  const struct fs_note *note)
{
	struct fs_tl_task *t = find(tl, rec->pid);

	if (note->stale || (t && stale(t, rec->start_ns)))
		return NULL;
	if (t && t->start_ns && rec->start_ns && t->start_ns != rec->start_ns) {
		vanish(tl, t, rec->ts_ns);
		t = NULL;
	}
	if (t || !note->selected || !note->task.tgid ||
	    note->task.pid != rec->pid || rec->type == FS_REC_REAP)
		return t;
	t = add(tl, m, &note->task, rec->ts_ns);
	if (t) {
		t->flags |= FS_TL_SEEN;
		emit(tl, FS_TL_BEGIN, rec->ts_ns, t, NULL, NULL);
	}
	return t;
}

static void fork_child(struct fs_timeline *tl, const struct fs_model *m,
		       const struct fs_rec_fork *r, struct fs_tl_task *parent)
{
	const struct fs_task *mc = fs_proctab_get((struct fs_proctab *)&m->tab,
						  r->child_pid);
	struct fs_tl_task *c = find(tl, r->child_pid);

	if (!mc || !mc->tgid || !fs_model_task_selected(m, mc))
		return;
	if (parent)
		parent->nr_forks++;
	if (c && c->start_ns == r->child_start_ns) {
		/* Its exit was read before its fork: it began already. */
		c->flags |= FS_TL_BORN;
		c->forker = r->hdr.pid;
		c->fork_flags = r->flags;
		return;
	}
	if (c)
		vanish(tl, c, r->hdr.ts_ns);
	c = add(tl, m, mc, r->hdr.ts_ns);
	if (!c)
		return;
	/*
	 * It begins at the fork record, which the kernel writes after
	 * copy_process() set its start_boottime and before it first runs:
	 * the fork is drawn before anything the child does.
	 */
	c->flags |= FS_TL_BORN;
	c->forker = r->hdr.pid;
	c->fork_flags = r->flags;
	c->ppid = r->child_ppid;
	emit(tl, FS_TL_BEGIN, r->hdr.ts_ns, c, parent, NULL);
}

/* filename, then argv with its last string NUL-ended, into b. */
static void exec_strings(struct exec_buf *b, const struct fs_rec_exec *r)
{
	const char *fn = fs_exec_filename(r), *args = fs_exec_args(r);
	size_t fn_len = strnlen(fn, FS_FILENAME_LEN - 1);
	char *argv = b->data + fn_len + 1;
	uint32_t len = r->args_len;

	memcpy(b->data, fn, fn_len);
	b->data[fn_len] = 0;
	memcpy(argv, args, len);
	if (len && argv[len - 1])
		argv[len++] = 0;
	b->e.filename = b->data;
	b->e.argv = argv;
	b->e.argv_len = len;
	b->e.argc = 0;
	for (uint32_t i = 0; i < len; i++)
		b->e.argc += !argv[i];
}

static void exec(struct fs_timeline *tl, struct fs_tl_task *t,
		 const struct fs_rec_exec *r, int32_t err)
{
	struct exec_buf b = {
		.e = { .ts = r->hdr.ts_ns, .err = err, .flags = r->flags },
	};
	struct fs_tl_exec *kept;
	size_t size;
	char *copy;

	memcpy(b.e.comm, r->hdr.comm, sizeof(b.e.comm));
	exec_strings(&b, r);
	if (!err) {
		memcpy(t->comm, r->hdr.comm, sizeof(t->comm));
		t->flags |= FS_TL_EXECED;
		/* A thread's exec killed the leader, then took its place. */
		t->flags &= ~(FS_TL_EXITED | FS_TL_DEAD);
	}
	kept = KEEP(tl, t, execs, nr_execs, FS_TL_MAX_EXECS);
	size = strlen(b.e.filename) + 1 + b.e.argv_len;
	copy = kept ? malloc(size) : NULL;
	if (!copy) {
		if (kept)
			t->nr_execs--;
		t->dropped.execs++;
		tl->st.dropped++;
		emit(tl, FS_TL_EXEC, r->hdr.ts_ns, t, NULL, &b.e);
		return;
	}
	memcpy(copy, b.data, size);
	*kept = b.e;
	kept->filename = copy;
	kept->argv = copy + (b.e.argv - b.data);
	t->bytes += size;
	tl->st.bytes += size;
	emit(tl, FS_TL_EXEC, r->hdr.ts_ns, t, NULL, kept);
}

static void add_cow(struct fs_timeline *tl, struct fs_tl_task *t, uint64_t ts,
		    uint64_t faults, uint64_t copies)
{
	struct fs_tl_cow s = { .ts = ts, .faults = faults, .copies = copies };
	struct fs_tl_cow *kept = KEEP(tl, t, cow, nr_cow, FS_TL_MAX_COW);

	tl->st.cow_samples++;
	if (kept) {
		*kept = s;
	} else {
		t->dropped.cow++;
		tl->st.dropped++;
	}
	emit(tl, FS_TL_COW, ts, t, NULL, kept ? kept : &s);
}

static void exited(struct fs_timeline *tl, struct fs_tl_task *t,
		   const struct fs_rec_exit *r)
{
	struct fs_tl_task *leader = NULL;

	t->flags |= FS_TL_EXITED;
	t->exit_ns = r->hdr.ts_ns;
	t->status = r->status;
	/* The death first: EXIT is told with the process dead already. */
	if (r->flags & FS_EXIT_GROUP_DEAD) {
		leader = find(tl, t->tgid);
		if (leader && (leader->flags & FS_TL_DEAD))
			leader = NULL;
	}
	if (leader) {
		leader->flags |= FS_TL_DEAD;
		leader->dead_ns = r->hdr.ts_ns;
		leader->status = r->status;
	}
	emit(tl, FS_TL_EXIT, r->hdr.ts_ns, t, NULL, NULL);
	if (!leader)
		return;
	/* COW counting on: the exit carries the process's last count. */
	if (r->cow_faults || leader->nr_cow || leader->dropped.cow)
		add_cow(tl, leader, r->hdr.ts_ns, r->cow_faults, r->cow_copies);
	emit(tl, FS_TL_DEATH, r->hdr.ts_ns, leader, NULL, NULL);
}

static void waited(struct fs_timeline *tl, struct fs_tl_task *t,
		   const struct fs_rec_wait_result *r,
		   const struct fs_note *note)
{
	struct fs_tl_wait w = {
		.begin_ns = t->wait_begin_ns,
		.ts = r->hdr.ts_ns,
		.ret = r->ret,
		.waiter = r->hdr.pid,
		.pid = r->pid,
		.status = fs_wait_result_status(r),
		.has_status = r->flags & FS_WAITR_STATUS,
		.reaped = note->reaped,
		.ns_local = r->flags & FS_WAITR_NS_LOCAL,
	};
	struct fs_tl_wait *kept = KEEP(tl, t, waits, nr_waits, FS_TL_MAX_WAITS);

	t->wait_begin_ns = 0;
	if (kept) {
		*kept = w;
	} else {
		t->dropped.waits++;
		tl->st.dropped++;
	}
	emit(tl, FS_TL_WAIT, r->hdr.ts_ns, t,
	     w.ns_local || w.pid <= 0 ? NULL : find(tl, w.pid),
	     kept ? kept : &w);
}

static void fork_failed(struct fs_timeline *tl, struct fs_tl_task *t,
			const struct fs_rec_fork_fail *r)
{
	struct fs_tl_fork_fail f = {
		.ts = r->hdr.ts_ns,
		.err = r->err,
		.syscall = r->syscall,
		.limit = fs_fork_fail_limit(r),
	};
	struct fs_tl_fork_fail *kept = KEEP(tl, t, fork_fails, nr_fork_fails,
					    FS_TL_MAX_FORK_FAILS);

	if (kept) {
		*kept = f;
	} else {
		t->dropped.fork_fails++;
		tl->st.dropped++;
	}
	emit(tl, FS_TL_FORK_FAIL, r->hdr.ts_ns, t, NULL, kept ? kept : &f);
}

/*
 * The task the note says was released, marked so before the record's own
 * events are told (a thread's EXIT then shows it autoreaped); NULL when
 * the timeline does not hold it.
 */
static struct fs_tl_task *mark_released(struct fs_timeline *tl,
					const struct fs_hdr *rec,
					const struct fs_note *note)
{
	struct fs_tl_task *g;

	if (note->released == FS_RELEASE_NONE)
		return NULL;
	g = find(tl, note->gone.pid);
	if (!g || (g->start_ns && note->gone.start_ns &&
		   g->start_ns != note->gone.start_ns) ||
	    (g->flags & FS_TL_REAPED))
		return NULL;
	g->flags |= FS_TL_REAPED;
	g->reap_ns = rec->ts_ns;
	g->released = note->released;
	g->reaper = note->reaper;
	memcpy(g->reaper_comm, note->reaper_comm, sizeof(g->reaper_comm));
	if (note->released == FS_RELEASE_EXEC && !(g->flags & FS_TL_EXITED)) {
		g->flags |= FS_TL_EXITED;
		g->exit_ns = rec->ts_ns;
	}
	return g;
}

/* Sorts tasks found by a snapshot: by start, leaders before threads. */
static int by_start(const void *a, const void *b)
{
	const struct fs_task *x = *(const struct fs_task *const *)a;
	const struct fs_task *y = *(const struct fs_task *const *)b;

	if (x->start_ns != y->start_ns)
		return x->start_ns < y->start_ns ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/* A task the snapshot found, as it was: running, or already a zombie. */
static void seen_in_snapshot(struct fs_timeline *tl, const struct fs_model *m,
			     const struct fs_task *mt, uint64_t ts)
{
	struct fs_tl_task *t = add(tl, m, mt, ts);

	if (!t)
		return;
	t->flags |= FS_TL_SEEN;
	t->status = mt->status;
	/* Exited before we watched: its exit time is not known. */
	if (mt->flags & FS_TASK_EXITED) {
		t->flags |= FS_TL_EXITED | FS_TL_EXIT_UNKNOWN;
		t->exit_ns = ts;
		if (t->pid == t->tgid && !fs_task_leader_waits(mt)) {
			t->flags |= FS_TL_DEAD;
			t->dead_ns = ts;
		}
	}
	emit(tl, FS_TL_BEGIN, ts, t, NULL, NULL);
	if (t->flags & FS_TL_DEAD)
		emit(tl, FS_TL_DEATH, ts, t, NULL, NULL);
}

/*
 * A snapshot ended and the model's table is whole: tasks it no longer
 * holds died while records were lost; tasks it holds that we do not were
 * there before we watched (the first snapshot) or born unseen.
 */
static void synced(struct fs_timeline *tl, const struct fs_model *m,
		   uint64_t ts)
{
	struct fs_proctab *tab = (struct fs_proctab *)&m->tab;
	const struct fs_task **found, *e;
	struct fs_tl_task *t, *next;
	uint32_t n = 0;

	for (t = tl->first; t; t = next) {
		const struct fs_task *mt = fs_proctab_get(tab, t->pid);

		next = t->next;
		if (t->flags & FS_TL_ENDED)
			continue;
		if (!mt || !mt->tgid || (mt->flags & FS_TASK_REAPED) ||
		    (mt->start_ns && t->start_ns &&
		     mt->start_ns != t->start_ns))
			vanish(tl, t, ts);
	}
	found = malloc((tab->count + 1) * sizeof(*found));
	if (!found)
		return;
	fs_proctab_for_each(tab, e) {
		if (fs_task_is_live(e) && !find(tl, e->pid) &&
		    fs_model_task_selected(m, e))
			found[n++] = e;
	}
	qsort(found, n, sizeof(*found), by_start);
	for (uint32_t i = 0; i < n; i++)
		seen_in_snapshot(tl, m, found[i], ts);
	free(found);
}

/* The record's own events, on its subject t (NULL: not held). */
static void apply(struct fs_timeline *tl, const struct fs_model *m,
		  struct fs_tl_task *t, const struct fs_hdr *rec,
		  const struct fs_note *note)
{
	switch (rec->type) {
	case FS_REC_FORK:
		fork_child(tl, m, (const void *)rec, t);
		break;
	case FS_REC_EXEC:
		if (t)
			exec(tl, t, (const void *)rec, 0);
		break;
	case FS_REC_EXEC_FAIL:
		if (t)
			exec(tl, t, (const void *)rec,
			     ((const struct fs_rec_exec_fail *)rec)->err);
		break;
	case FS_REC_FORK_FAIL:
		if (t)
			fork_failed(tl, t, (const void *)rec);
		break;
	case FS_REC_EXIT:
		if (t)
			exited(tl, t, (const void *)rec);
		break;
	case FS_REC_WAIT:
		if (t)
			t->wait_begin_ns = rec->ts_ns;
		break;
	case FS_REC_WAIT_RESULT:
		if (t)
			waited(tl, t, (const void *)rec, note);
		break;
	case FS_REC_COW:
		if (t && t->pid == t->tgid) {
			const struct fs_rec_cow *c = (const void *)rec;

			add_cow(tl, t, rec->ts_ns, c->faults, c->copies);
		}
		break;
	case FS_REC_CGROUP:
		if (t) {
			t->ident = ((const struct fs_rec_cgroup *)rec)->id;
			t->container = container(tl, m, &t->ident);
		}
		break;
	}
}

void fs_timeline_apply(struct fs_timeline *tl, const struct fs_model *m,
		       const struct fs_hdr *rec, const struct fs_note *note)
{
	struct fs_tl_task *t = NULL, *gone;

	if (!tl->st.first_ns || rec->ts_ns < tl->st.first_ns)
		tl->st.first_ns = rec->ts_ns;
	if (rec->ts_ns > tl->st.last_ns)
		tl->st.last_ns = rec->ts_ns;
	if (rec->type == FS_REC_SYNC) {
		const struct fs_rec_sync *s = (const void *)rec;

		if (s->phase == FS_SYNC_END && s->generation == m->gen &&
		    !m->need_resync)
			synced(tl, m, rec->ts_ns);
		return;
	}
	if (rec->type == FS_REC_LOST || rec->type == FS_REC_TASK ||
	    rec->type == FS_REC_CGROUP_PATH || !rec->pid)
		return;
	gone = mark_released(tl, rec, note);
	if (rec->type != FS_REC_REAP)
		t = subject(tl, m, rec, note);
	apply(tl, m, t, rec, note);
	if (gone) {
		emit(tl, FS_TL_REAP, rec->ts_ns, gone, find(tl, gone->reaper),
		     NULL);
		end(tl, gone, rec->ts_ns);
	}
}

void fs_timeline_finish(struct fs_timeline *tl, uint64_t end_ns)
{
	struct fs_tl_task *t, *next;

	tl->st.end_ns = end_ns;
	for (t = tl->first; t; t = next) {
		next = t->next;
		if (!(t->flags & FS_TL_ENDED))
			end(tl, t, end_ns);
	}
}

void fs_timeline_free(struct fs_timeline *tl)
{
	struct fs_tl_task *t, *next;

	if (!tl)
		return;
	for (t = tl->first; t; t = next) {
		next = t->next;
		free_task(t);
	}
	for (uint32_t i = 0; i < tl->nr_containers; i++) {
		free((char *)tl->containers[i]->path);
		free((char *)tl->containers[i]->id);
		free((char *)tl->containers[i]->unit);
		free(tl->containers[i]);
	}
	free(tl->containers);
	fs_idmap_clear(&tl->live, NULL);
	free(tl);
}
