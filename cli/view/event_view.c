// SPDX-License-Identifier: GPL-2.0-only
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "decode.h"
#include "escape.h"
#include "container.h"
#include "event_view.h"
#include "stack_view.h"
#include "json.h"
#include "status.h"

/* Room for an exec line whose every argv byte is escaped (\xNN). */
#define LINE_LEN	(4 * (FS_FILENAME_LEN + FS_ARGS_LEN) + 256)

/* Text and JSON name a reason alike: scripts match these (docs/json.md). */
static const char *const lost_reasons[] = {
	[FS_LOST_RINGBUF] = "kernel ring buffer full",
	[FS_LOST_RECURSION] = "BPF program runs skipped by the kernel",
	[FS_LOST_READER] = "malformed records rejected by the reader",
	[FS_LOST_COW_MAP] = "no room for the process's COW counter",
	[FS_LOST_COW_SKIPPED] = "COW counting runs skipped by the kernel",
};

static const char *lost_reason(uint32_t reason)
{
	return reason < ARRAY_SIZE(lost_reasons) && lost_reasons[reason] ?
	       lost_reasons[reason] : "unknown reason";
}

/* A COW loss counts faults left out of a counter, not records. */
static const char *lost_unit(uint32_t reason)
{
	return fs_lost_cow(reason) ? "COW faults" : "records";
}

static const char *wait_syscall(const struct fs_rec_wait_result *r)
{
	return r->syscall == FS_WAIT_SYS_WAITID ? "waitid" : "wait4";
}

static int32_t shown_ppid(const struct fs_hdr *rec, const struct fs_note *n)
{
	return rec->ppid ? rec->ppid : n->task.ppid;
}

/* Appends to a detail line without ever overrunning it. */
struct line {
	size_t len;
	char buf[LINE_LEN];
};

/* Not "= { 0 }": that would clear all of buf for every record. */
#define LINE(l) struct line l; l.len = 0; l.buf[0] = 0

static void __attribute__((format(printf, 2, 3)))
add(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->len >= sizeof(l->buf) - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->len, sizeof(l->buf) - l->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->len += (size_t)n < sizeof(l->buf) - l->len ?
			  (size_t)n : sizeof(l->buf) - l->len - 1;
}

/*
 * The appenders below run for every record of a trace: they copy and
 * convert by hand, as vsnprintf was most of the reader's time.
 */
static void add_mem(struct line *l, const char *s, size_t n)
{
	size_t room = sizeof(l->buf) - 1 - l->len;

	if (n > room)
		n = room;
	memcpy(l->buf + l->len, s, n);
	l->len += n;
	l->buf[l->len] = 0;
}

static void add_str(struct line *l, const char *s)
{
	add_mem(l, s, strlen(s));
}

static void add_spaces(struct line *l, size_t n)
{
	static const char spaces[] = "                ";

	for (; n > sizeof(spaces) - 1; n -= sizeof(spaces) - 1)
		add_mem(l, spaces, sizeof(spaces) - 1);
	add_mem(l, spaces, n);
}

/* width > 0: right-aligned in width columns, < 0: left-aligned. */
static void add_padded(struct line *l, const char *s, size_t n, int width)
{
	size_t w = width < 0 ? -width : width, pad = n < w ? w - n : 0;

	if (width > 0)
		add_spaces(l, pad);
	add_mem(l, s, n);
	if (width < 0)
		add_spaces(l, pad);
}

/* Decimal digits of v, at least min_digits of them, ending at end. */
static char *fmt_u64(char *end, uint64_t v, int min_digits)
{
	char *last = end;

	do {
		*--end = '0' + v % 10;
		v /= 10;
	} while (v);
	while (last - end < min_digits)
		*--end = '0';
	return end;
}

static void add_int(struct line *l, int64_t v, int width)
{
	char buf[24], *end = buf + sizeof(buf), *p;

	p = fmt_u64(end, v < 0 ? -(uint64_t)v : (uint64_t)v, 1);
	if (v < 0)
		*--p = '-';
	add_padded(l, p, end - p, width);
}

