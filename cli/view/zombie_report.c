// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "container.h"
#include "escape.h"
#include "json.h"
#include "stack_view.h"
#include "status.h"
#include "task_now_view.h"
#include "zombie_report.h"

static const char *const verdict_reason[] = {
	[FS_VERDICT_NEVER_WAITS] = "never waits",
	[FS_VERDICT_STOPPED_WAITING] = "has not waited since its zombies exited",
	[FS_VERDICT_PILING_UP] = "waits, but its zombies pile up",
	[FS_VERDICT_SLOW] = "waits for other children, not this one",
	[FS_VERDICT_NS_INIT] = "the container's PID 1 never reaps the orphans it adopts",
};

/* PROC_PID_INIT_INO: the initial pid namespace, the host's. */
#define HOST_PIDNS	0xeffffffcU
#define ADVICE		"run an init that reaps, such as tini, dumb-init or `docker run --init`"

bool fs_verdict_is_leak(enum fs_verdict v)
{
	return v != FS_VERDICT_SLOW;
}

static uint64_t zombie_age(const struct fs_model *m, const struct fs_task *t,
			   uint64_t now, bool *known)
{
	*known = !(t->flags & FS_TASK_EXIT_UNKNOWN);
	if (*known)
		return now > t->exit_ns ? now - t->exit_ns : 0;
	/* A zombie before we watched: at least as old as the watch. */
	return now > m->watch_start_ns ? now - m->watch_start_ns : 0;
}

static struct fs_zombie_parent *parent_slot(struct fs_zombie_report *r,
					    const struct fs_model *m,
					    int32_t ppid)
{
	const struct fs_task *p;
	struct fs_zombie_parent *slot;

	for (size_t i = 0; i < r->nr_parents; i++)
		if (r->parents[i].pid == ppid)
			return &r->parents[i];
	slot = &r->parents[r->nr_parents++];
	memset(slot, 0, sizeof(*slot));
	slot->pid = ppid;
	p = fs_proctab_get((struct fs_proctab *)&m->tab, ppid);
	if (p && p->tgid) {
		memcpy(slot->comm, p->comm, sizeof(slot->comm));
		slot->flags = p->flags & FS_TASK_SIGCHLD_MASK;
		slot->id = p->id;
		slot->waited = p->flags & FS_TASK_WAITED;
		slot->nr_waits = p->nr_waits;
		slot->nr_threads = p->nr_threads + 1;
		slot->now = fs_task_now_of(&m->nows, ppid);
		if (slot->waited)
			slot->last_wait_ago_ns = r->now_ns - p->last_wait_ns;
	}
	return slot;
}

static int add_zombie(struct fs_zombie_parent *p, const struct fs_zombie *z,
		      uint32_t cap)
{
	if (!p->z) {
		p->z = calloc(cap, sizeof(*p->z));
		if (!p->z)
			return -ENOMEM;
	}
	p->z[p->nr++] = *z;
	return 0;
}

