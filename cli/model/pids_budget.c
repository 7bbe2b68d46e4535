// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cgroupfs.h"
#include "common.h"
#include "pids_budget.h"

/* What the model holds in one pids cgroup (not below it). */
struct held {
	const char *path;
	int64_t zombies, zombies_of_init;
	bool selected;		/* a -p process lives there */
};

struct census {
	struct held *v;
	size_t n;
	int64_t zombies, zombies_of_init;
	bool all;		/* no -p: every cgroup is selected */
};

double fs_pids_full_in_s(int64_t headroom, int64_t used0, int64_t used1,
			 uint64_t window_ns)
{
	if (headroom < 0 || !window_ns || used1 <= used0)
		return -1;
	return (double)headroom * window_ns / NSEC_PER_SEC / (used1 - used0);
}

static bool parent_is_ns_init(const struct fs_model *m, const struct fs_task *t)
{
	const struct fs_task *p = fs_proctab_get((struct fs_proctab *)&m->tab,
						 t->ppid);

	return p && p->tgid && (p->id.flags & FS_IDENT_NS_INIT);
}

static struct held *held_of(struct census *c, const struct fs_model *m,
			    uint64_t id)
{
	const char *path = fs_model_cgroup_path(m, FS_CGROUP_PIDS, id);

	if (!path || !*path)
		return NULL;	/* never named: in no row */
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->v[i].path, path))
			return &c->v[i];
	c->v[c->n] = (struct held){ .path = path };
	return &c->v[c->n++];
}

/* Zombies and -p processes by pids cgroup, from the model's table. */
static int take_census(struct census *c, const struct fs_model *m)
{
	const struct fs_task *t;

	c->v = calloc(m->tab.count + 1, sizeof(*c->v));
	if (!c->v)
		return fs_error(ENOMEM, "out of memory for the PID budget");
	fs_proctab_for_each(&m->tab, t) {
		bool zombie = fs_task_is_zombie(t), of_init;
		struct held *h;

		if (!t->tgid || t->pid != t->tgid ||
		    (!zombie && !fs_task_is_live(t)))
			continue;
		of_init = zombie && parent_is_ns_init(m, t);
		c->zombies += zombie;
		c->zombies_of_init += of_init;
		h = held_of(c, m, t->id.pids_cgroup);
		if (!h)
			continue;
		h->zombies += zombie;
		h->zombies_of_init += of_init;
		if (!zombie && fs_model_task_selected(m, t))
			h->selected = true;
	}
	return 0;
}

/* path is dir or below it. */
static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && (path[n] == '/' || !path[n] ||
					  (n == 1 && dir[0] == '/'));
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct fs_pids_row *)a)->path,
		      ((const struct fs_pids_row *)b)->path);
}

static struct fs_pids_row *find_row(struct fs_pids_row *rows, size_t n,
				    const char *path)
{
	struct fs_pids_row key = { .path = (char *)path };

	return n ? bsearch(&key, rows, n, sizeof(*rows), by_path) : NULL;
}

static void row_free(struct fs_pids_row *r)
{
	free(r->path);
	free(r->limit_by);
	r->path = r->limit_by = NULL;
}

/* The reading as a point; the first one of a row opens its window. */
static void set_point(struct fs_pids_row *r, const struct fs_pids_point *p,
		      const struct fs_pids_row *old)
{
	r->first = old ? old->first : *p;
	r->last = *p;
}

static int add_row(struct fs_pids_row *rows, size_t *n,
		   const struct fs_pids_input *in, const struct census *c,
		   uint64_t now)
{
	struct fs_pids_row *r = &rows[(*n)++];
	struct fs_pids_point p = { .ts_ns = now, .used = in->current,
				   .refused = in->refused };

	memset(r, 0, sizeof(*r));
	r->path = strdup(in->path);
	if (!r->path)
		return -ENOMEM;
	r->max = in->max;
	r->selected = c->all;
	for (size_t i = 0; i < c->n; i++) {
		if (!under(c->v[i].path, in->path))
			continue;
		p.zombies += c->v[i].zombies;
		p.zombies_of_init += c->v[i].zombies_of_init;
		r->selected |= c->v[i].selected;
	}
	r->last = p;
	return 0;
}

