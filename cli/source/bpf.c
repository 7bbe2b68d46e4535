// SPDX-License-Identifier: GPL-2.0-only
/*
 * The BPF source: loads bpf/lifecycle.bpf.c (tp_btf programs), attaches,
 * and drains the ring
 * buffer. Losses come from two counters: ring-buffer reservations that
 * failed (counted by the programs) and program runs the kernel skipped
 * (bpf_prog_info.recursion_misses).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "common.h"
#include "backends.h"
#include "core.h"
#include "procfs.h"
#include "cow.skel.h"
#include "lifecycle.skel.h"
#include "snapshot.skel.h"
#include "task_now.skel.h"
#include "fork_stack.h"

#define DEFAULT_RING_BYTES	(16U << 20)
#define WAKEUP_BYTES_MAX	(256U << 10)

/* A program and, for a raw_tp one, the tracepoint it is attached to. */
struct cow_hook {
	const char *prog;
	const char *raw_tp;
};

/* COW hook sets, most exact first: the first that loads and attaches wins. */
static const struct cow_method {
	struct cow_hook hooks[2];	/* the second is optional */
	bool copies;			/* the second counts pages copied */
	unsigned int kind;
	const char *name;
} cow_methods[] = {
	{ { { .prog = "fentry_do_wp_page" }, { .prog = "fentry_wp_page_copy" } },
	  true, FS_COW_DO_WP_PAGE,
	  "COW faults and copies (fentry do_wp_page, wp_page_copy)" },
	{ { { .prog = "fentry_do_wp_page" } }, false, FS_COW_DO_WP_PAGE,
	  "COW faults (fentry do_wp_page)" },
	{ { { .prog = "kprobe_do_wp_page" }, { .prog = "kprobe_wp_page_copy" } },
	  true, FS_COW_DO_WP_PAGE,
	  "COW faults and copies (kprobe do_wp_page, wp_page_copy)" },
	{ { { .prog = "kprobe_do_wp_page" } }, false, FS_COW_DO_WP_PAGE,
	  "COW faults (kprobe do_wp_page)" },
	{ { { "fault_wp", "page_fault_user" },
	    { "fault_wp", "page_fault_kernel" } }, false, FS_COW_WP_FAULTS,
	  "write-protect faults (exceptions:page_fault_user/kernel)" },
};

struct bpf_source {
	struct fs_source base;
	struct lifecycle_bpf *skel;
	struct cow_bpf *cow;
	struct bpf_link *cow_iter;	/* the sampler, made at first use */
	struct bpf_link *cow_links[2];
	uint64_t seen_cow_drops;
	struct snapshot_bpf *snap;	/* loaded at the first snapshot */
	struct bpf_link *snap_link;
	bool snap_failed;
	struct task_now_bpf *now;	/* loaded at the first look */
	bool now_failed;
	struct ring_buffer *rb;
	struct bpf_link *links[16];
	int nr_links;
	uint64_t seen_drops[FS_REC_TYPE_MAX];
	uint64_t seen_misses;
	uint64_t seen_cow_misses;
};

static bool verbose;
static char libbpf_last[256];

/* Keeps libbpf quiet unless asked, but remembers its last complaint. */
static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	va_list copy;

	va_copy(copy, ap);
	if (level != LIBBPF_DEBUG) {
		vsnprintf(libbpf_last, sizeof(libbpf_last), fmt, copy);
		libbpf_last[strcspn(libbpf_last, "\n")] = 0;
	}
	va_end(copy);
	return verbose ? vfprintf(stderr, fmt, ap) : 0;
}

/* 6.16+ kernels pass group_dead to sched_process_exit (3 proto params). */
static bool exit_tp_has_group_dead(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	const struct btf_type *t;
	bool has = false;
	int id;

	if (!btf)
		return false;
	id = btf__find_by_name_kind(btf, "btf_trace_sched_process_exit",
				    BTF_KIND_TYPEDEF);
	if (id > 0) {
		t = btf__type_by_id(btf, id);			/* typedef */
		t = btf__type_by_id(btf, t->type);		/* pointer */
		if (t && btf_is_ptr(t))
			t = btf__type_by_id(btf, t->type);	/* proto */
		has = t && btf_is_func_proto(t) && btf_vlen(t) >= 3;
	}
	btf__free(btf);
	return has;
}