static int by_pid(const void *a, const void *b)
{
	const struct fs_zombie *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

static void judge(struct fs_zombie_parent *p, uint64_t watched_ns)
{
	uint64_t oldest = 0;

	qsort(p->z, p->nr, sizeof(*p->z), by_pid);
	for (uint32_t i = 0; i < p->nr; i++)
		if (p->z[i].age_ns > oldest)
			oldest = p->z[i].age_ns;
	if (!p->waited)
		p->verdict = FS_VERDICT_NEVER_WAITS;
	else if (p->last_wait_ago_ns >= oldest)
		p->verdict = FS_VERDICT_STOPPED_WAITING;
	else if (p->nr > 1)
		p->verdict = FS_VERDICT_PILING_UP;
	else
		p->verdict = FS_VERDICT_SLOW;
	/* A container's init inherits every orphan there and never waits. */
	if ((p->verdict == FS_VERDICT_NEVER_WAITS ||
	     p->verdict == FS_VERDICT_STOPPED_WAITING) &&
	    (p->id.flags & FS_IDENT_NS_INIT) && p->id.pidns &&
	    p->id.pidns != HOST_PIDNS)
		p->verdict = FS_VERDICT_NS_INIT;
	p->per_min = watched_ns ? p->new * 60.0 * NSEC_PER_SEC / watched_ns : 0;
}

static struct fs_zombie_site *site_slot(struct fs_zombie_parent *p,
					const struct fs_site *site)
{
	for (uint32_t i = 0; i < p->nr_sites; i++)
		if (p->sites[i].site == site)
			return &p->sites[i];
	p->sites[p->nr_sites].site = site;
	return &p->sites[p->nr_sites++];
}

static int by_site(const void *a, const void *b)
{
	const struct fs_zombie_site *x = a, *y = b;

	if (x->nr != y->nr)
		return x->nr > y->nr ? -1 : 1;
	return (x->forked < y->forked) - (x->forked > y->forked);
}

/*
 * The parent's zombies by the site each was forked from, and the sites
 * it forked from while watched that left none: only with fork stacks.
 */
static int group_sites(struct fs_zombie_parent *p, const struct fs_model *m)
{
	const struct fs_callsites *c = &m->sites;
	uint32_t uses = 0;

	for (uint32_t i = 0; i < c->nr_uses; i++)
		uses += c->uses[i].parent == p->pid;
	if (!uses)
		return 0;
	p->sites = calloc(uses + p->nr, sizeof(*p->sites));
	if (!p->sites)
		return -ENOMEM;
	for (uint32_t i = 0; i < c->nr_uses; i++) {
		const struct fs_site_use *u = &c->uses[i];
		struct fs_zombie_site *s;

		if (u->parent != p->pid)
			continue;
		s = site_slot(p, c->sites[u->site]);
		s->forked += u->forked;
		s->reaped += u->reaped;
	}
	for (uint32_t i = 0; i < p->nr; i++) {
		struct fs_zombie_site *s = site_slot(p, p->z[i].site);

		if (!s->nr++ || p->z[i].age_ns > s->oldest_ns)
			s->oldest_ns = p->z[i].age_ns;
		if (s->nr == 1 || p->z[i].age_ns < s->newest_ns)
			s->newest_ns = p->z[i].age_ns;
	}
	qsort(p->sites, p->nr_sites, sizeof(*p->sites), by_site);
	return 0;
}

static bool same_container(const struct fs_ident *a, const struct fs_ident *b)
{
	return a->cgroup == b->cgroup && a->pids_cgroup == b->pids_cgroup &&
	       a->pidns == b->pidns;
}

static int by_container(const void *a, const void *b, void *ctx)
{
	const struct fs_zombie_parent *x = a, *y = b;
	const struct fs_zombie_container *c = ctx;
	const struct fs_zombie_container *cx = &c[x->container];
	const struct fs_zombie_container *cy = &c[y->container];

	if (cx->nr_zombies != cy->nr_zombies)
		return cx->nr_zombies > cy->nr_zombies ? -1 : 1;
	if (x->container != y->container)
		return x->container < y->container ? -1 : 1;
	if (x->nr != y->nr)
		return x->nr > y->nr ? -1 : 1;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* The containers as they come, each parent told its index. */
static size_t find_containers(struct fs_zombie_report *r)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nr_parents; i++) {
		struct fs_zombie_parent *p = &r->parents[i];
		size_t c = 0;

		while (c < n && !same_container(&r->containers[c].id, &p->id))
			c++;
		if (c == n)
			r->containers[n++] = (struct fs_zombie_container){
				.id = p->id };
		r->containers[c].nr_zombies += p->nr;
		p->container = c;
	}
	return n;
}

/* Parents by container, the container with most zombies first. */
static void group(struct fs_zombie_report *r)
{
	size_t n = find_containers(r), c = 0;

	qsort_r(r->parents, r->nr_parents, sizeof(*r->parents), by_container,
		r->containers);
	memset(r->containers, 0, n * sizeof(*r->containers));
	for (size_t i = 0; i < r->nr_parents; i++) {
		struct fs_zombie_parent *p = &r->parents[i];
		struct fs_zombie_container *k;

		if (i && !same_container(&r->parents[i - 1].id, &p->id))
			c++;
		k = &r->containers[c];
		if (!k->nr_parents) {
			k->id = p->id;
			k->first = i;
		}
		k->nr_parents++;
		k->nr_zombies += p->nr;
		k->per_min += p->per_min;
		p->container = c;
	}
	r->nr_containers = r->nr_parents ? c + 1 : 0;
}

