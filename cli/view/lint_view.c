// SPDX-License-Identifier: GPL-2.0-only
#include <arpa/inet.h>
#include <inttypes.h>
#include <sys/socket.h>
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "container.h"
#include "escape.h"
#include "json.h"
#include "lint_view.h"
#include "status.h"

/* Why each kind matters, in one sentence, and the usual fix. */
static const struct {
	const char *why, *fix;
} advice[FS_LINT_KINDS] = {
	[FS_LINT_MT_FORK] = {
		"the child of a threaded process has only the thread that forked, but every lock the other threads held (malloc's, stdio's) is copied locked: a malloc or printf before exec can deadlock it.",
		"exec at once after fork (only async-signal-safe calls between), use posix_spawn, or fork before starting threads.",
	},
	[FS_LINT_ZOMBIES] = {
		"each zombie holds a PID of the machine's and its pids cgroup's budget until its parent waits: enough of them and fork fails.",
		"reap children: waitpid() in a SIGCHLD handler or the main loop; in a container, run an init that reaps (tini, docker run --init).",
	},
	[FS_LINT_AUTOREAP] = {
		"with SIGCHLD ignored (or SA_NOCLDWAIT) the kernel reaps children at exit, so their failures are lost: nobody can wait for their exit status.",
		"keep SIGCHLD's default and waitpid() for the children, checking their status.",
	},
	[FS_LINT_EXEC_LOOP] = {
		"an exec that failed will fail the same way again: retrying it burns forks and CPU and hides the error.",
		"fix the path, permission or interpreter (#!) named, and stop retrying on errors like ENOENT and EACCES.",
	},
	[FS_LINT_EXEC_FDS] = {
		"a descriptor without close-on-exec stays open in every program exec'd after it: a child holds a socket or pipe end it has no business holding, so peers never see EOF, ports stay bound and files stay open after the parent closed them.",
		"open with O_CLOEXEC (SOCK_CLOEXEC, pipe2(O_CLOEXEC), F_DUPFD_CLOEXEC), or close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) before exec; pass on purpose only what the child needs.",
	},
	[FS_LINT_PREFORK_COW] = {
		"after fork every page is shared until written: a worker that writes its parent's memory (a garbage collector marking objects, reference counts touched on read) copies it page by page, and each worker ends up paying for a whole copy.",
		"load and freeze what workers only read before forking (gc.freeze() in Python, GC.compact before fork in Ruby), keep mutable state out of the inherited heap, or exec a fresh worker.",
	},
	[FS_LINT_FORK_FAIL] = {
		"a refused fork is a request the program could not serve: the limit named is full.",
		"raise the limit named, or find what fills it (forkscope pids; zombies count too).",
	},
};

static const char *esc_comm(char *buf, size_t len, const char *comm)
{
	return fs_escape(buf, len, comm, FS_ESC_TERMINAL);
}

static void text_mt_fork(char *b, size_t len, const struct fs_finding *fd)
{
	char d[32], fn[4 * FS_FILENAME_LEN];
	const char *how = fd->execd ? "before exec of" :
			  fd->still_running ? "and still runs without exec" :
			  "and exited without exec";

	fs_fmt_duration(d, sizeof(d), fd->ran_ns);
	snprintf(b, len, "%" PRIu64 " %s forked with up to %u threads ran on without exec; child %d ran %s %s%s%s",
		 fd->count, fd->count == 1 ? "child" : "children", fd->threads,
		 fd->child, d, how, fd->execd ? " " : "",
		 fd->execd ? fs_escape(fn, sizeof(fn), fd->filename,
				       FS_ESC_TERMINAL) : "");
}

static void text_zombies(char *b, size_t len, const struct fs_finding *fd)
{
	char d[32];

	if (fd->oldest_ns)
		fs_fmt_duration(d, sizeof(d), fd->oldest_ns);
	snprintf(b, len, "%" PRIu64 " %s never reaped; the oldest, %d, a zombie for %s%s",
		 fd->count, fd->count == 1 ? "child" : "children", fd->child,
		 fd->oldest_ns ? "" : "longer than the watch",
		 fd->oldest_ns ? d : "");
}

static void text_autoreap(char *b, size_t len, const struct fs_finding *fd)
{
	char st[64];

	snprintf(b, len, "%" PRIu64 " %s failed and were reaped by the kernel, their status unseen; the last, %d: %s",
		 fd->count, fd->count == 1 ? "child" : "children", fd->child,
		 fs_status_str(st, sizeof(st), fd->status));
}

