// SPDX-License-Identifier: GPL-2.0-only
/*
 * Process lifecycle producer: fork, exec, exit, wait, wait results and
 * reaps, written as include/forkscope/record.h records into one ring buffer.
 *
 * The sched_process_* hooks are tp_btf programs: typed arguments and
 * plain loads (a quarter of a fork record's cost went into probe-read
 * helper calls). There is no raw_tp fallback: the wait-result programs
 * need bpf_task_pt_regs() (5.15), far newer than tp_btf (5.5), so a kernel
 * without tp_btf could never load this object. Wait results come from the
 * wait4/waitid syscall exits, which exist only as classic tracepoints.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "task.bpf.h"
#include "fork_stack.h"
#include "cow.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* 6.16+ pass group_dead to sched_process_exit; set by the loader from BTF. */
const volatile bool exit_has_group_dead;
/* COW counting is on: read a process's counters out at its exit. */
const volatile bool cow_enabled;
/*
 * Wake the reader only once this much is unread: a wakeup is an irq_work
 * (a self-IPI, a VM exit in a guest) charged to the traced task. The
 * reader also drains on its poll timeout, so nothing waits longer.
 */
const volatile __u64 wakeup_bytes = 256 << 10;
/*
 * The exporter's mode: count events in the kernel (forkscope/counters.h)
 * and stream only the record types in stream_types (bit 1 << FS_REC_*),
 * what a counter cannot say (the zombies' parents, a fork's limit). Both
 * are constants to the verifier: a program pays for neither unless set.
 */
const volatile bool counting;
const volatile __u32 stream_types = ~0U;
/*
 * The exporter's too: of the exits, stream only a process's last (the
 * one that leaves a zombie, and when), not every thread's.
 */
const volatile bool process_exits_only;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FS_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

static __always_inline void count(__u32 idx)
{
	__u64 *c;

	if (!counting)
		return;
	c = bpf_map_lookup_elem(&counters, &idx);
	if (c)
		*c += 1;	/* this CPU's own slot: no atomic needed */
}

static __always_inline bool streamed(__u16 type)
{
	return stream_types & (1U << type);
}
/*
 * List the descriptors an exec'd image inherited (FS_REC_EXEC_FDS): set
 * by the loader for lint and trace --explain only. Off, the verifier
 * drops the code: other commands pay nothing at exec.
 */
const volatile bool exec_fds_enabled;

/* Kernels before 6.16: which exit of a process has claimed group_dead. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);	/* 64-bit: the BPF cmpxchg width */
} group_dead_claims SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);	/* resized by the loader */
} events SEC(".maps");

/* Records that found the ring buffer full, by type. Read by userspace. */
__u64 ringbuf_drops[FS_REC_TYPE_MAX];

static __always_inline void *reserve(__u16 type, __u32 size)
{
	void *rec = bpf_ringbuf_reserve(&events, size, 0);

	if (!rec)
		__sync_fetch_and_add(&ringbuf_drops[type], 1);
	return rec;
}

/*
 * Only the record that takes the unread bytes past wakeup_bytes wakes the
 * reader. Waking on every record above it cost each one a self-IPI (8 us
 * in this VM) for as long as the reader lagged; one wakeup is enough, as
 * the reader drains everything once awake.
 */
static __always_inline __u64 wakeup_flags(__u32 size)
{
	__u64 unread = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	__u64 took = size + BPF_RINGBUF_HDR_SZ;

	return unread >= wakeup_bytes && unread < wakeup_bytes + took ?
	       BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

static __always_inline void submit(struct fs_hdr *rec)
{
	bpf_ringbuf_submit(rec, wakeup_flags(rec->size));
}

/*
 * Fork stacks (FS_REC_FORK_STACK): for the target processes alone. Off
 * unless the loader asks (the verifier then drops the code); on, a fork
 * elsewhere pays one hash lookup, or none when every process is a target.
 */
const volatile bool stacks_enabled;
bool stacks_all;	/* every process is a target (trace --stacks) */
/* stack_targets: the targets, and whether they take the frame-pointer walk
 * (FS_TARGET_*); with stacks_all, those that skip it. */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);	/* tgid */
	__type(value, __u8);	/* FS_TARGET_* */
} stack_targets SEC(".maps");

struct stack_scratch {
	struct fs_rec_fork_stack r;
	__u64 ips[FS_STACK_MAX_IPS];
	/* The copy, then room for the verifier's bound on its last piece. */
	char copy[FS_STACK_COPY_MAX + 4096];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct stack_scratch);
} stack_scratch SEC(".maps");

