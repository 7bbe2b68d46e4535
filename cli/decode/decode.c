// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "common.h"
#include "decode.h"
#include "stack.h"

static const struct {
	const char *name;
	size_t size;
} rec_types[FS_REC_TYPE_MAX] = {
	[FS_REC_FORK]		= { "fork",	sizeof(struct fs_rec_fork) },
	[FS_REC_EXEC]		= { "exec",	sizeof(struct fs_rec_exec) },
	[FS_REC_EXIT]		= { "exit",	sizeof(struct fs_rec_exit) },
	[FS_REC_WAIT]		= { "wait",	sizeof(struct fs_rec_wait) },
	[FS_REC_WAIT_RESULT]	= { "waited",	sizeof(struct fs_rec_wait_result) },
	[FS_REC_REAP]		= { "reap",	sizeof(struct fs_rec_reap) },
	[FS_REC_LOST]		= { "lost",	sizeof(struct fs_rec_lost) },
	[FS_REC_TASK]		= { "task",	sizeof(struct fs_rec_task) },
	[FS_REC_SYNC]		= { "sync",	sizeof(struct fs_rec_sync) },
	[FS_REC_COW]		= { "cow",	sizeof(struct fs_rec_cow) },
	[FS_REC_CGROUP]		= { "cgroup",	sizeof(struct fs_rec_cgroup) },
	[FS_REC_CGROUP_PATH]	= { "cgroup-path",
				    sizeof(struct fs_rec_cgroup_path) },
	[FS_REC_FORK_FAIL]	= { "fork-failed",
				    sizeof(struct fs_rec_fork_fail) },
	[FS_REC_EXEC_FAIL]	= { "exec-failed",
				    sizeof(struct fs_rec_exec_fail) },
	[FS_REC_PIDS]		= { "pids",	sizeof(struct fs_rec_pids) },
	[FS_REC_FORK_STACK]	= { "fork-stack",
				    sizeof(struct fs_rec_fork_stack) },
	[FS_REC_EXEC_FDS]	= { "exec-fds",	sizeof(struct fs_rec_exec_fds) },
	[FS_REC_TASK_NOW]	= { "task-now",	sizeof(struct fs_rec_task_now) },
	[FS_REC_FRAMES]		= { "frames",	sizeof(struct fs_rec_frames) },
};