int fs_zombie_report_build(struct fs_zombie_report *r,
			   const struct fs_model *m, uint64_t now,
			   uint64_t min_age)
{
	uint32_t cap = m->tab.count + 1;
	const struct fs_task *e;

	memset(r, 0, sizeof(*r));
	r->m = m;
	r->now_ns = now;
	r->min_age_ns = min_age;
	r->watched_ns = m->watch_start_ns && now > m->watch_start_ns ?
			now - m->watch_start_ns : 0;
	r->parents = calloc(cap, sizeof(*r->parents));
	r->leaders = calloc(cap, sizeof(*r->leaders));
	r->containers = calloc(cap, sizeof(*r->containers));
	if (!r->parents || !r->leaders || !r->containers)
		goto nomem;
	fs_proctab_for_each(&m->tab, e) {
		struct fs_zombie z = { .pid = e->pid, .ppid = e->ppid,
				       .status = e->status, .id = e->id };

		if (!e->tgid || e->pid != e->tgid || !fs_task_is_zombie(e) ||
		    !fs_model_task_selected(m, e))	/* --container */
			continue;
		struct fs_zombie_parent *p;

		memcpy(z.comm, e->comm, sizeof(z.comm));
		z.site = fs_callsites_of(&m->sites, e->pid, e->start_ns);
		z.age_ns = zombie_age(m, e, now, &z.age_known);
		z.adopted = e->flags & FS_TASK_ADOPTED;
		if (fs_task_leader_waits(e)) {
			z.threads = e->nr_threads;
			r->leaders[r->nr_leaders++] = z;
			continue;
		}
		if (z.age_ns < min_age)
			continue;	/* may yet be reaped in time */
		p = parent_slot(r, m, e->ppid);
		if (add_zombie(p, &z, cap))
			goto nomem;
		if (!p->id.cgroup && !p->id.pidns)	/* parent never told */
			p->id = z.id;
		p->adopted += z.adopted;
		p->new += z.age_known;	/* its exit was seen: while watched */
		r->nr_zombies++;
	}
	for (size_t i = 0; i < r->nr_parents; i++) {
		judge(&r->parents[i], r->watched_ns);
		if (group_sites(&r->parents[i], m))
			goto nomem;
	}
	group(r);
	return 0;
nomem:
	fs_zombie_report_free(r);
	return fs_error(ENOMEM, "out of memory for the zombie report");
}

void fs_zombie_report_free(struct fs_zombie_report *r)
{
	for (size_t i = 0; r->parents && i < r->nr_parents; i++) {
		free(r->parents[i].z);
		free(r->parents[i].sites);
	}
	free(r->parents);
	free(r->leaders);
	free(r->containers);
	memset(r, 0, sizeof(*r));
}

static const char *sigchld_text(uint32_t flags)
{
	if (flags & FS_TASK_SIGCHLD_IGN)
		return "SIGCHLD ignored";
	if (flags & FS_TASK_SIGCHLD_HANDLER)
		return flags & FS_TASK_NOCLDWAIT ? "SIGCHLD handler, SA_NOCLDWAIT" :
						   "SIGCHLD handler";
	return flags & FS_TASK_NOCLDWAIT ? "SIGCHLD default, SA_NOCLDWAIT" :
					   "SIGCHLD default";
}

static const char *age_text(char *buf, size_t len, const struct fs_zombie *z)
{
	char d[32];

	snprintf(buf, len, "%s%s", z->age_known ? "" : ">=",
		 fs_fmt_duration(d, sizeof(d), z->age_ns));
	return buf;
}

/* The path the stream named for a cgroup, "?" when it did not. */
static const char *cgroup_text(const struct fs_model *m, uint32_t hierarchy,
			       uint64_t id)
{
	const char *path = fs_model_cgroup_path(m, hierarchy, id);

	return path && *path ? path : "?";
}