/* Appends a traced string, escaped (see escape.h). */
static void add_safe(struct line *l, const char *s, bool quote)
{
	fs_escape(l->buf + l->len, sizeof(l->buf) - l->len, s,
		  quote ? FS_ESC_SHELL : FS_ESC_TERMINAL);
	l->len += strlen(l->buf + l->len);
}

static int add_arg(void *ctx, const char *arg)
{
	add_str(ctx, " ");
	add_safe(ctx, arg, true);
	return 0;
}

static void text_fork(struct line *l, const struct fs_rec_fork *r)
{
	add_str(l, r->flags & FS_FORK_THREAD ? "thread " : "child ");
	add_int(l, r->child_pid, 0);
	if (r->flags & FS_FORK_SHARED_VM)
		add(l, " sharing the parent's memory (vfork/posix_spawn)");
	if (!(r->flags & FS_FORK_THREAD) && r->child_ppid != r->hdr.tgid)
		add(l, " (parent %d: CLONE_PARENT)", r->child_ppid);
	/* Inside a container the child has another pid: say which. */
	if (r->child.ns_pid && r->child.ns_pid != r->child_pid)
		add(l, " (pid %d in its namespace%s)", r->child.ns_pid,
		    r->child.flags & FS_IDENT_NS_INIT ? ": its init" : "");
}

static void text_cgroup_path(struct line *l, const struct fs_model *m,
			     uint32_t hierarchy, uint64_t id)
{
	const char *path = fs_model_cgroup_path(m, hierarchy, id);

	if (path && *path)
		add_safe(l, path, false);
	else
		add(l, "cgroup %llu (path unknown)", (unsigned long long)id);
}

static void text_cgroup(struct line *l, const struct fs_model *m,
			const struct fs_rec_cgroup *r)
{
	const char *v2 = fs_model_cgroup_path(m, FS_CGROUP_V2, r->id.cgroup);
	const char *pids = fs_model_cgroup_path(m, FS_CGROUP_PIDS,
						r->id.pids_cgroup);

	add_str(l, "in cgroup ");
	text_cgroup_path(l, m, FS_CGROUP_V2, r->id.cgroup);
	/* The pids limit lives elsewhere: on hybrid hosts, or higher up. */
	if (r->id.pids_cgroup && !(v2 && pids && !strcmp(v2, pids))) {
		add_str(l, ", pids cgroup ");
		text_cgroup_path(l, m, FS_CGROUP_PIDS, r->id.pids_cgroup);
	}
}

/* The filename and argv of an exec or a failed one. */
static void text_exec_strings(struct line *l, const struct fs_rec_exec *r)
{
	add_safe(l, fs_exec_filename(r), false);
	if (r->flags & FS_EXEC_FILENAME_TRUNC)
		add(l, "...");
	add(l, " [");
	fs_exec_for_each_arg(r, add_arg, l);
	/* A failed exec's argv stops at the fault; an exec's is all lost. */
	add(l, "%s ]", r->flags & FS_EXEC_ARGS_TRUNC ? " ...(truncated)" :
		       !(r->flags & FS_EXEC_ARGS_FAULT) ? "" :
		       r->args_len ? " (rest of argv unreadable)" :
				     " (argv unreadable)");
}

static void text_exec(struct line *l, const struct fs_rec_exec *r)
{
	text_exec_strings(l, r);
	if (r->old_pid != r->hdr.pid)
		add(l, " by thread %d, which took over pid %d", r->old_pid,
		    r->hdr.pid);
}

/* "EAGAIN (Resource temporarily unavailable)" */
static void add_errno(struct line *l, int err)
{
	add(l, "%s (%s)", fs_errno_name(err), strerror(err));
}

static const char *fork_fail_syscall(const struct fs_rec_fork_fail *r)
{
	static const char *const names[] = {
		[FS_FORK_SYS_FORK] = "fork", [FS_FORK_SYS_VFORK] = "vfork",
		[FS_FORK_SYS_CLONE] = "clone", [FS_FORK_SYS_CLONE3] = "clone3",
	};

	return r->syscall < ARRAY_SIZE(names) && names[r->syscall] ?
	       names[r->syscall] : "fork?";
}

