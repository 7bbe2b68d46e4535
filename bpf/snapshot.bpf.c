// SPDX-License-Identifier: GPL-2.0-only
/*
 * Snapshot producer: one FS_REC_TASK record per task that exists, threads
 * and zombies included, written to the iterator's seq_file. Reading the
 * iterator walks the task list in the kernel: no /proc parsing, no race
 * between reading a task's fields.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "task.bpf.h"

char LICENSE[] SEC("license") = "GPL";

SEC("iter/task")
int snapshot(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	struct fs_rec_task r;
	unsigned int pflags;

	if (!t)
		return 0;
	fill_hdr(&r.hdr, FS_REC_TASK, sizeof(r), t, true);
	pflags = BPF_CORE_READ(t, flags);
	r.flags = sigchld_flags(t);
	if (BPF_CORE_READ(t, exit_state) & EXIT_ZOMBIE)
		r.flags |= FS_SNAP_ZOMBIE;
	if (pflags & PF_KTHREAD)
		r.flags |= FS_SNAP_KTHREAD;
	if (pflags & PF_EXITING)
		r.flags |= FS_SNAP_EXITING;
	if (is_subreaper(t))
		r.flags |= FS_SNAP_SUBREAPER;
	/* What a waiter would be given, as in the exit record. */
	r.status = BPF_CORE_READ(t, signal, flags) & SIGNAL_GROUP_EXIT ?
		      BPF_CORE_READ(t, signal, group_exit_code) :
		      BPF_CORE_READ(t, exit_code);
	read_ident(t, &r.id);
	bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
	return 0;
}