/* The limit over r and its ancestors, and where the least room is left. */
static int set_limit(struct fs_pids_row *rows, size_t n, struct fs_pids_row *r)
{
	const struct fs_pids_row *by = NULL;
	char up[PATH_MAX];

	r->limit = r->headroom = -1;
	snprintf(up, sizeof(up), "%s", r->path);
	for (;;) {
		const struct fs_pids_row *a = find_row(rows, n, up);
		char *slash = strrchr(up, '/');

		if (a && a->max >= 0) {
			int64_t room = a->max - a->last.used;

			if (room < 0)	/* pids.max lowered below use */
				room = 0;
			if (r->limit < 0 || a->max < r->limit) {
				r->limit = a->max;
				by = a;
			}
			if (r->headroom < 0 || room < r->headroom)
				r->headroom = room;
		}
		if (!slash || slash == up)
			break;
		*slash = 0;
	}
	if (by && !(r->limit_by = strdup(by->path)))
		return -ENOMEM;
	return 0;
}

static int feed_cgroups(struct fs_pids_budget *b, const struct census *c,
			uint64_t now, const struct fs_pids_input *in, size_t n)
{
	struct fs_pids_row *rows = calloc(n + 1, sizeof(*rows));
	size_t nr = 0;

	if (!rows)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (add_row(rows, &nr, &in[i], c, now))
			goto nomem;
	qsort(rows, nr, sizeof(*rows), by_path);
	for (size_t i = 0; i < nr; i++) {
		struct fs_pids_point p = rows[i].last;

		set_point(&rows[i], &p, find_row(b->rows, b->n, rows[i].path));
		if (set_limit(rows, nr, &rows[i]))
			goto nomem;
	}
	for (size_t i = 0; i < b->n; i++)
		row_free(&b->rows[i]);
	free(b->rows);
	b->rows = rows;
	b->n = nr;
	return 0;
nomem:
	for (size_t i = 0; i < nr; i++)
		row_free(&rows[i]);
	free(rows);
	return -ENOMEM;
}

static int feed_machine(struct fs_pids_budget *b, const struct census *c,
			uint64_t now, const struct fs_pids_machine *mach)
{
	struct fs_pids_row *r = &b->machine;
	struct fs_pids_point p = { .ts_ns = now, .used = mach->tasks,
				   .zombies = c->zombies,
				   .zombies_of_init = c->zombies_of_init };
	bool pids = mach->pid_max <= mach->threads_max;

	set_point(r, &p, b->first_ns ? r : NULL);
	b->pid_max = mach->pid_max;
	b->threads_max = mach->threads_max;
	r->max = r->limit = pids ? mach->pid_max : mach->threads_max;
	r->headroom = r->limit > p.used ? r->limit - p.used : 0;
	r->selected = true;
	free(r->limit_by);
	r->limit_by = strdup(pids ? "kernel.pid_max" : "kernel.threads-max");
	return r->limit_by ? 0 : -ENOMEM;
}

int fs_pids_budget_feed(struct fs_pids_budget *b, const struct fs_model *m,
			uint64_t now, const struct fs_pids_machine *mach,
			const struct fs_pids_input *in, size_t n)
{
	struct census c = {};
	int err = take_census(&c, m);

	if (err)
		return err;
	c.all = !m->select_pid && !m->select_cgroup && !m->select_container;
	err = feed_cgroups(b, &c, now, in, n);
	if (!err)
		err = feed_machine(b, &c, now, mach);
	free(c.v);
	if (err)
		return fs_error(ENOMEM, "out of memory for the PID budget");
	if (!b->first_ns)
		b->first_ns = now;
	b->last_ns = now;
	return 0;
}

/* Per minute, over the window from first to last. */
static double per_min(int64_t from, int64_t to, uint64_t window_ns)
{
	return window_ns ? (double)(to - from) * 60 * NSEC_PER_SEC / window_ns :
			   0;
}