static void text_exec_loop(char *b, size_t len, const struct fs_finding *fd)
{
	char fn[4 * FS_FILENAME_LEN];

	snprintf(b, len, "exec of %s failed %" PRIu64 " times with %s%s",
		 fs_escape(fn, sizeof(fn), fd->filename, FS_ESC_TERMINAL),
		 fd->count, fs_errno_name(fd->err),
		 fd->by_children ? ", in children that then exited" : "");
}

static void text_fork_fail(char *b, size_t len, const struct fs_finding *fd)
{
	int n = snprintf(b, len, "%" PRIu64 " %s failed with %s: %s",
			 fd->count, fd->count == 1 ? "fork" : "forks",
			 fs_errno_name(fd->err), fs_fork_limit_name(fd->limit));

	if (fd->max > 0 && n > 0 && (size_t)n < len)
		snprintf(b + n, len - n, ", %" PRId64 " of %" PRId64, fd->used,
			 fd->max);
}

static const char *const fd_kinds[] = {
	[FS_FD_OTHER] = "other", [FS_FD_REG] = "file", [FS_FD_DIR] = "dir",
	[FS_FD_CHR] = "chr", [FS_FD_BLK] = "blk", [FS_FD_FIFO] = "pipe",
	[FS_FD_SOCK] = "socket", [FS_FD_ANON] = "anon", [FS_FD_LNK] = "link",
};

static const char *fd_kind(const struct fs_exec_fd *e)
{
	return e->kind < ARRAY_SIZE(fd_kinds) ? fd_kinds[e->kind] : "other";
}

static const char *family_name(uint16_t family)
{
	switch (family) {
	case AF_UNIX:
		return "unix";
	case AF_INET:
		return "inet";
	case AF_INET6:
		return "inet6";
	case AF_NETLINK:
		return "netlink";
	case AF_PACKET:
		return "packet";
	}
	return "other";
}

static const char *sock_type_name(uint16_t type)
{
	switch (type) {
	case SOCK_STREAM:
		return "stream";
	case SOCK_DGRAM:
		return "dgram";
	case SOCK_SEQPACKET:
		return "seqpacket";
	case SOCK_RAW:
		return "raw";
	}
	return "other";
}

/* "127.0.0.1:8080", "[::1]:8080"; "" for sockets not of IP. */
static const char *ip_addr(char *buf, size_t len, uint16_t family,
			   const uint8_t *addr, uint16_t port)
{
	char a[INET6_ADDRSTRLEN] = "";

	buf[0] = 0;
	if ((family != AF_INET && family != AF_INET6) ||
	    !inet_ntop(family, addr, a, sizeof(a)))
		return buf;
	snprintf(buf, len, family == AF_INET6 ? "[%s]:%u" : "%s:%u", a, port);
	return buf;
}

/* One descriptor: "4 socket inet stream 127.0.0.1:8080", "5 pipe". */
static int text_fd(char *b, size_t len, const struct fs_exec_fd *e)
{
	char name[4 * sizeof(e->name)], a[64], p[64];

	if (e->kind == FS_FD_SOCK)
		return snprintf(b, len, "%d socket %s %s%s%s%s%s", e->fd,
				family_name(e->family),
				sock_type_name(e->sock_type),
				*ip_addr(a, sizeof(a), e->family, e->addr,
					 e->port) ? " " : "", a,
				e->peer_port ? " peer " : "",
				e->peer_port ? ip_addr(p, sizeof(p), e->family,
						       e->peer_addr,
						       e->peer_port) : "");
	if (e->kind == FS_FD_FIFO || !e->name[0])
		return snprintf(b, len, "%d %s (inode %" PRIu64 ")", e->fd,
				fd_kind(e), (uint64_t)e->ino);
	return snprintf(b, len, "%d %s %s", e->fd, fd_kind(e),
			fs_escape(name, sizeof(name), e->name,
				  FS_ESC_TERMINAL));
}

/* At most this many descriptors in a text line. */
#define FDS_SHOWN	8