/* One reader of exec strings serves both: the layouts must agree. */
#define SAME_FIELD(f)							\
	_Static_assert(offsetof(struct fs_rec_exec, f) ==		\
		       offsetof(struct fs_rec_exec_fail, f), #f)
SAME_FIELD(flags);
SAME_FIELD(filename_len);
SAME_FIELD(args_len);
_Static_assert(sizeof(struct fs_rec_exec) == sizeof(struct fs_rec_exec_fail),
	       "exec layouts");

/* Generated (the Makefile): the syscalls' names by number. */
extern const char *const fs_syscall_names[];
extern const unsigned int fs_nr_syscall_names;

const char *fs_syscall_name(int nr)
{
	return nr >= 0 && (unsigned int)nr < fs_nr_syscall_names ?
	       fs_syscall_names[nr] : NULL;
}

const char *fs_record_name(unsigned int type)
{
	return type < FS_REC_TYPE_MAX && rec_types[type].name ?
	       rec_types[type].name : "?";
}

unsigned int fs_record_type(const char *name)
{
	for (unsigned int t = 1; t < FS_REC_TYPE_MAX; t++)
		if (rec_types[t].name && !strcmp(rec_types[t].name, name))
			return t;
	return 0;
}

static bool has_nul(const char *s, size_t len)
{
	return memchr(s, 0, len) != NULL;
}

int fs_abi_check(unsigned int abi, const char *writer)
{
	if (abi == FS_ABI_VERSION)
		return 0;
	if (abi < FS_ABI_VERSION)
		return fs_error(EPROTO, "%s writes record ABI %u, older than the %u this forkscope reads: use %s as built with this forkscope",
				writer, abi, FS_ABI_VERSION, writer);
	return fs_error(EPROTO, "%s writes record ABI %u, newer than the %u this forkscope reads: use a forkscope that reads ABI %u",
			writer, abi, FS_ABI_VERSION, abi);
}

/* The variable part of a record whose fixed part is checked. */
static const char *var_part(const struct fs_hdr *h, size_t *len)
{
	*len = h->size - h->fixed;
	return (const char *)h + h->fixed;
}

static int check_exec(const struct fs_rec_exec *e)
{
	size_t len;
	const char *v = var_part(&e->hdr, &len);

	if (e->filename_len < 1 || e->filename_len > FS_FILENAME_LEN ||
	    e->args_len > FS_ARGS_LEN ||
	    (size_t)e->filename_len + e->args_len > len)
		return fs_error(EBADMSG, "%s record's filename (%u) and args (%u) do not fit its %zu bytes",
				fs_record_name(e->hdr.type), e->filename_len, e->args_len, len);
	if (v[e->filename_len - 1])
		return fs_error(EBADMSG, "%s record has an unterminated filename",
				fs_record_name(e->hdr.type));
	return 0;
}

static int check_cgroup_path(const struct fs_rec_cgroup_path *c)
{
	size_t len;
	const char *v = var_part(&c->hdr, &len);

	if (c->path_len < 1 || c->path_len > FS_CGROUP_PATH_LEN ||
	    c->path_len > len || v[c->path_len - 1])
		return fs_error(EBADMSG, "cgroup-path record has a path of %u bytes in %zu",
				c->path_len, len);
	return 0;
}

static int check_pids(const struct fs_rec_pids *p)
{
	size_t len;
	const char *v = var_part(&p->hdr, &len);
	bool machine = p->flags & FS_PIDS_MACHINE;

	if (machine ? p->path_len != 0 :
	    (p->path_len < 2 || p->path_len > FS_CGROUP_PATH_LEN ||
	     p->path_len > len || v[p->path_len - 1] || v[0] != '/'))
		return fs_error(EBADMSG, "pids record has a path of %u bytes in %zu",
				p->path_len, len);
	if (p->hierarchy > FS_PIDS_V2)
		return fs_error(EBADMSG, "pids record of hierarchy %u",
				p->hierarchy);
	return 0;
}

static int check_fork_stack(const struct fs_rec_fork_stack *r)
{
	size_t len;

	var_part(&r->hdr, &len);
	if (r->nr_ips > FS_STACK_MAX_IPS || r->stack_len > FS_STACK_COPY_MAX ||
	    (size_t)r->nr_ips * 8 + r->stack_len > len)
		return fs_error(EBADMSG, "fork-stack record's %u addresses and %u stack bytes do not fit its %zu bytes",
				r->nr_ips, r->stack_len, len);
	return 0;
}

static int check_task_now(const struct fs_rec_task_now *r)
{
	size_t len;

	var_part(&r->hdr, &len);
	if (r->nr_kips > FS_NOW_MAX_KIPS || r->stack_len > FS_STACK_COPY_MAX ||
	    (size_t)r->nr_kips * 8 + r->stack_len > len)
		return fs_error(EBADMSG, "task-now record's %u kernel addresses and %u stack bytes do not fit its %zu bytes",
				r->nr_kips, r->stack_len, len);
	if (r->index >= FS_NOW_MAX_THREADS || !r->state ||
	    r->state > FS_NOW_IDLE)
		return fs_error(EBADMSG, "task-now record has thread index %u, state %u",
				r->index, r->state);
	return 0;
}

const struct fs_rec_frame *fs_frames_of(const struct fs_rec_frames *r)
{
	return (const void *)((const char *)r + r->hdr.fixed);
}

/* Frames and strings that fit, the strings NUL-ended, offsets in them. */
static int check_frames(const struct fs_rec_frames *r)
{
	const struct fs_rec_frame *f = fs_frames_of(r);
	const char *strings = (const char *)(f + r->nr);
	size_t len;

	var_part(&r->hdr, &len);
	if (r->nr > FS_STACK_MAX_IPS || r->what > FS_FRAMES_KERNEL ||
	    r->method > FS_STACK_EXITED ||
	    (r->rec_type != FS_REC_FORK_STACK &&
	     r->rec_type != FS_REC_TASK_NOW) ||
	    (size_t)r->nr * sizeof(*f) + r->strings_len > len ||
	    (r->strings_len && strings[r->strings_len - 1]))
		return fs_error(EBADMSG, "frames record of %u frames, %u bytes of names does not fit its %zu bytes",
				r->nr, r->strings_len, len);
	for (unsigned int i = 0; i < r->nr; i++)
		if (f[i].module > r->strings_len ||
		    f[i].build_id > r->strings_len ||
		    f[i].function > r->strings_len ||
		    f[i].file > r->strings_len)
			return fs_error(EBADMSG, "frames record names a string past its end");
	return 0;
}

/* Entries that fit, each name NUL-ended. */
static int check_exec_fds(const struct fs_rec_exec_fds *r)
{
	const struct fs_exec_fd *e = fs_exec_fds(r);

	if (r->nr > FS_EXEC_FDS_MAX ||
	    r->hdr.fixed + (size_t)r->nr * sizeof(*e) > r->hdr.size)
		return fs_error(EBADMSG, "exec-fds record lists %u descriptors in %u bytes",
				r->nr, r->hdr.size);
	for (unsigned int i = 0; i < r->nr; i++)
		if (!has_nul(e[i].name, sizeof(e[i].name)))
			return fs_error(EBADMSG, "exec-fds record has an unterminated name");
	return 0;
}

int fs_record_check(const void *buf, size_t len)
{
	const struct fs_hdr *h = buf;

	if (len < sizeof(*h))
		return fs_error(EBADMSG, "record of %zu bytes is shorter than its header",
				len);
	/* A type this reader has no entry for (16: another branch's). */
	if (h->type == 0 || h->type >= FS_REC_TYPE_MAX ||
	    !rec_types[h->type].name)
		return fs_error(EBADMSG, "record of unknown type %u", h->type);
	if (h->fixed < rec_types[h->type].size || h->fixed % 8 ||
	    h->size < h->fixed || h->size > len || h->size % 8)
		return fs_error(EBADMSG, "%s record has size %u, fixed part %u (want %zu, %zu available)",
				fs_record_name(h->type), h->size, h->fixed,
				rec_types[h->type].size, len);
	if (!has_nul(h->comm, sizeof(h->comm)))
		return fs_error(EBADMSG, "%s record has an unterminated comm",
				fs_record_name(h->type));
	if (h->type == FS_REC_EXEC || h->type == FS_REC_EXEC_FAIL)
		return check_exec(buf);
	if (h->type == FS_REC_CGROUP_PATH)
		return check_cgroup_path(buf);
	if (h->type == FS_REC_PIDS)
		return check_pids(buf);
	if (h->type == FS_REC_FORK_STACK)
		return check_fork_stack(buf);
	if (h->type == FS_REC_EXEC_FDS)
		return check_exec_fds(buf);
	if (h->type == FS_REC_TASK_NOW)
		return check_task_now(buf);
	if (h->type == FS_REC_FRAMES)
		return check_frames(buf);
	return 0;
}

const struct fs_exec_fd *fs_exec_fds(const struct fs_rec_exec_fds *r)
{
	return (const void *)((const char *)r + r->hdr.fixed);
}

const char *fs_exec_filename(const struct fs_rec_exec *r)
{
	return (const char *)r + r->hdr.fixed;
}

const char *fs_exec_args(const struct fs_rec_exec *r)
{
	return fs_exec_filename(r) + r->filename_len;
}

const char *fs_cgroup_path(const struct fs_rec_cgroup_path *r)
{
	return (const char *)r + r->hdr.fixed;
}

const uint64_t *fs_fork_stack_ips(const struct fs_rec_fork_stack *r)
{
	return (const uint64_t *)((const char *)r + r->hdr.fixed);
}

const unsigned char *fs_fork_stack_copy(const struct fs_rec_fork_stack *r)
{
	return (const unsigned char *)(fs_fork_stack_ips(r) + r->nr_ips);
}

const uint64_t *fs_task_now_kips(const struct fs_rec_task_now *r)
{
	return (const uint64_t *)((const char *)r + r->hdr.fixed);
}

int fs_ustack_of(const struct fs_hdr *h, struct fs_ustack *u)
{
	const struct fs_rec_fork_stack *f = (const void *)h;
	const struct fs_rec_task_now *n = (const void *)h;

	u->hdr = h;
	switch (h->type) {
	case FS_REC_FORK_STACK:
		u->regs = f->flags & FS_FSTACK_NO_REGS ? NULL :
			  (const uint64_t *)f->regs;
		u->ips = fs_fork_stack_ips(f);
		u->nr_ips = f->nr_ips;
		u->copy = fs_fork_stack_copy(f);
		u->copy_len = f->stack_len;
		return 0;
	case FS_REC_TASK_NOW:
		u->regs = n->stack_flags & FS_FSTACK_NO_REGS ? NULL :
			  (const uint64_t *)n->regs;
		u->ips = NULL;
		u->nr_ips = 0;
		u->copy = (const unsigned char *)(fs_task_now_kips(n) +
						  n->nr_kips);
		u->copy_len = n->stack_len;
		return 0;
	default:
		return -EINVAL;
	}
}

const char *fs_pids_path(const struct fs_rec_pids *r)
{
	return r->path_len ? (const char *)r + r->hdr.fixed : "";
}

const struct fs_ident *fs_record_ident(const struct fs_hdr *h)
{
	switch (h->type) {
	case FS_REC_FORK:
		return &((const struct fs_rec_fork *)h)->child;
	case FS_REC_TASK:
		return &((const struct fs_rec_task *)h)->id;
	case FS_REC_CGROUP:
		return &((const struct fs_rec_cgroup *)h)->id;
	case FS_REC_FORK_FAIL:
		return &((const struct fs_rec_fork_fail *)h)->id;
	default:
		return NULL;
	}
}

unsigned int fs_wait_result_status(const struct fs_rec_wait_result *r)
{
	if (r->syscall != FS_WAIT_SYS_WAITID)
		return r->status;
	switch (r->si_code) {
	case CLD_EXITED:
		return (r->status & 0xff) << 8;
	case CLD_KILLED:
		return r->status & 0x7f;
	case CLD_DUMPED:
		return (r->status & 0x7f) | WCOREFLAG;
	case CLD_STOPPED:
	case CLD_TRAPPED:
		return ((r->status & 0xff) << 8) | 0x7f;
	case CLD_CONTINUED:
		return 0xffff;
	default:
		return 0;
	}
}

bool fs_wait_result_reaped(const struct fs_rec_wait_result *r)
{
	unsigned int st = fs_wait_result_status(r);

	if (r->pid <= 0 || !(r->flags & FS_WAITR_STATUS) ||
	    (r->options & WNOWAIT))
		return false;
	return WIFEXITED(st) || WIFSIGNALED(st);
}

int fs_exec_for_each_arg(const struct fs_rec_exec *r,
			 int (*fn)(void *ctx, const char *arg), void *ctx)
{
	const char *args = fs_exec_args(r);
	char arg[FS_ARGS_LEN + 1];
	size_t off = 0;
	int n = 0;

	while (off < r->args_len) {
		size_t end = off;

		while (end < r->args_len && args[end])
			end++;
		/* A truncated last string has no NUL: copy and end it. */
		memcpy(arg, args + off, end - off);
		arg[end - off] = 0;
		n++;
		if (fn(ctx, arg))
			break;
		off = end + 1;
	}
	return n;
}

bool fs_lost_lifecycle(uint32_t reason)
{
	return reason == FS_LOST_RINGBUF || reason == FS_LOST_RECURSION ||
	       reason == FS_LOST_READER;
}

bool fs_lost_cow(uint32_t reason)
{
	return reason == FS_LOST_COW_MAP || reason == FS_LOST_COW_SKIPPED;
}

/* The pid allocator leaves the first pids to early tasks once it wraps. */
#define RESERVED_PIDS	300

enum fs_fork_limit fs_fork_fail_limit(const struct fs_rec_fork_fail *r)
{
	if (r->err == ENOMEM)
		return r->flags & FS_FFAIL_PIDNS_DEAD ? FS_LIMIT_PIDNS_DEAD :
							FS_LIMIT_MEMORY;
	if (r->err != EAGAIN)
		return FS_LIMIT_NONE;
	/*
	 * In copy_process()'s order, the first limit found full refused it;
	 * but tasks can only over-count the threads threads-max counts, and
	 * a full pid space is only ever likely (see decode.h), while a pids
	 * cgroup found at its pids.max is certain: that comes first.
	 */
	if (!(r->flags & FS_FFAIL_PRIVILEGED) && r->nproc >= r->nproc_max)
		return FS_LIMIT_NPROC;
	if (r->pids_cgroup)
		return FS_LIMIT_PIDS_CGROUP;
	if (r->threads_max && r->tasks >= r->threads_max)
		return FS_LIMIT_THREADS;
	if (r->pid_max && r->tasks + RESERVED_PIDS >= r->pid_max)
		return FS_LIMIT_PID_MAX;
	return FS_LIMIT_UNKNOWN;
}

const char *fs_fork_limit_name(enum fs_fork_limit l)
{
	static const char *const names[] = {
		[FS_LIMIT_NONE] = "none",
		[FS_LIMIT_NPROC] = "RLIMIT_NPROC",
		[FS_LIMIT_THREADS] = "threads-max",
		[FS_LIMIT_PID_MAX] = "pid_max",
		[FS_LIMIT_PIDS_CGROUP] = "pids.max",
		[FS_LIMIT_MEMORY] = "memory",
		[FS_LIMIT_PIDNS_DEAD] = "pid namespace without init",
		[FS_LIMIT_UNKNOWN] = "unknown",
	};

	return l < sizeof(names) / sizeof(names[0]) ? names[l] : "?";
}

const char *fs_errno_name(int err)
{
	static char buf[32];
	const char *name = strerrorname_np(err);

	if (name)
		return name;
	snprintf(buf, sizeof(buf), "errno %d", err);
	return buf;
}

const char *fs_stack_method_name(enum fs_stack_method m)
{
	static const char *const names[] = {
		[FS_STACK_NONE] = "none", [FS_STACK_DWARF] = "dwarf",
		[FS_STACK_FP] = "fp", [FS_STACK_EXITED] = "exited",
	};

	return m < ARRAY_SIZE(names) ? names[m] : "?";
}

/* The C library's ways into fork: a call site is who called them. */
static bool fork_wrapper(const char *fn)
{
	static const char *const names[] = {
		"fork", "_Fork", "__libc_fork", "__fork", "vfork", "__vfork",
		"clone", "__clone", "clone3", "__clone3", "__clone_internal",
		"__clone3_internal", "__clone_internal_fallback",
		"arch_fork", "posix_spawn", "__spawni", "__spawnix",
	};

	for (size_t i = 0; fn && i < ARRAY_SIZE(names); i++)
		if (!strcmp(fn, names[i]))
			return true;
	return false;
}

uint32_t fs_stack_site_frame(const struct fs_stack *s)
{
	uint32_t i = 0;

	/* An unnamed frame is skipped only in the C library itself. */
	while (i + 1 < s->nr && (fork_wrapper(s->frames[i].function) ||
				 (!s->frames[i].function && s->frames[i].module &&
				  strstr(s->frames[i].module, "/libc.so"))))
		i++;
	return i < s->nr ? i : 0;
}