/* What the caller asked for: a process, a thread, a vfork. */
static const char *fork_fail_kind(const struct fs_rec_fork_fail *r)
{
	if (r->flags & FS_FFAIL_FLAGS_FAULT)
		return "unknown";
	if (r->clone_flags & CLONE_THREAD)
		return "thread";
	return r->clone_flags & CLONE_VFORK ? "vfork" : "process";
}

static void text_fork_limit(struct line *l, const struct fs_model *m,
			    const struct fs_rec_fork_fail *r)
{
	switch (fs_fork_fail_limit(r)) {
	case FS_LIMIT_NPROC:
		add(l, ": RLIMIT_NPROC: uid %u has %llu processes, its limit %llu",
		    r->uid, (unsigned long long)r->nproc,
		    (unsigned long long)r->nproc_max);
		break;
	case FS_LIMIT_THREADS:
		add(l, ": threads-max: %u tasks, the limit %u", r->tasks,
		    r->threads_max);
		break;
	case FS_LIMIT_PIDS_CGROUP:
		add(l, ": pids.max: %lld of %lld in ",
		    (long long)r->pids_current, (long long)r->pids_max);
		text_cgroup_path(l, m, FS_CGROUP_PIDS, r->pids_cgroup);
		break;
	case FS_LIMIT_PID_MAX:
		add(l, ": pid_max: %u pids in use of %u", r->tasks, r->pid_max);
		break;
	case FS_LIMIT_MEMORY:
		add(l, ": out of memory");
		break;
	case FS_LIMIT_PIDNS_DEAD:
		add(l, ": its pid namespace's init has exited: no process can enter it");
		break;
	case FS_LIMIT_UNKNOWN:
		if (r->flags & FS_FFAIL_INTO_CGROUP)
			add(l, ": into another cgroup (CLONE_INTO_CGROUP), whose pids.max is not read");
		else
			add(l, ": no limit forkscope reads was full");
		break;
	default:
		break;
	}
}

static void text_fork_fail(struct line *l, const struct fs_model *m,
			   const struct fs_rec_fork_fail *r)
{
	add(l, "%s of a %s: ", fork_fail_syscall(r), fork_fail_kind(r));
	add_errno(l, r->err);
	text_fork_limit(l, m, r);
}

static void text_exec_fail(struct line *l, const struct fs_rec_exec_fail *r)
{
	add(l, "%s: ", r->syscall == FS_EXEC_SYS_EXECVEAT ? "execveat" :
							    "execve");
	add_errno(l, r->err);
	if (r->flags & FS_EXEC_FAIL_FATAL) {
		add_str(l, ", past the point of no return: the process is killed");
		return;
	}
	add_str(l, ": ");
	text_exec_strings(l, (const void *)r);
}

static void text_exit(struct line *l, const struct fs_rec_exit *r,
		      const struct fs_note *n)
{
	char buf[64];

	add_str(l, fs_status_str(buf, sizeof(buf), r->status));
	if (n->runtime_ns) {
		add_str(l, ", ran ");
		add_str(l, fs_fmt_duration(buf, sizeof(buf), n->runtime_ns));
	}
	if (r->flags & FS_EXIT_THREAD)
		add(l, r->flags & FS_EXIT_GROUP_DEAD ? ", last thread" :
						      ", thread");
	if (r->flags & FS_EXIT_LEADER_WAITS)
		add(l, ", leader exited, threads alive");
	if (r->cow_faults)
		add(l, ", %llu COW faults", (unsigned long long)r->cow_faults);
}

static void text_waited(struct line *l, const struct fs_rec_wait_result *r,
			const struct fs_note *n)
{
	char buf[64];

	if (r->pid == 0) {
		add(l, "%s: no child ready", wait_syscall(r));
		return;
	}
	add_str(l, wait_syscall(r));
	add_str(l, " -> ");
	add_int(l, r->pid, 0);
	if (r->flags & FS_WAITR_STATUS) {
		add_str(l, ": ");
		add_str(l, fs_status_str(buf, sizeof(buf),
					 fs_wait_result_status(r)));
	}
	if (n->reaped)
		add_str(l, ", reaped");
	if (r->flags & FS_WAITR_NS_LOCAL)
		add(l, " (pid in the waiter's namespace)");
}

