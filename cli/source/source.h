/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Record sources: where records come from (BPF now; the kernel module and
 * recorded files share this interface). A source hands every record it
 * gets, checked by the one decoder, to a callback, and turns every loss it
 * can measure into an FS_REC_LOST record in the same stream.
 */
#ifndef FS_SOURCE_H
#define FS_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "forkscope/record.h"

enum fs_source_kind {
	FS_SOURCE_AUTO,		/* BPF if it loads, else the kernel module */
	FS_SOURCE_BPF,
	FS_SOURCE_KMOD,
};

/* "auto", "bpf", "kmod" -> kind; -1 for anything else. */
int fs_source_kind(const char *name);

struct fs_source_opts {
	enum fs_source_kind kind;
	size_t ring_bytes;	/* kernel buffer size; 0: default */
	bool cow;		/* count copy-on-write faults per process */
	bool verbose;		/* let libbpf and the kernel verifier talk */
};

/* Returns non-zero to stop the poll early. */
typedef int (*fs_record_fn)(void *ctx, const struct fs_hdr *rec);

struct fs_source_stats {
	uint64_t records;			/* delivered, LOST excluded */
	uint64_t by_type[FS_REC_TYPE_MAX];	/* delivered, by type */
	uint64_t ringbuf_lost[FS_REC_TYPE_MAX];	/* kernel buffer full */
	uint64_t recursion_lost;	/* lifecycle program runs the kernel
					 * skipped */
	uint64_t cow_lost;		/* COW faults not counted */
	uint64_t malformed;		/* rejected by the decoder */
	uint64_t snapshot_filled;	/* tasks a kernel-side snapshot missed
					 * and /proc supplied */
};

struct fs_source;

/* NULL on failure, with fs_last_error() saying why in one line. */
struct fs_source *fs_source_open(const struct fs_source_opts *opts,
				 fs_record_fn fn, void *ctx);
/*
 * Waits up to timeout_ms for records and delivers them. Returns the number
 * delivered, or a negative errno (-EINTR when a signal came).
 */
int fs_source_poll(struct fs_source *s, int timeout_ms);
/* Delivers LOST records for losses counted since the last call. */
void fs_source_flush_losses(struct fs_source *s);
/*
 * Delivers one FS_REC_COW record per live process with COW counters.
 * -ENOTSUP when COW counting is off.
 */
int fs_source_cow_sample(struct fs_source *s);
/* What the COW counters count, for every output; NULL when off. */
const char *fs_source_cow_method(const struct fs_source *s);
/* FS_COW_* of the counters, 0 when off. */
unsigned int fs_source_cow_kind(const struct fs_source *s);

/*
 * Delivers a snapshot of every task that exists now (see snapshot.h), the
 * best way the source can: its kernel-side walk, else /proc. Returns the
 * number of tasks or a negative errno.
 */
int fs_source_snapshot(struct fs_source *s);
const struct fs_source_stats *fs_source_stats(const struct fs_source *s);
/* "bpf (tp_btf)": what was picked, for the user to see. */
const char *fs_source_describe(const struct fs_source *s);
void fs_source_close(struct fs_source *s);

/* For source implementations. */
struct fs_source_ops {
	int (*poll)(struct fs_source *s, int timeout_ms);
	/* Optional; returns -ENOTSUP (or any error) to fall back to /proc. */
	int (*snapshot)(struct fs_source *s, uint32_t generation);
	/* Optional. */
	int (*cow_sample)(struct fs_source *s);
	void (*losses)(struct fs_source *s);	/* calls fs_source_lost() */
	void (*close)(struct fs_source *s);
};

struct fs_source {
	const struct fs_source_ops *ops;
	fs_record_fn fn;
	void *ctx;
	struct fs_source_stats stats;
	uint32_t generation;	/* of the last snapshot */
	unsigned int cow_kind;	/* FS_COW_*, 0: off */
	bool exact_group_dead;	/* the kernel says which exit was last */
	bool cow_copies;	/* pages copied are counted too */
	const char *cow_method;
	char describe[256];
};

/*
 * Delivers the fixed-size records read from fd until end of file (a BPF
 * iterator's output); each is shown to seen (may be NULL) first. Returns
 * how many, or a negative errno.
 */
int fs_source_deliver_fd(struct fs_source *s, int fd, size_t size,
			 void (*seen)(void *ctx, const struct fs_hdr *rec),
			 void *ctx);
/* Checks and delivers one record; returns the callback's verdict. */
int fs_source_deliver(struct fs_source *s, const void *data, size_t len);
/* Reports count records of rec_type lost for reason (FS_LOST_*). */
void fs_source_lost(struct fs_source *s, uint32_t reason, uint32_t rec_type,
		    uint64_t count);

struct fs_source *fs_source_bpf_open(const struct fs_source_opts *opts);
struct fs_source *fs_source_kmod_open(const struct fs_source_opts *opts);

#endif