#ifdef __TARGET_ARCH_x86
/*
 * Built in the scratch (ips, then the copy moved down to follow them) and
 * copied into the ring at the size it takes.
 */
static __always_inline void send_fork_stack(void *ctx,
					    struct task_struct *parent,
					    struct task_struct *child,
					    bool walk)
{
	struct stack_scratch *x;
	struct pt_regs *regs;
	__u32 size, used, nr = 0, len = 0;
	long got;

	x = bpf_map_lookup_elem(&stack_scratch, &(__u32){0});
	if (!x)
		return;
	fill_hdr(&x->r.hdr, FS_REC_FORK_STACK, sizeof(x->r), parent, true);
	x->r.child_pid = child->pid;
	x->r.child_tgid = child->tgid;
	x->r.child_start_ns = child->start_boottime;
	x->r.flags = 0;
	regs = (struct pt_regs *)bpf_task_pt_regs(parent);
	if (!parent->mm || !regs) {
		x->r.flags |= FS_FSTACK_NO_REGS;
		__builtin_memset(x->r.regs, 0, sizeof(x->r.regs));
	} else {
		user_regs(x->r.regs, regs);
		got = walk ? bpf_get_stack(ctx, x->ips, sizeof(x->ips),
					   BPF_F_USER_STACK) : 0;
		nr = got > 0 ? (__u64)got / 8 : 0;
		len = copy_user_stack(x->copy, &x->r.flags,
				      x->r.regs[FS_STACK_REG_SP],
				      BPF_CORE_READ(parent, mm, start_stack),
				      NULL);
	}
	/* Bounds the verifier sees on the registers used (no folding). */
	asm volatile("" : "+r"(nr), "+r"(len));
	if (nr > FS_STACK_MAX_IPS)
		nr = FS_STACK_MAX_IPS;
	if (len > FS_STACK_COPY_MAX)
		len = FS_STACK_COPY_MAX;
	asm volatile("" : "+r"(nr));
	nr &= 2 * FS_STACK_MAX_IPS - 1;	/* a no-op the verifier needs */
	/* The copy follows the addresses taken: move it down after them. */
	if (nr < FS_STACK_MAX_IPS && len)
		bpf_probe_read_kernel((char *)x->ips + nr * 8, len, x->copy);
	x->r.nr_ips = nr;
	x->r.stack_len = len;
	size = FS_FORK_STACK_SIZE(nr, len);
	/* Zero the padding (at most 7 bytes past the data). */
	used = nr * 8 + len;
	asm volatile("" : "+r"(used));
	if (used <= sizeof(x->ips) + FS_STACK_COPY_MAX)
		__builtin_memset((char *)x->ips + used, 0, 8);
	x->r.hdr.size = size;
	if (size > FS_FORK_STACK_MAX_SIZE ||
	    bpf_ringbuf_output(&events, x, size, wakeup_flags(size)))
		__sync_fetch_and_add(&ringbuf_drops[FS_REC_FORK_STACK], 1);
}
#else
static __always_inline void send_fork_stack(void *ctx,
					    struct task_struct *parent,
					    struct task_struct *child,
					    bool walk)
{
}
#endif

static __always_inline void fork_stack(void *ctx, struct task_struct *parent,
				       struct task_struct *child)
{
	__u32 tgid = parent->tgid;
	__u8 *target = NULL;

	if (!stacks_enabled)
		return;
	/* Forks of processes only: a thread never becomes a zombie. */
	if (child->pid != child->tgid)
		return;
	/* With every process a target, an entry only says to skip the walk. */
	target = bpf_map_lookup_elem(&stack_targets, &tgid);
	if (!target && !stacks_all)
		return;
	send_fork_stack(ctx, parent, child,
			!target || *target != FS_TARGET_COPY_ONLY);
}

static __always_inline int on_fork(void *ctx, struct task_struct *parent,
				   struct task_struct *child)
{
	__u32 flags = fs_fork_flags(child->pid, child->tgid, child->mm,
				    parent->mm);
	struct fs_rec_fork *r;

	count(fs_fork_counter(flags));
	if (!streamed(FS_REC_FORK))
		return 0;
	r = reserve(FS_REC_FORK, sizeof(*r));
	if (!r)
		return 0;
	fill_hdr(&r->hdr, FS_REC_FORK, sizeof(*r), parent, true);
	r->child_pid = child->pid;
	r->child_tgid = child->tgid;
	r->child_ppid = child->real_parent->tgid;
	r->flags = flags;
	r->child_start_ns = child->start_boottime;
	read_ident(child, &r->child);
	submit(&r->hdr);
	fork_stack(ctx, parent, child);
	return 0;
}

