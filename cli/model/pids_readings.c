// SPDX-License-Identifier: GPL-2.0-only
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "pids_readings.h"

/* A machine has hundreds; a file that claims more is not believed. */
#define MAX_PIDS_CGROUPS	65536

static void reading_clear(struct fs_pids_reading *g)
{
	for (size_t i = 0; i < g->n; i++)
		free((char *)g->v[i].path);
	g->n = 0;
}

static void reading_free(struct fs_pids_reading *g)
{
	reading_clear(g);
	free(g->v);
	memset(g, 0, sizeof(*g));
}

static bool add_cgroup(struct fs_pids_reading *g, const struct fs_rec_pids *rec)
{
	struct fs_pids_input *in;

	if (g->n == g->cap) {
		size_t cap = g->cap ? 2 * g->cap : 64;
		void *v = cap <= MAX_PIDS_CGROUPS ?
			  realloc(g->v, cap * sizeof(*g->v)) : NULL;

		if (!v)
			return false;
		g->v = v;
		g->cap = cap;
	}
	in = &g->v[g->n];
	*in = (struct fs_pids_input){ .path = strdup(fs_pids_path(rec)),
				      .current = rec->used,
				      .max = rec->max < 0 ? -1 : rec->max,
				      .refused = rec->refused };
	if (!in->path)
		return false;
	g->n++;
	return true;
}

/* A whole reading becomes the latest; the first one is kept too. */
static void finish(struct fs_pids_readings *r, const struct fs_rec_pids *m)
{
	struct fs_pids_reading *g = &r->building, done;

	g->mach = (struct fs_pids_machine){ .tasks = m->used,
					    .pid_max = m->max,
					    .threads_max = m->threads_max };
	g->hierarchy = m->hierarchy;
	done = *g;
	memset(g, 0, sizeof(*g));
	if (!r->count++) {
		r->first = done;
		return;
	}
	reading_free(&r->last);
	r->last = done;
}

void fs_pids_readings_apply(struct fs_pids_readings *r,
			    const struct fs_rec_pids *rec)
{
	struct fs_pids_reading *g = &r->building;

	/* A reading cut short (losses, a rotation) is begun anew. */
	if (g->n && g->ts_ns != rec->hdr.ts_ns)
		reading_clear(g);
	g->ts_ns = rec->hdr.ts_ns;
	if (rec->flags & FS_PIDS_MACHINE)
		finish(r, rec);
	else if (!add_cgroup(g, rec))
		r->dropped++;
}

void fs_pids_readings_free(struct fs_pids_readings *r)
{
	reading_free(&r->building);
	reading_free(&r->first);
	reading_free(&r->last);
}
