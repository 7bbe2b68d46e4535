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
#include "decode.h"
#include "forkscope/counters.h"
#include "stack.h"
#include "forkscope/file.h"

enum fs_source_kind {
	FS_SOURCE_AUTO,		/* BPF if it loads, else the kernel module */
	FS_SOURCE_BPF,
	FS_SOURCE_KMOD,
};

/* "auto", "bpf", "kmod" -> kind; -1 for anything else. */
int fs_source_kind(const char *name);

struct fs_source_opts {
	enum fs_source_kind kind;
	/*
	 * A recording to read (forkscope record) instead of the kernel: the
	 * rest of the options are what the recording says.
	 */
	const char *input;
	size_t ring_bytes;	/* kernel buffer size; 0: default */
	bool cow;		/* count copy-on-write faults per process */
	/*
	 * Capture the user stack of the target processes' forks
	 * (FS_REC_FORK_STACK): fs_source_stack_target() names them. BPF
	 * only: the module refuses it.
	 */
	bool stacks;
	bool exec_fds;		/* list the descriptors each exec'd image
				 * inherited (FS_REC_EXEC_FDS) */
	bool verbose;		/* let libbpf and the kernel verifier talk */
	/*
	 * The exporter's mode (BPF only): count events in the kernel, read
	 * with fs_source_counters(), and leave the record types in
	 * no_stream (bit 1 << FS_REC_*) out of the stream; with
	 * process_exits_only, the exits of threads too (a process's last
	 * exit is streamed).
	 */
	bool counters;
	uint32_t no_stream;
	bool process_exits_only;
};

/* Returns non-zero to stop the poll early. */
typedef int (*fs_record_fn)(void *ctx, const struct fs_hdr *rec);


/* Opaque: callers hold it and use the functions below. */
struct fs_source;

/* NULL on failure, with fs_last_error() saying why in one line. */
struct fs_source *fs_source_open(const struct fs_source_opts *opts,
				 fs_record_fn fn, void *ctx);
/*
 * Waits up to timeout_ms for records and delivers them. Returns the number
 * delivered, or a negative errno (-EINTR when a signal came).
 */
int fs_source_poll(struct fs_source *s, int timeout_ms);
/*
 * Delivers what arrives until CLOCK_BOOTTIME ns, waiting at most 100 ms
 * live; a recording delivers exactly the records stamped up to ns (and a
 * snapshot begun, whole).
 */
int fs_source_poll_until(struct fs_source *s, uint64_t ns);
/* Delivers LOST records for losses counted since the last call. */
void fs_source_flush_losses(struct fs_source *s);
/*
 * Delivers one FS_REC_COW record per live process with COW counters.
 * -ENOTSUP when COW counting is off.
 */
int fs_source_cow_sample(struct fs_source *s);
/*
 * Delivers a PID budget reading (FS_REC_PIDS: every pids cgroup, then
 * the machine), for recordings; a recording's own come where they fell.
 * Returns the records delivered or a negative errno.
 */
int fs_source_pids_sample(struct fs_source *s);
/*
 * Sums the in-kernel counters (forkscope/counters.h) over the CPUs into
 * out[FS_CNT_MAX]. -ENOTSUP unless opened with counters.
 */
int fs_source_counters(struct fs_source *s, uint64_t *out);
/*
 * What a live process still shares of its memory with others (its
 * parent, after fork) and what is its own, in bytes, from
 * /proc/PID/smaps_rollup (Shared_Clean + Shared_Dirty, Private_Clean +
 * Private_Dirty). -errno when it cannot be read (gone, no such file).
 */
int fs_source_smaps_rollup(int32_t pid, int64_t *shared, int64_t *own);
/* What the COW counters count, for every output; NULL when off. */
const char *fs_source_cow_method(const struct fs_source *s);
/*
 * Whether exec-fds records come (asked for, and the producer makes
 * them; a recording: when it holds some, which is known only once read).
 */
bool fs_source_exec_fds(const struct fs_source *s);
/* FS_COW_* of the counters, 0 when off. */
unsigned int fs_source_cow_kind(const struct fs_source *s);
/* Whether pages copied are counted beside the faults. */
bool fs_source_cow_copies(const struct fs_source *s);

/*
 * Delivers a snapshot of every task that exists now (see snapshot.h), the
 * best way the source can: its kernel-side walk, else /proc. Returns the
 * number of tasks or a negative errno.
 */
int fs_source_snapshot(struct fs_source *s);
const struct fs_stream_stats *fs_source_stats(const struct fs_source *s);
/* Whether the kernel says which exit of a process was its last (6.16+). */
bool fs_source_exact_group_dead(const struct fs_source *s);
/*
 * A recording's: who recorded it, where and how; NULL when live. Its
 * start_ns is when watching began, as fs_session_start_ns().
 */
const struct fs_file_meta *fs_source_meta(const struct fs_source *s);
/*
 * Replay's clock: the time (CLOCK_BOOTTIME of the recording) up to which
 * records have been delivered; fs_boot_ns() when live.
 */
uint64_t fs_source_now(const struct fs_source *s);
/*
 * Replaying, the stamp of the next record not yet delivered (UINT64_MAX
 * past the last, or where the recording is cut); live, now.
 */
uint64_t fs_source_next_ns(struct fs_source *s);
/* A recording's END block, once read; NULL live or when it was cut. */
const struct fs_file_end *fs_source_end(const struct fs_source *s);
/* A recording has been read to its end (or where it was cut). */
bool fs_source_done(const struct fs_source *s);
/*
 * What a recording of this source says of where and how it was made:
 * the machine (host, kernel, boot), the clock, the hooks, the COW method.
 */
void fs_source_fill_meta(const struct fs_source *s, struct fs_file_meta *m);
/*
 * Fork stacks (opts.stacks): tgid's forks are captured from now (on) or
 * no longer (off); every process's with tgid 0 (on only). -ENOTSUP from
 * a source that captures none (a recording, or opened without stacks).
 */
int fs_source_stack_target(struct fs_source *s, int32_t tgid, bool on);
/*
 * Delivers what tgid's threads are doing now (FS_REC_TASK_NOW, the
 * leader first, at most FS_NOW_MAX_THREADS). Returns the records
 * delivered or a negative errno: -ENOTSUP from a source that cannot
 * look (the module, a recording).
 */
int fs_source_task_now(struct fs_source *s, int32_t tgid);
/*
 * The user stack of a fork-stack or task-now record, resolved against
 * the process as it is mapped now, or as its mappings were kept since
 * its first stack: unwound and named (see stack.h). Valid until the
 * next call; never NULL.
 */
const struct fs_stack *fs_source_resolve_stack(struct fs_source *s,
					       const struct fs_hdr *rec);
/*
 * One address in the record's process named (a signal handler's), as a
 * stack of one frame, method FS_STACK_EXITED when the process is gone.
 * Valid until the next call; never NULL.
 */
const struct fs_stack *fs_source_name_address(struct fs_source *s,
					      const struct fs_hdr *rec,
					      uint64_t addr);
/*
 * The kernel function addr is in (from /proc/kallsyms), NULL when
 * unknown or replaying (a recording carries its own names). Valid while
 * the source is open.
 */
const char *fs_source_kernel_symbol(struct fs_source *s, uint64_t addr);
/* tgid exec'd or exited: the mappings kept for it are dropped. */
void fs_source_forget_stacks(struct fs_source *s, int32_t tgid);
/* "bpf (tp_btf)": what was picked, for the user to see. */
const char *fs_source_describe(const struct fs_source *s);
void fs_source_close(struct fs_source *s);

#endif
