// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "container.h"
#include "escape.h"
#include "json.h"
#include "status.h"
#include "tree_view.h"

/* Levels below a root drawn by the JSON and dot views; deeper is cut. */
#define TREE_MAX_DEPTH	4096

/* Processes sorted by (ppid, pid): a node's children are one run. */
struct tree {
	const struct fs_task **procs;
	size_t n;
	const struct fs_model *m;
	const struct fs_tree_opts *o;
	const char *group;	/* --containers: only this container's */
};

static bool is_process(const struct fs_task *t)
{
	return t->tgid && t->pid == t->tgid && !(t->flags & FS_TASK_REAPED);
}

/*
 * What groups a process with others under --containers: its container's
 * id, else its systemd unit, else its cgroup's path ("" when unknown).
 */
static const char *group_of(const struct fs_model *m, const struct fs_task *t)
{
	const struct fs_cgroup *c = fs_model_container(m, &t->id);

	return !c ? "" : c->id ? c->id : c->unit ? c->unit : c->path;
}

/* Drawn: a live process that -p, --cgroup and --container select. */
static bool member(const struct tree *tr, const struct fs_task *t)
{
	return is_process(t) && fs_model_task_selected(tr->m, t) &&
	       (!tr->group || !strcmp(group_of(tr->m, t), tr->group));
}

const char *const fs_tree_sort_keys[] = {
	[FS_TREE_BY_PID] = "pid",
	[FS_TREE_BY_AGE] = "age",
	[FS_TREE_BY_COW] = "cow",
	NULL
};

