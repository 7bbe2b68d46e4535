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

static void on_exit_record(struct fs_lifestat *r, const struct fs_rec_exit *x,
			   const struct fs_note *n)
{
	char buf[64];

	if (!(x->flags & FS_EXIT_GROUP_DEAD))
		return;
	fs_tally_add(&r->statuses, fs_status_str(buf, sizeof(buf), x->status));
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
		if (((const struct fs_rec_fork *)rec)->flags & FS_FORK_THREAD)
			r->threads++;
		else
			r->processes++;
		break;
	case FS_REC_EXEC:
		r->execs++;
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

void fs_lifestat_finish(struct fs_lifestat *st)
{
	if (st->nlat)
		qsort(st->latency, st->nlat, sizeof(*st->latency), cmp_u64);
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
	st->latency = NULL;
	st->cow = NULL;
}
