// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel-module source: records read from /dev/forkscope, which the
 * module writes in order, losses included. Snapshots and COW samples are
 * asked for by ioctl; the module writes them into the buffer before the
 * ioctl returns, so draining the device delivers them.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "forkscope/kmod.h"
#include "backends.h"
#include "core.h"

#define READ_BYTES	(64 * 1024)

struct kmod_source {
	struct fs_source base;
	int fd;
	char buf[READ_BYTES];
};

/* Delivers what the device holds now; records read, or -errno. */
static int drain(struct kmod_source *s)
{
	int total = 0;

	for (;;) {
		ssize_t n = read(s->fd, s->buf, sizeof(s->buf));
		size_t off = 0;

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return total;
		if (n < 0)
			return fs_error(errno, "cannot read %s: %s",
					FS_KMOD_DEVICE, strerror(errno));
		if (n == 0)
			return total;
		while (n - off >= sizeof(struct fs_hdr)) {
			const struct fs_hdr *h = (const void *)(s->buf + off);

			/* The module writes whole records: anything else is
			 * corrupt, and the rest of the read with it. */
			if (h->size < sizeof(*h) || h->size > n - off) {
				fs_source_deliver(&s->base, s->buf + off, n - off);
				break;
			}
			fs_source_deliver(&s->base, h, h->size);
			off += h->size;
			total++;
		}
	}
}

static int kmod_poll(struct fs_source *base, int timeout_ms)
{
	struct kmod_source *s = (struct kmod_source *)base;
	struct pollfd p = { .fd = s->fd, .events = POLLIN };

	if (poll(&p, 1, timeout_ms) < 0)
		return errno == EINTR ? -EINTR : -errno;
	return drain(s);
}

static int kmod_snapshot(struct fs_source *base, uint32_t gen)
{
	struct kmod_source *s = (struct kmod_source *)base;

	if (ioctl(s->fd, FS_IOC_SNAPSHOT, (unsigned long)gen))
		return -errno;
	return drain(s);
}

static int kmod_cow_sample(struct fs_source *base)
{
	struct kmod_source *s = (struct kmod_source *)base;

	if (ioctl(s->fd, FS_IOC_COW_SAMPLE, 0))
		return fs_error(errno, "cannot sample COW counters: %s",
				strerror(errno));
	return drain(s);
}

/* The module reports its losses in the stream itself. */
static void kmod_losses(struct fs_source *base)
{
}

static void kmod_close(struct fs_source *base)
{
	struct kmod_source *s = (struct kmod_source *)base;

	close(s->fd);
	free(s);
}

static const struct fs_source_ops kmod_ops = {
	.poll = kmod_poll,
	.snapshot = kmod_snapshot,
	.cow_sample = kmod_cow_sample,
	.losses = kmod_losses,
	.close = kmod_close,
};

struct fs_source *fs_source_kmod_open(const struct fs_source_opts *o)
{
	struct kmod_source *s = calloc(1, sizeof(*s));
	struct fs_kmod_info info;

	if (o->stacks) {
		fs_error(ENOTSUP, "the forkscope module captures no fork stacks: --stacks needs the BPF source");
		free(s);
		return NULL;
	}
	if (!s) {
		fs_error(ENOMEM, "out of memory");
		return NULL;
	}
	s->base.ops = &kmod_ops;
	s->fd = open(FS_KMOD_DEVICE, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (s->fd < 0) {
		int err = errno;

		if (err == ENOENT)
			fs_error(err, "no %s: load the kernel module (modprobe forkscope)",
				 FS_KMOD_DEVICE);
		else if (err == EACCES || err == EPERM)
			fs_error(err, "not allowed to open %s: run as root",
				 FS_KMOD_DEVICE);
		else if (err == EBUSY)
			fs_error(err, "%s is being read by another forkscope",
				 FS_KMOD_DEVICE);
		else
			fs_error(err, "cannot open %s: %s", FS_KMOD_DEVICE,
				 strerror(err));
		free(s);
		return NULL;
	}
	if (ioctl(s->fd, FS_IOC_INFO, &info)) {
		/* ENOTTY: a module from before the ioctls moved off 'F'. */
		fs_error(EPROTO, "the module behind %s does not answer this forkscope's info request (%s): it comes from another version; load the module built with this forkscope",
			 FS_KMOD_DEVICE, strerror(errno));
		kmod_close(&s->base);
		return NULL;
	}
	if (fs_abi_check(info.abi, "the forkscope module")) {
		kmod_close(&s->base);
		return NULL;
	}
	s->base.exact_group_dead = info.exact_group_dead;
	if (o->cow && info.cow_kind) {
		s->base.cow_kind = info.cow_kind;
		s->base.cow_copies = info.cow_copies;
		s->base.cow_method = info.cow_copies ?
			"COW faults and copies (kprobe do_wp_page, wp_page_copy)" :
			"COW faults (kprobe do_wp_page)";
	} else if (o->cow) {
		fs_error(ENOTSUP, "the forkscope module cannot count COW faults on this kernel (do_wp_page cannot be probed)");
		kmod_close(&s->base);
		return NULL;
	}
	snprintf(s->base.describe, sizeof(s->base.describe),
		 "kmod (%s; %llu KiB per CPU%s%s)", FS_KMOD_DEVICE,
		 (unsigned long long)info.buffer_bytes >> 10,
		 s->base.cow_kind ? "; COW: " : "",
		 s->base.cow_kind ? s->base.cow_method : "");
	return &s->base;
}