/* Programs with no counter to keep: loaded only for their records. */
static const struct {
	const char *prog;
	unsigned int type;
} stream_only[] = {
	{ "btf_wait", FS_REC_WAIT },
	{ "wait4_exit", FS_REC_WAIT_RESULT },
	{ "waitid_exit", FS_REC_WAIT_RESULT },
	{ "btf_free", FS_REC_REAP },
	{ "btf_cgroup_attach", FS_REC_CGROUP },
};

/* A program whose records nobody wants costs every event it hooks. */
static void skip_idle_programs(struct bpf_source *s, uint32_t no_stream)
{
	for (size_t i = 0; i < ARRAY_SIZE(stream_only); i++) {
		struct bpf_program *prog = bpf_object__find_program_by_name(
			s->skel->obj, stream_only[i].prog);

		if (prog && (no_stream & (1U << stream_only[i].type)))
			bpf_program__set_autoload(prog, false);
	}
}

static int load(struct bpf_source *s, const struct fs_source_opts *o)
{
	s->skel = lifecycle_bpf__open();
	if (!s->skel)
		return -errno;
	s->base.exact_group_dead = exit_tp_has_group_dead();
	s->skel->rodata->exit_has_group_dead = s->base.exact_group_dead;
	s->skel->rodata->cow_enabled = s->cow != NULL;
	s->skel->rodata->stacks_enabled = o->stacks;
	s->skel->rodata->exec_fds_enabled = o->exec_fds;
	s->base.exec_fds = o->exec_fds;
	/* Wake the reader at 1/8 full at most: it drains on timeouts too. */
	s->skel->rodata->wakeup_bytes = (o->ring_bytes ? o->ring_bytes :
					 DEFAULT_RING_BYTES) / 8;
	if (s->skel->rodata->wakeup_bytes > WAKEUP_BYTES_MAX)
		s->skel->rodata->wakeup_bytes = WAKEUP_BYTES_MAX;
	s->skel->rodata->counting = o->counters;
	s->skel->rodata->stream_types = ~o->no_stream;
	s->skel->rodata->process_exits_only = o->process_exits_only;
	skip_idle_programs(s, o->no_stream);
	bpf_map__set_max_entries(s->skel->maps.events,
				 o->ring_bytes ? o->ring_bytes :
						 DEFAULT_RING_BYTES);
	/* One COW map: the counting object's, read out here at exits. */
	if (s->cow)
		bpf_map__reuse_fd(s->skel->maps.cow_counts,
				  bpf_map__fd(s->cow->maps.cow_counts));
	return lifecycle_bpf__load(s->skel);
}

static void detach_counters(struct bpf_source *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(s->cow_links); i++) {
		bpf_link__destroy(s->cow_links[i]);
		s->cow_links[i] = NULL;
	}
}

/* Attaches the counting programs; the sampler is attached at first use. */
static int attach_counters(struct bpf_source *s, const struct cow_method *cm)
{
	for (size_t i = 0; i < ARRAY_SIZE(cm->hooks) && cm->hooks[i].prog; i++) {
		const struct cow_hook *h = &cm->hooks[i];
		struct bpf_program *prog =
			bpf_object__find_program_by_name(s->cow->obj, h->prog);

		if (!prog)
			return -ENOENT;
		s->cow_links[i] = h->raw_tp ?
			bpf_program__attach_raw_tracepoint(prog, h->raw_tp) :
			bpf_program__attach(prog);
		if (!s->cow_links[i])
			return -errno;
	}
	return 0;
}

static bool cow_method_uses(const struct cow_method *cm, const char *prog)
{
	for (size_t i = 0; i < ARRAY_SIZE(cm->hooks); i++)
		if (cm->hooks[i].prog && !strcmp(cm->hooks[i].prog, prog))
			return true;
	return false;
}

/* Loads and attaches one COW method; 0, or the error (all undone). */
static int try_cow_method(struct bpf_source *s, const struct cow_method *cm)
{
	struct bpf_program *prog;
	int err;

	s->cow = cow_bpf__open();
	if (!s->cow)
		return -errno;
	s->cow->rodata->cow_method = cm->kind;
	bpf_object__for_each_program(prog, s->cow->obj) {
		const char *name = bpf_program__name(prog);

		bpf_program__set_autoload(prog, cow_method_uses(cm, name) ||
					  prog == s->cow->progs.cow_sample);
	}
	err = cow_bpf__load(s->cow);
	if (!err)
		err = attach_counters(s, cm);
	if (err) {
		detach_counters(s);
		cow_bpf__destroy(s->cow);
		s->cow = NULL;
	}
	return err;
}