static void text_exec_fds(char *b, size_t len, const struct fs_finding *fd)
{
	char comm[4 * FS_COMM_LEN];
	size_t n;

	n = snprintf(b, len, "%" PRIu64 " %s of %s inherited %u %s above 2 (child %d); first seen here:",
		     fd->count, fd->count == 1 ? "exec" : "execs",
		     fs_escape(comm, sizeof(comm), fd->filename,
			       FS_ESC_TERMINAL),
		     fd->fds_open, fd->fds_open == 1 ? "descriptor" :
						       "descriptors", fd->child);
	for (uint16_t i = 0; i < fd->nr_fds && i < FDS_SHOWN && n < len; i++) {
		n += snprintf(b + n, len - n, i ? ", " : " ");
		if (n < len)
			n += text_fd(b + n, len - n, &fd->fds[i]);
	}
	if (fd->fds_open > FDS_SHOWN && n < len)
		snprintf(b + n, len - n, " and %u more",
			 fd->fds_open - FDS_SHOWN);
}

static double mib(uint64_t bytes)
{
	return bytes / (1024.0 * 1024.0);
}

static void text_prefork(char *b, size_t len, const struct fs_finding *fd)
{
	int n = snprintf(b, len, "%" PRIu64 " %s it forked without exec copied %.1f MiB of its memory; the most, %d: %.1f MiB, %.1f MiB/s%s",
			 fd->count, fd->count == 1 ? "worker" : "workers",
			 mib(fd->cow_bytes), fd->child, mib(fd->worker_bytes),
			 mib(fd->worker_rate),
			 fd->steady ? ", growing at every sample" : "");

	if (fd->shared_bytes >= 0 && n > 0 && (size_t)n < len)
		snprintf(b + n, len - n, "; it still shares %.1f MiB, owns %.1f MiB",
			 mib(fd->shared_bytes), mib(fd->private_bytes));
}

const char *fs_lint_explain(char *buf, size_t len,
			    const struct fs_finding *fd)
{
	static void (*const text[FS_LINT_KINDS])(char *, size_t,
						 const struct fs_finding *) = {
		[FS_LINT_MT_FORK] = text_mt_fork,
		[FS_LINT_ZOMBIES] = text_zombies,
		[FS_LINT_AUTOREAP] = text_autoreap,
		[FS_LINT_EXEC_LOOP] = text_exec_loop,
		[FS_LINT_FORK_FAIL] = text_fork_fail,
		[FS_LINT_EXEC_FDS] = text_exec_fds,
		[FS_LINT_PREFORK_COW] = text_prefork,
	};

	buf[0] = 0;
	if (fd->kind < FS_LINT_KINDS && text[fd->kind])
		text[fd->kind](buf, len, fd);
	return buf;
}

static bool shown(const struct fs_lint_report *r, const struct fs_finding *fd)
{
	struct fs_proctab *tab = (struct fs_proctab *)&r->m->tab;
	const struct fs_task *t = fs_proctab_get(tab, fd->tgid);

	if (t && t->tgid && t->start_ns == fd->start_ns &&
	    !fs_model_task_selected(r->m, t))
		return false;
	return (int)fd->sev >= r->min_sev;
}

uint32_t fs_lint_nr_shown(const struct fs_lint_report *r)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < r->l->n; i++)
		n += shown(r, &r->l->f[i]);
	return n;
}

static void text_process(FILE *f, const struct fs_lint_report *r,
			 const struct fs_finding *fd)
{
	static char where[FS_CGROUP_PATH_LEN + 64], esc[4 * sizeof(where)];
	char name[4 * FS_COMM_LEN];

	fs_container_text(where, sizeof(where), r->m, &fd->id, fd->tgid, true);
	fprintf(f, "\nprocess %d %s (parent %d)%s%s\n", fd->tgid,
		esc_comm(name, sizeof(name), fd->comm), fd->ppid,
		*where ? " " : "",
		fs_escape(esc, sizeof(esc), where, FS_ESC_TERMINAL));
}