/* "container: cgroup /docker/ab12, pids cgroup /docker/ab12, pid ns N". */
static void container_text(FILE *f, const struct fs_zombie_report *r,
			   const struct fs_zombie_container *c)
{
	const struct fs_cgroup *named = fs_model_container(r->m, &c->id);
	char cg[4 * PATH_MAX], pids[4 * PATH_MAX], rate[32];
	char raw[256], name[4 * sizeof(raw)];
	bool host = c->id.pidns == HOST_PIDNS || !c->id.pidns;

	/* "container docker:3f4a5b6c7d8e", when its cgroup names one. */
	name[0] = 0;
	if (named && (named->id || (named->unit && !host)))
		fs_escape(name, sizeof(name),
			  fs_container_name(raw, sizeof(raw), named),
			  FS_ESC_TERMINAL);
	fs_escape(cg, sizeof(cg), cgroup_text(r->m, FS_CGROUP_V2, c->id.cgroup),
		  FS_ESC_TERMINAL);
	fs_escape(pids, sizeof(pids), cgroup_text(r->m, FS_CGROUP_PIDS,
						  c->id.pids_cgroup),
		  FS_ESC_TERMINAL);
	snprintf(rate, sizeof(rate), "%.1f", c->per_min);
	fprintf(f, "\n%s%s%s: cgroup %s, pids cgroup %s, pid namespace %u%s: %u zombie%s, %s/min new\n",
		host && !*name ? "host" : "container", *name ? " " : "", name,
		cg, pids, c->id.pidns,
		c->id.pidns == HOST_PIDNS ? " (the host's)" : "",
		c->nr_zombies, c->nr_zombies == 1 ? "" : "s", rate);
}

/* The verdict on a container's PID 1, in plain words. */
static void ns_init_text(FILE *f, const struct fs_zombie_report *r,
			 const struct fs_zombie_parent *p)
{
	char w[32];

	fprintf(f, "    why: this container's PID 1 never reaps the orphans it adopts: ");
	if (p->adopted)
		fprintf(f, "%u of its %u zombies came from parents that exited inside the container, and ",
			p->adopted, p->nr);
	fprintf(f, "PID 1 %s.\n", p->waited ?
		"has not waited since they exited" : "never waits");
	fprintf(f, "    %u zombie%s, %.1f new per minute over the %s watched; "
		   "each holds a PID of the container's budget until PID 1 exits.\n",
		p->nr, p->nr == 1 ? "" : "s", p->per_min,
		fs_fmt_duration(w, sizeof(w), r->watched_ns));
	fprintf(f, "    fix: %s.\n", ADVICE);
}

/*
 * "38 zombies forked from spawn_worker (worker.c:118) <- main, ages 2s
 * to 1m", and for a site that left none: "0 left of 20 forked from
 * run_hook (hooks.c:44): it waits".
 */
static void site_text(FILE *f, const struct fs_zombie_site *s)
{
	char a[32], b[32];

	if (!s->site) {
		fprintf(f, "    %u zombie%s forked before their parent's stack was captured\n",
			s->nr, s->nr == 1 ? "" : "s");
		return;
	}
	if (s->nr) {
		fprintf(f, "    %u zombie%s forked from ", s->nr,
			s->nr == 1 ? "" : "s");
		fs_site_line(f, s->site, 4);
		fprintf(f, ", aged %s to %s\n",
			fs_fmt_duration(a, sizeof(a), s->newest_ns),
			fs_fmt_duration(b, sizeof(b), s->oldest_ns));
		return;
	}
	fprintf(f, "    0 left of %u forked from ", s->forked);
	fs_site_line(f, s->site, 4);
	fprintf(f, ": %s\n", s->forked == s->reaped ? "it waits" :
		"not yet exited");
}

