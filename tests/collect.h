/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test helper: records from a live source, kept in arrival order, and the
 * queries the tests ask of them. Header-only so each suite stays one file.
 */
#ifndef FS_TEST_COLLECT_H
#define FS_TEST_COLLECT_H

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "common.h"
#include "decode.h"
#include "source.h"

struct collect {
	struct fs_source *src;
	struct fs_hdr **recs;
	size_t n, cap;
	uint64_t lost;		/* counts of LOST records received */
	uint64_t lost_by_type[FS_REC_TYPE_MAX];	/* ring buffer full */
};

static inline int collect_record(void *ctx, const struct fs_hdr *rec)
{
	struct collect *c = ctx;
	struct fs_hdr *copy;

	if (rec->type == FS_REC_LOST) {
		const struct fs_rec_lost *l = (const void *)rec;

		c->lost += l->count;
		if (l->reason == FS_LOST_RINGBUF && l->rec_type < FS_REC_TYPE_MAX)
			c->lost_by_type[l->rec_type] += l->count;
		return 0;
	}
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 4096;
		struct fs_hdr **r = realloc(c->recs, cap * sizeof(*r));

		if (!r)
			abort();
		c->recs = r;
		c->cap = cap;
	}
	copy = malloc(rec->size);
	if (!copy)
		abort();
	memcpy(copy, rec, rec->size);
	c->recs[c->n++] = copy;
	return 0;
}

/* ring_bytes 0: the default size. */
static inline int collect_open_with(struct collect *c, size_t ring_bytes,
				    bool cow)
{
	const char *env = getenv("FORKSCOPE_SOURCE");
	struct fs_source_opts o = {
		.kind = env && *env ? fs_source_kind(env) : FS_SOURCE_BPF,
		.ring_bytes = ring_bytes,
		.cow = cow,
	};

	memset(c, 0, sizeof(*c));
	c->src = fs_source_open(&o, collect_record, c);
	return c->src ? 0 : -1;
}

static inline int collect_open_sized(struct collect *c, size_t ring_bytes)
{
	return collect_open_with(c, ring_bytes, false);
}

static inline int collect_open(struct collect *c)
{
	return collect_open_with(c, 0, false);
}

static inline void collect_close(struct collect *c)
{
	fs_source_close(c->src);
	for (size_t i = 0; i < c->n; i++)
		free(c->recs[i]);
	free(c->recs);
	memset(c, 0, sizeof(*c));
}

/*
 * Nothing lost, nothing rejected: every count the tests assert is whole.
 * For kselftest harness tests (ASSERT_EQ).
 */
#define ASSERT_NO_LOSS(c) do {						\
	const struct fs_stream_stats *_st = fs_source_stats((c)->src);	\
	ASSERT_EQ(0, (c)->lost);					\
	ASSERT_EQ(0, _st->recursion_lost);				\
	ASSERT_EQ(0, _st->malformed);					\
} while (0)

/* Does rec match what a query looks for? */
typedef bool (*rec_pred)(const struct fs_hdr *rec, long arg);

static inline size_t collect_count(const struct collect *c, rec_pred p, long arg)
{
	size_t n = 0;

	for (size_t i = 0; i < c->n; i++)
		n += p(c->recs[i], arg);
	return n;
}

static inline const struct fs_hdr *collect_find(const struct collect *c, rec_pred p,
					 long arg)
{
	for (size_t i = 0; i < c->n; i++)
		if (p(c->recs[i], arg))
			return c->recs[i];
	return NULL;
}

/* Polls until want() holds or timeout_ms passes; then reads losses. */
static inline bool collect_until(struct collect *c, rec_pred p, long arg,
			  size_t want, int timeout_ms)
{
	uint64_t end = fs_boot_ns() + timeout_ms * NSEC_PER_MSEC;
	bool ok;

	do {
		fs_source_poll(c->src, 20);
		ok = collect_count(c, p, arg) >= want;
	} while (!ok && fs_boot_ns() < end);
	fs_source_flush_losses(c->src);
	return ok;
}

/* Predicates: arg is the pid (thread id) asked about. */
static inline bool is_fork_of(const struct fs_hdr *r, long pid)
{
	return r->type == FS_REC_FORK &&
	       ((const struct fs_rec_fork *)r)->child_pid == pid;
}

static inline bool is_exec_of(const struct fs_hdr *r, long pid)
{
	return r->type == FS_REC_EXEC && r->pid == pid;
}

static inline bool is_exit_of(const struct fs_hdr *r, long pid)
{
	return r->type == FS_REC_EXIT && r->pid == pid;
}

static inline bool is_reap_of(const struct fs_hdr *r, long pid)
{
	return r->type == FS_REC_REAP && r->pid == pid;
}

static inline bool is_waited_for(const struct fs_hdr *r, long pid)
{
	return r->type == FS_REC_WAIT_RESULT &&
	       ((const struct fs_rec_wait_result *)r)->pid == pid;
}

/*
 * The reap where the kernel reports it exactly: the waiter's own wait4 or
 * waitid result. The free (is_reap_of) comes later, from an RCU callback,
 * and on some kernels never reaches BPF at all (docs/kernel-notes.md):
 * tests take it as at most one, and right when it comes.
 */
static inline bool is_reaped_by_wait(const struct fs_hdr *r, long pid)
{
	return is_waited_for(r, pid) &&
	       fs_wait_result_reaped((const struct fs_rec_wait_result *)r);
}

static inline bool is_any_fork(const struct fs_hdr *r, long unused)
{
	return r->type == FS_REC_FORK;
}

static inline bool is_fork_by(const struct fs_hdr *r, long tgid)
{
	return r->type == FS_REC_FORK && r->tgid == tgid;
}

static inline bool is_reap_in_group(const struct fs_hdr *r, long tgid)
{
	return r->type == FS_REC_REAP && r->tgid == tgid;
}

static inline bool is_exit_in_group(const struct fs_hdr *r, long tgid)
{
	return r->type == FS_REC_EXIT && r->tgid == tgid;
}

static inline bool is_group_dead_in(const struct fs_hdr *r, long tgid)
{
	return r->type == FS_REC_EXIT && r->tgid == tgid &&
	       (((const struct fs_rec_exit *)r)->flags & FS_EXIT_GROUP_DEAD);
}

static inline bool is_thread_fork_in_group(const struct fs_hdr *r, long tgid)
{
	return r->type == FS_REC_FORK && r->tgid == tgid &&
	       (((const struct fs_rec_fork *)r)->flags & FS_FORK_THREAD);
}

/* The inode number of a path, made as printf makes it; 0 if none. */
static inline uint64_t inode_of(const char *fmt, ...)
{
	char path[PATH_MAX];
	struct stat st;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	return stat(path, &st) ? 0 : st.st_ino;
}

/* The path the stream told for a cgroup id; NULL if never told. */
static inline const char *told_path(const struct collect *c, uint32_t hierarchy,
			     uint64_t id)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct fs_rec_cgroup_path *p = (const void *)c->recs[i];

		if (p->hdr.type == FS_REC_CGROUP_PATH && p->id == id &&
		    p->hierarchy == hierarchy)
			return fs_cgroup_path(p);
	}
	return NULL;
}

#endif