static const char *const release_how[] = {
	[FS_RELEASE_WAIT] = "wait",
	[FS_RELEASE_AUTO] = "autoreap",
	[FS_RELEASE_EXEC] = "exec",
	[FS_RELEASE_FREE] = "free",
};

static void text_release(struct line *l, const struct fs_note *n)
{
	char buf[64];

	switch (n->released) {
	case FS_RELEASE_AUTO:
		add(l, n->gone.pid != n->gone.tgid ? "thread released at exit" :
		       "released at exit: parent ignores SIGCHLD (autoreap)");
		return;
	case FS_RELEASE_EXEC:
		add(l, "old leader released: thread %d exec'd and took pid %d",
		    n->gone.pid, n->gone.tgid);
		return;
	case FS_RELEASE_FREE:
		add(l, "released (seen when freed)");
		break;
	default:
		add_str(l, "reaped by ");
		add_int(l, n->reaper, 0);
		add_str(l, " (");
		add_safe(l, n->reaper_comm, false);
		add_str(l, ")");
		break;
	}
	if (n->zombie_ns) {
		add_str(l, " after ");
		add_str(l, fs_fmt_duration(buf, sizeof(buf), n->zombie_ns));
		add_str(l, " as a zombie");
	}
	if (n->gone.flags & FS_TASK_EXITED) {
		add_str(l, ", ");
		add_str(l, fs_status_str(buf, sizeof(buf), n->gone.status));
	}
}

/* The subject's container, when it is not the host's (container.h). */
static void add_container(struct line *l, const struct fs_model *m,
			  const struct fs_ident *id, int32_t tgid)
{
	char buf[FS_CGROUP_PATH_LEN + 64];

	if (!*fs_container_text(buf, sizeof(buf), m, id, tgid, true))
		return;
	add_str(l, " ");
	add_safe(l, buf, false);
}

void fs_event_text_header(FILE *f)
{
	fprintf(f, "%-15s %-11s %7s %7s %-16s %s\n", "TIME", "EVENT", "PID",
		"PPID", "COMM", "DETAILS");
}

/* HH:MM:SS.uuuuuu local time; localtime_r only when the second changes. */
static void add_time(struct line *l, uint64_t ts_ns)
{
	static time_t last = -1;
	static char hms[16];
	int64_t real = fs_wall_ns(ts_ns, fs_boot_to_real_ns());
	time_t secs = real / (int64_t)NSEC_PER_SEC;
	char us[8], *end = us + sizeof(us);
	struct tm tm;

	if (secs != last) {
		if (!localtime_r(&secs, &tm) ||
		    !strftime(hms, sizeof(hms), "%H:%M:%S.", &tm))
			snprintf(hms, sizeof(hms), "??:??:??.");
		last = secs;
	}
	add_str(l, hms);
	add_mem(l, fmt_u64(end, real % (int64_t)NSEC_PER_SEC / 1000, 6), 6);
}

/* TIME EVENT PID PPID COMM, then the details: written at once. */
static void text_line(FILE *f, uint64_t ts_ns, const char *event, int32_t pid,
		      int32_t tgid, int32_t ppid, const char *comm,
		      const struct line *l, const char *explain)
{
	LINE(out);
	LINE(name);
	LINE(ids);

	add_time(&out, ts_ns);
	add_str(&out, " ");
	add_padded(&out, event, strlen(event), -11);
	add_str(&out, " ");
	add_int(&ids, tgid, 0);
	if (pid != tgid) {
		add_str(&ids, "/");
		add_int(&ids, pid, 0);
	}
	add_padded(&out, ids.buf, ids.len, 7);
	add_str(&out, " ");
	add_int(&out, ppid, 7);
	add_str(&out, " ");
	add_safe(&name, comm, false);
	add_padded(&out, name.buf, name.len, -16);
	add_str(&out, " ");
	add_mem(&out, l->buf, l->len);
	add_str(&out, "\n");
	fwrite_unlocked(out.buf, 1, out.len, f);
	if (explain && *explain)
		fprintf(f, "%15s `- %s\n", "", explain);
}

