/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The zombie report: every un-reaped zombie older than a threshold,
 * grouped by the parent that has to reap it, with a verdict on the parent.
 * Built from the model; printed as text or JSON.
 */
#ifndef FS_ZOMBIE_REPORT_H
#define FS_ZOMBIE_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "model.h"

enum fs_verdict {
	FS_VERDICT_NEVER_WAITS,		/* no wait seen while watching */
	FS_VERDICT_STOPPED_WAITING,	/* no wait since its oldest zombie */
	FS_VERDICT_PILING_UP,		/* waits, but zombies accumulate */
	FS_VERDICT_SLOW,		/* one zombie, waits for others */
	FS_VERDICT_NS_INIT,		/* a container's PID 1 that never
					 * reaps the orphans it adopts */
};

struct fs_zombie {
	int32_t pid;
	int32_t ppid;
	uint32_t status;
	uint32_t threads;	/* leaders waiting for threads: how many */
	uint64_t age_ns;	/* since exit; a lower bound if !age_known */
	bool age_known;
	bool adopted;		/* its parent exited: an orphan, reparented */
	char comm[FS_COMM_LEN];
	struct fs_ident id;	/* its container */
	const struct fs_site *site;	/* forked from; NULL: not captured */
};

/*
 * One fork call site of a parent (--stacks): its zombies, and what the
 * parent forked and reaped there while watched. A site whose children
 * were all reaped is there too: the one that waits.
 */
struct fs_zombie_site {
	const struct fs_site *site;	/* NULL: zombies without a stack */
	uint32_t nr;			/* zombies from it */
	uint32_t forked;		/* children forked there, watched */
	uint32_t reaped;		/* of them, reaped */
	uint64_t oldest_ns, newest_ns;	/* its zombies' ages */
};

struct fs_zombie_parent {
	int32_t pid;
	char comm[FS_COMM_LEN];
	uint32_t flags;		/* the parent's FS_TASK_SIGCHLD_* */
	bool waited;		/* a wait was seen while watching */
	uint32_t nr_waits;	/* waits seen while watching */
	uint32_t nr_threads;	/* its threads, when known (0: unknown) */
	/* What it was doing when last looked at (--stacks), or NULL. */
	const struct fs_proc_now *now;
	uint64_t last_wait_ago_ns;
	enum fs_verdict verdict;
	uint32_t nr;
	uint32_t adopted;	/* of them, orphans it inherited */
	uint32_t new;		/* of them, exited while watched */
	double per_min;		/* new ones per minute watched */
	struct fs_zombie *z;
	/* By call site, most zombies first; none without stacks. */
	struct fs_zombie_site *sites;
	uint32_t nr_sites;
	struct fs_ident id;	/* its container (its first zombie's when
				 * the parent's is not known) */
	size_t container;	/* index in the report's containers */
};

/*
 * The zombies of one container: the parents (and their zombies) that
 * share a cgroup v2 path, a pids cgroup and a pid namespace.
 */
struct fs_zombie_container {
	struct fs_ident id;	/* cgroup, pids_cgroup and pidns tell it */
	size_t first;		/* its parents: r->parents[first..first+nr) */
	size_t nr_parents;
	uint32_t nr_zombies;
	double per_min;		/* new zombies per minute watched */
};

struct fs_zombie_report {
	const struct fs_model *m;	/* built from; names cgroups */
	uint64_t now_ns;
	uint64_t watched_ns;	/* how long events have been seen */
	uint64_t min_age_ns;
	size_t nr_zombies;	/* counted ones: old enough, not leaders */
	size_t nr_parents;
	struct fs_zombie_parent *parents;	/* by container, most
						 * zombies first in each */
	size_t nr_containers;
	struct fs_zombie_container *containers;	/* most zombies first */
	size_t nr_leaders;
	struct fs_zombie *leaders;	/* leader exited, threads alive */
};

int fs_zombie_report_build(struct fs_zombie_report *r,
			   const struct fs_model *m, uint64_t now_ns,
			   uint64_t min_age_ns);
void fs_zombie_report_free(struct fs_zombie_report *r);
bool fs_verdict_is_leak(enum fs_verdict v);

void fs_zombie_report_text(FILE *f, const struct fs_zombie_report *r);
void fs_zombie_report_json(FILE *f, const struct fs_zombie_report *r);

#endif
