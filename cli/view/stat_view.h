/* SPDX-License-Identifier: GPL-2.0-only */
/* forkscope stat's report, like perf stat's: for people and as JSON. */
#ifndef FS_STAT_VIEW_H
#define FS_STAT_VIEW_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "lifestat.h"
#include "lint.h"

struct fs_stat_report {
	char *const *cmd;		/* what ran, argv */
	int status;			/* its wait status */
	size_t zombies;			/* left behind */
	uint64_t ns;			/* elapsed */
	const char *method;		/* COW counting, NULL: off */
	long page;
	const struct fs_lifestat *st;
	const struct fs_model *m;	/* names the processes' cgroups */
	const struct fs_lint *lint;	/* the tree's findings; NULL: none */
	bool filtered;		/* --cgroup/--container: only processes
				 * forked in them are counted */
};

void fs_stat_text(FILE *f, const struct fs_stat_report *rep);
void fs_stat_json(FILE *f, const struct fs_stat_report *rep);

#endif