static int load_cow(struct bpf_source *s)
{
	int err = -ENOTSUP;

	/* Kernels refuse fentry/kprobe with EPERM too: try every method. */
	for (size_t i = 0; i < ARRAY_SIZE(cow_methods); i++) {
		err = try_cow_method(s, &cow_methods[i]);
		if (!err) {
			s->base.cow_kind = cow_methods[i].kind;
			s->base.cow_method = cow_methods[i].name;
			s->base.cow_copies = cow_methods[i].copies;
			return 0;
		}
	}
	return fs_error(err, "no way to count COW faults on this kernel: no do_wp_page hook and no page-fault tracepoint (%s)",
			strerror(-err));
}

/* One COW record per process with counters, from the sampling iterator. */
static int bpf_cow_sample(struct fs_source *base)
{
	struct bpf_source *s = (struct bpf_source *)base;
	int fd, n;

	if (!s->cow_iter) {
		s->cow_iter = bpf_program__attach_iter(s->cow->progs.cow_sample,
						       NULL);
		if (!s->cow_iter)
			return fs_error(errno, "cannot sample COW counters: %s",
					strerror(errno));
	}
	fd = bpf_iter_create(bpf_link__fd(s->cow_iter));
	if (fd < 0)
		return fs_error(errno, "cannot sample COW counters: %s",
				strerror(errno));
	n = fs_source_deliver_fd(base, fd, sizeof(struct fs_rec_cow), NULL, NULL);
	close(fd);
	return n;
}

static int explain_load_error(int err)
{
	/* EACCES is the verifier saying no; EPERM as root is the kernel's. */
	if (err == -EPERM && geteuid() != 0)
		return fs_error(err, "not allowed to load BPF programs: run as root (needs CAP_BPF and CAP_PERFMON)");
	return fs_error(err, "cannot load the BPF programs: %s%s%s",
			strerror(-err), libbpf_last[0] ? ": " : "",
			libbpf_last);
}

/* The syscall-exit programs: wait results, the rest failures. */
static bool is_wait_result(const struct bpf_program *prog)
{
	const char *name = bpf_program__name(prog);

	return !strcmp(name, "wait4_exit") || !strcmp(name, "waitid_exit");
}

/*
 * Attaches each program. The syscall tracepoints are optional (a kernel
 * without CONFIG_FTRACE_SYSCALLS, an architecture without fork or vfork):
 * *wait_results and *failures say whether all of theirs attached.
 */
static int attach(struct bpf_source *s, bool *wait_results, bool *failures)
{
	struct bpf_program *prog;
	struct bpf_link *link;

	*wait_results = *failures = true;
	bpf_object__for_each_program(prog, s->skel->obj) {
		bool optional = bpf_program__type(prog) ==
				BPF_PROG_TYPE_TRACEPOINT;

		if (!bpf_program__autoload(prog))
			continue;
		link = bpf_program__attach(prog);
		if (!link) {
			if (optional) {
				*(is_wait_result(prog) ? wait_results :
							 failures) = false;
				continue;
			}
			return fs_error(errno, "cannot attach %s: %s",
					bpf_program__section_name(prog),
					strerror(errno));
		}
		if (s->nr_links == ARRAY_SIZE(s->links)) {
			bpf_link__destroy(link);
			return fs_error(E2BIG, "more BPF programs than link slots");
		}
		s->links[s->nr_links++] = link;
	}
	return 0;
}

static int on_ring_record(void *ctx, void *data, size_t len)
{
	return fs_source_deliver(ctx, data, len);
}

/* Program runs the kernel skipped (recursion), summed over an object. */
static uint64_t prog_misses(struct bpf_object *obj)
{
	struct bpf_program *prog;
	uint64_t misses = 0;

	bpf_object__for_each_program(prog, obj) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(prog);

		if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len))
			misses += info.recursion_misses;
	}
	return misses;
}