/* A string of exactly len-1 bytes fits; only a longer one is truncated. */
static __always_inline bool str_truncated(const char *src, long got, __u32 len)
{
	char next = 0;

	if (got < (long)len)
		return false;
	bpf_probe_read_kernel(&next, 1, src + len - 1);
	return next != 0;
}

/*
 * An exec record takes the bytes it uses: it is built here, then copied
 * into the ring at its size (a ring reservation's size must be constant).
 * A failed exec's record has the same layout.
 */
struct exec_scratch {
	struct fs_rec_exec r;
	/*
	 * The record's strings and padding, and room for the verifier's
	 * bound on where a failed exec's next argv string may go.
	 */
	char data[FS_FILENAME_LEN + 2 * FS_ARGS_LEN + 8];
};

/* What argv's bytes become when they cannot be read. */
static const char no_args[FS_ARGS_LEN];

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct exec_scratch);
} exec_scratch SEC(".maps");

/*
 * Pads the strings (used bytes of data, argv's zeros after a fault
 * included) to the record's size and sends it, or counts a drop.
 */
static __always_inline void send_exec(struct exec_scratch *x, __u16 type,
				      __u32 fn, __u32 len, __u32 used,
				      __u32 size)
{
	__u32 pad = used;

	/* Up to 7 bytes of padding after argv. */
	if (pad <= FS_FILENAME_LEN + FS_ARGS_LEN)	/* for the verifier */
		__builtin_memset(x->data + pad, 0, 8);
	x->r.filename_len = fn;
	x->r.args_len = len;
	x->r.hdr.size = size;
	/* Never larger (FS_EXEC_MAX_SIZE): a bound for the verifier. */
	if (size > FS_EXEC_MAX_SIZE ||
	    bpf_ringbuf_output(&events, x, size, wakeup_flags(size)))
		__sync_fetch_and_add(&ringbuf_drops[type], 1);
}

#define S_IFMT			00170000
#define S_IFSOCK		0140000
#define S_IFLNK			0120000
#define S_IFREG			0100000
#define S_IFBLK			0060000
#define S_IFDIR			0040000
#define S_IFCHR			0020000
#define S_IFIFO			0010000
#define ANON_INODE_FS_MAGIC	0x09041934
#define AF_INET			2
#define AF_INET6		10

struct exec_fds_scratch {
	struct fs_rec_exec_fds r;
	struct fs_exec_fd fd[FS_EXEC_FDS_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct exec_fds_scratch);
} exec_fds_scratch SEC(".maps");

/* The walk of one descriptor table, word by word of its open bitmap. */
struct fds_walk {
	struct exec_fds_scratch *x;
	struct file **fd;
	unsigned long *open;
};

static __always_inline __u16 fd_kind(__u32 mode, __u32 magic)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return FS_FD_REG;
	case S_IFDIR:
		return FS_FD_DIR;
	case S_IFCHR:
		return FS_FD_CHR;
	case S_IFBLK:
		return FS_FD_BLK;
	case S_IFIFO:
		return FS_FD_FIFO;
	case S_IFSOCK:
		return FS_FD_SOCK;
	case S_IFLNK:
		return FS_FD_LNK;
	}
	return magic == ANON_INODE_FS_MAGIC ? FS_FD_ANON : FS_FD_OTHER;
}

