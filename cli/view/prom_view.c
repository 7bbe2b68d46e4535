// SPDX-License-Identifier: GPL-2.0-only
/* Metrics as the Prometheus text format or OpenMetrics. */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common.h"
#include "container.h"
#include "escape.h"
#include "prom_view.h"

/* One media range of an Accept header: does it take OpenMetrics? */
static bool takes_openmetrics(const char *r, size_t n)
{
	static const char om[] = "application/openmetrics-text";
	const char *q;
	size_t type = strcspn(r, ";,");

	while (type && (r[type - 1] == ' ' || r[type - 1] == '\t'))
		type--;
	while (*r == ' ' || *r == '\t')
		r++, n--, type--;
	if (type != sizeof(om) - 1 || strncasecmp(r, om, type))
		return false;
	/* q=0, q=0.0, q=0.000: refused; any other q takes it. */
	q = strstr(r, "q=");
	if (!q || q >= r + n)
		return true;
	for (q += 2; *q == '0' || *q == '.'; q++)
		;
	return q < r + n && *q >= '1' && *q <= '9';
}

enum fs_prom_format fs_prom_negotiate(const char *accept)
{
	while (accept && *accept) {
		size_t n = strcspn(accept, ",");

		if (takes_openmetrics(accept, n))
			return FS_PROM_OPENMETRICS;
		accept += n + (accept[n] == ',');
	}
	return FS_PROM_TEXT;
}

const char *fs_prom_content_type(enum fs_prom_format f)
{
	return f == FS_PROM_OPENMETRICS ?
	       "application/openmetrics-text; version=1.0.0; charset=utf-8" :
	       "text/plain; version=0.0.4; charset=utf-8";
}

struct out {
	FILE *f;
	enum fs_prom_format fmt;
};

/* HELP and TYPE; OpenMetrics names a counter family without _total. */
static void family(struct out *o, const char *name, const char *type,
		   const char *help)
{
	size_t n = strlen(name);

	if (o->fmt == FS_PROM_OPENMETRICS && !strcmp(type, "counter") &&
	    n > 6 && !strcmp(name + n - 6, "_total"))
		n -= 6;
	fprintf(o->f, "# HELP %.*s %s\n# TYPE %.*s %s\n", (int)n, name, help,
		(int)n, name, type);
}

static void sample(struct out *o, const char *name, const char *labels,
		   uint64_t v)
{
	fprintf(o->f, "%s%s%s%s %" PRIu64 "\n", name, *labels ? "{" : "",
		labels, *labels ? "}" : "", v);
}

/* One counter family with one label over a fixed set of values. */
static void labelled(struct out *o, const char *name, const char *help,
		     const char *label, const char *const *values,
		     const uint64_t *v, size_t n)
{
	char l[64];

	family(o, name, "counter", help);
	for (size_t i = 0; i < n; i++) {
		snprintf(l, sizeof(l), "%s=\"%s\"", label, values[i]);
		sample(o, name, l, v[i]);
	}
}

static void kernel_counters(struct out *o, const struct fs_metrics *m)
{
	static const char *const kinds[] = { "process", "thread", "shared_vm" };
	static const char *const hows[] = { "exited", "signaled", "core_dumped" };
	static const char *const fork_errs[] = { "EAGAIN", "ENOMEM", "other" };
	static const char *const exec_errs[] = {
		"ENOENT", "EACCES", "ENOEXEC", "E2BIG", "ENOMEM", "other",
	};
	const uint64_t *c = m->counters;

	if (!m->have_counters)
		return;
	labelled(o, "forkscope_forks_total", "Tasks created, by what the child shares with its parent.",
		 "kind", kinds, c + FS_CNT_FORK_PROCESS, ARRAY_SIZE(kinds));
	family(o, "forkscope_execs_total", "counter", "Successful execs.");
	sample(o, "forkscope_execs_total", "", c[FS_CNT_EXEC]);
	labelled(o, "forkscope_exits_total", "Processes ended (their last thread's exit), by how.",
		 "how", hows, c + FS_CNT_EXIT_EXITED, ARRAY_SIZE(hows));
	labelled(o, "forkscope_fork_failures_total", "Failed fork, vfork, clone and clone3 calls, by errno.",
		 "errno", fork_errs, c + FS_CNT_FORK_FAIL_EAGAIN,
		 ARRAY_SIZE(fork_errs));
	labelled(o, "forkscope_exec_failures_total", "Failed execve and execveat calls, by errno.",
		 "errno", exec_errs, c + FS_CNT_EXEC_FAIL_ENOENT,
		 ARRAY_SIZE(exec_errs));
}

