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
#include "json.h"
#include "lint.h"

struct fs_lint_report {
	const struct fs_lint *l;	/* sorted (fs_lint_sort) */
	const struct fs_model *m;	/* names the containers */
	uint64_t watched_ns;
	int min_sev;			/* shown: at or above it */
	const char *unavailable;	/* a finding this source cannot
					 * make, said in one line; NULL */
	unsigned int width;		/* fs_lint_text_lines() cuts its
					 * lines to it; 0: no cut */
};

void fs_lint_text(FILE *f, const struct fs_lint_report *r);
void fs_lint_json(FILE *f, const struct fs_lint_report *r);
/* The findings shown, as an array member key of an open object. */
void fs_lint_json_findings(struct fs_json *j, const char *key,
			   const struct fs_lint_report *r);
/*
 * How many findings are shown: at or above min_sev, of processes the
 * model selects (or no longer knows): stat's own, which passed its
 * caller's descriptors on to CMD, is not CMD's tree's.
 */
uint32_t fs_lint_nr_shown(const struct fs_lint_report *r);
/* The findings shown, one line each after indent (stat's report). */
void fs_lint_text_lines(FILE *f, const char *indent,
			const struct fs_lint_report *r);
/*
 * trace --explain: the finding a record made or added to, as a line
 * under the event (text), or as its own JSON line {"event":"finding"}.
 */
void fs_lint_inline_text(FILE *f, const struct fs_finding *fd);
void fs_lint_inline_json(FILE *f, const struct fs_model *m, uint64_t ts_ns,
			 const struct fs_finding *fd);
/* The finding's evidence in one line, for trace --explain. */
const char *fs_lint_explain(char *buf, size_t len,
			    const struct fs_finding *fd);

#endif