void fs_event_text(FILE *f, const struct fs_model *m, const struct fs_hdr *rec,
		   const struct fs_note *n, const char *explain)
{
	LINE(l);

	switch (rec->type) {
	case FS_REC_CGROUP:
		text_cgroup(&l, m, (const void *)rec);
		break;
	case FS_REC_FORK:
		text_fork(&l, (const void *)rec);
		break;
	case FS_REC_EXEC:
		text_exec(&l, (const void *)rec);
		break;
	case FS_REC_FORK_FAIL:
		text_fork_fail(&l, m, (const void *)rec);
		break;
	case FS_REC_EXEC_FAIL:
		text_exec_fail(&l, (const void *)rec);
		break;
	case FS_REC_EXIT:
		text_exit(&l, (const void *)rec, n);
		break;
	case FS_REC_WAIT: {
		const struct fs_rec_wait *w = (const void *)rec;

		if (w->wait_pid) {
			add_str(&l, "waiting for ");
			add_int(&l, w->wait_pid, 0);
		} else {
			add_str(&l, "waiting for any child");
		}
		break;
	}
	case FS_REC_WAIT_RESULT:
		text_waited(&l, (const void *)rec, n);
		break;
	case FS_REC_REAP:
		add_str(&l, "freed");
		break;
	case FS_REC_LOST: {
		const struct fs_rec_lost *r = (const void *)rec;

		add(&l, "LOST %llu%s%s %s: %s", (unsigned long long)r->count,
		    r->rec_type ? " " : "",
		    r->rec_type ? fs_record_name(r->rec_type) : "",
		    lost_unit(r->reason), lost_reason(r->reason));
		break;
	}
	}
	if (rec->type != FS_REC_LOST)
		add_container(&l, m, &n->task.id, rec->tgid);
	text_line(f, rec->ts_ns, fs_record_name(rec->type), rec->pid,
		  rec->tgid, shown_ppid(rec, n), rec->comm, &l, explain);
}

void fs_release_text(FILE *f, const struct fs_model *m, uint64_t ts_ns,
		     const struct fs_note *n, const char *explain)
{
	LINE(l);

	text_release(&l, n);
	add_container(&l, m, &n->gone.id, n->gone.tgid);
	text_line(f, ts_ns, "reap", n->gone.pid, n->gone.tgid, n->gone.ppid,
		  n->gone.comm, &l, explain);
}

static int json_add_arg(void *ctx, const char *arg)
{
	fs_json_str(ctx, NULL, arg);
	return 0;
}

static void json_fork(struct fs_json *j, const struct fs_model *m,
		      const struct fs_rec_fork *r)
{
	fs_json_object(j, "child");
	fs_json_int(j, "pid", r->child_tgid);
	fs_json_int(j, "tid", r->child_pid);
	fs_json_int(j, "ppid", r->child_ppid);
	fs_json_u64(j, "start_ns", r->child_start_ns);
	fs_json_bool(j, "thread", r->flags & FS_FORK_THREAD);
	fs_json_bool(j, "shared_vm", r->flags & FS_FORK_SHARED_VM);
	fs_json_container(j, "container", m, &r->child);
	fs_json_close(j);
}

/* The filename and argv of an exec or a failed one. */
static void json_exec_strings(struct fs_json *j, const struct fs_rec_exec *r)
{
	fs_json_str(j, "filename", fs_exec_filename(r));
	fs_json_array(j, "argv");
	fs_exec_for_each_arg(r, json_add_arg, j);
	fs_json_close(j);
	fs_json_bool(j, "filename_truncated", r->flags & FS_EXEC_FILENAME_TRUNC);
	fs_json_bool(j, "argv_truncated", r->flags & FS_EXEC_ARGS_TRUNC);
	fs_json_bool(j, "argv_unreadable", r->flags & FS_EXEC_ARGS_FAULT);
}

static void json_exec(struct fs_json *j, const struct fs_rec_exec *r)
{
	json_exec_strings(j, r);
	fs_json_int(j, "old_tid", r->old_pid);
}

static void json_errno(struct fs_json *j, int err)
{
	fs_json_int(j, "errno", err);
	fs_json_str(j, "error", fs_errno_name(err));
}

static void json_exec_fail(struct fs_json *j, const struct fs_rec_exec_fail *r)
{
	fs_json_str(j, "syscall", r->syscall == FS_EXEC_SYS_EXECVEAT ?
				  "execveat" : "execve");
	json_errno(j, r->err);
	fs_json_bool(j, "fatal", r->flags & FS_EXEC_FAIL_FATAL);
	json_exec_strings(j, (const void *)r);
}

