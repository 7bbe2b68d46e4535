// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "decode.h"
#include "perfetto_trimmed.pb-c.h"
#include "perfetto_view.h"
#include "status.h"

#define CLOCK_BOOTTIME_ID	6	/* Perfetto's BuiltinClocks::BOOTTIME */
#define SEQUENCE_ID		1	/* every packet is on one sequence */
#define MAX_ANNOTATIONS		8

/* protoc-c's names, shorter. */
#define SEQ_CLEARED	PERFETTO__PROTOS__TRACE_PACKET__SEQUENCE_FLAGS__SEQ_INCREMENTAL_STATE_CLEARED
#define SLICE_BEGIN	PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_SLICE_BEGIN
#define SLICE_END	PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_SLICE_END
#define INSTANT		PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_INSTANT
#define COUNTER		PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_COUNTER
#define UNIT_COUNT	PERFETTO__PROTOS__COUNTER_DESCRIPTOR__UNIT__UNIT_COUNT
#define DATA_TRACK	PERFETTO__PROTOS__TRACE_PACKET__DATA_TRACK_DESCRIPTOR
#define DATA_EVENT	PERFETTO__PROTOS__TRACE_PACKET__DATA_TRACK_EVENT
#define DATA_TREE	PERFETTO__PROTOS__TRACE_PACKET__DATA_PROCESS_TREE
#define VALUE_STRING	PERFETTO__PROTOS__DEBUG_ANNOTATION__VALUE_STRING_VALUE
#define VALUE_INT	PERFETTO__PROTOS__DEBUG_ANNOTATION__VALUE_INT_VALUE
#define VALUE_BOOL	PERFETTO__PROTOS__DEBUG_ANNOTATION__VALUE_BOOL_VALUE

/* fs_tl_task.view: what is open on the task's tracks. */
#define V_RUNNING	(1U << 0)
#define V_ZOMBIE	(1U << 1)
#define V_COW_TRACK	(1U << 2)

typedef Perfetto__Protos__TracePacket Packet;
typedef Perfetto__Protos__TrackEvent Event;
typedef Perfetto__Protos__DebugAnnotation Annotation;
typedef Perfetto__Protos__TrackDescriptor Track;

struct fs_perfetto {
	FILE *f;
	uint8_t *buf;
	size_t cap;
	uint64_t packets;
	bool no_memory;		/* a packet was left out */
};

/* An event's debug annotations, on the stack. */
struct notes {
	Annotation a[MAX_ANNOTATIONS];
	Annotation *p[MAX_ANNOTATIONS];
	size_t n;
	char text[MAX_ANNOTATIONS][64];
};

struct fs_perfetto *fs_perfetto_new(FILE *f)
{
	struct fs_perfetto *p = calloc(1, sizeof(*p));

	if (!p) {
		fs_error(ENOMEM, "out of memory for the Perfetto trace");
		return NULL;
	}
	p->f = f;
	return p;
}

void fs_perfetto_free(struct fs_perfetto *p)
{
	if (!p)
		return;
	free(p->buf);
	free(p);
}

uint64_t fs_perfetto_packets(const struct fs_perfetto *p)
{
	return p->packets;
}

int fs_perfetto_flush(struct fs_perfetto *p, const char *name)
{
	if (p->no_memory)
		return fs_error(ENOMEM, "out of memory writing %s", name);
	return fs_output_check(p->f, name);
}

/* Tracks: a task's own (process or thread), and its process's COW. */
static uint64_t track_of(const struct fs_tl_task *t)
{
	return t->uid << 1;
}

static uint64_t cow_track_of(const struct fs_tl_task *t)
{
	return t->uid << 1 | 1;
}

static bool is_leader(const struct fs_tl_task *t)
{
	return !(t->flags & FS_TL_THREAD);
}

/*
 * A trace is `repeated TracePacket packet = 1`: each packet goes out as
 * the field's tag, its length and its bytes, so the file grows packet by
 * packet and is a whole trace after each.
 */