static void parent_text(FILE *f, const struct fs_zombie_report *r,
			const struct fs_zombie_parent *p)
{
	char a[40], st[64], name[4 * FS_COMM_LEN], ns[48] = "";

	if (p->id.flags & FS_IDENT_NS_INIT && p->id.pidns != HOST_PIDNS)
		snprintf(ns, sizeof(ns), " (PID 1 of its namespace)");
	else if (p->id.ns_tgid && p->id.ns_tgid != p->pid)
		snprintf(ns, sizeof(ns), " (PID %d in its namespace)",
			 p->id.ns_tgid);
	fprintf(f, "  parent %d %s%s: %s, %u zombie%s", p->pid,
		fs_escape(name, sizeof(name), p->comm, FS_ESC_TERMINAL), ns,
		fs_verdict_is_leak(p->verdict) ? "LEAKING" : "slow to reap",
		p->nr, p->nr == 1 ? "" : "s");
	if (p->adopted)
		fprintf(f, " (%u adopted)", p->adopted);
	fprintf(f, ", %.1f/min; %s; last wait %s\n", p->per_min,
		sigchld_text(p->flags),
		p->waited ? fs_fmt_duration(a, sizeof(a), p->last_wait_ago_ns) :
			    "never");
	if (p->verdict == FS_VERDICT_NS_INIT)
		ns_init_text(f, r, p);
	else
		fprintf(f, "    why: %s\n", verdict_reason[p->verdict]);
	if (p->now)
		fs_now_text(f, p->now, &(struct fs_now_context){
				.nr_waits = p->nr_waits,
				.watched_ns = r->watched_ns,
				.nr_threads = p->nr_threads }, "    ");
	for (uint32_t i = 0; i < p->nr_sites; i++)
		site_text(f, &p->sites[i]);
	for (uint32_t j = 0; j < p->nr; j++)
		fprintf(f, "    %7d %-16s zombie for %-12s %s%s\n", p->z[j].pid,
			fs_escape(name, sizeof(name), p->z[j].comm,
				  FS_ESC_TERMINAL),
			age_text(a, sizeof(a), &p->z[j]),
			fs_status_str(st, sizeof(st), p->z[j].status),
			p->z[j].adopted ? ", adopted" : "");
}

void fs_zombie_report_text(FILE *f, const struct fs_zombie_report *r)
{
	char a[40], b[40], name[4 * FS_COMM_LEN];

	fprintf(f, "%zu zombie%s older than %s, %zu parent%s, %zu container%s (watched %s)\n",
		r->nr_zombies, r->nr_zombies == 1 ? "" : "s",
		fs_fmt_duration(a, sizeof(a), r->min_age_ns), r->nr_parents,
		r->nr_parents == 1 ? "" : "s", r->nr_containers,
		r->nr_containers == 1 ? "" : "s",
		fs_fmt_duration(b, sizeof(b), r->watched_ns));
	for (size_t c = 0; c < r->nr_containers; c++) {
		const struct fs_zombie_container *k = &r->containers[c];

		container_text(f, r, k);
		for (size_t i = k->first; i < k->first + k->nr_parents; i++)
			parent_text(f, r, &r->parents[i]);
	}
	for (size_t i = 0; i < r->nr_leaders; i++)
		fprintf(f, "\n%d %s: leader exited, %u thread%s alive (not a leak: reapable once they exit)\n",
			r->leaders[i].pid,
			fs_escape(name, sizeof(name), r->leaders[i].comm,
				  FS_ESC_TERMINAL),
			r->leaders[i].threads,
			r->leaders[i].threads == 1 ? "" : "s");
}

/* A zombie's members, in the object the caller opened. */
static void json_zombie(struct fs_json *j, const struct fs_zombie_report *r,
			const struct fs_zombie *z)
{
	fs_json_int(j, "pid", z->pid);
	fs_json_int(j, "ppid", z->ppid);
	fs_json_str(j, "comm", z->comm);
	fs_json_status(j, "status", z->status);
	fs_json_u64(j, "age_ns", z->age_ns);
	fs_json_bool(j, "age_known", z->age_known);
	fs_json_bool(j, "adopted", z->adopted);
	fs_json_container(j, "container", r->m, &z->id);
}

static void json_site(struct fs_json *j, const struct fs_zombie_site *s)
{
	fs_json_object(j, NULL);
	fs_json_int(j, "nr_zombies", s->nr);
	fs_json_int(j, "forked", s->forked);
	fs_json_int(j, "reaped", s->reaped);
	fs_json_bool(j, "waits", s->site && !s->nr && s->forked &&
				 s->forked == s->reaped);
	if (s->nr) {
		fs_json_u64(j, "oldest_ns", s->oldest_ns);
		fs_json_u64(j, "newest_ns", s->newest_ns);
	}
	if (s->site)
		fs_site_json(j, "stack", s->site);
	else
		fs_json_null(j, "stack");
	fs_json_close(j);
}

