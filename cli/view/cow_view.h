/* SPDX-License-Identifier: GPL-2.0-only */
/* forkscope cow's report: processes by copy-on-write cost, like top. */
#ifndef FS_COW_VIEW_H
#define FS_COW_VIEW_H

#include <stddef.h>
#include <stdio.h>
#include "cow_rates.h"

struct fs_cow_report {
	const struct fs_cow_row *rows;	/* in the order of sort */
	size_t n;			/* rows shown */
	size_t total;			/* rows there are (all in rows) */
	const char *sort;		/* what they are sorted by */
	const char *method;		/* what is counted */
	double interval_s;
	uint64_t now_ns;		/* when sampled */
	long page;			/* bytes per fault copied, estimated */
	const struct fs_model *m;	/* names the containers */
};

void fs_cow_text(FILE *f, const struct fs_cow_report *r);
void fs_cow_json(FILE *f, const struct fs_cow_report *r);

#endif
