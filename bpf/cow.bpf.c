// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copy-on-write accounting: per-process counters in task storage on the
 * group leader (cow.bpf.h), no record per fault. The loader enables the most exact set of hooks the
 * kernel allows: do_wp_page() (COW faults) and wp_page_copy() (pages
 * copied) by fentry or kprobe; else the x86 page-fault tracepoints, where
 * a write to a present, write-protected page, (error_code & 3) == 3, is a
 * write-protect fault.
 *
 * Each program is what the kernel requires: an fentry program is bound to
 * one function, and one kprobe program could not tell its two functions
 * apart. The two fault tracepoints share one event class (address, regs,
 * error_code), so one raw_tp program is attached to both.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "task.bpf.h"
#include "cow.bpf.h"

#define PF_PROT		0x1
#define PF_WRITE	0x2

/* The method in use, for the sample records; set by the loader. */
const volatile __u32 cow_method;

char LICENSE[] SEC("license") = "GPL";

/* Faults not counted: no storage could be made. Read by userspace. */
__u64 cow_drops;

/* Threads of one process may fault on two CPUs at once: add atomically. */
static __always_inline void count(bool copy)
{
	struct task_struct *leader = bpf_get_current_task_btf()->group_leader;
	struct fs_cow_count *c;

	c = bpf_task_storage_get(&cow_counts, leader, 0,
				 BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!c) {
		__sync_fetch_and_add(&cow_drops, 1);
		return;
	}
	if (copy)
		__sync_fetch_and_add(&c->copies, 1);
	else
		__sync_fetch_and_add(&c->faults, 1);
}

static __always_inline void count_wp(unsigned long error_code)
{
	if ((error_code & (PF_PROT | PF_WRITE)) == (PF_PROT | PF_WRITE))
		count(false);
}

SEC("fentry/do_wp_page")
int BPF_PROG(fentry_do_wp_page)
{
	count(false);
	return 0;
}

SEC("fentry/wp_page_copy")
int BPF_PROG(fentry_wp_page_copy)
{
	count(true);
	return 0;
}

SEC("kprobe/do_wp_page")
int BPF_KPROBE(kprobe_do_wp_page)
{
	count(false);
	return 0;
}

SEC("kprobe/wp_page_copy")
int BPF_KPROBE(kprobe_wp_page_copy)
{
	count(true);
	return 0;
}

/* Attached by the loader to page_fault_user and page_fault_kernel. */
SEC("raw_tp")
int fault_wp(struct bpf_raw_tracepoint_args *ctx)
{
	count_wp(ctx->args[2]);		/* error_code */
	return 0;
}

/* A sample: one FS_REC_COW per process that has counters. */
SEC("iter/task")
int cow_sample(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	struct fs_cow_count *c;
	struct fs_rec_cow r;

	if (!t || t->pid != t->tgid)
		return 0;
	c = bpf_task_storage_get(&cow_counts, t, 0, 0);
	if (!c)
		return 0;
	fill_hdr(&r.hdr, FS_REC_COW, sizeof(r), t, true);
	r.faults = c->faults;
	r.copies = c->copies;
	r.method = cow_method;
	r.reserved = 0;
	bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
	return 0;
}
