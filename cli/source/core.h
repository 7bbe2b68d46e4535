/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The source core, for source implementations only: the struct behind the
 * opaque fs_source, and the one way every implementation hands records
 * on (checked by the decoder, counted, losses turned into LOST records).
 * It knows no implementation: bpf.c, kmod.c and procfs.c build on it, and
 * registry.c picks among them.
 */
#ifndef FS_SOURCE_CORE_H
#define FS_SOURCE_CORE_H

#include "idmap.h"
#include "ksyms.h"
#include "source.h"

struct fs_source_ops {
	int (*poll)(struct fs_source *s, int timeout_ms);
	/* Optional; returns -ENOTSUP (or any error) to fall back to /proc. */
	int (*snapshot)(struct fs_source *s, uint32_t generation);
	/* Optional. */
	int (*cow_sample)(struct fs_source *s);
	/* Optional: the in-kernel counters, summed. */
	int (*counters)(struct fs_source *s, uint64_t *out);
	void (*losses)(struct fs_source *s);	/* calls fs_source_lost() */
	void (*close)(struct fs_source *s);
	/* A recording's (file.c); live sources leave them NULL. */
	int (*poll_until)(struct fs_source *s, uint64_t ns);
	uint64_t (*next_ns)(struct fs_source *s);
	uint64_t (*now)(const struct fs_source *s);
	/* Optional: fork stacks of tgid on or off (0: every process). */
	int (*stack_target)(struct fs_source *s, int32_t tgid, bool on);
	/* Optional: whether tgid's fork stacks take the kernel's walk. */
	int (*stack_walk)(struct fs_source *s, int32_t tgid, bool walk);
	/* Optional: FS_REC_TASK_NOW records of tgid's threads. */
	int (*task_now)(struct fs_source *s, int32_t tgid);
	bool (*done)(const struct fs_source *s);
	const struct fs_file_meta *(*meta)(const struct fs_source *s);
	const struct fs_file_end *(*end)(const struct fs_source *s);
};

/* The machine's task limits: kernel.threads-max and kernel.pid_max. */
struct fs_kernel_limits {
	uint32_t threads_max;	/* 0: unreadable */
	uint32_t pid_max;	/* 0: unreadable */
};

struct fs_source {
	const struct fs_source_ops *ops;
	fs_record_fn fn;
	void *ctx;
	struct fs_stream_stats stats;
	uint32_t generation;	/* of the last snapshot */
	unsigned int cow_kind;	/* FS_COW_*, 0: off */
	bool exact_group_dead;	/* the kernel says which exit was last */
	bool cow_copies;	/* pages copied are counted too */
	bool exec_fds;		/* exec-fds records are made */
	/*
	 * Replaying a recording: its records were completed and its cgroups
	 * named when they were recorded, on another machine maybe; nothing
	 * is read from this one.
	 */
	bool replay;
	enum fs_source_kind kind;	/* BPF or the module: which opened */
	const char *cow_method;
	char describe[256];
	/* Cgroup ids whose path this stream has told, by FS_CGROUP_* - 1. */
	struct fs_idmap named[2];
	/* The sysctls failed forks are judged by, and when they were read. */
	struct fs_kernel_limits limits;
	uint64_t limits_read_ns;
	struct fs_stacks *stacks;	/* made at the first stack resolved */
	struct fs_ksyms *ksyms;		/* read at the first kernel address */
	bool ksyms_failed;
	struct fs_idmap walk_off;	/* tgids whose forks skip the walk */
};

/*
 * Delivers the records read from fd until end of file (a BPF iterator's
 * output), of size bytes each, or of the sizes their headers say (size
 * 0); each is shown to seen (may be NULL) first. Returns
 * how many, or a negative errno.
 */
int fs_source_deliver_fd(struct fs_source *s, int fd, size_t size,
			 void (*seen)(void *ctx, const struct fs_hdr *rec),
			 void *ctx);
/*
 * Delivers one record the decoder has already checked (a recording's
 * reader checks each one): no second check on the replay's hot path.
 */
int fs_source_deliver_checked(struct fs_source *s, const struct fs_hdr *h);
/* Checks and delivers one record; returns the callback's verdict. */
int fs_source_deliver(struct fs_source *s, const void *data, size_t len);
/* Reports count records of rec_type lost for reason (FS_LOST_*). */
void fs_source_lost(struct fs_source *s, uint32_t reason, uint32_t rec_type,
		    uint64_t count);

/*
 * The header of a record the reader makes itself (a loss, a snapshot's
 * bounds): no subject task, stamped now.
 */
void fs_source_synth_hdr(struct fs_hdr *h, uint16_t type, uint16_t size);
/*
 * Forgets which cgroups were named, so that a snapshot names again every
 * cgroup in use (a reader that resynced may have dropped names).
 */
void fs_source_forget_names(struct fs_source *s);
/* The SYNC record that opens or closes a snapshot. */
void fs_source_sync(struct fs_source *s, uint32_t phase, uint32_t generation,
		    uint32_t method, uint32_t count);

#endif
