// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "lifestat.h"
#include "status.h"

static void fs_tally_add(struct fs_tally *t, const char *key)
{
	for (size_t i = 0; i < t->n; i++) {
		if (!strcmp(t->e[i].key, key)) {
			t->e[i].n++;
			return;
		}
	}
	if (t->n == FS_TALLY_KEYS) {
		t->other++;
		return;
	}
	snprintf(t->e[t->n].key, sizeof(t->e[t->n].key), "%s", key);
	t->e[t->n++].n = 1;
}

/* Grows *arr (of size elem) to hold one more; false when out of memory. */
static bool grow(void **arr, size_t *cap, size_t n, size_t elem)
{
	void *p;

	if (n < *cap)
		return true;
	p = realloc(*arr, (*cap ? *cap * 2 : 64) * elem);
	if (!p)
		return false;
	*arr = p;
	*cap = *cap ? *cap * 2 : 64;
	return true;
}

/* A child process of parent: in its family, as the tree summary needs. */
static void family_fork(struct fs_lifestat *r, const struct fs_rec_fork *f)
{
	int32_t parent = f->child_ppid ? f->child_ppid : f->hdr.tgid;
	struct fs_task *p, *c;
	int32_t branch;

	if (!r->family.slots && fs_proctab_init(&r->family, 64)) {
		r->failed = ENOMEM;
		return;
	}
	p = fs_proctab_get(&r->family, parent);
	if (!p) {	/* not seen forked: the command, or older */
		p = fs_proctab_put(&r->family, parent);
		if (!p) {
			r->failed = ENOMEM;
			return;
		}
		memcpy(p->comm, f->hdr.comm, FS_COMM_LEN);
	}
	branch = p->ppid ? p->ppid : f->child_tgid;
	/* A pid used again was a process that ended: its count is in. */
	c = fs_proctab_put(&r->family, f->child_tgid);
	if (!c) {
		r->failed = ENOMEM;
		return;
	}
	c->ppid = branch;
	memcpy(c->comm, f->hdr.comm, FS_COMM_LEN);
}

static struct fs_spawn_group *spawn_group(struct fs_lifestat *r,
					  const char *name)
{
	struct fs_spawn_group *g;

	for (size_t i = 0; i < r->nspawned; i++)
		if (!strcmp(r->spawned[i].name, name))
			return &r->spawned[i];
	if (r->nspawned == FS_SPAWN_GROUPS)
		return NULL;
	g = &r->spawned[r->nspawned++];
	snprintf(g->name, sizeof(g->name), "%s", name);
	return g;
}

/* A branch is named by what its first process runs now. */
static void family_exec(struct fs_lifestat *r, const struct fs_hdr *h)
{
	struct fs_task *e = r->family.slots ?
			    fs_proctab_get(&r->family, h->tgid) : NULL;

	if (e)
		memcpy(e->comm, h->comm, FS_COMM_LEN);
}

/* An ended process, under its branch's name, by the name it ended with. */
static void family_exit(struct fs_lifestat *r, const struct fs_hdr *h)
{
	struct fs_task *e = r->family.slots ?
			    fs_proctab_get(&r->family, h->tgid) : NULL;
	const struct fs_task *b;
	struct fs_spawn_group *g;
	size_t i;

	if (!e)
		return;
	memcpy(e->comm, h->comm, FS_COMM_LEN);
	if (!e->ppid)	/* a root: the command itself is not spawned */
		return;
	b = fs_proctab_get(&r->family, e->ppid);
	g = spawn_group(r, b ? b->comm : e->comm);
	if (!g) {
		r->spawned_other++;
		return;
	}
	g->processes++;
	for (i = 0; i < g->n && strcmp(g->e[i].comm, h->comm); i++)
		;
	if (i == FS_SPAWN_COMMS) {
		g->other++;
		return;
	}
	if (i == g->n)
		memcpy(g->e[g->n++].comm, h->comm, FS_COMM_LEN);
	g->e[i].n++;
}

