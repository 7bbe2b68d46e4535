/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * forkscope lint's report: findings grouped by process, then kind, each
 * with its evidence, why it matters in one sentence and the usual fix;
 * and the one line trace --explain adds to the event that shows one.
 */
#ifndef FS_LINT_VIEW_H
#define FS_LINT_VIEW_H

#include <stddef.h>
#include <stdio.h>
#include "lint.h"

struct fs_lint_report {
	const struct fs_lint *l;	/* sorted (fs_lint_sort) */
	const struct fs_model *m;	/* names the containers */
	uint64_t watched_ns;
	int min_sev;			/* shown: at or above it */
	const char *unavailable;	/* a finding this source cannot
					 * make, said in one line; NULL */
};

void fs_lint_text(FILE *f, const struct fs_lint_report *r);
void fs_lint_json(FILE *f, const struct fs_lint_report *r);
/* The finding's evidence in one line, for trace --explain. */
const char *fs_lint_explain(char *buf, size_t len,
			    const struct fs_finding *fd);

#endif