static void put(struct fs_perfetto *p, Packet *pkt, uint64_t ts)
{
	uint8_t head[11];
	size_t len, n = 0;

	pkt->has_timestamp = true;
	pkt->timestamp = ts;
	pkt->has_timestamp_clock_id = true;
	pkt->timestamp_clock_id = CLOCK_BOOTTIME_ID;
	pkt->has_trusted_packet_sequence_id = true;
	pkt->trusted_packet_sequence_id = SEQUENCE_ID;
	if (!p->packets) {
		pkt->has_sequence_flags = true;
		pkt->sequence_flags = SEQ_CLEARED;
	}
	len = perfetto__protos__trace_packet__get_packed_size(pkt);
	if (len > p->cap) {
		uint8_t *b = realloc(p->buf, len);

		if (!b) {
			p->no_memory = true;
			return;
		}
		p->buf = b;
		p->cap = len;
	}
	perfetto__protos__trace_packet__pack(pkt, p->buf);
	head[n++] = 1 << 3 | 2;		/* field 1, length-delimited */
	for (size_t v = len; ; v >>= 7) {
		head[n++] = (v & 0x7f) | (v >= 0x80 ? 0x80 : 0);
		if (v < 0x80)
			break;
	}
	if (fwrite(head, 1, n, p->f) != n ||
	    fwrite(p->buf, 1, len, p->f) != len)
		fs_output_failed(p->f);
	p->packets++;
}

static Annotation *note(struct notes *ns, const char *name)
{
	Annotation *a;

	if (ns->n == MAX_ANNOTATIONS)
		return NULL;
	a = &ns->a[ns->n];
	perfetto__protos__debug_annotation__init(a);
	a->name = (char *)name;
	ns->p[ns->n] = a;
	ns->n++;
	return a;
}

static void note_str(struct notes *ns, const char *name, const char *v)
{
	Annotation *a = note(ns, name);

	if (!a)
		return;
	a->value_case = VALUE_STRING;
	a->string_value = (char *)v;
}

static void note_int(struct notes *ns, const char *name, int64_t v)
{
	Annotation *a = note(ns, name);

	if (!a)
		return;
	a->value_case = VALUE_INT;
	a->int_value = v;
}

static void note_bool(struct notes *ns, const char *name, bool v)
{
	Annotation *a = note(ns, name);

	if (!a)
		return;
	a->value_case = VALUE_BOOL;
	a->bool_value = v;
}

/* A wait-status word in words, kept in ns for the packet's life. */
static void note_status(struct notes *ns, const char *name, uint32_t status)
{
	char *buf = ns->text[ns->n < MAX_ANNOTATIONS ? ns->n : 0];

	note_str(ns, name, fs_status_str(buf, sizeof(ns->text[0]), status));
}

/* One track event: type, name (NULL: none), annotations, flows. */
struct ev {
	Perfetto__Protos__TrackEvent__Type type;
	uint64_t track;
	const char *name;
	struct notes *notes;
	uint64_t flow, end_flow;	/* 0: none */
};

static void event(struct fs_perfetto *p, uint64_t ts, const struct ev *e)
{
	Packet pkt = PERFETTO__PROTOS__TRACE_PACKET__INIT;
	Event te = PERFETTO__PROTOS__TRACK_EVENT__INIT;
	uint64_t flow = e->flow, end_flow = e->end_flow;

	te.has_type = true;
	te.type = e->type;
	te.has_track_uuid = true;
	te.track_uuid = e->track;
	te.name = (char *)e->name;
	if (e->notes) {
		te.n_debug_annotations = e->notes->n;
		te.debug_annotations = e->notes->p;
	}
	if (flow) {
		te.n_flow_ids = 1;
		te.flow_ids = &flow;
	}
	if (end_flow) {
		te.n_terminating_flow_ids = 1;
		te.terminating_flow_ids = &end_flow;
	}
	pkt.data_case = DATA_EVENT;
	pkt.track_event = &te;
	put(p, &pkt, ts);
}

static void instant(struct fs_perfetto *p, uint64_t ts, uint64_t track,
		    const char *name, struct notes *ns, uint64_t flow)
{
	struct ev e = { INSTANT,
			track, name, ns, flow, 0 };

	event(p, ts, &e);
}

static void slice_begin(struct fs_perfetto *p, uint64_t ts,
			const struct fs_tl_task *t, const char *name,
			struct notes *ns, uint64_t end_flow)
{
	struct ev e = { SLICE_BEGIN,
			track_of(t), name, ns, 0, end_flow };

	event(p, ts, &e);
}

/* Ends the slice open on t's track: its annotations join the slice's. */
static void slice_end(struct fs_perfetto *p, uint64_t ts,
		      const struct fs_tl_task *t, struct notes *ns)
{
	struct ev e = { SLICE_END,
			track_of(t), NULL, ns, 0, 0 };

	event(p, ts, &e);
}

static void set_view(const struct fs_tl_task *t, uintptr_t set, uintptr_t clear)
{
	fs_timeline_set_view(t, (t->view | set) & ~clear);
}