static void bpf_losses(struct fs_source *base)
{
	struct bpf_source *s = (struct bpf_source *)base;
	uint64_t misses;

	for (int t = 1; t < FS_REC_TYPE_MAX; t++) {
		uint64_t now = s->skel->bss->ringbuf_drops[t];

		if (now == s->seen_drops[t])
			continue;
		fs_source_lost(base, FS_LOST_RINGBUF, t, now - s->seen_drops[t]);
		s->seen_drops[t] = now;
	}
	misses = prog_misses(s->skel->obj);
	if (s->cow && s->cow->bss->cow_drops != s->seen_cow_drops) {
		fs_source_lost(base, FS_LOST_COW_MAP, 0,
			       s->cow->bss->cow_drops - s->seen_cow_drops);
		s->seen_cow_drops = s->cow->bss->cow_drops;
	}
	/* A skipped counting run is a fault uncounted, not a lost record. */
	if (s->cow) {
		uint64_t cow = prog_misses(s->cow->obj);

		fs_source_lost(base, FS_LOST_COW_SKIPPED, 0,
			       cow - s->seen_cow_misses);
		s->seen_cow_misses = cow;
	}
	if (misses != s->seen_misses) {
		fs_source_lost(base, FS_LOST_RECURSION, 0,
			       misses - s->seen_misses);
		s->seen_misses = misses;
	}
}

/*
 * The programs wake us only when much is unread: after the wait, drain
 * whatever is there, woken or not.
 */
static int bpf_poll(struct fs_source *base, int timeout_ms)
{
	struct bpf_source *s = (struct bpf_source *)base;
	int n = ring_buffer__poll(s->rb, timeout_ms), m;

	if (n < 0)
		return n;
	m = ring_buffer__consume(s->rb);
	return m < 0 ? m : n + m;
}

static int load_snapshot(struct bpf_source *s)
{
	s->snap = snapshot_bpf__open_and_load();
	if (!s->snap)
		return -errno;
	s->snap_link = bpf_program__attach_iter(s->snap->progs.snapshot, NULL);
	return s->snap_link ? 0 : -errno;
}

/* Walks the task list with the iter/task program. */
static int bpf_snapshot(struct fs_source *base, uint32_t gen)
{
	struct bpf_source *s = (struct bpf_source *)base;
	int fd, n;

	if (s->snap_failed)
		return -ENOTSUP;
	if (!s->snap_link && load_snapshot(s)) {
		s->snap_failed = true;
		strncat(base->describe, "; snapshots: /proc (no BPF task iterator)",
			sizeof(base->describe) - strlen(base->describe) - 1);
		return -ENOTSUP;
	}
	fd = bpf_iter_create(bpf_link__fd(s->snap_link));
	if (fd < 0)
		return -errno;
	n = fs_snapshot_from_fd(base, fd, gen);
	close(fd);
	return n;
}

/*
 * One look at tgid's threads: the sleepable iterator, filtered to the
 * process by its link (a link per look: the filter is the link's).
 */
static int bpf_task_now(struct fs_source *base, int32_t tgid)
{
	struct bpf_source *s = (struct bpf_source *)base;
	union bpf_iter_link_info linfo = { .task.pid = tgid };
	LIBBPF_OPTS(bpf_iter_attach_opts, opts, .link_info = &linfo,
		    .link_info_len = sizeof(linfo));
	struct bpf_link *link;
	int fd, n;

	/* Said once: every look after would fail the same way. */
	if (s->now_failed)
		return -ENOTSUP;
	if (!s->now) {
		s->now = task_now_bpf__open_and_load();
		if (!s->now) {
			s->now_failed = true;
			return fs_error(errno, "cannot look at what a process is doing: no sleepable BPF task iterator here (Linux 6.1 or later): %s",
					strerror(errno));
		}
	}
	link = bpf_program__attach_iter(s->now->progs.task_now, &opts);
	if (!link && errno == E2BIG) {
		/* The iterator's pid filter came in 6.1. */
		s->now_failed = true;
		return fs_error(ENOTSUP, "cannot look at one process: this kernel's task iterator has no pid filter (Linux 6.1 or later)");
	}
	if (!link)
		return fs_error(errno, "cannot look at process %d: %s", tgid,
				strerror(errno));
	s->now->bss->told = 0;
	s->now->bss->look++;
	fd = bpf_iter_create(bpf_link__fd(link));
	n = fd < 0 ? fs_error(errno, "cannot look at process %d: %s", tgid,
			      strerror(errno)) :
		     fs_source_deliver_fd(base, fd, 0, NULL, NULL);
	if (fd >= 0)
		close(fd);
	bpf_link__destroy(link);
	return n;
}

static int bpf_counters(struct fs_source *base, uint64_t *out)
{
	struct bpf_source *s = (struct bpf_source *)base;
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *vals;

	if (!s->skel->rodata->counting)
		return -ENOTSUP;
	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (uint32_t i = 0; i < FS_CNT_MAX; i++) {
		out[i] = 0;
		if (bpf_map__lookup_elem(s->skel->maps.counters, &i, sizeof(i),
					 vals, ncpu * sizeof(*vals), 0))
			continue;
		for (int c = 0; c < ncpu; c++)
			out[i] += vals[c];
	}
	free(vals);
	return 0;
}

