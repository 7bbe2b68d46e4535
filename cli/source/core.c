// SPDX-License-Identifier: GPL-2.0-only
/* The source core: every record on its way up is checked and counted here. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroupfs.h"
#include "common.h"
#include "decode.h"
#include "core.h"
#include "procfs.h"

/* Every loss, whoever reports it, is counted here. */
static void account_lost(struct fs_source *s, const struct fs_rec_lost *r)
{
	if (r->reason == FS_LOST_RINGBUF && r->rec_type < FS_REC_TYPE_MAX)
		s->stats.ringbuf_lost[r->rec_type] += r->count;
	else if (r->reason == FS_LOST_RECURSION)
		s->stats.recursion_lost += r->count;
	else if (fs_lost_cow(r->reason))
		s->stats.cow_lost += r->count;
}

/* Bounds the names remembered on a machine whose cgroups churn. */
#define MAX_NAMED	4096

/* Delivers the record naming cgroup id's path (or that it was not found). */
static void tell_path(struct fs_source *s, uint32_t hierarchy, uint64_t id)
{
	struct {
		struct fs_rec_cgroup_path r;
		char path[FS_CGROUP_PATH_LEN + 8];
	} rec;
	size_t len;

	if (fs_cgroup_path_of(hierarchy, id, rec.path, FS_CGROUP_PATH_LEN))
		rec.path[0] = 0;
	len = strlen(rec.path) + 1;
	memset(rec.path + len, 0, FS_ALIGN8(len) - len);
	fs_source_synth_hdr(&rec.r.hdr, FS_REC_CGROUP_PATH, sizeof(rec.r));
	rec.r.hdr.size = sizeof(rec.r) + FS_ALIGN8(len);
	rec.r.id = id;
	rec.r.hierarchy = hierarchy;
	rec.r.flags = rec.path[0] ? 0 : FS_CGPATH_UNKNOWN;
	rec.r.path_len = len;
	fs_source_deliver(s, &rec, rec.r.hdr.size);
}

/*
 * Tells the path of a cgroup the stream has not named yet, before the
 * record that names it: a recorded stream keeps its names, and the model
 * never has to ask the machine. On every fork record: a lookup, no more.
 */
static void name_cgroup(struct fs_source *s, uint32_t hierarchy, uint64_t id)
{
	struct fs_idmap *seen = &s->named[hierarchy - 1];
	bool added;

	if (!id || fs_idmap_get(seen, id))
		return;
	if (seen->count >= MAX_NAMED)
		fs_idmap_clear(seen, NULL);
	if (fs_idmap_put(seen, id, &added))	/* else: named again next time */
		tell_path(s, hierarchy, id);
}

void fs_source_forget_names(struct fs_source *s)
{
	fs_idmap_clear(&s->named[0], NULL);
	fs_idmap_clear(&s->named[1], NULL);
}