void fs_lint_text(FILE *f, const struct fs_lint_report *r)
{
	const struct fs_finding *prev = NULL;
	char d[32], line[1024];
	uint32_t n = fs_lint_nr_shown(r);

	fs_fmt_duration(d, sizeof(d), r->watched_ns);
	fprintf(f, "%u finding%s at or above %s, watched %s\n", n,
		n == 1 ? "" : "s", fs_lint_severity_name(r->min_sev), d);
	if (r->unavailable)
		fprintf(f, "not checked: %s\n", r->unavailable);
	for (uint32_t i = 0; i < r->l->n; i++) {
		const struct fs_finding *fd = &r->l->f[i];

		if (!shown(r, fd))
			continue;
		if (!prev || prev->tgid != fd->tgid ||
		    prev->start_ns != fd->start_ns)
			text_process(f, r, fd);
		prev = fd;
		fprintf(f, "  %s %s: %s\n", fs_lint_severity_name(fd->sev),
			fs_lint_kind_name(fd->kind),
			fs_lint_explain(line, sizeof(line), fd));
		fprintf(f, "    why: %s\n    fix: %s\n", advice[fd->kind].why,
			advice[fd->kind].fix);
	}
	if (r->l->dropped)
		fprintf(f, "\n%" PRIu64 " more findings not kept (at most %d)\n",
			r->l->dropped, FS_LINT_MAX);
}

static void json_fd(struct fs_json *j, const struct fs_exec_fd *e)
{
	char a[64];

	fs_json_object(j, NULL);
	fs_json_int(j, "fd", e->fd);
	fs_json_str(j, "kind", fd_kind(e));
	fs_json_str(j, "name", e->name);
	fs_json_u64(j, "ino", e->ino);
	fs_json_u64(j, "dev", e->dev);
	if (e->kind == FS_FD_SOCK) {
		fs_json_str(j, "family", family_name(e->family));
		fs_json_str(j, "type", sock_type_name(e->sock_type));
		if (*ip_addr(a, sizeof(a), e->family, e->addr, e->port))
			fs_json_str(j, "addr", a);
		if (e->peer_port &&
		    *ip_addr(a, sizeof(a), e->family, e->peer_addr,
			     e->peer_port))
			fs_json_str(j, "peer", a);
	}
	fs_json_close(j);
}

static void json_exec_fds(struct fs_json *j, const struct fs_finding *fd)
{
	fs_json_str(j, "program", fd->filename);
	fs_json_int(j, "child", fd->child);
	fs_json_u64(j, "open", fd->fds_open);
	fs_json_bool(j, "more", fd->fds_flags & FS_EXECFD_MORE);
	fs_json_bool(j, "scan_cut", fd->fds_flags & FS_EXECFD_SCAN_CUT);
	fs_json_array(j, "fds");
	for (uint16_t i = 0; i < fd->nr_fds; i++)
		json_fd(j, &fd->fds[i]);
	fs_json_close(j);
}

static void json_evidence(struct fs_json *j, const struct fs_finding *fd)
{
	fs_json_object(j, "evidence");
	switch (fd->kind) {
	case FS_LINT_MT_FORK:
		fs_json_int(j, "threads", fd->threads);
		fs_json_int(j, "child", fd->child);
		fs_json_u64(j, "ran_ns", fd->ran_ns);
		fs_json_str(j, "then", fd->execd ? "exec" : fd->still_running ?
			    "running" : "exit");
		if (fd->execd)
			fs_json_str(j, "filename", fd->filename);
		break;
	case FS_LINT_ZOMBIES:
		fs_json_int(j, "oldest", fd->child);
		if (fd->oldest_ns)
			fs_json_u64(j, "oldest_age_ns", fd->oldest_ns);
		else
			fs_json_null(j, "oldest_age_ns");
		break;
	case FS_LINT_AUTOREAP:
		fs_json_int(j, "child", fd->child);
		fs_json_status(j, "status", fd->status);
		break;
	case FS_LINT_EXEC_LOOP:
		fs_json_str(j, "filename", fd->filename);
		fs_json_str(j, "errno", fs_errno_name(fd->err));
		fs_json_bool(j, "by_children", fd->by_children);
		break;
	case FS_LINT_FORK_FAIL:
		fs_json_str(j, "errno", fs_errno_name(fd->err));
		fs_json_str(j, "limit", fs_fork_limit_name(fd->limit));
		fs_json_int(j, "used", fd->used);
		fs_json_int(j, "max", fd->max);
		break;
	case FS_LINT_EXEC_FDS:
		json_exec_fds(j, fd);
		break;
	case FS_LINT_PREFORK_COW:
		fs_json_u64(j, "copied_bytes", fd->cow_bytes);
		fs_json_int(j, "worker", fd->child);
		fs_json_u64(j, "worker_copied_bytes", fd->worker_bytes);
		fs_json_u64(j, "worker_rate_bytes", (uint64_t)fd->worker_rate);
		fs_json_bool(j, "steady", fd->steady);
		if (fd->shared_bytes >= 0) {
			fs_json_int(j, "shared_bytes", fd->shared_bytes);
			fs_json_int(j, "private_bytes", fd->private_bytes);
		} else {
			fs_json_null(j, "shared_bytes");
			fs_json_null(j, "private_bytes");
		}
		break;
	default:
		break;
	}
	fs_json_close(j);
}