static void json_fork_fail(struct fs_json *j, const struct fs_model *m,
			   const struct fs_rec_fork_fail *r)
{
	enum fs_fork_limit limit = fs_fork_fail_limit(r);
	const char *path;

	fs_json_str(j, "syscall", fork_fail_syscall(r));
	json_errno(j, r->err);
	fs_json_str(j, "kind", fork_fail_kind(r));
	fs_json_u64(j, "clone_flags", r->clone_flags);
	fs_json_bool(j, "into_cgroup", r->flags & FS_FFAIL_INTO_CGROUP);
	fs_json_str(j, "limit", limit == FS_LIMIT_NONE ? NULL :
				fs_fork_limit_name(limit));
	fs_json_int(j, "uid", r->uid);
	fs_json_bool(j, "privileged", r->flags & FS_FFAIL_PRIVILEGED);
	fs_json_u64(j, "nproc", r->nproc);
	fs_json_u64(j, "nproc_max", r->nproc_max);
	fs_json_int(j, "tasks", r->tasks);
	fs_json_int(j, "threads_max", r->threads_max);
	fs_json_int(j, "pid_max", r->pid_max);
	if (r->pids_cgroup) {
		fs_json_object(j, "pids_cgroup");
		path = fs_model_cgroup_path(m, FS_CGROUP_PIDS, r->pids_cgroup);
		fs_json_str(j, "path", path && *path ? path : NULL);
		fs_json_u64(j, "id", r->pids_cgroup);
		fs_json_int(j, "current", r->pids_current);
		fs_json_int(j, "max", r->pids_max);
		fs_json_close(j);
	} else {
		fs_json_null(j, "pids_cgroup");
	}
	fs_json_container(j, "container", m, &r->id);
}

static void json_exit(struct fs_json *j, const struct fs_rec_exit *r,
		      const struct fs_note *n)
{
	fs_json_status(j, "status", r->status);
	fs_json_int(j, "exit_code_raw", r->exit_code);
	fs_json_bool(j, "thread", r->flags & FS_EXIT_THREAD);
	fs_json_bool(j, "group_dead", r->flags & FS_EXIT_GROUP_DEAD);
	fs_json_bool(j, "group_exit", r->flags & FS_EXIT_GROUP_EXIT);
	fs_json_bool(j, "autoreap", r->flags & FS_EXIT_AUTOREAP);
	fs_json_bool(j, "leader_waits", r->flags & FS_EXIT_LEADER_WAITS);
	if (n->runtime_ns)
		fs_json_u64(j, "runtime_ns", n->runtime_ns);
	if (r->flags & FS_EXIT_GROUP_DEAD) {
		fs_json_u64(j, "cow_faults", r->cow_faults);
		fs_json_u64(j, "cow_copies", r->cow_copies);
	}
}

static void json_waited(struct fs_json *j, const struct fs_rec_wait_result *r,
			const struct fs_note *n)
{
	fs_json_str(j, "syscall", wait_syscall(r));
	fs_json_int(j, "ret", r->ret);
	fs_json_int(j, "waited_pid", r->pid);
	if (r->flags & FS_WAITR_STATUS)
		fs_json_status(j, "status", fs_wait_result_status(r));
	else
		fs_json_null(j, "status");
	fs_json_int(j, "options", r->options);
	fs_json_bool(j, "reaped", n->reaped);
	fs_json_bool(j, "ns_local", r->flags & FS_WAITR_NS_LOCAL);
}

static void json_release(struct fs_json *j, const struct fs_note *n)
{
	fs_json_str(j, "how", release_how[n->released]);
	if (n->gone.flags & FS_TASK_EXITED)
		fs_json_status(j, "status", n->gone.status);
	else
		fs_json_null(j, "status");
	if (n->zombie_ns)
		fs_json_u64(j, "zombie_ns", n->zombie_ns);
	if (n->reaper) {
		fs_json_object(j, "reaper");
		fs_json_int(j, "pid", n->reaper);
		fs_json_str(j, "comm", n->reaper_comm);
		fs_json_close(j);
	} else {
		fs_json_null(j, "reaper");
	}
}

