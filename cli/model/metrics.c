// SPDX-License-Identifier: GPL-2.0-only
/* The exporter's metrics snapshot: zombies by (container, parent comm). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

/*
 * One zombie's parent key, then, merged, one parent's zombies. The key is
 * what the labels show: two cgroups that name no container (the host's
 * root and its sessions) are one "" container.
 */
struct zkey {
	enum fs_runtime runtime;	/* the zombie's container */
	const char *id, *unit;		/* NULL: none */
	char comm[FS_COMM_LEN];		/* its parent's */
	uint32_t zombies;
	uint64_t oldest_exit_ns;	/* 0: unknown */
};

static int strcmp_null(const char *a, const char *b)
{
	if (!a || !b)
		return !!a - !!b;
	return strcmp(a, b);
}

static int by_key(const void *a, const void *b)
{
	const struct zkey *x = a, *y = b;
	int c;

	if (x->runtime != y->runtime)
		return x->runtime < y->runtime ? -1 : 1;
	c = strcmp_null(x->id, y->id);
	if (!c)
		c = strcmp_null(x->unit, y->unit);
	return c ? c : strncmp(x->comm, y->comm, FS_COMM_LEN);
}

/* Most zombies first; then the oldest (known) exit; then by name. */
static int by_count(const void *a, const void *b)
{
	const struct zkey *x = a, *y = b;

	if (x->zombies != y->zombies)
		return x->zombies > y->zombies ? -1 : 1;
	if (x->oldest_exit_ns != y->oldest_exit_ns)
		return x->oldest_exit_ns < y->oldest_exit_ns ? -1 : 1;
	return strncmp(x->comm, y->comm, FS_COMM_LEN);
}

static uint64_t older(uint64_t a, uint64_t b)
{
	if (!a || !b)
		return a ? a : b;
	return a < b ? a : b;
}

/* Adds the model's process zombies to keys[]; returns how many. */
static size_t collect(const struct fs_model *m, struct zkey *keys, size_t cap,
		      struct fs_metrics *out)
{
	struct fs_proctab *tab = (struct fs_proctab *)&m->tab;
	const struct fs_task *e;
	size_t n = 0;

	fs_proctab_for_each(&m->tab, e) {
		const struct fs_cgroup *cg;
		const struct fs_task *p;
		struct zkey *k;

		if (!e->tgid || e->pid != e->tgid || !fs_task_is_zombie(e) ||
		    fs_task_leader_waits(e) || n == cap)
			continue;
		k = &keys[n++];
		memset(k, 0, sizeof(*k));
		cg = fs_model_container(m, &e->id);
		if (cg && (cg->id || cg->unit)) {
			k->runtime = cg->runtime;
			k->id = cg->id;
			k->unit = cg->unit;
		}
		p = fs_proctab_get(tab, e->ppid);
		if (p && p->tgid)
			memcpy(k->comm, p->comm, FS_COMM_LEN);
		k->zombies = 1;
		if (!(e->flags & FS_TASK_EXIT_UNKNOWN)) {
			uint64_t age = out->now_ns > e->exit_ns ?
				       out->now_ns - e->exit_ns : 0;

			k->oldest_exit_ns = e->exit_ns;
			if (!out->have_oldest || age > out->oldest_age_ns)
				out->oldest_age_ns = age;
			out->have_oldest = true;
		}
	}
	return n;
}

/* Merges equal keys, sorted by key, in place; returns how many remain. */
static size_t merge(struct zkey *keys, size_t n)
{
	size_t w = 0;

	for (size_t i = 0; i < n; i++) {
		if (w && !by_key(&keys[w - 1], &keys[i])) {
			keys[w - 1].zombies += keys[i].zombies;
			keys[w - 1].oldest_exit_ns =
				older(keys[w - 1].oldest_exit_ns,
				      keys[i].oldest_exit_ns);
			continue;
		}
		keys[w++] = keys[i];
	}
	return w;
}

static void copy_label(char *dst, const char *src)
{
	dst[0] = 0;
	if (src)
		strncat(dst, src, FS_METRICS_LABEL_LEN - 1);
}

static void fill_top(struct fs_metrics *out, const struct zkey *keys,
		     size_t n, uint32_t top)
{
	out->nr_top = 0;
	out->parents_left_out = 0;
	out->zombies_left_out = 0;
	for (size_t i = 0; i < n; i++) {
		struct fs_metrics_parent *p;

		if (out->nr_top == top) {
			out->parents_left_out++;
			out->zombies_left_out += keys[i].zombies;
			continue;
		}
		p = &out->top[out->nr_top++];
		memset(p, 0, sizeof(*p));
		p->runtime = keys[i].runtime;
		copy_label(p->id, keys[i].id);
		copy_label(p->unit, keys[i].unit);
		memcpy(p->comm, keys[i].comm, FS_COMM_LEN);
		p->zombies = keys[i].zombies;
		p->oldest_exit_ns = keys[i].oldest_exit_ns;
	}
}

static bool same_parent(const struct fs_metrics_parent *a,
			const struct fs_metrics_parent *b)
{
	return a->runtime == b->runtime && !strcmp(a->id, b->id) &&
	       !strcmp(a->unit, b->unit) &&
	       !strncmp(a->comm, b->comm, FS_COMM_LEN);
}

static bool in_top(const struct fs_metrics *m, const struct fs_metrics_parent *p)
{
	for (uint32_t i = 0; i < m->nr_top; i++)
		if (same_parent(&m->top[i], p))
			return true;
	return false;
}