/* A finding's members, into the object open at j. */
static void json_finding(struct fs_json *j, const struct fs_model *m,
			 const struct fs_finding *fd)
{
	char line[1024];

	fs_json_str(j, "kind", fs_lint_kind_name(fd->kind));
	fs_json_str(j, "severity", fs_lint_severity_name(fd->sev));
	fs_json_int(j, "pid", fd->tgid);
	fs_json_int(j, "ppid", fd->ppid);
	fs_json_str(j, "comm", fd->comm);
	fs_json_u64(j, "start_ns", fd->start_ns);
	fs_json_u64(j, "count", fd->count);
	fs_json_u64(j, "first_ns", fd->first_ns);
	fs_json_u64(j, "last_ns", fd->last_ns);
	json_evidence(j, fd);
	fs_json_str(j, "text", fs_lint_explain(line, sizeof(line), fd));
	fs_json_str(j, "why", advice[fd->kind].why);
	fs_json_str(j, "fix", advice[fd->kind].fix);
	fs_json_container(j, "container", m, &fd->id);
}

void fs_lint_json(FILE *f, const struct fs_lint_report *r)
{
	struct fs_json j;

	fs_json_begin(&j, f);
	fs_json_object(&j, NULL);
	fs_json_str(&j, "event", "lint");
	fs_json_u64(&j, "watched_ns", r->watched_ns);
	fs_json_str(&j, "severity", fs_lint_severity_name(r->min_sev));
	fs_json_str(&j, "unavailable", r->unavailable);
	fs_lint_json_findings(&j, "findings", r);
	fs_json_u64(&j, "dropped", r->l->dropped);
	fs_json_close(&j);
	fs_json_end(&j);
}

void fs_lint_json_findings(struct fs_json *j, const char *key,
			   const struct fs_lint_report *r)
{
	fs_json_array(j, key);
	for (uint32_t i = 0; i < r->l->n; i++) {
		if (!shown(r, &r->l->f[i]))
			continue;
		fs_json_object(j, NULL);
		json_finding(j, r->m, &r->l->f[i]);
		fs_json_close(j);
	}
	fs_json_close(j);
}

void fs_lint_text_lines(FILE *f, const char *indent,
			const struct fs_lint_report *r)
{
	char name[4 * FS_COMM_LEN], line[1024];

	for (uint32_t i = 0; i < r->l->n; i++) {
		const struct fs_finding *fd = &r->l->f[i];

		char out[1200];

		if (!shown(r, fd))
			continue;
		snprintf(out, sizeof(out), "%s%s %s: %d %s: %s", indent,
			 fs_lint_severity_name(fd->sev),
			 fs_lint_kind_name(fd->kind), fd->tgid,
			 esc_comm(name, sizeof(name), fd->comm),
			 fs_lint_explain(line, sizeof(line), fd));
		if (r->width)
			fs_cut_columns(out, r->width);
		fprintf(f, "%s\n", out);
	}
}

void fs_lint_inline_text(FILE *f, const struct fs_finding *fd)
{
	char line[1024];

	fprintf(f, "%16s`- lint: %s %s of %d: %s\n", "",
		fs_lint_severity_name(fd->sev), fs_lint_kind_name(fd->kind),
		fd->tgid, fs_lint_explain(line, sizeof(line), fd));
}

void fs_lint_inline_json(FILE *f, const struct fs_model *m, uint64_t ts_ns,
			 const struct fs_finding *fd)
{
	struct fs_json j;

	fs_json_begin(&j, f);
	fs_json_object(&j, NULL);
	fs_json_str(&j, "event", "finding");
	fs_json_u64(&j, "ts_ns", ts_ns);
	json_finding(&j, m, fd);
	fs_json_close(&j);
	fs_json_end(&j);
}
