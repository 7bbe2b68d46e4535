// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <sys/wait.h>

#include "decode.h"
#include "explain.h"

/* Looked up here, not in every note: only --explain names the parent. */
static const char *parent_name(const struct fs_model *m, int32_t ppid)
{
	const struct fs_task *p = fs_proctab_get((struct fs_proctab *)&m->tab,
						 ppid);

	return p && p->tgid ? p->comm : "?";
}

static const char *fork_text(char *buf, size_t len,
			     const struct fs_rec_fork *r)
{
	if (r->flags & FS_FORK_THREAD)
		snprintf(buf, len, "clone(CLONE_THREAD) made thread %d in process %d: it shares the memory, open files and signal handlers",
			 r->child_pid, r->child_tgid);
	else if (r->flags & FS_FORK_SHARED_VM)
		snprintf(buf, len, "vfork/posix_spawn: child %d runs in the parent's memory while the parent sleeps until the child execs or exits",
			 r->child_pid);
	else
		snprintf(buf, len, "fork returned twice: %d to the parent, 0 in the child, a copy whose pages are shared copy-on-write until written",
			 r->child_pid);
	return buf;
}

static const char *exec_text(char *buf, size_t len,
			     const struct fs_rec_exec *r)
{
	if (r->old_pid != r->hdr.pid)
		snprintf(buf, len, "thread %d exec'd: the kernel killed the other threads and gave it the leader's pid %d; the new program runs as that process",
			 r->old_pid, r->hdr.pid);
	else
		snprintf(buf, len, "exec replaced the program: pid %d, its parent and open fds (except close-on-exec ones) stay; memory, signal handlers and threads do not",
			 r->hdr.pid);
	return buf;
}

static const char *exit_text(char *buf, size_t len, const struct fs_model *m,
			     const struct fs_rec_exit *r,
			     const struct fs_note *n)
{
	int k;

	if (r->flags & FS_EXIT_THREAD) {
		k = snprintf(buf, len, "a thread ends and is released at once: threads are never zombies");
	} else if (r->flags & FS_EXIT_LEADER_WAITS) {
		k = snprintf(buf, len, "the leader exited first: it stays a zombie its parent cannot reap until the process's last thread exits");
	} else if (r->flags & FS_EXIT_AUTOREAP) {
		k = snprintf(buf, len, "its parent %d (%s) ignores SIGCHLD, so the kernel releases it at once: no zombie, no exit status for anyone",
			     r->hdr.ppid, parent_name(m, r->hdr.ppid));
	} else {
		k = snprintf(buf, len, "now a zombie: only its pid and exit status remain, until parent %d (%s) waits for it; SIGCHLD tells the parent",
			     r->hdr.ppid, parent_name(m, r->hdr.ppid));
	}
	if (n->nr_reparented && k > 0 && (size_t)k < len)
		snprintf(buf + k, len - k, "; its %u child%s reparented to %s %d",
			 n->nr_reparented, n->nr_reparented > 1 ? "ren were" : " was",
			 n->heir_subreaper ? "the subreaper" : "init", n->reparented);
	return buf;
}

static const char *waited_text(char *buf, size_t len,
			       const struct fs_rec_wait_result *r,
			       const struct fs_note *n)
{
	unsigned int st = fs_wait_result_status(r);

	if (r->pid == 0)
		snprintf(buf, len, "no child had changed state: WNOHANG made the wait return at once");
	else if (n->reaped)
		snprintf(buf, len, "the wait collected %d's exit status and released the zombie: its pid can be reused now",
			 r->pid);
	else if ((r->options & WNOWAIT) && (r->flags & FS_WAITR_STATUS))
		snprintf(buf, len, "WNOWAIT: the status of %d was read but the zombie stays for another wait",
			 r->pid);
	else if (WIFSTOPPED(st) || WIFCONTINUED(st))
		snprintf(buf, len, "the wait reported a stop or continue of %d: nothing was reaped",
			 r->pid);
	else
		snprintf(buf, len, "the wait returned %d", r->pid);
	return buf;
}