static void on_exit_record(struct fs_lifestat *r, const struct fs_rec_exit *x,
			   const struct fs_note *n)
{
	char buf[64];

	if (!(x->flags & FS_EXIT_GROUP_DEAD))
		return;
	fs_tally_add(&r->statuses, fs_status_str(buf, sizeof(buf), x->status));
	family_exit(r, &x->hdr);
	r->cow_faults += x->cow_faults;
	r->cow_copies += x->cow_copies;
	if (!x->cow_faults && !x->cow_copies)
		return;
	if (!grow((void **)&r->cow, &r->capcow, r->ncow, sizeof(*r->cow))) {
		r->failed = ENOMEM;
		return;
	}
	r->cow[r->ncow].pid = x->hdr.tgid;
	r->cow[r->ncow].faults = x->cow_faults;
	r->cow[r->ncow].copies = x->cow_copies;
	r->cow[r->ncow].id = n->task.id;
	memcpy(r->cow[r->ncow++].comm, x->hdr.comm, FS_COMM_LEN);
}

/* The limit that refused a fork, or its errno when none did. */
static const char *fork_refusal(const struct fs_rec_fork_fail *r)
{
	enum fs_fork_limit l = fs_fork_fail_limit(r);

	return l == FS_LIMIT_NONE ? fs_errno_name(r->err) : fs_fork_limit_name(l);
}

void fs_lifestat_event(struct fs_lifestat *r, const struct fs_hdr *rec,
		       const struct fs_note *n)
{
	if (n->released && n->gone_selected && n->gone.pid == n->gone.tgid)
		r->zombie_ns += n->zombie_ns;
	if (!n->selected)
		return;
	switch (rec->type) {
	case FS_REC_FORK:
		if (((const struct fs_rec_fork *)rec)->flags & FS_FORK_THREAD) {
			r->threads++;
			break;
		}
		r->processes++;
		family_fork(r, (const void *)rec);
		break;
	case FS_REC_EXEC:
		r->execs++;
		family_exec(r, rec);
		fs_tally_add(&r->binaries, fs_exec_filename((const void *)rec));
		if (!n->fork_to_exec_ns)
			break;
		if (!grow((void **)&r->latency, &r->caplat, r->nlat,
			  sizeof(*r->latency))) {
			r->failed = ENOMEM;
			break;
		}
		r->latency[r->nlat++] = n->fork_to_exec_ns;
		break;
	case FS_REC_EXIT:
		on_exit_record(r, (const void *)rec, n);
		break;
	case FS_REC_FORK_FAIL:
		r->fork_failures++;
		fs_tally_add(&r->fork_refusals, fork_refusal((const void *)rec));
		break;
	case FS_REC_EXEC_FAIL:
		r->exec_failures++;
		fs_tally_add(&r->exec_errors, fs_errno_name(
			((const struct fs_rec_exec_fail *)rec)->err));
		break;
	}
}

size_t fs_model_selected_left(const struct fs_model *m, size_t *zombies)
{
	const struct fs_task *e;
	size_t live = 0;

	*zombies = 0;
	fs_proctab_for_each(&m->tab, e) {
		if (!fs_task_is_live(e) || !(e->flags & FS_TASK_SELECTED))
			continue;
		if (fs_task_is_zombie(e))
			*zombies += e->pid == e->tgid &&
				    fs_model_task_selected(m, e);
		else
			live++;
	}
	return live;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Most first; names in order for the same count, so output is stable. */
static int by_processes(const void *a, const void *b)
{
	const struct fs_spawn_group *x = a, *y = b;

	if (x->processes != y->processes)
		return x->processes < y->processes ? 1 : -1;
	return strcmp(x->name, y->name);
}

static int by_count(const void *a, const void *b)
{
	const struct fs_spawn_group *g = NULL;
	const typeof(g->e[0]) *x = a, *y = b;

	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	return strcmp(x->comm, y->comm);
}

void fs_lifestat_finish(struct fs_lifestat *st)
{
	if (st->nlat)
		qsort(st->latency, st->nlat, sizeof(*st->latency), cmp_u64);
	qsort(st->spawned, st->nspawned, sizeof(st->spawned[0]), by_processes);
	for (size_t i = 0; i < st->nspawned; i++)
		qsort(st->spawned[i].e, st->spawned[i].n,
		      sizeof(st->spawned[i].e[0]), by_count);
}

/* Nearest-rank percentile of a sorted array. */
uint64_t fs_lifestat_pct(const struct fs_lifestat *st, double p)
{
	size_t rank = (size_t)ceil(p / 100.0 * st->nlat);

	return st->latency[rank ? rank - 1 : 0];
}

void fs_lifestat_free(struct fs_lifestat *st)
{
	free(st->latency);
	free(st->cow);
	fs_proctab_free(&st->family);
	st->latency = NULL;
	st->cow = NULL;
}