/* Siblings by the key, then by pid: a key's ties keep a stable order. */
static int by_key(const struct fs_task *x, const struct fs_task *y,
		  enum fs_tree_sort key)
{
	switch (key) {
	case FS_TREE_BY_AGE:
		if (x->start_ns != y->start_ns)
			return x->start_ns > y->start_ns ? -1 : 1;
		break;
	case FS_TREE_BY_COW:
		if (x->cow_faults != y->cow_faults)
			return x->cow_faults > y->cow_faults ? -1 : 1;
		break;
	default:
		break;
	}
	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* By ppid first, so that a node's children are one run. */
static int by_parent(const void *a, const void *b, void *key)
{
	const struct fs_task *x = *(const struct fs_task *const *)a;
	const struct fs_task *y = *(const struct fs_task *const *)b;

	if (x->ppid != y->ppid)
		return x->ppid < y->ppid ? -1 : 1;
	return by_key(x, y, *(const enum fs_tree_sort *)key);
}

static int tree_build(struct tree *tr, const struct fs_model *m,
		      const struct fs_tree_opts *o, const char *group)
{
	const struct fs_task *e;

	tr->m = m;
	tr->o = o;
	tr->n = 0;
	tr->group = group;
	tr->procs = malloc((m->tab.count + 1) * sizeof(*tr->procs));
	if (!tr->procs)
		return fs_error(ENOMEM, "out of memory for the tree");
	fs_proctab_for_each(&m->tab, e)
		if (member(tr, e))
			tr->procs[tr->n++] = e;
	qsort_r(tr->procs, tr->n, sizeof(*tr->procs), by_parent,
		(void *)&o->sort);
	return 0;
}

/* The first child of pid, and how many there are. */
static size_t children_of(const struct tree *tr, int32_t pid, size_t *first)
{
	size_t lo = 0, hi = tr->n, n = 0;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (tr->procs[mid]->ppid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = lo;
	while (lo + n < tr->n && tr->procs[lo + n]->ppid == pid)
		n++;
	return n;
}

static const struct fs_task *find(const struct tree *tr, int32_t pid)
{
	const struct fs_task *t = fs_proctab_get((struct fs_proctab *)&tr->m->tab,
						 pid);

	return t && member(tr, t) ? t : NULL;
}

/*
 * A root: one whose parent is not drawn: the -p process (the model
 * selects its subtree), one whose parent is outside --container, or in
 * another container under --containers, or not a process we know.
 */
static bool is_root(const struct tree *tr, const struct fs_task *t)
{
	return t->ppid <= 0 || t->ppid == t->pid || !find(tr, t->ppid);
}

static uint64_t age_ns(const struct tree *tr, const struct fs_task *t)
{
	return t->start_ns && tr->o->now_ns > t->start_ns ?
	       tr->o->now_ns - t->start_ns : 0;
}

static const char *sigchld_name(const struct fs_task *t)
{
	if (t->flags & FS_TASK_SIGCHLD_IGN)
		return "ignored";
	if (t->flags & FS_TASK_SIGCHLD_HANDLER)
		return t->flags & FS_TASK_NOCLDWAIT ? "handler+SA_NOCLDWAIT" :
						      "handler";
	return t->flags & FS_TASK_NOCLDWAIT ? "default+SA_NOCLDWAIT" : "default";
}

/*
 * " @docker:3f4a5b6c7d8e (pid 1 in its namespace)"; under --containers
 * the heading names the container: the namespace pid only. Static
 * buffers: text_node recurses, and prints this before it does.
 */
static void text_container(FILE *f, const struct tree *tr,
			   const struct fs_task *t)
{
	static char text[FS_CGROUP_PATH_LEN + 64], esc[4 * sizeof(text)];

	fs_container_text(text, sizeof(text), tr->m, &t->id, t->pid,
			  !tr->group);
	if (*text)
		fprintf(f, " %s", fs_escape(esc, sizeof(esc), text,
					    FS_ESC_TERMINAL));
}

/* Text: "1234 comm (state, age) {n threads}" lines under box branches. */
static void text_node(FILE *f, const struct tree *tr, const struct fs_task *t,
		      char *prefix, size_t plen, bool last, bool top)
{
	char when[32], status[64], name[4 * FS_COMM_LEN], cmd[4 * 256];
	size_t first, n;

	fprintf(f, "%s%s%d %s", prefix, top ? "" : last ? "└─ " : "├─ ",
		t->pid, fs_escape(name, sizeof(name), t->comm, FS_ESC_TERMINAL));
	if (t->cmd && strncmp(t->cmd, t->comm, strlen(t->comm)))
		fprintf(f, " [%.60s]",
			fs_escape(cmd, sizeof(cmd), t->cmd, FS_ESC_TERMINAL));
	if (fs_task_leader_waits(t)) {
		fprintf(f, " (leader exited, %u thread%s alive)", t->nr_threads,
			t->nr_threads > 1 ? "s" : "");
	} else if (fs_task_is_zombie(t)) {
		fs_status_str(status, sizeof(status), t->status);
		if (t->flags & FS_TASK_EXIT_UNKNOWN)
			fprintf(f, " (ZOMBIE since before watching, %s)", status);
		else
			fprintf(f, " (ZOMBIE %s, %s)",
				fs_fmt_duration(when, sizeof(when),
						tr->o->now_ns - t->exit_ns),
				status);
	} else {
		if (age_ns(tr, t))
			fprintf(f, " (%s)", fs_fmt_duration(when, sizeof(when),
							    age_ns(tr, t)));
		if (t->nr_threads)
			fprintf(f, " {%u thread%s}", t->nr_threads + 1,
				"s");
	}
	if (t->flags & FS_TASK_SUBREAPER)
		fprintf(f, " [subreaper]");
	if (t->cow_faults)
		fprintf(f, " cow=%u", t->cow_faults);
	text_container(f, tr, t);
	fputc('\n', f);

	n = children_of(tr, t->pid, &first);
	if (!top) {
		size_t add = strlen(last ? "   " : "│  ");

		if (plen + add + 1 > 4096)
			return;
		strcat(prefix, last ? "   " : "│  ");
		plen += add;
	}
	for (size_t i = 0; i < n; i++) {
		/* The table can hold a cycle only if it is corrupt: guard. */
		if (tr->procs[first + i]->pid == t->pid)
			continue;
		text_node(f, tr, tr->procs[first + i], prefix, plen, i == n - 1,
			  false);
		prefix[plen] = 0;
	}
}

static int no_root(const struct fs_model *m, const struct fs_tree_opts *o)
{
	if (m->select_cgroup || m->select_container)
		return fs_error(ENOENT, "no process %d in the cgroup or container asked for",
				o->root);
	return fs_error(ENOENT, "no process %d", o->root);
}

/* --containers: one container's processes, and what names it. */
struct group {
	const char *key;		/* group_of() its processes */
	const struct fs_cgroup *c;	/* its shallowest cgroup */
	const struct fs_task *init;	/* its pid namespace's init */
	uint64_t pidns;
	size_t n;
};

static struct group *group_find(struct group *g, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(g[i].key, key))
			return &g[i];
	return NULL;
}

static void group_add(struct group *g, const struct fs_model *m,
		      const struct fs_task *t)
{
	const struct fs_cgroup *c = fs_model_container(m, &t->id);

	if (c && (!g->c || strlen(c->path) < strlen(g->c->path)))
		g->c = c;
	if ((t->id.flags & FS_IDENT_NS_INIT) && !g->init)
		g->init = t;
	if (!g->pidns || g->init == t)
		g->pidns = t->id.pidns;
	g->n++;
}

/* The host's groups (no container id) first, then by runtime and id. */
static int by_container(const void *a, const void *b)
{
	const struct group *x = a, *y = b;
	bool xid = x->c && x->c->id, yid = y->c && y->c->id;

	if (xid != yid)
		return xid - yid;
	if (xid && x->c->runtime != y->c->runtime)
		return x->c->runtime < y->c->runtime ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* The groups the drawn processes fall in; NULL (fs_last_error()) or *n. */
static struct group *groups_build(const struct fs_model *m,
				  const struct fs_tree_opts *o, size_t *n)
{
	struct tree all;
	struct group *g;

	if (tree_build(&all, m, o, NULL))
		return NULL;
	g = calloc(all.n + 1, sizeof(*g));
	*n = 0;
	for (size_t i = 0; g && i < all.n; i++) {
		const char *key = group_of(m, all.procs[i]);
		struct group *at = group_find(g, *n, key);

		if (!at) {
			at = &g[(*n)++];
			at->key = key;
		}
		group_add(at, m, all.procs[i]);
	}
	free(all.procs);
	if (!g)
		fs_error(ENOMEM, "out of memory for the tree");
	else
		qsort(g, *n, sizeof(*g), by_container);
	return g;
}

/*
 * "container docker 3f4a...: in /system.slice/docker-3f4a....scope, pid
 * namespace 4026532301, init 5151 (sh), 3 processes"
 */
static void text_heading(FILE *f, const struct group *g)
{
	static char esc[4 * FS_CGROUP_PATH_LEN];
	char name[4 * FS_COMM_LEN];
	const struct fs_cgroup *c = g->c;

	if (c && c->id)
		fprintf(f, "container %s %s in ", fs_runtime_name(c->runtime),
			c->id);
	else if (c && c->unit)
		fprintf(f, "unit %s in ",
			fs_escape(esc, sizeof(esc), c->unit, FS_ESC_TERMINAL));
	fprintf(f, "cgroup %s: pid namespace %llu",
		c && *c->path ? fs_escape(esc, sizeof(esc), c->path,
					  FS_ESC_TERMINAL) : "unknown",
		(unsigned long long)g->pidns);
	if (g->init)
		fprintf(f, ", init %d (%s)", g->init->pid,
			fs_escape(name, sizeof(name), g->init->comm,
				  FS_ESC_TERMINAL));
	fprintf(f, ", %zu process%s\n", g->n, g->n == 1 ? "" : "es");
}

/* The roots of tr and their subtrees; whether there was one. */
static bool text_trees(FILE *f, const struct tree *tr)
{
	static char prefix[4096];
	bool any = false;

	for (size_t i = 0; i < tr->n; i++) {
		if (!is_root(tr, tr->procs[i]))
			continue;
		prefix[0] = 0;
		text_node(f, tr, tr->procs[i], prefix, 0, true, true);
		any = true;
	}
	return any;
}

static int text_grouped(FILE *f, const struct fs_model *m,
			const struct fs_tree_opts *o)
{
	struct group *g;
	struct tree tr;
	size_t n;

	g = groups_build(m, o, &n);
	if (!g)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (tree_build(&tr, m, o, g[i].key)) {
			free(g);
			return -ENOMEM;
		}
		fprintf(f, "%s", i ? "\n" : "");
		text_heading(f, &g[i]);
		text_trees(f, &tr);
		free(tr.procs);
	}
	free(g);
	return o->root && !n ? no_root(m, o) : 0;
}

int fs_tree_text(FILE *f, const struct fs_model *m,
		 const struct fs_tree_opts *o)
{
	struct tree tr;
	bool any;

	if (o->containers)
		return text_grouped(f, m, o);
	if (tree_build(&tr, m, o, NULL))
		return -ENOMEM;	/* tree_build said why */
	any = text_trees(f, &tr);
	free(tr.procs);
	return o->root && !any ? no_root(m, o) : 0;
}

/*
 * The JSON writer's stack holds the top, "containers", a container,
 * "tree", then two per level.
 */
_Static_assert(4 + 2 * (TREE_MAX_DEPTH + 1) <= FS_JSON_MAX_DEPTH,
	       "tree --json nests deeper than the JSON writer can");

static void json_node(struct fs_json *j, const struct tree *tr,
		      const struct fs_task *t, int depth)
{
	size_t first, n;

	fs_json_object(j, NULL);
	fs_json_int(j, "pid", t->pid);
	fs_json_int(j, "ppid", t->ppid);
	fs_json_str(j, "comm", t->comm);
	fs_json_str(j, "cmd", t->cmd);
	fs_json_str(j, "state", fs_task_is_zombie(t) ? "zombie" : "running");
	if (t->start_ns)
		fs_json_u64(j, "start_ns", t->start_ns);
	if (age_ns(tr, t))
		fs_json_u64(j, "age_ns", age_ns(tr, t));
	fs_json_int(j, "threads", t->nr_threads + 1);
	fs_json_bool(j, "leader_waits", fs_task_leader_waits(t));
	fs_json_bool(j, "subreaper", t->flags & FS_TASK_SUBREAPER);
	fs_json_bool(j, "kthread", t->flags & FS_TASK_KTHREAD);
	fs_json_str(j, "sigchld", sigchld_name(t));
	fs_json_u64(j, "cow_faults", t->cow_faults);
	fs_json_container(j, "container", tr->m, &t->id);
	if (fs_task_is_zombie(t)) {
		fs_json_status(j, "status", t->status);
		if (!(t->flags & FS_TASK_EXIT_UNKNOWN))
			fs_json_u64(j, "zombie_ns", tr->o->now_ns - t->exit_ns);
		else
			fs_json_null(j, "zombie_ns");
	}
	fs_json_array(j, "children");
	n = children_of(tr, t->pid, &first);
	for (size_t i = 0; i < n && depth < TREE_MAX_DEPTH; i++)
		if (tr->procs[first + i]->pid != t->pid)
			json_node(j, tr, tr->procs[first + i], depth + 1);
	fs_json_close(j);
	fs_json_close(j);
}

/* "tree": [the roots of tr, each with its subtree] */
static void json_trees(struct fs_json *j, const struct tree *tr)
{
	fs_json_array(j, "tree");
	for (size_t i = 0; i < tr->n; i++)
		if (is_root(tr, tr->procs[i]))
			json_node(j, tr, tr->procs[i], 0);
	fs_json_close(j);
}

static void json_group(struct fs_json *j, const struct group *g,
		       const struct tree *tr)
{
	fs_json_object(j, NULL);
	fs_json_container_name(j, g->c);
	fs_json_str(j, "cgroup", g->c && *g->c->path ? g->c->path : NULL);
	if (g->pidns)
		fs_json_u64(j, "pid_ns", g->pidns);
	else
		fs_json_null(j, "pid_ns");
	if (g->init)
		fs_json_int(j, "init", g->init->pid);
	else
		fs_json_null(j, "init");
	fs_json_u64(j, "processes", g->n);
	json_trees(j, tr);
	fs_json_close(j);
}

/* "containers": [{ what names it, "tree": [...] }, ...] */
static int json_grouped(struct fs_json *j, const struct fs_model *m,
			const struct fs_tree_opts *o)
{
	struct group *g;
	struct tree tr;
	int err = 0;
	size_t n;

	g = groups_build(m, o, &n);
	if (!g)
		return -ENOMEM;
	fs_json_array(j, "containers");
	for (size_t i = 0; i < n && !err; i++) {
		err = tree_build(&tr, m, o, g[i].key);
		if (err)
			break;
		json_group(j, &g[i], &tr);
		free(tr.procs);
	}
	fs_json_close(j);
	free(g);
	return err;
}

int fs_tree_json(FILE *f, const struct fs_model *m,
		 const struct fs_tree_opts *o)
{
	size_t zombies = 0, roots = 0;
	int err = 0;
	struct fs_json j;
	struct tree tr;

	if (tree_build(&tr, m, o, NULL))
		return -ENOMEM;	/* tree_build said why */
	for (size_t i = 0; i < tr.n; i++) {
		zombies += fs_task_is_zombie(tr.procs[i]);
		roots += is_root(&tr, tr.procs[i]);
	}
	if (o->root && !roots) {
		free(tr.procs);
		return no_root(m, o);
	}
	fs_json_begin(&j, f);
	fs_json_object(&j, NULL);
	fs_json_str(&j, "event", "tree");
	fs_json_u64(&j, "ts_ns", o->now_ns);
	fs_json_u64(&j, "processes", tr.n);
	fs_json_u64(&j, "zombies", zombies);
	if (o->containers)
		err = json_grouped(&j, m, o);
	else
		json_trees(&j, &tr);
	fs_json_close(&j);
	fs_json_end(&j);
	free(tr.procs);
	return err;
}

static void dot_node(FILE *f, const struct tree *tr, const struct fs_task *t,
		     int depth)
{
	size_t first, n = children_of(tr, t->pid, &first);
	char status[64], name[4 * FS_COMM_LEN];

	fs_escape(name, sizeof(name), t->comm, FS_ESC_DOT);
	if (fs_task_is_zombie(t))
		fprintf(f, "  p%d [label=\"%d %s\\nzombie: %s\", style=\"dashed,filled\", fillcolor=\"#f4cccc\"];\n",
			t->pid, t->pid, name,
			fs_status_str(status, sizeof(status), t->status));
	else
		fprintf(f, "  p%d [label=\"%d %s\"%s];\n", t->pid, t->pid,
			name, t->flags & FS_TASK_SUBREAPER ?
			", peripheries=2" : "");
	for (size_t i = 0; i < n && depth < TREE_MAX_DEPTH; i++) {
		if (tr->procs[first + i]->pid == t->pid)
			continue;
		fprintf(f, "  p%d -> p%d;\n", t->pid, tr->procs[first + i]->pid);
		dot_node(f, tr, tr->procs[first + i], depth + 1);
	}
}

int fs_tree_dot(FILE *f, const struct fs_model *m,
		const struct fs_tree_opts *o)
{
	struct tree tr;
	bool any = false;

	if (tree_build(&tr, m, o, NULL))
		return -ENOMEM;	/* tree_build said why */
	fprintf(f, "digraph forkscope {\n  rankdir=LR;\n  node [shape=box, fontname=\"monospace\"];\n");
	for (size_t i = 0; i < tr.n; i++) {
		if (is_root(&tr, tr.procs[i])) {
			dot_node(f, &tr, tr.procs[i], 0);
			any = true;
		}
	}
	fprintf(f, "}\n");
	free(tr.procs);
	return o->root && !any ? no_root(m, o) : 0;
}
