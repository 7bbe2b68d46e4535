/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Synthetic records for the unit tests and the decode benchmark: the
 * common header, filled as a producer would, the rest of the record zero.
 */
#ifndef FS_TEST_SYNTH_H
#define FS_TEST_SYNTH_H

#include <stdio.h>
#include <string.h>
#include "forkscope/record.h"

static inline void synth_hdr(struct fs_hdr *h, unsigned int type, size_t size,
			     int pid, int tgid, int ppid, uint64_t ts,
			     uint64_t start, const char *comm)
{
	memset(h, 0, size);
	h->type = type;
	h->size = size;
	h->ts_ns = ts;
	h->pid = pid;
	h->tgid = tgid;
	h->ppid = ppid;
	h->start_ns = start;
	snprintf(h->comm, sizeof(h->comm), "%s", comm);
}

#endif