/* What was full, and what frees it: the limit a fork failure names. */
static const char *const refusal_texts[FS_LIMIT_COUNT] = {
	[FS_LIMIT_NPROC] = "the user already runs RLIMIT_NPROC processes (threads and zombies count); one of them must end and be reaped, or the limit be raised (ulimit -u), before this user can fork",
	[FS_LIMIT_THREADS] = "the machine holds kernel.threads-max tasks (zombies count until reaped); no one can fork until some are reaped",
	[FS_LIMIT_PIDS_CGROUP] = "the pids cgroup is at its pids.max: every process and thread below it counts, zombies too, until reaped; reaping them frees room at once",
	[FS_LIMIT_PID_MAX] = "no free pid below kernel.pid_max: every task and zombie holds one until reaped",
	[FS_LIMIT_MEMORY] = "the kernel could not allocate the new task (ENOMEM)",
	[FS_LIMIT_PIDNS_DEAD] = "the pid namespace's init has exited: the kernel lets no new process into a namespace without its init (ENOMEM)",
	[FS_LIMIT_UNKNOWN] = "EAGAIN, but no limit forkscope reads was full when the syscall returned: one was freed in between, or it was one not read (a container's own pid_max, an outer user namespace's RLIMIT_NPROC, a CLONE_INTO_CGROUP target)",
};

static const char *exec_fail_text(char *buf, size_t len,
				  const struct fs_rec_exec_fail *r)
{
	const char *why;

	switch (r->err) {
	case ENOENT:
		why = "no such file; for a file that exists, its #! interpreter or ELF loader is the one missing";
		break;
	case EACCES:
		why = "not allowed: no execute permission, a directory, or a noexec mount";
		break;
	case ENOEXEC:
		why = "the kernel knows no format for it (no ELF header, no #!); shells then run it as a script, execve does not";
		break;
	default:
		why = "the kernel refused the exec";
	}
	if (r->flags & FS_EXEC_FAIL_FATAL)
		snprintf(buf, len, "the exec failed after the old program was already torn down: the kernel kills the process");
	else
		snprintf(buf, len, "%s; the process goes on running its old program", why);
	return buf;
}

const char *fs_explain(char *buf, size_t len, const struct fs_model *m,
		       const struct fs_hdr *rec, const struct fs_note *n)
{
	buf[0] = 0;
	switch (rec->type) {
	case FS_REC_FORK:
		return fork_text(buf, len, (const void *)rec);
	case FS_REC_EXEC:
		return exec_text(buf, len, (const void *)rec);
	case FS_REC_EXIT:
		return exit_text(buf, len, m, (const void *)rec, n);
	case FS_REC_WAIT:
		snprintf(buf, len, "the process sleeps in the kernel until a child exits or stops (or returns at once with WNOHANG)");
		break;
	case FS_REC_WAIT_RESULT:
		return waited_text(buf, len, (const void *)rec, n);
	case FS_REC_FORK_FAIL: {
		const char *t = refusal_texts[fs_fork_fail_limit((const void *)rec)];

		snprintf(buf, len, "%s", t ? t : "the kernel refused the fork");
		break;
	}
	case FS_REC_EXEC_FAIL:
		return exec_fail_text(buf, len, (const void *)rec);
	case FS_REC_LOST:
		if (fs_lost_lifecycle(((const struct fs_rec_lost *)rec)->reason))
			snprintf(buf, len, "the kernel could not deliver these records: forkscope rebuilds its process table from a new snapshot");
		else
			snprintf(buf, len, "the kernel had no room to count these COW faults: some process's COW count is that much too low; the process table is unaffected");
		break;
	}
	return buf;
}

const char *fs_explain_release(char *buf, size_t len,
			       const struct fs_note *n)
{
	switch (n->released) {
	case FS_RELEASE_WAIT:
		snprintf(buf, len, "release_task() in %d's wait freed the pid and the task; the zombie is gone",
			 n->reaper);
		break;
	case FS_RELEASE_AUTO:
		snprintf(buf, len, "exit_notify() released it at once: no parent will wait for it");
		break;
	case FS_RELEASE_EXEC:
		snprintf(buf, len, "de_thread() released the old leader during the exec");
		break;
	case FS_RELEASE_FREE:
		snprintf(buf, len, "the kernel freed the task (sched_process_free); what released it was not seen");
		break;
	default:
		buf[0] = 0;
	}
	return buf;
}