/* A socket's family and type, and for IP its addresses and ports. */
static __always_inline void fd_socket(struct fs_exec_fd *e, struct file *f)
{
	struct socket *sock = BPF_CORE_READ(f, private_data);
	struct sock *sk = BPF_CORE_READ(sock, sk);

	e->sock_type = BPF_CORE_READ(sock, type);
	e->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	e->port = BPF_CORE_READ(sk, __sk_common.skc_num);
	e->peer_port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (e->family == AF_INET) {
		__be32 a = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		__be32 d = BPF_CORE_READ(sk, __sk_common.skc_daddr);

		__builtin_memcpy(e->addr, &a, sizeof(a));
		__builtin_memcpy(e->peer_addr, &d, sizeof(d));
	} else if (e->family == AF_INET6) {
		BPF_CORE_READ_INTO(e->addr, sk, __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO(e->peer_addr, sk, __sk_common.skc_v6_daddr);
	} else {
		e->port = e->peer_port = 0;
	}
}

static __always_inline void fill_fd(struct fs_exec_fd *e, struct file *f,
				    int fd)
{
	struct inode *ino = BPF_CORE_READ(f, f_inode);
	struct super_block *sb = BPF_CORE_READ(ino, i_sb);
	__u32 mode = BPF_CORE_READ(ino, i_mode);

	__builtin_memset(e, 0, sizeof(*e));
	e->fd = fd;
	e->ino = BPF_CORE_READ(ino, i_ino);
	e->dev = BPF_CORE_READ(sb, s_dev);
	e->magic = BPF_CORE_READ(sb, s_magic);
	e->kind = fd_kind(mode, e->magic);
	if (e->kind == FS_FD_CHR || e->kind == FS_FD_BLK)
		e->dev = BPF_CORE_READ(ino, i_rdev);
	bpf_probe_read_kernel_str(e->name, sizeof(e->name),
				  BPF_CORE_READ(f, f_path.dentry, d_name.name));
	if (e->kind == FS_FD_SOCK)
		fd_socket(e, f);
}

/* The index of the one bit set in v. */
static __always_inline int bit_index(unsigned long v)
{
	int n = 0;

	if (v & 0xffffffff00000000UL)
		n += 32;
	if (v & 0xffff0000ffff0000UL)
		n += 16;
	if (v & 0xff00ff00ff00ff00UL)
		n += 8;
	if (v & 0xf0f0f0f0f0f0f0f0UL)
		n += 4;
	if (v & 0xccccccccccccccccUL)
		n += 2;
	if (v & 0xaaaaaaaaaaaaaaaaUL)
		n += 1;
	return n;
}

/* bpf_loop callback: the open descriptors of bitmap word w. */
static long walk_word(__u32 w, struct fds_walk *c)
{
	struct fs_rec_exec_fds *r = &c->x->r;
	unsigned long word;

	if (bpf_probe_read_kernel(&word, sizeof(word), c->open + w))
		return 1;
	if (w == 0)
		word &= ~7UL;	/* stdin, stdout, stderr */
	for (int i = 0; i < 64 && word; i++) {
		unsigned long low = word & -word;
		int fd = w * 64 + bit_index(low);
		struct file *f = NULL;

		word ^= low;
		r->count++;
		if (r->nr >= FS_EXEC_FDS_MAX) {
			r->flags |= FS_EXECFD_MORE;
			continue;
		}
		if (bpf_probe_read_kernel(&f, sizeof(f), c->fd + fd) || !f)
			continue;
		fill_fd(&c->x->fd[r->nr & (FS_EXEC_FDS_MAX - 1)], f, fd);
		r->nr++;
	}
	return 0;
}

/*
 * The descriptors above 2 the new image holds: all inherited, since
 * close-on-exec ones were closed before this tracepoint. Nothing is sent
 * when there are none, the usual case: one bitmap word read.
 */
static __always_inline void send_exec_fds(struct task_struct *p)
{
	struct exec_fds_scratch *x = bpf_map_lookup_elem(&exec_fds_scratch,
							 &(__u32){0});
	struct fdtable *fdt = BPF_CORE_READ(p, files, fdt);
	struct fds_walk c = { .x = x };
	unsigned int max;
	__u64 size;

	if (!x || !fdt)
		return;
	max = BPF_CORE_READ(fdt, max_fds);
	c.fd = BPF_CORE_READ(fdt, fd);
	c.open = BPF_CORE_READ(fdt, open_fds);
	x->r.count = 0;
	x->r.nr = 0;
	x->r.flags = max > FS_EXEC_FDS_SCAN ? FS_EXECFD_SCAN_CUT : 0;
	if (max > FS_EXEC_FDS_SCAN)
		max = FS_EXEC_FDS_SCAN;
	bpf_loop((max + 63) / 64, walk_word, &c, 0);
	if (!x->r.count)
		return;
	fill_hdr(&x->r.hdr, FS_REC_EXEC_FDS, sizeof(x->r), p, true);
	/*
	 * A 64-bit size the compiler cannot prove small, checked on the
	 * register passed: 6.1's verifier lost the bound of a 32-bit one
	 * (zero-extended in another register) and refused the program.
	 */
	size = sizeof(x->r) + (__u64)x->r.nr * sizeof(struct fs_exec_fd);
	asm volatile("" : "+r"(size));
	x->r.hdr.size = size;
	if (size > sizeof(*x) ||
	    bpf_ringbuf_output(&events, x, size, wakeup_flags(size)))
		__sync_fetch_and_add(&ringbuf_drops[FS_REC_EXEC_FDS], 1);
}

static __always_inline int on_exec(struct task_struct *p, pid_t old_pid,
				   struct linux_binprm *bprm)
{
	struct exec_scratch *x;
	struct fs_rec_exec *r;
	const char *filename;
	unsigned long start, end, len;
	__u32 size, fn, used;
	long got;

	count(FS_CNT_EXEC);
	if (!streamed(FS_REC_EXEC))
		return 0;
	x = bpf_map_lookup_elem(&exec_scratch, &(__u32){0});
	if (!x)
		return 0;
	r = &x->r;
	fill_hdr(&r->hdr, FS_REC_EXEC, sizeof(*r), p, true);
	r->old_pid = old_pid;
	r->flags = 0;
	r->reserved = 0;

	filename = bprm->filename;
	got = bpf_probe_read_kernel_str(x->data, FS_FILENAME_LEN, filename);
	if (got <= 0) {
		x->data[0] = 0;
		got = 1;
	} else if (str_truncated(filename, got, FS_FILENAME_LEN)) {
		r->flags |= FS_EXEC_FILENAME_TRUNC;
	}
	fn = got;
	if (fn > FS_FILENAME_LEN)	/* for the verifier */
		fn = FS_FILENAME_LEN;

	/* The new image's argv was copied to its stack before this fires. */
	start = p->mm->arg_start;
	end = p->mm->arg_end;
	len = end > start ? end - start : 0;
	if (len > FS_ARGS_LEN) {
		len = FS_ARGS_LEN;
		r->flags |= FS_EXEC_ARGS_TRUNC;
	}
	size = FS_EXEC_SIZE(fn, len);
	used = fn + len;
	if (len && bpf_probe_read_user(x->data + fn, len, (void *)start)) {
		bpf_probe_read_kernel(x->data + fn, len, no_args);
		len = 0;
		r->flags |= FS_EXEC_ARGS_FAULT;
	}
	send_exec(x, FS_REC_EXEC, fn, len, used, size);
	if (exec_fds_enabled)
		send_exec_fds(p);
	return 0;
}

/*
 * Takes the process's COW counters: it will fault no more. The exiting
 * task is current, whose leader the verifier trusts for task storage.
 */
static __always_inline void take_cow(struct fs_rec_exit *r)
{
	struct task_struct *leader = bpf_get_current_task_btf()->group_leader;
	struct fs_cow_count *c;

	c = bpf_task_storage_get(&cow_counts, leader, 0, 0);
	if (!c)
		return;	/* it never took a COW fault */
	r->cow_faults = c->faults;
	r->cow_copies = c->copies;
	bpf_task_storage_delete(&cow_counts, leader);
}

/*
 * Without the tracepoint's group_dead, a thread that was joined and a
 * leader calling exit_group() can both find signal->live at 0 here (the
 * tracepoint comes after exit_mm() woke the joiner). One exit per process
 * claims it, through storage on the leader, which goes with the task.
 */
static __always_inline bool claim_group_dead(struct signal_struct *sig)
{
	struct task_struct *leader = bpf_get_current_task_btf()->group_leader;
	__u64 *claimed;

	if (sig->live.counter != 0)
		return false;
	claimed = bpf_task_storage_get(&group_dead_claims, leader, 0,
				       BPF_LOCAL_STORAGE_GET_F_CREATE);
	return claimed && __sync_val_compare_and_swap(claimed, 0, 1) == 0;
}

static __always_inline int on_exit(struct task_struct *p, int group_dead)
{
	struct signal_struct *sig = p->signal;
	struct fs_exit_facts f = {};
	bool subreaper = false;
	struct fs_rec_exit *r;

	if (group_dead < 0)
		group_dead = claim_group_dead(sig);
	/* The process's status, as its parent's wait will read it. */
	if (counting && group_dead)
		count(fs_exit_counter(sig->flags & SIGNAL_GROUP_EXIT ?
				      sig->group_exit_code : p->exit_code));
	if (!streamed(FS_REC_EXIT) || (process_exits_only && !group_dead))
		return 0;
	r = reserve(FS_REC_EXIT, sizeof(*r));
	if (!r)
		return 0;
	fill_hdr(&r->hdr, FS_REC_EXIT, sizeof(*r), p, true);
	r->exit_code = p->exit_code;
	r->status = r->exit_code;
	r->cow_faults = 0;
	r->cow_copies = 0;
	r->heir = group_dead ? heir_of(p, &subreaper) : r->hdr.tgid;
	if (sig->flags & SIGNAL_GROUP_EXIT) {
		r->status = sig->group_exit_code;
		f.group_exit = 1;
	}
	f.thread = r->hdr.pid != r->hdr.tgid;
	f.group_dead = group_dead != 0;
	f.ptraced = p->ptrace != 0;
	f.parent_sigchld = sigchld_flags(p->real_parent);
	f.heir_subreaper = subreaper;
	r->flags = fs_exit_flags(&f);
	if (group_dead && cow_enabled)
		take_cow(r);
	submit(&r->hdr);
	return 0;
}

static __always_inline int on_wait(struct pid *pid)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	struct fs_rec_wait *r;

	if (!streamed(FS_REC_WAIT))
		return 0;
	r = reserve(FS_REC_WAIT, sizeof(*r));
	if (!r)
		return 0;
	fill_hdr(&r->hdr, FS_REC_WAIT, sizeof(*r), cur, true);
	r->wait_pid = pid ? pid->numbers[0].nr : 0;
	r->reserved = 0;
	submit(&r->hdr);
	return 0;
}