static void json_parent(struct fs_json *j, const struct fs_zombie_report *r,
			const struct fs_zombie_parent *p)
{
	fs_json_object(j, NULL);
	fs_json_int(j, "pid", p->pid);
	fs_json_str(j, "comm", p->comm);
	fs_json_str(j, "verdict", fs_verdict_is_leak(p->verdict) ?
		    "leaking" : "slow");
	fs_json_str(j, "reason", verdict_reason[p->verdict]);
	fs_json_bool(j, "ns_init_never_reaps", p->verdict == FS_VERDICT_NS_INIT);
	fs_json_str(j, "advice", p->verdict == FS_VERDICT_NS_INIT ? ADVICE :
				 NULL);
	fs_json_str(j, "sigchld", sigchld_text(p->flags));
	if (p->waited)
		fs_json_u64(j, "last_wait_ago_ns", p->last_wait_ago_ns);
	else
		fs_json_null(j, "last_wait_ago_ns");
	fs_json_container(j, "container", r->m, &p->id);
	fs_json_int(j, "container_index", p->container);
	fs_json_int(j, "nr_zombies", p->nr);
	fs_json_int(j, "nr_adopted", p->adopted);
	fs_json_int(j, "nr_new", p->new);
	fs_json_fixed(j, "zombies_per_min", llround(p->per_min * 100), 2);
	fs_json_array(j, "sites");
	for (uint32_t i = 0; i < p->nr_sites; i++)
		json_site(j, &p->sites[i]);
	fs_json_close(j);
	if (p->now) {
		fs_json_object(j, "now");
		fs_now_json(j, p->now, &(struct fs_now_context){
				.nr_waits = p->nr_waits,
				.watched_ns = r->watched_ns,
				.nr_threads = p->nr_threads });
		fs_json_close(j);
	} else {
		fs_json_null(j, "now");
	}
	fs_json_array(j, "zombies");
	for (uint32_t i = 0; i < p->nr; i++) {
		fs_json_object(j, NULL);
		json_zombie(j, r, &p->z[i]);
		fs_json_close(j);
	}
	fs_json_close(j);
	fs_json_close(j);
}

/* A container: its identity, its zombies, its parents' pids. */
static void json_container(struct fs_json *j, const struct fs_zombie_report *r,
			   const struct fs_zombie_container *c)
{
	fs_json_object(j, NULL);
	fs_json_container(j, "container", r->m, &c->id);
	fs_json_bool(j, "host", c->id.pidns == HOST_PIDNS);
	fs_json_int(j, "nr_zombies", c->nr_zombies);
	fs_json_fixed(j, "zombies_per_min", llround(c->per_min * 100), 2);
	fs_json_array(j, "parents");
	for (size_t i = c->first; i < c->first + c->nr_parents; i++)
		fs_json_int(j, NULL, r->parents[i].pid);
	fs_json_close(j);
	fs_json_close(j);
}

void fs_zombie_report_json(FILE *f, const struct fs_zombie_report *r)
{
	size_t leaking = 0;
	struct fs_json j;

	for (size_t i = 0; i < r->nr_parents; i++)
		leaking += fs_verdict_is_leak(r->parents[i].verdict);
	fs_json_begin(&j, f);
	fs_json_object(&j, NULL);
	fs_json_str(&j, "event", "zombies");
	fs_json_u64(&j, "ts_ns", r->now_ns);
	fs_json_u64(&j, "watched_ns", r->watched_ns);
	fs_json_u64(&j, "min_age_ns", r->min_age_ns);
	fs_json_u64(&j, "nr_zombies", r->nr_zombies);
	fs_json_u64(&j, "nr_leaking_parents", leaking);
	fs_json_array(&j, "containers");
	for (size_t i = 0; i < r->nr_containers; i++)
		json_container(&j, r, &r->containers[i]);
	fs_json_close(&j);
	fs_json_array(&j, "parents");
	for (size_t i = 0; i < r->nr_parents; i++)
		json_parent(&j, r, &r->parents[i]);
	fs_json_close(&j);
	fs_json_array(&j, "leaders_waiting_for_threads");
	for (size_t i = 0; i < r->nr_leaders; i++) {
		fs_json_object(&j, NULL);
		json_zombie(&j, r, &r->leaders[i]);
		fs_json_int(&j, "threads_alive", r->leaders[i].threads);
		fs_json_close(&j);
	}
	fs_json_close(&j);
	fs_json_close(&j);
	fs_json_end(&j);
}