static void bpf_close(struct fs_source *base)
{
	struct bpf_source *s = (struct bpf_source *)base;

	bpf_link__destroy(s->snap_link);
	snapshot_bpf__destroy(s->snap);
	task_now_bpf__destroy(s->now);
	bpf_link__destroy(s->cow_iter);
	detach_counters(s);
	cow_bpf__destroy(s->cow);
	ring_buffer__free(s->rb);
	while (s->nr_links)
		bpf_link__destroy(s->links[--s->nr_links]);
	lifecycle_bpf__destroy(s->skel);
	free(s);
}

static int bpf_stack_target(struct fs_source *base, int32_t tgid, bool on)
{
	struct bpf_source *s = (struct bpf_source *)base;
	__u32 key = tgid;
	__u8 one = FS_TARGET_FP;
	int fd = bpf_map__fd(s->skel->maps.stack_targets);

	if (!s->skel->rodata->stacks_enabled)
		return -ENOTSUP;
	if (!tgid) {
		s->skel->bss->stacks_all = on;
		return 0;
	}
	if (!on)
		return bpf_map_delete_elem(fd, &key) && errno != ENOENT ?
		       -errno : 0;
	return bpf_map_update_elem(fd, &key, &one, BPF_ANY) ? -errno : 0;
}

/*
 * Targets: their entry says it (a target that left meanwhile is not
 * made again). Every process a target: an entry for each that skips the
 * walk, none for the rest.
 */
static int bpf_stack_walk(struct fs_source *base, int32_t tgid, bool walk)
{
	struct bpf_source *s = (struct bpf_source *)base;
	int fd = bpf_map__fd(s->skel->maps.stack_targets);
	__u32 key = tgid;
	__u8 v = walk ? FS_TARGET_FP : FS_TARGET_COPY_ONLY;
	int err;

	if (!s->skel->rodata->stacks_enabled)
		return -ENOTSUP;
	if (!s->skel->bss->stacks_all)
		err = bpf_map_update_elem(fd, &key, &v, BPF_EXIST);
	else if (walk)
		err = bpf_map_delete_elem(fd, &key);
	else
		err = bpf_map_update_elem(fd, &key, &v, BPF_ANY);
	return err && errno != ENOENT ? -errno : 0;
}

static const struct fs_source_ops bpf_ops = {
	.stack_target = bpf_stack_target,
	.stack_walk = bpf_stack_walk,
	.task_now = bpf_task_now,
	.poll = bpf_poll,
	.snapshot = bpf_snapshot,
	.cow_sample = bpf_cow_sample,
	.counters = bpf_counters,
	.losses = bpf_losses,
	.close = bpf_close,
};

struct fs_source *fs_source_bpf_open(const struct fs_source_opts *o)
{
	struct bpf_source *s = calloc(1, sizeof(*s));
	bool wait_results, failures;
	int err;

	if (!s) {
		fs_error(ENOMEM, "out of memory");
		return NULL;
	}
	s->base.ops = &bpf_ops;
	verbose = o->verbose;
	libbpf_set_print(libbpf_print);

	/* Classic tracepoints (the wait syscalls) are found through tracefs. */
	err = fs_ensure_tracefs();
	if (err)
		goto fail;
	if (o->cow) {
		err = load_cow(s);
		if (err == -EPERM && geteuid() != 0)
			explain_load_error(err);
		if (err)
			goto fail;
	}
	err = load(s, o);
	if (err) {
		explain_load_error(err);
		goto fail;
	}
	err = attach(s, &wait_results, &failures);
	if (err)
		goto fail;
	s->rb = ring_buffer__new(bpf_map__fd(s->skel->maps.events),
				 on_ring_record, s, NULL);
	if (!s->rb) {
		fs_error(errno, "cannot map the BPF ring buffer: %s",
			 strerror(errno));
		goto fail;
	}
	snprintf(s->base.describe, sizeof(s->base.describe), "bpf (tp_btf%s%s%s%s)",
		 wait_results ? "; wait results: syscall tracepoints" :
				"; wait results: unavailable, no syscall tracepoints",
		 failures ? "" : "; failed forks and execs: not all syscall tracepoints",
		 s->cow ? "; COW: " : "", s->cow ? s->base.cow_method : "");
	return &s->base;
fail:
	bpf_close(&s->base);
	return NULL;
}
