// SPDX-License-Identifier: GPL-2.0-only
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "common.h"
#include "decode.h"
#include "model.h"

int fs_model_init(struct fs_model *m, int32_t select_pid)
{
	memset(m, 0, sizeof(*m));
	m->select_pid = select_pid;
	return fs_proctab_init(&m->tab, 1024);
}

void fs_model_free(struct fs_model *m)
{
	fs_proctab_free(&m->tab);
}

/*
 * The entry for a record's subject, created from the header when the model
 * has not met the task yet. An entry with another start time belonged to
 * an earlier task with the same pid whose release was not seen: replace it.
 */
static struct fs_task *subject(struct fs_model *m, const struct fs_hdr *h)
{
	struct fs_task *t = fs_proctab_get(&m->tab, h->pid);

	if (t && t->start_ns && h->start_ns && t->start_ns != h->start_ns &&
	    !(t->flags & FS_TASK_SNAPSHOT)) {
		fs_proctab_del(&m->tab, h->pid);
		t = NULL;
	}
	if (!t) {
		t = fs_proctab_put(&m->tab, h->pid);
		if (!t)
			return NULL;
		t->tgid = h->tgid;
		t->ppid = h->ppid;
	}
	if (h->start_ns) {
		t->start_ns = h->start_ns;
		t->flags &= ~FS_TASK_SNAPSHOT;
	}
	if (h->ppid)
		t->ppid = h->ppid;
	t->tgid = h->tgid;
	memcpy(t->comm, h->comm, sizeof(t->comm));
	return t;
}

/* Selection is a property of the process: threads share their leader's. */
static bool group_selected(struct fs_model *m, const struct fs_task *t)
{
	const struct fs_task *leader;

	if (!m->select_pid || (t->flags & FS_TASK_SELECTED))
		return true;
	leader = fs_proctab_get(&m->tab, t->tgid);
	return leader && (leader->flags & FS_TASK_SELECTED);
}

static void apply_fork(struct fs_model *m, const struct fs_rec_fork *r,
		       struct fs_task *parent)
{
	struct fs_task *c;
	bool sel;

	if (!parent)
		return;
	sel = group_selected(m, parent);
	/* Whatever had this pid before is gone: the new task replaces it. */
	c = fs_proctab_put(&m->tab, r->child_pid);
	if (!c)
		return;
	memset(c, 0, sizeof(*c));
	c->pid = r->child_pid;
	c->tgid = r->child_tgid;
	c->ppid = r->child_ppid;
	c->start_ns = r->child_start_ns;
	memcpy(c->comm, parent->comm, sizeof(c->comm));
	if (sel)
		c->flags |= FS_TASK_SELECTED;
}

/* Marks t released and tells the note, once per task. */
static void release(struct fs_model *m, struct fs_task *t, uint64_t ts,
		    enum fs_release how, const struct fs_hdr *waiter,
		    struct fs_note *note)
{
	if (t->flags & FS_TASK_REAPED)
		return;
	t->flags |= FS_TASK_REAPED;
	t->reap_ns = ts;
	t->reaper = waiter ? waiter->tgid : 0;
	if (how == FS_RELEASE_AUTO)
		t->flags |= FS_TASK_AUTOREAP;

	note->released = how;
	note->gone = *t;
	note->gone_selected = group_selected(m, t);
	note->reaper = t->reaper;
	if (waiter)
		memcpy(note->reaper_comm, waiter->comm, sizeof(note->reaper_comm));
	if ((t->flags & FS_TASK_EXITED) && ts >= t->exit_ns)
		note->zombie_ns = ts - t->exit_ns;
}

static void apply_exec(struct fs_model *m, const struct fs_rec_exec *r,
		       struct fs_task *t, struct fs_note *note)
{
	struct fs_task *old;

	if (r->old_pid == r->hdr.pid)
		return;
	/*
	 * A non-leader thread exec'd: de_thread() killed the old leader (its
	 * exit was seen under this pid), gave its pid to the thread, and
	 * released it under the thread's old id.
	 */
	t->flags &= ~(FS_TASK_EXITED | FS_TASK_REAPED);
	old = fs_proctab_put(&m->tab, r->old_pid);
	if (!old)
		return;
	old->tgid = r->hdr.tgid;
	old->flags |= FS_TASK_EXITED;
	release(m, old, r->hdr.ts_ns, FS_RELEASE_EXEC, NULL, note);
}

static void apply_exit(struct fs_model *m, const struct fs_rec_exit *r,
		       struct fs_task *t, struct fs_note *note)
{
	t->flags |= FS_TASK_EXITED;
	t->exit_ns = r->hdr.ts_ns;
	t->status = r->status;
	if (t->start_ns && r->hdr.ts_ns > t->start_ns)
		note->runtime_ns = r->hdr.ts_ns - t->start_ns;
	if (r->flags & FS_EXIT_AUTOREAP)
		release(m, t, r->hdr.ts_ns, FS_RELEASE_AUTO, NULL, note);
}

/*
 * A wait4(pid, NULL, 0) returns no status; without WNOWAIT, WUNTRACED or
 * WCONTINUED, a pid returned for an exited child was reaped all the same.
 */
