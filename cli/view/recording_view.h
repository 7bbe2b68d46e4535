/* SPDX-License-Identifier: GPL-2.0-only */
/* Recordings, told: what one holds, and what `record` wrote. */
#ifndef FS_RECORDING_VIEW_H
#define FS_RECORDING_VIEW_H

#include <stdint.h>
#include <stdio.h>
#include "forkscope/file.h"

/* "forkscope: reading NAME: recorded with SOURCE on HOST (kernel K) ..." */
void fs_recording_text(FILE *f, const char *name, const struct fs_file_meta *m);

struct fs_record_report {
	const char *path;
	uint64_t ns;		/* recorded for */
	uint64_t records;	/* written, in all parts */
	uint64_t bytes;		/* of the files written */
	uint64_t lost;		/* lifecycle records the kernel lost */
	uint32_t parts;		/* files started (--rotate) */
	const char *stopped;	/* why it stopped, for people */
};

void fs_record_report_text(FILE *f, const struct fs_record_report *r);
void fs_record_report_json(FILE *f, const struct fs_record_report *r);

#endif
