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
	h->fixed = size;
	h->ts_ns = ts;
	h->pid = pid;
	h->tgid = tgid;
	h->ppid = ppid;
	h->start_ns = start;
	snprintf(h->comm, sizeof(h->comm), "%s", comm);
}

/* Room for the largest exec record. */
struct synth_exec {
	struct fs_rec_exec r;
	char data[FS_FILENAME_LEN + FS_ARGS_LEN + 8];
};

/*
 * An exec record as a producer writes it: filename, then args_len bytes
 * of args, padded with zeros. Returns its size.
 */
static inline size_t synth_exec(struct synth_exec *x, int pid, int tgid,
				int ppid, uint64_t ts, uint64_t start,
				const char *comm, int old_pid,
				const char *filename, const void *args,
				size_t args_len)
{
	size_t fn = strlen(filename) + 1, size = FS_EXEC_SIZE(fn, args_len);

	synth_hdr(&x->r.hdr, FS_REC_EXEC, sizeof(x->r), pid, tgid, ppid, ts,
		  start, comm);
	memset(x->data, 0, sizeof(x->data));
	x->r.hdr.size = size;
	x->r.old_pid = old_pid;
	x->r.filename_len = fn;
	x->r.args_len = args_len;
	memcpy(x->data, filename, fn);
	memcpy(x->data + fn, args, args_len);
	return size;
}

#endif