static bool reaped_without_status(const struct fs_rec_wait_result *r,
				  const struct fs_task *c)
{
	return !(r->flags & FS_WAITR_STATUS) && r->pid > 0 && c &&
	       (c->flags & FS_TASK_EXITED) &&
	       !(r->options & (WNOWAIT | WUNTRACED | WCONTINUED));
}

static void apply_waited(struct fs_model *m,
			 const struct fs_rec_wait_result *r,
			 struct fs_note *note)
{
	struct fs_task *c;

	/* A pid from inside a child pid namespace names another task here. */
	if (r->flags & FS_WAITR_NS_LOCAL)
		return;
	c = fs_proctab_get(&m->tab, r->pid);
	if (!fs_wait_result_reaped(r) && !reaped_without_status(r, c))
		return;
	note->reaped = true;
	if (c)
		release(m, c, r->hdr.ts_ns, FS_RELEASE_WAIT, &r->hdr, note);
}

/* The kernel freed the task: a release only if nothing told one before. */
static void apply_free(struct fs_model *m, struct fs_task *t,
		       const struct fs_hdr *h, struct fs_note *note)
{
	release(m, t, h->ts_ns, FS_RELEASE_FREE, NULL, note);
	note->task = *t;
	fs_proctab_del(&m->tab, t->pid);
}

void fs_model_apply(struct fs_model *m, const struct fs_hdr *rec,
		    struct fs_note *note)
{
	struct fs_task *t;

	memset(note, 0, sizeof(*note));
	if (rec->type == FS_REC_LOST) {
		note->selected = true;
		return;
	}
	t = subject(m, rec);
	if (!t)
		return;
	note->selected = group_selected(m, t);

	switch (rec->type) {
	case FS_REC_FORK:
		apply_fork(m, (const void *)rec, t);
		break;
	case FS_REC_EXEC:
		apply_exec(m, (const void *)rec, t, note);
		break;
	case FS_REC_EXIT:
		apply_exit(m, (const void *)rec, t, note);
		break;
	case FS_REC_WAIT_RESULT:
		apply_waited(m, (const void *)rec, note);
		break;
	case FS_REC_REAP:
		apply_free(m, t, rec, note);
		return;	/* t is gone; note->task was filled */
	}
	note->task = *t;
}

/* Reads pid, comm and ppid from a /proc/PID/stat line. */
static int read_stat(int32_t pid, struct fs_task *out)
{
	char path[64], buf[512], *lp, *rp;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	/* comm may hold spaces and parentheses: it ends at the last ')'. */
	lp = strchr(buf, '(');
	rp = strrchr(buf, ')');
	if (!lp || !rp || rp < lp || rp[1] != ' ' || !rp[2])
		return -EINVAL;
	n = rp - lp - 1;
	if (n >= sizeof(out->comm))
		n = sizeof(out->comm) - 1;
	memcpy(out->comm, lp + 1, n);
	out->comm[n] = 0;
	if (sscanf(rp + 2, "%*c %d", &out->ppid) != 1)
		return -EINVAL;
	if (rp[2] == 'Z')
		out->flags |= FS_TASK_EXITED;
	return 0;
}

static void snapshot_task(struct fs_model *m, int32_t pid, int32_t tgid)
{
	struct fs_task tmp = { .pid = pid, .tgid = tgid }, *t;

	if (read_stat(pid, &tmp))
		return;		/* gone meanwhile: its exit is in the stream */
	t = fs_proctab_get(&m->tab, pid);
	if (t)
		return;		/* the stream already told us more */
	t = fs_proctab_put(&m->tab, pid);
	if (!t)
		return;
	*t = tmp;
	t->flags |= FS_TASK_SNAPSHOT;
}

static void snapshot_threads(struct fs_model *m, int32_t tgid)
{
	char path[64];
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", tgid);
	dir = opendir(path);
	if (!dir)
		return;
	while ((d = readdir(dir)))
		if (d->d_name[0] >= '1' && d->d_name[0] <= '9')
			snapshot_task(m, atoi(d->d_name), tgid);
	closedir(dir);
}

/* Marks select_pid and everything below it, threads included. */
static void select_subtree(struct fs_model *m)
{
	bool changed = true;

	if (!m->select_pid)
		return;
	/* Parent links point up: repeat until no new member appears. */
	while (changed) {
		changed = false;
		for (uint32_t i = 0; i <= m->tab.mask; i++) {
			struct fs_task *t = &m->tab.slots[i];
			const struct fs_task *p;

			if (!t->pid || (t->flags & FS_TASK_SELECTED))
				continue;
			p = t->pid != t->tgid ?
			    fs_proctab_get(&m->tab, t->tgid) :
			    fs_proctab_get(&m->tab, t->ppid);
			if (t->tgid == m->select_pid ||
			    (p && (p->flags & FS_TASK_SELECTED))) {
				t->flags |= FS_TASK_SELECTED;
				changed = true;
			}
		}
	}
}

int fs_model_snapshot(struct fs_model *m)
{
	struct dirent *d;
	DIR *dir = opendir("/proc");

	if (!dir)
		return fs_error(errno, "cannot read /proc: %s", strerror(errno));
	while ((d = readdir(dir)))
		if (d->d_name[0] >= '1' && d->d_name[0] <= '9')
			snapshot_threads(m, atoi(d->d_name));
	closedir(dir);
	select_subtree(m);
	return 0;
}