/* An escaped byte takes up to 5 ("\\\\x1b"). */
#define NAME_LEN	(2 * FS_METRICS_LABEL_LEN)
#define PARENT_LABELS_LEN	(sizeof("container=\"\",parent_comm=\"\"") + \
				 5 * NAME_LEN + 5 * FS_COMM_LEN)

/* container="docker:3f4a5b6c7d8e",parent_comm="nginx" */
static void parent_labels(char *buf, size_t len,
			  const struct fs_metrics_parent *p)
{
	struct fs_cgroup cg = { .path = "", .runtime = p->runtime,
				.id = *p->id ? p->id : NULL,
				.unit = *p->unit ? p->unit : NULL };
	char name[NAME_LEN], ename[5 * NAME_LEN], ecomm[5 * FS_COMM_LEN];

	name[0] = 0;
	if (cg.id || cg.unit)
		fs_container_name(name, sizeof(name), &cg);
	fs_escape(ename, sizeof(ename), name, FS_ESC_PROM);
	fs_escape(ecomm, sizeof(ecomm), p->comm, FS_ESC_PROM);
	snprintf(buf, len, "container=\"%s\",parent_comm=\"%s\"", ename, ecomm);
}

static void seconds(struct out *o, const char *name, uint64_t ns)
{
	fprintf(o->f, "%s %" PRIu64 ".%09" PRIu64 "\n", name,
		ns / (uint64_t)NSEC_PER_SEC, ns % (uint64_t)NSEC_PER_SEC);
}

static void zombies(struct out *o, const struct fs_metrics *m)
{
	char l[PARENT_LABELS_LEN];

	family(o, "forkscope_zombies", "gauge", "Un-reaped zombies now, by container and parent command (the top parents).");
	for (uint32_t i = 0; i < m->nr_top; i++) {
		parent_labels(l, sizeof(l), &m->top[i]);
		sample(o, "forkscope_zombies", l, m->top[i].zombies);
	}
	family(o, "forkscope_zombies_left_out", "gauge", "Zombies of the parents past the top ones.");
	sample(o, "forkscope_zombies_left_out", "", m->zombies_left_out);
	family(o, "forkscope_zombie_parents_left_out", "gauge", "Parents with zombies past the top ones.");
	sample(o, "forkscope_zombie_parents_left_out", "", m->parents_left_out);
	if (m->have_oldest) {
		family(o, "forkscope_zombie_oldest_age_seconds", "gauge", "Age of the oldest zombie whose exit was seen.");
		seconds(o, "forkscope_zombie_oldest_age_seconds",
			m->oldest_age_ns);
	}
}

/* Label values are the exporter's ABI: the decoder's names, no spaces. */
static void refusals(struct out *o, const struct fs_metrics *m)
{
	const char *limits[FS_LIMIT_COUNT];

	for (int l = 0; l < FS_LIMIT_COUNT; l++)
		limits[l] = l == FS_LIMIT_PIDNS_DEAD ? "pidns_dead" :
			    fs_fork_limit_name(l);
	labelled(o, "forkscope_fork_failures_by_limit_total", "Failed forks by the limit that refused them (none: an error no limit explains).",
		 "limit", limits, m->fork_refusals, FS_LIMIT_COUNT);
}

