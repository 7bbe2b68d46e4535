// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "forkscope/kmod.h"
#include "decode.h"
#include "procfs.h"
#include "source.h"

int fs_source_kind(const char *name)
{
	static const char *const names[] = {
		[FS_SOURCE_AUTO] = "auto",
		[FS_SOURCE_BPF] = "bpf",
		[FS_SOURCE_KMOD] = "kmod",
	};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(name, names[i]))
			return i;
	return -1;
}

/* BPF first; the module where BPF will not load and the device is there. */
static struct fs_source *open_auto(const struct fs_source_opts *opts)
{
	char bpf_error[512];
	struct fs_source *s = fs_source_bpf_open(opts);

	if (s || access(FS_KMOD_DEVICE, F_OK))
		return s;
	snprintf(bpf_error, sizeof(bpf_error), "%s", fs_last_error());
	s = fs_source_kmod_open(opts);
	if (!s)
		fs_error(EINVAL, "BPF: %s; kernel module: %s", bpf_error,
			 fs_last_error());
	return s;
}

struct fs_source *fs_source_open(const struct fs_source_opts *opts,
				 fs_record_fn fn, void *ctx)
{
	struct fs_source *s;

	switch (opts->kind) {
	case FS_SOURCE_AUTO:
		s = open_auto(opts);
		break;
	case FS_SOURCE_BPF:
		s = fs_source_bpf_open(opts);
		break;
	case FS_SOURCE_KMOD:
		s = fs_source_kmod_open(opts);
		break;
	default:
		fs_error(EINVAL, "unknown record source");
		return NULL;
	}
	if (s) {
		s->fn = fn;
		s->ctx = ctx;
	}
	return s;
}

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

int fs_source_deliver(struct fs_source *s, const void *data, size_t len)
{
	const struct fs_hdr *h = data;

	if (fs_record_check(data, len)) {
		s->stats.malformed++;
		fs_source_lost(s, FS_LOST_READER, 0, 1);
		return 0;
	}
	if (h->type == FS_REC_LOST)
		account_lost(s, data);
	else
		s->stats.records++;
	s->stats.by_type[h->type]++;
	return s->fn(s->ctx, h);
}

int fs_source_deliver_fd(struct fs_source *s, int fd, size_t size,
			 void (*seen)(void *ctx, const struct fs_hdr *rec),
			 void *ctx)
{
	/* A read may end inside a record: carry the tail to the next one. */
	static char buf[64 * 1024];
	size_t have = 0;
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
		for (; have - off >= size; off += size, count++) {
			if (seen)
				seen(ctx, (const void *)(buf + off));
			fs_source_deliver(s, buf + off, size);
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
		.hdr = {
			.type = FS_REC_LOST,
			.size = sizeof(r),
			.ts_ns = fs_boot_ns(),
		},
		.count = count,
		.reason = reason,
		.rec_type = rec_type,
	};

	if (!count)
		return;
	account_lost(s, &r);
	s->fn(s->ctx, &r.hdr);
}

int fs_source_poll(struct fs_source *s, int timeout_ms)
{
	return s->ops->poll(s, timeout_ms);
}

void fs_source_flush_losses(struct fs_source *s)
{
	s->ops->losses(s);
}

int fs_source_snapshot(struct fs_source *s)
{
	uint32_t gen = ++s->generation;
	int n = -ENOTSUP;

	if (s->ops->snapshot)
		n = s->ops->snapshot(s, gen);
	if (n < 0)
		n = fs_snapshot_procfs(s, gen);
	return n;
}

int fs_source_cow_sample(struct fs_source *s)
{
	return s->ops->cow_sample && s->cow_kind ? s->ops->cow_sample(s) :
						   -ENOTSUP;
}

const char *fs_source_cow_method(const struct fs_source *s)
{
	return s->cow_kind ? s->cow_method : NULL;
}

unsigned int fs_source_cow_kind(const struct fs_source *s)
{
	return s->cow_kind;
}

const struct fs_source_stats *fs_source_stats(const struct fs_source *s)
{
	return &s->stats;
}

const char *fs_source_describe(const struct fs_source *s)
{
	return s->describe;
}

void fs_source_close(struct fs_source *s)
{
	if (s)
		s->ops->close(s);
}
