/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one record decoder. Every record, from any source, passes
 * fs_record_check() before anything reads its fields: after that the
 * typed structs of include/forkscope/record.h can be read directly.
 */
#ifndef FS_DECODE_H
#define FS_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "forkscope/record.h"

/* What a reader saw of one stream of records; the source keeps it. */
struct fs_stream_stats {
	uint64_t records;			/* delivered, LOST excluded */
	uint64_t bytes;				/* of those records */
	uint64_t by_type[FS_REC_TYPE_MAX];	/* delivered, by type */
	uint64_t ringbuf_lost[FS_REC_TYPE_MAX];	/* kernel buffer full */
	uint64_t recursion_lost;	/* lifecycle program runs the kernel
					 * skipped */
	uint64_t cow_lost;		/* COW faults not counted */
	uint64_t malformed;		/* rejected by the decoder */
	uint64_t snapshot_filled;	/* tasks a kernel-side snapshot missed
					 * and /proc supplied */
};

/*
 * Whether a stream written in record ABI abi (its major version) can be
 * read: 0, or -EPROTO with one line naming who wrote it (the module, a
 * file) and what to do. Minor revisions only append to fixed parts, which
 * fs_record_check() accepts, so the major version alone decides.
 */
int fs_abi_check(unsigned int abi, const char *writer);

/* 0 when buf holds one well-formed record, else -EBADMSG and fs_error(). */
int fs_record_check(const void *buf, size_t len);

/* "fork", "exec", ...; "?" for an unknown type. */
const char *fs_record_name(unsigned int type);
/* The record type for a name, or 0. */
unsigned int fs_record_type(const char *name);

/*
 * Whether a loss (FS_LOST_*) may have hidden a fork, exec, exit, wait or
 * reap: only then is the table in doubt and a new snapshot needed.
 */
bool fs_lost_lifecycle(uint32_t reason);
/* Whether a loss (FS_LOST_*) is COW faults a counter missed: no record. */
bool fs_lost_cow(uint32_t reason);

/* The wait-status word a wait result carries, waitid's si_code folded in. */
unsigned int fs_wait_result_status(const struct fs_rec_wait_result *r);
/* The waiter reaped the child: it exited or was killed, and no WNOWAIT. */
bool fs_wait_result_reaped(const struct fs_rec_wait_result *r);

/*
 * The variable parts of checked records. An exec's filename is
 * NUL-terminated; its args are args_len bytes (see fs_exec_for_each_arg).
 */
const char *fs_exec_filename(const struct fs_rec_exec *r);
const char *fs_exec_args(const struct fs_rec_exec *r);
const char *fs_cgroup_path(const struct fs_rec_cgroup_path *r);
/* The container identity a record carries (fork: the child's), or NULL. */
const struct fs_ident *fs_record_ident(const struct fs_hdr *h);

/*
 * Calls fn for each argv string of an exec record, in order; stops early
 * when fn returns non-zero. Returns the number of strings visited.
 */
int fs_exec_for_each_arg(const struct fs_rec_exec *r,
			 int (*fn)(void *ctx, const char *arg), void *ctx);

#endif