static bool judge_row(struct fs_pids_row *r, double warn, double horizon)
{
	uint64_t window = r->last.ts_ns - r->first.ts_ns;
	int64_t live0 = r->first.used - r->first.zombies;
	int64_t live1 = r->last.used - r->last.zombies;

	r->used_per_min = per_min(r->first.used, r->last.used, window);
	r->zombies_per_min = per_min(r->first.zombies, r->last.zombies, window);
	r->live_per_min = per_min(live0, live1, window);
	r->full_in_s = fs_pids_full_in_s(r->headroom, r->first.used,
					 r->last.used, window);
	/* Used of the tightest budget over it: what refuses first. */
	r->used_pct = r->headroom < 0 ? -1 :
		      r->limit > 0 ? 100.0 * (r->limit - r->headroom) / r->limit :
				     100;
	if (r->used_pct > 100)
		r->used_pct = 100;
	r->over_warn = r->used_pct >= warn;
	r->runs_out = horizon > 0 && r->full_in_s >= 0 &&
		      r->full_in_s <= horizon;
	return r->over_warn || r->runs_out;
}

size_t fs_pids_budget_judge(struct fs_pids_budget *b, double warn_pct,
			    double horizon_s)
{
	b->warn_pct = warn_pct;
	b->horizon_s = horizon_s;
	b->nr_shown = b->nr_unhealthy = 0;
	b->machine.shown = true;
	b->nr_unhealthy += judge_row(&b->machine, warn_pct, horizon_s);
	for (size_t i = 0; i < b->n; i++) {
		struct fs_pids_row *r = &b->rows[i];

		r->shown = r->selected && (r->max >= 0 || r->last.zombies > 0);
		if (!r->shown)
			continue;
		b->nr_shown++;
		b->nr_unhealthy += judge_row(r, warn_pct, horizon_s);
	}
	return b->nr_unhealthy;
}

void fs_pids_budget_free(struct fs_pids_budget *b)
{
	for (size_t i = 0; i < b->n; i++)
		row_free(&b->rows[i]);
	free(b->rows);
	row_free(&b->machine);
	memset(b, 0, sizeof(*b));
}

/* The walk's readings, as inputs. */
struct readings {
	struct fs_pids_input *v;
	size_t n, cap;
};

static int on_cgroup(void *ctx, const char *path,
		     const struct fs_pids_counters *c)
{
	struct readings *rd = ctx;
	struct fs_pids_input *in;

	if (rd->n == rd->cap) {
		size_t cap = rd->cap ? 2 * rd->cap : 64;
		void *v = realloc(rd->v, cap * sizeof(*rd->v));

		if (!v)
			return -ENOMEM;
		rd->v = v;
		rd->cap = cap;
	}
	in = &rd->v[rd->n];
	*in = (struct fs_pids_input){ .path = strdup(path),
				      .current = c->current, .max = c->max,
				      .refused = c->refused };
	if (!in->path)
		return -ENOMEM;
	rd->n++;
	return 0;
}

int fs_pids_budget_sample_recorded(struct fs_pids_budget *b,
				   const struct fs_model *m,
				   const struct fs_pids_reading *g)
{
	b->hierarchy = g->hierarchy == FS_PIDS_V1 ? "v1" :
		       g->hierarchy == FS_PIDS_V2 ? "v2" : NULL;
	return fs_pids_budget_feed(b, m, g->ts_ns, &g->mach, g->v, g->n);
}

int fs_pids_budget_sample(struct fs_pids_budget *b, const struct fs_model *m,
			  uint64_t now)
{
	const struct fs_cgroup_mounts *mnt = fs_cgroup_mounts();
	struct fs_task_limits lim;
	struct fs_pids_machine mach;
	struct readings rd = {};
	int err = fs_task_limits_read(&lim);

	if (err)
		return fs_error(err, "cannot read the machine's tasks and limits (/proc/loadavg, /proc/sys/kernel): %s",
				strerror(-err));
	mach = (struct fs_pids_machine){ .tasks = lim.tasks,
					 .pid_max = lim.pid_max,
					 .threads_max = lim.threads_max };
	b->hierarchy = mnt->pids_v1[0] ? "v1" : mnt->v2_pids ? "v2" : NULL;
	err = fs_cgroup_pids_walk(on_cgroup, &rd);
	if (err)
		err = fs_error(err, "cannot read the pids cgroups under %s: %s",
			       fs_cgroup_pids_root(), strerror(-err));
	else
		err = fs_pids_budget_feed(b, m, now, &mach, rd.v, rd.n);
	for (size_t i = 0; i < rd.n; i++)
		free((char *)rd.v[i].path);
	free(rd.v);
	return err;
}