/* argv strings, one NUL-ended after the other, joined by spaces. */
static char *join_argv(char *buf, size_t len, const struct fs_tl_exec *x)
{
	size_t n = x->argv_len < len ? x->argv_len : len - 1;

	memcpy(buf, x->argv, n);
	buf[n] = 0;
	while (n > 0 && !buf[n - 1])
		n--;
	for (size_t i = 0; i < n; i++)
		if (!buf[i])
			buf[i] = ' ';
	buf[n] = 0;
	return buf;
}

/*
 * The task's track, named by the process or thread it describes; a
 * process described again (after an exec) takes its new name and argv.
 */
static void describe(struct fs_perfetto *p, uint64_t ts,
		     const struct fs_tl_task *t, const struct fs_tl_exec *x)
{
	Packet pkt = PERFETTO__PROTOS__TRACE_PACKET__INIT;
	Track td = PERFETTO__PROTOS__TRACK_DESCRIPTOR__INIT;
	Perfetto__Protos__ProcessDescriptor pd =
		PERFETTO__PROTOS__PROCESS_DESCRIPTOR__INIT;
	Perfetto__Protos__ThreadDescriptor thd =
		PERFETTO__PROTOS__THREAD_DESCRIPTOR__INIT;
	char *argv[64];
	size_t argc = 0;

	td.has_uuid = true;
	td.uuid = track_of(t);
	if (is_leader(t)) {
		pd.has_pid = true;
		pd.pid = t->pid;
		pd.process_name = (char *)t->comm;
		for (uint32_t off = 0; x && off < x->argv_len &&
		     argc < ARRAY_SIZE(argv); off += strlen(x->argv + off) + 1)
			argv[argc++] = (char *)x->argv + off;
		pd.n_cmdline = argc;
		pd.cmdline = argv;
		if (t->start_ns) {
			pd.has_start_timestamp_ns = true;
			pd.start_timestamp_ns = t->start_ns;
		}
		td.process = &pd;
	} else {
		thd.has_pid = thd.has_tid = true;
		thd.pid = t->tgid;
		thd.tid = t->pid;
		thd.thread_name = (char *)t->comm;
		td.thread = &thd;
	}
	pkt.data_case = DATA_TRACK;
	pkt.track_descriptor = &td;
	put(p, &pkt, ts);
}

/* Who is whose child, for trace_processor's process and thread tables. */
static void tree(struct fs_perfetto *p, uint64_t ts, const struct fs_tl_task *t,
		 const struct fs_tl_exec *x)
{
	Packet pkt = PERFETTO__PROTOS__TRACE_PACKET__INIT;
	Perfetto__Protos__ProcessTree pt = PERFETTO__PROTOS__PROCESS_TREE__INIT;
	Perfetto__Protos__ProcessTree__Process pr =
		PERFETTO__PROTOS__PROCESS_TREE__PROCESS__INIT, *prs = &pr;
	Perfetto__Protos__ProcessTree__Thread th =
		PERFETTO__PROTOS__PROCESS_TREE__THREAD__INIT, *ths = &th;
	char *argv[64], *comm = (char *)t->comm;
	size_t argc = 0;

	if (is_leader(t)) {
		pr.has_pid = pr.has_ppid = true;
		pr.pid = t->pid;
		pr.ppid = t->ppid;
		for (uint32_t off = 0; x && off < x->argv_len &&
		     argc < ARRAY_SIZE(argv); off += strlen(x->argv + off) + 1)
			argv[argc++] = (char *)x->argv + off;
		/* As /proc shows a kernel thread's: its name alone. */
		pr.n_cmdline = argc ? argc : 1;
		pr.cmdline = argc ? argv : &comm;
		pt.n_processes = 1;
		pt.processes = &prs;
	} else {
		th.has_tid = th.has_tgid = true;
		th.tid = t->pid;
		th.tgid = t->tgid;
		th.name = comm;
		pt.n_threads = 1;
		pt.threads = &ths;
	}
	pkt.data_case = DATA_TREE;
	pkt.process_tree = &pt;
	put(p, &pkt, ts);
}

