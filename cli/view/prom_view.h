/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The exporter's view: a metrics snapshot (metrics.h) as the Prometheus
 * text format 0.0.4 or OpenMetrics 1.0.0 (docs/exporter.md). Integers
 * only: seconds are written from nanoseconds as fixed-point decimals.
 */
#ifndef FS_PROM_VIEW_H
#define FS_PROM_VIEW_H

#include <stdio.h>
#include "metrics.h"

enum fs_prom_format {
	FS_PROM_TEXT,		/* text/plain; version=0.0.4 */
	FS_PROM_OPENMETRICS,	/* application/openmetrics-text; 1.0.0 */
};

/* What an Accept header (NULL: none) gets: OpenMetrics when it names it
 * with a q above 0, else the text format. */
enum fs_prom_format fs_prom_negotiate(const char *accept);
const char *fs_prom_content_type(enum fs_prom_format f);

/* Static facts for forkscope_build_info. */
struct fs_prom_info {
	const char *version;
	int abi;
	const char *kernel;	/* uname's release */
};

/* Writes every family; returns 0 or -EIO when f failed. */
int fs_prom_write(FILE *f, const struct fs_metrics *m,
		  const struct fs_prom_info *info, enum fs_prom_format fmt);

#endif