/* Names the cgroups a checked record carries, counts it, passes it up. */
static int deliver_checked(struct fs_source *s, const struct fs_hdr *h)
{
	const struct fs_ident *id;

	id = s->replay ? NULL : fs_record_ident(h);
	if (id) {
		name_cgroup(s, FS_CGROUP_V2, id->cgroup);
		name_cgroup(s, FS_CGROUP_PIDS, id->pids_cgroup);
	}
	if (h->type == FS_REC_LOST) {
		account_lost(s, (const void *)h);
	} else {
		s->stats.records++;
		s->stats.bytes += h->size;
	}
	s->stats.by_type[h->type]++;
	return s->fn(s->ctx, h);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * Fills in what the kernel could not read at a failed fork (see
 * fs_rec_fork_fail), from sysctls re-read at most once a second: a fork
 * storm at a limit fails thousands of times a second.
 */
static void complete_fork_fail(struct fs_source *s, struct fs_rec_fork_fail *r)
{
	uint64_t now = now_ns();

	if (!s->limits_read_ns || now - s->limits_read_ns >= 1000000000ULL) {
		fs_read_kernel_limits(&s->limits);
		s->limits_read_ns = now;
	}
	if (!r->threads_max)
		r->threads_max = s->limits.threads_max;
	if (!r->pid_max)
		r->pid_max = s->limits.pid_max;
}

/* A failed fork goes on as a copy, completed and its cgroup named. */
static int deliver_fork_fail(struct fs_source *s, const struct fs_hdr *h)
{
	union {
		struct fs_rec_fork_fail r;
		char bytes[512];
	} copy;

	if (h->size > sizeof(copy))	/* a newer revision: as it is */
		return deliver_checked(s, h);
	memcpy(&copy, h, h->size);
	complete_fork_fail(s, &copy.r);
	name_cgroup(s, FS_CGROUP_PIDS, copy.r.pids_cgroup);
	return deliver_checked(s, &copy.r.hdr);
}

int fs_source_deliver(struct fs_source *s, const void *data, size_t len)
{
	const struct fs_hdr *h = data;

	if (fs_record_check(data, len)) {
		s->stats.malformed++;
		fs_source_lost(s, FS_LOST_READER, 0, 1);
		return 0;
	}
	return fs_source_deliver_checked(s, h);
}

int fs_source_deliver_checked(struct fs_source *s, const struct fs_hdr *h)
{
	if (h->type == FS_REC_FORK_FAIL && !s->replay)
		return deliver_fork_fail(s, h);
	return deliver_checked(s, h);
}

/* The size of the record at p, of have bytes read; 0: not all there. */
static size_t next_size(const char *p, size_t have, size_t size)
{
	const struct fs_hdr *h = (const void *)p;

	if (size)
		return have >= size ? size : 0;
	if (have < sizeof(*h))
		return 0;
	/* A size the decoder refuses is delivered to say so, whole or not. */
	if (h->size < sizeof(*h))
		return sizeof(*h);
	return have >= h->size ? h->size : 0;
}

int fs_source_deliver_fd(struct fs_source *s, int fd, size_t size,
			 void (*seen)(void *ctx, const struct fs_hdr *rec),
			 void *ctx)
{
	/* A read may end inside a record: carry the tail to the next one. */
	static char buf[64 * 1024];
	size_t have = 0, rec;
	int count = 0;

	for (;;) {
		ssize_t n = read(fd, buf + have, sizeof(buf) - have);
		size_t off = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fs_error(errno, "reading a BPF iterator failed: %s",
					strerror(errno));
		if (n == 0)
			break;
		have += n;
		for (; (rec = next_size(buf + off, have - off, size));
		     off += rec, count++) {
			if (seen)
				seen(ctx, (const void *)(buf + off));
			fs_source_deliver(s, buf + off, rec);
		}
		memmove(buf, buf + off, have - off);
		have -= off;
	}
	if (have)
		fs_source_lost(s, FS_LOST_READER, 0, 1);
	return count;
}

void fs_source_lost(struct fs_source *s, uint32_t reason, uint32_t rec_type,
		    uint64_t count)
{
	struct fs_rec_lost r = {
		.count = count,
		.reason = reason,
		.rec_type = rec_type,
	};

	if (!count)
		return;
	fs_source_synth_hdr(&r.hdr, FS_REC_LOST, sizeof(r));
	account_lost(s, &r);
	s->fn(s->ctx, &r.hdr);
}

const char *fs_source_cow_method(const struct fs_source *s)
{
	return s->cow_kind ? s->cow_method : NULL;
}

bool fs_source_exec_fds(const struct fs_source *s)
{
	return s->exec_fds || s->stats.by_type[FS_REC_EXEC_FDS];
}

unsigned int fs_source_cow_kind(const struct fs_source *s)
{
	return s->cow_kind;
}

bool fs_source_cow_copies(const struct fs_source *s)
{
	return s->cow_kind && s->cow_copies;
}

bool fs_source_exact_group_dead(const struct fs_source *s)
{
	return s->exact_group_dead;
}

const struct fs_stream_stats *fs_source_stats(const struct fs_source *s)
{
	return &s->stats;
}

const char *fs_source_describe(const struct fs_source *s)
{
	return s->describe;
}

void fs_source_synth_hdr(struct fs_hdr *h, uint16_t type, uint16_t size)
{
	memset(h, 0, sizeof(*h));
	h->type = type;
	h->size = size;
	h->fixed = size;
	h->ts_ns = fs_boot_ns();
}

void fs_source_sync(struct fs_source *s, uint32_t phase, uint32_t generation,
		    uint32_t method, uint32_t count)
{
	struct fs_rec_sync r = {
		.phase = phase,
		.generation = generation,
		.method = method,
		.count = count,
	};

	fs_source_synth_hdr(&r.hdr, FS_REC_SYNC, sizeof(r));
	fs_source_deliver(s, &r, sizeof(r));
}