static void on_begin(struct fs_perfetto *p, const struct fs_tl_event *ev)
{
	const struct fs_tl_task *t = ev->task, *by = ev->other;
	struct notes ns = { 0 }, fork_ns = { 0 };
	uint64_t flow = 0;

	describe(p, ev->ts, t, NULL);
	tree(p, ev->ts, t, NULL);
	if ((t->flags & FS_TL_BORN) && by) {
		flow = t->uid;
		note_int(&fork_ns, "child", t->pid);
		if (t->fork_flags & FS_FORK_SHARED_VM)
			note_bool(&fork_ns, "shares_memory", true);
		instant(p, ev->ts, track_of(by),
			t->fork_flags & FS_FORK_THREAD ? "new thread" : "fork",
			&fork_ns, flow);
	}
	/* A zombie already: its "zombie" slice begins with its death. */
	if (t->flags & FS_TL_DEAD)
		return;
	note_int(&ns, is_leader(t) ? "pid" : "tid", t->pid);
	note_int(&ns, "ppid", t->ppid);
	if (t->flags & FS_TL_SEEN)
		note_str(&ns, "seen", "already running when first seen");
	if (t->container && t->container->path[0])
		note_str(&ns, "cgroup", t->container->path);
	slice_begin(p, ev->ts, t, "running", &ns, flow);
	set_view(t, V_RUNNING, 0);
}

static void on_exec(struct fs_perfetto *p, const struct fs_tl_event *ev)
{
	const struct fs_tl_exec *x = ev->exec;
	char argv[FS_ARGS_LEN + 1];
	struct notes ns = { 0 };

	note_str(&ns, "filename", x->filename);
	note_str(&ns, "argv", join_argv(argv, sizeof(argv), x));
	if (x->err)
		note_str(&ns, "error", fs_errno_name(x->err));
	if (x->flags & (FS_EXEC_ARGS_TRUNC | FS_EXEC_FILENAME_TRUNC))
		note_bool(&ns, "truncated", true);
	instant(p, ev->ts, track_of(ev->task), x->err ? "exec failed" : "exec",
		&ns, 0);
	if (x->err || !is_leader(ev->task))
		return;
	describe(p, ev->ts, ev->task, x);
	tree(p, ev->ts, ev->task, x);
}

static void on_fork_fail(struct fs_perfetto *p, const struct fs_tl_event *ev)
{
	static const char *const calls[] = {
		[FS_FORK_SYS_FORK] = "fork", [FS_FORK_SYS_VFORK] = "vfork",
		[FS_FORK_SYS_CLONE] = "clone", [FS_FORK_SYS_CLONE3] = "clone3",
	};
	const struct fs_tl_fork_fail *f = ev->fork_fail;
	struct notes ns = { 0 };

	note_str(&ns, "error", fs_errno_name(f->err));
	if (f->syscall < ARRAY_SIZE(calls) && calls[f->syscall])
		note_str(&ns, "syscall", calls[f->syscall]);
	if (f->limit != FS_LIMIT_NONE)
		note_str(&ns, "limit", fs_fork_limit_name(f->limit));
	instant(p, ev->ts, track_of(ev->task), "fork failed", &ns, 0);
}

/* A thread's exit ends its slice; a leader's, with threads left, is told. */
static void on_task_exit(struct fs_perfetto *p, const struct fs_tl_event *ev)
{
	const struct fs_tl_task *t = ev->task;
	struct notes ns = { 0 };

	note_status(&ns, "status", t->status);
	if (is_leader(t)) {
		if (!(t->flags & FS_TL_DEAD))
			instant(p, ev->ts, track_of(t), "leader exited", &ns, 0);
		return;
	}
	if (t->view & V_RUNNING)
		slice_end(p, ev->ts, t, &ns);
	set_view(t, 0, V_RUNNING);
}

static bool autoreaped_at(const struct fs_tl_task *t, uint64_t ts)
{
	return (t->flags & FS_TL_REAPED) && t->reap_ns == ts;
}

/* The process's last thread exited: a zombie until reaped. */
static void on_death(struct fs_perfetto *p, const struct fs_tl_event *ev)
{
	const struct fs_tl_task *t = ev->task;
	struct notes end = { 0 }, zombie = { 0 };

	if (t->view & V_RUNNING) {
		note_status(&end, "status", t->status);
		if (autoreaped_at(t, ev->ts))
			note_str(&end, "released", "at exit: no zombie (its parent ignores SIGCHLD)");
		slice_end(p, ev->ts, t, &end);
	}
	set_view(t, 0, V_RUNNING);
	if (autoreaped_at(t, ev->ts))
		return;
	note_status(&zombie, "status", t->status);
	if (t->flags & FS_TL_EXIT_UNKNOWN)
		note_str(&zombie, "seen", "already a zombie when first seen");
	slice_begin(p, ev->ts, t, "zombie", &zombie, 0);
	set_view(t, V_ZOMBIE, 0);
}