/* Shown now with zombies: held until now + the hold, the oldest evicted. */
static void hold(struct fs_metrics *m, const struct fs_metrics_parent *p,
		 uint64_t until)
{
	uint32_t slot, oldest = 0;

	for (uint32_t i = 0; i < m->nr_held; i++) {
		if (same_parent(&m->held[i], p)) {
			m->held[i] = *p;
			m->held_until_ns[i] = until;
			return;
		}
		if (m->held_until_ns[i] < m->held_until_ns[oldest])
			oldest = i;
	}
	slot = m->nr_held < FS_METRICS_TOP_MAX ? m->nr_held++ : oldest;
	m->held[slot] = *p;
	m->held_until_ns[slot] = until;
}

/* Parents held and not in the top: shown with 0 while there is room. */
static void show_held(struct fs_metrics *m, uint32_t top)
{
	uint32_t w = 0;

	for (uint32_t i = 0; i < m->nr_held; i++) {
		if (m->held_until_ns[i] <= m->now_ns)
			continue;	/* expired: its series ends */
		m->held[w] = m->held[i];
		m->held_until_ns[w++] = m->held_until_ns[i];
	}
	m->nr_held = w;
	for (uint32_t i = 0; i < m->nr_held && m->nr_top < top; i++) {
		struct fs_metrics_parent *p;

		if (in_top(m, &m->held[i]))
			continue;
		p = &m->top[m->nr_top++];
		*p = m->held[i];
		p->zombies = 0;
		p->oldest_exit_ns = 0;
	}
}

int fs_metrics_take_zombies(struct fs_metrics *out, const struct fs_model *m,
			    uint64_t now_ns, uint32_t top, void **scratch,
			    size_t *scratch_n)
{
	struct zkey *keys = *scratch;
	size_t n;

	/* Every task could be a zombie: room for the table's count. */
	if (*scratch_n < m->tab.count) {
		size_t cap = m->tab.count + m->tab.count / 4 + 16;

		keys = realloc(*scratch, cap * sizeof(*keys));
		if (!keys)
			return -ENOMEM;
		*scratch = keys;
		*scratch_n = cap;
	}
	out->now_ns = now_ns;
	out->have_oldest = false;
	out->oldest_age_ns = 0;
	n = collect(m, keys, *scratch_n, out);
	out->zombies = n;
	qsort(keys, n, sizeof(*keys), by_key);
	n = merge(keys, n);
	qsort(keys, n, sizeof(*keys), by_count);
	if (top > FS_METRICS_TOP_MAX)
		top = FS_METRICS_TOP_MAX;
	fill_top(out, keys, n, top);
	for (uint32_t i = 0; i < out->nr_top; i++)
		hold(out, &out->top[i], now_ns + FS_METRICS_ZERO_HOLD_NS);
	show_held(out, top);
	return 0;
}

void fs_metrics_event(struct fs_metrics *m, const struct fs_hdr *rec)
{
	const struct fs_rec_exit *e = (const void *)rec;

	if (rec->type == FS_REC_FORK_FAIL)
		m->fork_refusals[fs_fork_fail_limit((const void *)rec)]++;
	else if (rec->type == FS_REC_EXIT && (e->flags & FS_EXIT_GROUP_DEAD))
		m->cow_faults_gone += e->cow_faults;
}

void fs_metrics_take_cow(struct fs_metrics *m, const struct fs_model *model)
{
	const struct fs_task *e;
	uint64_t live = 0;

	fs_proctab_for_each(&model->tab, e)
		if (e->tgid && e->pid == e->tgid && fs_task_is_live(e))
			live += e->cow_faults;
	m->cow_faults = m->cow_faults_gone + live;
	m->have_cow = true;
}

static void take_row(struct fs_metrics_pids *out, const struct fs_pids_row *r)
{
	out->path[0] = 0;
	strncat(out->path, r->path ? r->path : "", FS_METRICS_LABEL_LEN - 1);
	out->used = r->last.used;
	out->zombies = r->last.zombies;
	out->limit = r->limit;
	out->refused = r->path ? (int64_t)r->last.refused : -1;
}

/* Per mille of the limit used; unlimited rows after every limited one. */
static int64_t fullness(const struct fs_pids_row *r)
{
	if (r->limit <= 0)
		return -1;
	return r->last.used * 1000 / r->limit;
}

static int by_fullness(const void *a, const void *b)
{
	const struct fs_pids_row *x = *(const struct fs_pids_row *const *)a;
	const struct fs_pids_row *y = *(const struct fs_pids_row *const *)b;
	int64_t fx = fullness(x), fy = fullness(y);

	if (fx != fy)
		return fx > fy ? -1 : 1;
	if (x->last.zombies != y->last.zombies)
		return x->last.zombies > y->last.zombies ? -1 : 1;
	return strcmp(x->path, y->path);
}

void fs_metrics_take_pids(struct fs_metrics *m, const struct fs_pids_budget *b,
			  uint32_t top)
{
	const struct fs_pids_row **rows = malloc((b->n + 1) * sizeof(*rows));
	size_t n = 0;

	m->nr_pids = 0;
	m->pids_left_out = 0;
	m->have_pids = false;
	if (!rows)
		return;
	for (size_t i = 0; i < b->n; i++)
		if (b->rows[i].limit > 0 || b->rows[i].last.zombies > 0)
			rows[n++] = &b->rows[i];
	qsort(rows, n, sizeof(*rows), by_fullness);
	take_row(&m->pids[m->nr_pids++], &b->machine);
	if (top > FS_METRICS_TOP_MAX)
		top = FS_METRICS_TOP_MAX;
	for (size_t i = 0; i < n; i++) {
		if (i < top)
			take_row(&m->pids[m->nr_pids++], rows[i]);
		else
			m->pids_left_out++;
	}
	m->have_pids = true;
	free(rows);
}
