// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "cow_rates.h"

static int by_pid(const void *a, const void *b)
{
	const struct fs_cow_row *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

static int by_cost(const void *a, const void *b)
{
	const struct fs_cow_row *x = a, *y = b;

	if (x->rate != y->rate)
		return x->rate > y->rate ? -1 : 1;
	if (x->faults != y->faults)
		return x->faults > y->faults ? -1 : 1;
	return by_pid(a, b);
}

int fs_cow_rates_update(struct fs_cow_rates *st, const struct fs_model *m,
			double secs)
{
	const struct fs_task *e;
	struct fs_cow_row *tmp;

	st->cur = calloc(m->tab.count + 1, sizeof(*st->cur));
	if (!st->cur)
		return fs_error(ENOMEM, "out of memory for the report");
	st->ncur = 0;
	fs_proctab_for_each(&m->tab, e) {
		struct fs_cow_row *r = &st->cur[st->ncur], key = { .pid = e->pid }, *old;

		if (!e->tgid || e->pid != e->tgid || !e->cow_faults ||
		    !fs_model_task_selected(m, e))
			continue;
		r->pid = e->pid;
		r->ppid = e->ppid;
		r->start_ns = e->start_ns;
		r->faults = e->cow_faults;
		r->copies = e->cow_copies;
		r->exited = e->flags & FS_TASK_EXITED;
		r->id = e->id;
		memcpy(r->comm, e->comm, sizeof(r->comm));
		old = st->nprev ? bsearch(&key, st->prev, st->nprev,
					  sizeof(*st->prev), by_pid) : NULL;
		/* A reused pid starts from zero, not from the old task. */
		if (old && old->start_ns == r->start_ns)
			r->rate = (r->faults - old->faults) / secs;
		else
			r->rate = r->faults / secs;
		st->ncur++;
	}
	qsort(st->cur, st->ncur, sizeof(*st->cur), by_pid);
	tmp = st->prev;
	st->prev = st->cur;
	st->nprev = st->ncur;
	free(tmp);
	return 0;
}

/* Most faults first, then the fastest, then by pid. */
static int by_faults(const void *a, const void *b)
{
	const struct fs_cow_row *x = a, *y = b;

	if (x->faults != y->faults)
		return x->faults > y->faults ? -1 : 1;
	return by_cost(a, b);
}

const char *const fs_cow_sort_keys[] = {
	[FS_COW_BY_RATE] = "rate",
	[FS_COW_BY_FAULTS] = "faults",
	[FS_COW_BY_PID] = "pid",
	NULL
};

struct fs_cow_row *fs_cow_rates_by_cost(const struct fs_cow_rates *st)
{
	return fs_cow_rates_sorted(st, FS_COW_BY_RATE);
}

struct fs_cow_row *fs_cow_rates_sorted(const struct fs_cow_rates *st,
				       enum fs_cow_sort key)
{
	static int (*const cmp[])(const void *, const void *) = {
		[FS_COW_BY_RATE] = by_cost,
		[FS_COW_BY_FAULTS] = by_faults,
		[FS_COW_BY_PID] = by_pid,
	};
	struct fs_cow_row *v = malloc((st->nprev + 1) * sizeof(*v));

	if (!v) {
		fs_error(ENOMEM, "out of memory for the report");
		return NULL;
	}
	memcpy(v, st->prev, st->nprev * sizeof(*v));
	qsort(v, st->nprev, sizeof(*v), cmp[key]);
	return v;
}

void fs_cow_rates_free(struct fs_cow_rates *st)
{
	free(st->prev);
	st->prev = st->cur = NULL;
	st->nprev = st->ncur = 0;
}