static __always_inline int on_free(struct task_struct *p)
{
	struct fs_rec_reap *r;

	if (!streamed(FS_REC_REAP))
		return 0;
	r = reserve(FS_REC_REAP, sizeof(*r));
	if (!r)
		return 0;
	fill_hdr(&r->hdr, FS_REC_REAP, sizeof(*r), p, false);
	submit(&r->hdr);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(btf_fork, struct task_struct *parent, struct task_struct *child)
{
	return on_fork(ctx, parent, child);
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(btf_exec, struct task_struct *p, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	return on_exec(p, old_pid, bprm);
}

SEC("tp_btf/sched_process_exit")
int btf_exit(__u64 *ctx)
{
	/* ctx[1] is only read where the verifier knows it exists. */
	return on_exit((void *)ctx[0], exit_has_group_dead ? (int)ctx[1] : -1);
}

SEC("tp_btf/sched_process_wait")
int BPF_PROG(btf_wait, struct pid *pid)
{
	return on_wait(pid);
}

/* After the move: the process's whole identity, whichever hierarchy. */
static __always_inline int on_cgroup_move(struct task_struct *t)
{
	struct fs_rec_cgroup *r;

	if (!streamed(FS_REC_CGROUP))
		return 0;
	r = reserve(FS_REC_CGROUP, sizeof(*r));
	if (!r)
		return 0;
	fill_hdr(&r->hdr, FS_REC_CGROUP, sizeof(*r), t, true);
	read_ident(t, &r->id);
	submit(&r->hdr);
	return 0;
}

SEC("tp_btf/cgroup_attach_task")
int BPF_PROG(btf_cgroup_attach, struct cgroup *dst, const char *path,
	     struct task_struct *t, bool threadgroup)
{
	return on_cgroup_move(t);
}

SEC("tp_btf/sched_process_free")
int BPF_PROG(btf_free, struct task_struct *p)
{
	return on_free(p);
}

/*
 * The syscall arguments are still in the waiter's user pt_regs at exit, so
 * no entry hook and no map are needed to find where the status went.
 */
static __always_inline int on_wait_result(long ret, __u16 syscall)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(cur);
	struct fs_rec_wait_result *r;
	void *uptr;
	int level;

	if (ret < 0)
		return 0;	/* ECHILD, EINTR, ...: nobody was waited for */
	if (!streamed(FS_REC_WAIT_RESULT))
		return 0;
	r = reserve(FS_REC_WAIT_RESULT, sizeof(*r));
	if (!r)
		return 0;
	fill_hdr(&r->hdr, FS_REC_WAIT_RESULT, sizeof(*r), cur, true);
	r->ret = ret;
	r->syscall = syscall;
	r->flags = 0;
	r->reserved = 0;
	r->status = 0;
	r->si_code = 0;
	if (syscall == FS_WAIT_SYS_WAIT4) {
		/* wait4(upid, stat_addr, options, rusage) */
		r->pid = ret;
		uptr = (void *)PT_REGS_PARM2_CORE_SYSCALL(regs);
		r->options = PT_REGS_PARM3_CORE_SYSCALL(regs);
		if (uptr && !bpf_probe_read_user(&r->status, 4, uptr))
			r->flags |= FS_WAITR_STATUS;
	} else {
		/* waitid(which, upid, infop, options, rusage) */
		siginfo_t *info = (void *)PT_REGS_PARM3_CORE_SYSCALL(regs);

		r->options = PT_REGS_PARM4_CORE_SYSCALL(regs);
		r->pid = 0;
		if (info &&
		    !bpf_probe_read_user(&r->pid, 4, &info->_sifields._sigchld._pid) &&
		    !bpf_probe_read_user(&r->status, 4, &info->_sifields._sigchld._status) &&
		    !bpf_probe_read_user(&r->si_code, 4, &info->si_code))
			r->flags |= FS_WAITR_STATUS;
	}
	level = cur->thread_pid->level;
	if (level > 0)
		r->flags |= FS_WAITR_NS_LOCAL;
	submit(&r->hdr);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_wait4")
int wait4_exit(struct trace_event_raw_sys_exit *ctx)
{
	return on_wait_result(ctx->ret, FS_WAIT_SYS_WAIT4);
}

SEC("tracepoint/syscalls/sys_exit_waitid")
int waitid_exit(struct trace_event_raw_sys_exit *ctx)
{
	return on_wait_result(ctx->ret, FS_WAIT_SYS_WAITID);
}

/*
 * A failed fork: the caller, the error, and where the limits stood. Read
 * only on failure; a fork that succeeds costs this program's entry.
 */
static __always_inline int on_fork_fail(long ret, __u16 syscall)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	struct pt_regs *regs;
	struct fs_rec_fork_fail *r;
	void *uargs;

	if (ret >= 0 || fs_syscall_restarted(ret))
		return 0;
	count(fs_fork_fail_counter(-ret));
	if (!streamed(FS_REC_FORK_FAIL))
		return 0;
	r = reserve(FS_REC_FORK_FAIL, sizeof(*r));
	if (!r)
		return 0;
	__builtin_memset((char *)r + sizeof(r->hdr), 0,
			 sizeof(*r) - sizeof(r->hdr));
	fill_hdr(&r->hdr, FS_REC_FORK_FAIL, sizeof(*r), cur, true);
	r->err = -ret;
	r->syscall = syscall;
	regs = (struct pt_regs *)bpf_task_pt_regs(cur);
	switch (syscall) {
	case FS_FORK_SYS_FORK:
		r->clone_flags = SIGCHLD;
		break;
	case FS_FORK_SYS_VFORK:
		r->clone_flags = CLONE_VM | CLONE_VFORK | SIGCHLD;
		break;
	case FS_FORK_SYS_CLONE:
		r->clone_flags = PT_REGS_PARM1_CORE_SYSCALL(regs);
		break;
	default:	/* clone3(struct clone_args *, size): flags first */
		uargs = (void *)PT_REGS_PARM1_CORE_SYSCALL(regs);
		if (bpf_probe_read_user(&r->clone_flags, 8, uargs))
			r->flags |= FS_FFAIL_FLAGS_FAULT;
	}
	read_fork_limits(cur, r);
	read_ident(cur, &r->id);
	submit(&r->hdr);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_fork")
int fork_exit(struct trace_event_raw_sys_exit *ctx)
{
	return on_fork_fail(ctx->ret, FS_FORK_SYS_FORK);
}

SEC("tracepoint/syscalls/sys_exit_vfork")
int vfork_exit(struct trace_event_raw_sys_exit *ctx)
{
	return on_fork_fail(ctx->ret, FS_FORK_SYS_VFORK);
}

SEC("tracepoint/syscalls/sys_exit_clone")
int clone_exit(struct trace_event_raw_sys_exit *ctx)
{
	return on_fork_fail(ctx->ret, FS_FORK_SYS_CLONE);
}

SEC("tracepoint/syscalls/sys_exit_clone3")
int clone3_exit(struct trace_event_raw_sys_exit *ctx)
{
	return on_fork_fail(ctx->ret, FS_FORK_SYS_CLONE3);
}

/* Whether the user string at src goes on past the len bytes read of it. */
static __always_inline bool user_str_longer(const char *src, __u32 len)
{
	char next = 0;

	bpf_probe_read_user(&next, 1, src + len - 1);
	return next != 0;
}

/* Where a failed exec's argv walk is, between bpf_loop() steps. */
struct argv_walk {
	const char *const *argv;
	__u64 off;	/* bytes of argv read; 64 bits: checked and used so */
	__u32 fn;	/* where argv starts in the scratch's data */
	__u32 flags;
};

/*
 * One argv string into the scratch, after those read. A bpf_loop() step,
 * not an unrolled loop: the 6.1 verifier gave up on 32 copies of this. The
 * last step only looks whether there was more.
 */
static int argv_step(__u32 i, struct argv_walk *w)
{
	struct exec_scratch *x = bpf_map_lookup_elem(&exec_scratch, &(__u32){0});
	const char *arg = NULL;
	__u64 off = w->off;
	__u32 fn = w->fn;
	long got;

	if (!x || fn > FS_FILENAME_LEN)		/* for the verifier */
		return 1;
	if (bpf_probe_read_user(&arg, sizeof(arg), &w->argv[i])) {
		/* Past the strings kept, only a pointer read says "more". */
		if (i < FS_EXEC_FAIL_ARGC)
			w->flags |= FS_EXEC_ARGS_FAULT;
		return 1;
	}
	if (!arg)
		return 1;
	if (i == FS_EXEC_FAIL_ARGC || off >= FS_ARGS_LEN) {
		w->flags |= FS_EXEC_ARGS_TRUNC;
		return 1;
	}
	got = bpf_probe_read_user_str(x->data + fn + off, FS_ARGS_LEN - off,
				      arg);
	if (got < 0) {
		w->flags |= FS_EXEC_ARGS_FAULT;
		return 1;
	}
	if (got == 0) {		/* "": the helper counts no NUL */
		x->data[fn + off] = 0;
		got = 1;
	}
	if (got == FS_ARGS_LEN - off && user_str_longer(arg, got)) {
		w->flags |= FS_EXEC_ARGS_TRUNC;
		w->off = FS_ARGS_LEN;
		return 1;
	}
	w->off = off + got;
	return 0;
}

/*
 * A failed exec: the caller still runs its old image, so the path and
 * argv it passed are still in its memory, found through the syscall's
 * arguments in its user pt_regs.
 */
static __always_inline int on_exec_fail(long ret, __u16 syscall)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	struct pt_regs *regs;
	struct fs_rec_exec_fail *r;
	struct exec_scratch *x;
	const char *filename;
	const char *const *argv;
	__u32 fn, len = 0, flags = 0;
	long got;

	if (ret >= 0 || fs_syscall_restarted(ret))
		return 0;
	count(fs_exec_fail_counter(-ret));
	if (!streamed(FS_REC_EXEC_FAIL))
		return 0;
	x = bpf_map_lookup_elem(&exec_scratch, &(__u32){0});
	if (!x)
		return 0;
	r = (struct fs_rec_exec_fail *)&x->r;
	fill_hdr(&r->hdr, FS_REC_EXEC_FAIL, sizeof(*r), cur, true);
	r->err = -ret;
	r->syscall = syscall;
	r->reserved = 0;
	regs = (struct pt_regs *)bpf_task_pt_regs(cur);
	if (syscall == FS_EXEC_SYS_EXECVE) {
		/* execve(filename, argv, envp) */
		filename = (void *)PT_REGS_PARM1_CORE_SYSCALL(regs);
		argv = (void *)PT_REGS_PARM2_CORE_SYSCALL(regs);
	} else {
		/* execveat(dfd, filename, argv, envp, flags) */
		filename = (void *)PT_REGS_PARM2_CORE_SYSCALL(regs);
		argv = (void *)PT_REGS_PARM3_CORE_SYSCALL(regs);
	}
	/* Past the point of no return the pointers lead into new memory. */
	if (cur->signal->flags & SIGNAL_GROUP_EXIT) {
		flags |= FS_EXEC_FAIL_FATAL;
		filename = NULL;
		argv = NULL;
	}
	got = filename ? bpf_probe_read_user_str(x->data, FS_FILENAME_LEN,
						 filename) : 0;
	if (got <= 0) {
		x->data[0] = 0;
		got = 1;
	} else if (got == FS_FILENAME_LEN &&
		   user_str_longer(filename, FS_FILENAME_LEN)) {
		flags |= FS_EXEC_FILENAME_TRUNC;
	}
	fn = got;
	if (fn > FS_FILENAME_LEN)	/* for the verifier */
		fn = FS_FILENAME_LEN;
	if (argv) {
		struct argv_walk w = { .argv = argv, .fn = fn };

		bpf_loop(FS_EXEC_FAIL_ARGC + 1, argv_step, &w, 0);
		flags |= w.flags;
		len = w.off;
	}
	if (len > FS_ARGS_LEN)		/* for the verifier */
		len = FS_ARGS_LEN;
	r->flags = flags;
	send_exec(x, FS_REC_EXEC_FAIL, fn, len, fn + len,
		  FS_EXEC_SIZE(fn, len));
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_execve")
int execve_exit(struct trace_event_raw_sys_exit *ctx)
{
	return on_exec_fail(ctx->ret, FS_EXEC_SYS_EXECVE);
}

SEC("tracepoint/syscalls/sys_exit_execveat")
int execveat_exit(struct trace_event_raw_sys_exit *ctx)
{
	return on_exec_fail(ctx->ret, FS_EXEC_SYS_EXECVEAT);
}