static void on_wait(struct fs_perfetto *p, const struct fs_tl_event *ev)
{
	const struct fs_tl_wait *w = ev->wait;
	struct notes ns = { 0 };

	if (w->ret < 0) {
		note_str(&ns, "error", fs_errno_name(-w->ret));
	} else if (!w->pid) {
		note_str(&ns, "result", "no child ready");
	} else {
		note_int(&ns, "pid", w->pid);
		if (w->has_status)
			note_status(&ns, "status", w->status);
		note_bool(&ns, "reaped", w->reaped);
	}
	instant(p, ev->ts, track_of(ev->task), "wait", &ns, 0);
}

static const char *how(enum fs_release r)
{
	switch (r) {
	case FS_RELEASE_WAIT:
		return "its parent's wait";
	case FS_RELEASE_AUTO:
		return "at exit (autoreap)";
	case FS_RELEASE_EXEC:
		return "an exec by another thread took its place";
	case FS_RELEASE_FREE:
		return "freed (no wait seen)";
	default:
		return "unknown";
	}
}

/* The zombie slice (or whatever is open) ends with who reaped it. */
static void on_reap(struct fs_perfetto *p, const struct fs_tl_event *ev)
{
	const struct fs_tl_task *t = ev->task;
	struct notes ns = { 0 };

	if (!(t->view & (V_RUNNING | V_ZOMBIE)))
		return;
	if (t->reaper) {
		note_int(&ns, "reaped_by", t->reaper);
		note_str(&ns, "reaper", t->reaper_comm);
	}
	note_str(&ns, "released", how(t->released));
	slice_end(p, ev->ts, t, &ns);
	set_view(t, 0, V_RUNNING | V_ZOMBIE);
}

static void on_end(struct fs_perfetto *p, const struct fs_tl_event *ev)
{
	const struct fs_tl_task *t = ev->task;
	struct notes ns = { 0 };

	if (!(t->view & (V_RUNNING | V_ZOMBIE)))
		return;
	if (t->flags & FS_TL_VANISHED)
		note_str(&ns, "end", "gone: it died while records were lost");
	else
		note_str(&ns, "end", t->view & V_ZOMBIE ?
			 "still a zombie when the recording ended" :
			 "still running when the recording ended");
	slice_end(p, ev->ts, t, &ns);
	set_view(t, 0, V_RUNNING | V_ZOMBIE);
}

static void on_cow(struct fs_perfetto *p, const struct fs_tl_event *ev)
{
	const struct fs_tl_task *t = ev->task;
	Packet pkt = PERFETTO__PROTOS__TRACE_PACKET__INIT;
	Event te = PERFETTO__PROTOS__TRACK_EVENT__INIT;

	if (!(t->view & V_COW_TRACK)) {
		Packet d = PERFETTO__PROTOS__TRACE_PACKET__INIT;
		Track td = PERFETTO__PROTOS__TRACK_DESCRIPTOR__INIT;
		Perfetto__Protos__CounterDescriptor cd =
			PERFETTO__PROTOS__COUNTER_DESCRIPTOR__INIT;

		td.has_uuid = td.has_parent_uuid = true;
		td.uuid = cow_track_of(t);
		td.parent_uuid = track_of(t);
		td.name = "COW faults";
		cd.has_unit = true;
		cd.unit = UNIT_COUNT;
		td.counter = &cd;
		d.data_case = DATA_TRACK;
		d.track_descriptor = &td;
		put(p, &d, ev->ts);
		set_view(t, V_COW_TRACK, 0);
	}
	te.has_type = te.has_track_uuid = te.has_counter_value = true;
	te.type = COUNTER;
	te.track_uuid = cow_track_of(t);
	te.counter_value = ev->cow->faults;
	pkt.data_case = DATA_EVENT;
	pkt.track_event = &te;
	put(p, &pkt, ev->ts);
}

void fs_perfetto_event(void *ctx, const struct fs_tl_event *ev)
{
	struct fs_perfetto *p = ctx;

	switch (ev->kind) {
	case FS_TL_BEGIN:
		on_begin(p, ev);
		break;
	case FS_TL_EXEC:
		on_exec(p, ev);
		break;
	case FS_TL_FORK_FAIL:
		on_fork_fail(p, ev);
		break;
	case FS_TL_EXIT:
		on_task_exit(p, ev);
		break;
	case FS_TL_DEATH:
		on_death(p, ev);
		break;
	case FS_TL_WAIT:
		on_wait(p, ev);
		break;
	case FS_TL_REAP:
		on_reap(p, ev);
		break;
	case FS_TL_COW:
		on_cow(p, ev);
		break;
	case FS_TL_END:
		on_end(p, ev);
		break;
	}
}
