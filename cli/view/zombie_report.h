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
};

struct fs_zombie {
	int32_t pid;
	int32_t ppid;
	uint32_t status;
	uint32_t threads;	/* leaders waiting for threads: how many */
	uint64_t age_ns;	/* since exit; a lower bound if !age_known */
	bool age_known;
	char comm[FS_COMM_LEN];
	struct fs_ident id;	/* its container */
};

struct fs_zombie_parent {
	int32_t pid;
	char comm[FS_COMM_LEN];
	uint32_t flags;		/* the parent's FS_TASK_SIGCHLD_* */
	bool waited;		/* a wait was seen while watching */
	uint64_t last_wait_ago_ns;
	enum fs_verdict verdict;
	uint32_t nr;
	struct fs_zombie *z;
	struct fs_ident id;	/* its container */
};

struct fs_zombie_report {
	const struct fs_model *m;	/* built from; names cgroups */
	uint64_t now_ns;
	uint64_t watched_ns;	/* how long events have been seen */
	uint64_t min_age_ns;
	size_t nr_zombies;	/* counted ones: old enough, not leaders */
	size_t nr_parents;
	struct fs_zombie_parent *parents;	/* most zombies first */
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