static void json_lost(struct fs_json *j, const struct fs_rec_lost *r)
{
	fs_json_u64(j, "count", r->count);
	fs_json_str(j, "reason", lost_reason(r->reason));
	fs_json_str(j, "record_type",
		    r->rec_type ? fs_record_name(r->rec_type) : NULL);
}

/* Begins the line: its object and the fields every event has. */
static void json_common(struct fs_json *j, FILE *f, const char *event,
			uint64_t ts_ns, int cpu)
{
	fs_json_begin(j, f);
	fs_json_object(j, NULL);
	fs_json_str(j, "event", event);
	fs_json_u64(j, "ts_ns", ts_ns);
	fs_json_u64(j, "time_ns", fs_wall_ns(ts_ns, fs_boot_to_real_ns()));
	if (cpu >= 0)
		fs_json_int(j, "cpu", cpu);
}

static void json_task(struct fs_json *j, int32_t pid, int32_t tgid,
		      int32_t ppid, const char *comm, uint64_t start_ns)
{
	fs_json_int(j, "pid", tgid);
	fs_json_int(j, "tid", pid);
	fs_json_int(j, "ppid", ppid);
	fs_json_str(j, "comm", comm);
	fs_json_u64(j, "start_ns", start_ns);
}

/* Ends the line, with the explanation when there is one. */
static void json_end(struct fs_json *j, const char *explain)
{
	if (explain)
		fs_json_str(j, "explain", explain);
	fs_json_close(j);
	fs_json_end(j);
}

static void json_fork_stack(struct fs_json *j,
			    const struct fs_rec_fork_stack *r,
			    const struct fs_note *n)
{
	fs_json_int(j, "child", r->child_pid);
	fs_json_u64(j, "child_start_ns", r->child_start_ns);
	fs_json_int(j, "stack_bytes", r->stack_len);
	fs_json_int(j, "fp_ips", r->nr_ips);
	if (n->site)
		fs_site_json(j, "stack", n->site);
	else
		fs_json_null(j, "stack");
}

void fs_event_json(FILE *f, const struct fs_model *m, const struct fs_hdr *rec,
		   const struct fs_note *n, const char *explain)
{
	struct fs_json j;

	json_common(&j, f, fs_record_name(rec->type), rec->ts_ns, rec->cpu);
	if (rec->type != FS_REC_LOST)
		json_task(&j, rec->pid, rec->tgid, shown_ppid(rec, n),
			  rec->comm, rec->start_ns);
	switch (rec->type) {
	case FS_REC_FORK:
		json_fork(&j, m, (const void *)rec);
		break;
	case FS_REC_CGROUP:
		fs_json_container(&j, "container", m,
				  &((const struct fs_rec_cgroup *)rec)->id);
		break;
	case FS_REC_EXEC:
		json_exec(&j, (const void *)rec);
		break;
	case FS_REC_FORK_FAIL:
		json_fork_fail(&j, m, (const void *)rec);
		break;
	case FS_REC_EXEC_FAIL:
		json_exec_fail(&j, (const void *)rec);
		break;
	case FS_REC_EXIT:
		json_exit(&j, (const void *)rec, n);
		break;
	case FS_REC_WAIT:
		fs_json_int(&j, "wait_pid",
			    ((const struct fs_rec_wait *)rec)->wait_pid);
		break;
	case FS_REC_WAIT_RESULT:
		json_waited(&j, (const void *)rec, n);
		break;
	case FS_REC_LOST:
		json_lost(&j, (const void *)rec);
		break;
	case FS_REC_FORK_STACK:
		json_fork_stack(&j, (const void *)rec, n);
		break;
	}
	json_end(&j, explain);
}

void fs_release_json(FILE *f, uint64_t ts_ns, const struct fs_note *n,
		     const char *explain)
{
	struct fs_json j;

	json_common(&j, f, "reap", ts_ns, -1);
	json_task(&j, n->gone.pid, n->gone.tgid, n->gone.ppid, n->gone.comm,
		  n->gone.start_ns);
	json_release(&j, n);
	json_end(&j, explain);
}