static void pids_family(struct out *o, const struct fs_metrics *m,
			const char *name, const char *type, const char *help,
			size_t off)
{
	char l[sizeof("cgroup=\"\"") + 5 * FS_METRICS_LABEL_LEN];
	char path[5 * FS_METRICS_LABEL_LEN];

	family(o, name, type, help);
	for (uint32_t i = 0; i < m->nr_pids; i++) {
		const struct fs_metrics_pids *p = &m->pids[i];
		int64_t v = *(const int64_t *)((const char *)p + off);

		if (v < 0)	/* no limit, or the machine's refusals */
			continue;
		fs_escape(path, sizeof(path), p->path, FS_ESC_PROM);
		snprintf(l, sizeof(l), "cgroup=\"%s\"", path);
		sample(o, name, l, v);
	}
}

static void pids(struct out *o, const struct fs_metrics *m)
{
	if (!m->have_pids)
		return;
	pids_family(o, m, "forkscope_pids_used", "gauge", "Tasks a pids cgroup holds (pids.current), zombies included; cgroup=\"\": the machine's.",
		    offsetof(struct fs_metrics_pids, used));
	pids_family(o, m, "forkscope_pids_zombies", "gauge", "Of them, processes exited and not reaped.",
		    offsetof(struct fs_metrics_pids, zombies));
	pids_family(o, m, "forkscope_pids_limit", "gauge", "The limit that applies: the smallest pids.max over the cgroup and its ancestors; the machine's pid_max or threads-max.",
		    offsetof(struct fs_metrics_pids, limit));
	pids_family(o, m, "forkscope_pids_refused_total", "counter", "Forks the cgroup's pids.max refused (pids.events).",
		    offsetof(struct fs_metrics_pids, refused));
	family(o, "forkscope_pids_cgroups_left_out", "gauge", "pids cgroups with a limit or zombies past the top ones.");
	sample(o, "forkscope_pids_cgroups_left_out", "", m->pids_left_out);
}

static void cow(struct out *o, const struct fs_metrics *m)
{
	if (!m->have_cow)
		return;
	family(o, "forkscope_cow_faults_total", "counter", "Write faults on pages shared since a fork (copy-on-write), since the exporter started.");
	sample(o, "forkscope_cow_faults_total", "", m->cow_faults);
}

static void census(struct out *o, const struct fs_metrics *m)
{
	family(o, "forkscope_census_duration_seconds", "gauge", "What the last reading of the tasks and pids cgroups took.");
	seconds(o, "forkscope_census_duration_seconds", m->census_ns);
	family(o, "forkscope_censuses_total", "counter", "Readings of the tasks and pids cgroups.");
	sample(o, "forkscope_censuses_total", "", m->censuses);
}

static void losses(struct out *o, const struct fs_metrics *m)
{
	static const char *const reasons[] = {
		"ringbuf", "recursion", "cow", "malformed",
	};
	const uint64_t v[] = {
		m->lost_ringbuf, m->lost_recursion, m->lost_cow, m->malformed,
	};

	labelled(o, "forkscope_records_lost_total", "Records or counts lost, by reason.",
		 "reason", reasons, v, ARRAY_SIZE(reasons));
}

static void build_info(struct out *o, const struct fs_prom_info *info)
{
	char ver[5 * 32], kern[5 * 65], l[sizeof(ver) + sizeof(kern) + 64];

	fs_escape(ver, sizeof(ver), info->version, FS_ESC_PROM);
	fs_escape(kern, sizeof(kern), info->kernel, FS_ESC_PROM);
	snprintf(l, sizeof(l), "version=\"%s\",abi=\"%d\",kernel=\"%s\"", ver,
		 info->abi, kern);
	family(o, "forkscope_build_info", "gauge", "Always 1: forkscope's version, its record ABI and the kernel.");
	sample(o, "forkscope_build_info", l, 1);
}

int fs_prom_write(FILE *f, const struct fs_metrics *m,
		  const struct fs_prom_info *info, enum fs_prom_format fmt)
{
	struct out o = { f, fmt };

	kernel_counters(&o, m);
	refusals(&o, m);
	zombies(&o, m);
	pids(&o, m);
	cow(&o, m);
	census(&o, m);
	losses(&o, m);
	build_info(&o, info);
	if (fmt == FS_PROM_OPENMETRICS)
		fputs("# EOF\n", f);
	return fflush(f) || ferror(f) ? -EIO : 0;
}
