// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "frames.h"
#include "session.h"

#define LOSS_CHECK_NS	(250 * NSEC_PER_MSEC)
#define TARGET_SCAN_NS	(250 * NSEC_PER_MSEC)

struct fs_session {
	struct fs_source *src;
	struct fs_model model;
	struct fs_session_opts o;
	uint64_t start_ns;
	uint64_t stopped_ns;	/* drained: the clock stops there */
	uint64_t last_loss_check_ns;
	bool replay;
	/* Replaying: a recorded snapshot taken after losses is under way. */
	bool replayed_resync;
	uint64_t swept_before;
	/* --stacks: the tgids whose forks are captured; or all of them. */
	struct fs_idmap targets;
	bool stacks_all;
	uint64_t last_target_scan_ns;
	struct fs_site *look_handler;	/* named at the last look: freed
					 * once the record is told */
	/* Replaying: the frames recorded for the next stack record. */
	struct named {
		uint64_t *rec;		/* a copy of the frames record */
		struct fs_stack st;
		struct fs_frame frames[FS_STACK_MAX_IPS];
	} named[FS_FRAMES_KERNEL + 1];
	/* The last look's kernel functions, for a recording to keep. */
	struct fs_frame kframes[FS_NOW_MAX_KIPS];
	struct fs_stack kstack;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

void fs_stop_on_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	/* No SA_RESTART: a blocked poll returns at once. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int fs_stop_requested(void)
{
	return stop;
}

/*
 * A recording carries the snapshots its recorder took after losses where
 * they fell: tell them as the live session told its own.
 */
static void replayed_sync(struct fs_session *s, const struct fs_hdr *rec,
			  bool applied)
{
	const struct fs_rec_sync *y = (const void *)rec;

	if (!applied && y->phase == FS_SYNC_BEGIN) {
		s->replayed_resync = s->model.need_resync;
		s->swept_before = s->model.swept;
	} else if (applied && y->phase == FS_SYNC_END && s->replayed_resync) {
		s->replayed_resync = false;
		if (s->o.on_resync)
			s->o.on_resync(s->o.ctx, s,
				       s->model.swept - s->swept_before);
	}
}

static void target(struct fs_session *s, int32_t tgid)
{
	bool added;

	if (tgid <= 0 || s->stacks_all ||
	    !fs_idmap_put(&s->targets, tgid, &added) || !added)
		return;
	fs_source_stack_target(s->src, tgid, true);
}

static void untarget(struct fs_session *s, int32_t tgid)
{
	if (tgid <= 0 || !fs_idmap_get(&s->targets, tgid))
		return;
	fs_idmap_del(&s->targets, tgid);
	fs_source_stack_target(s->src, tgid, false);
}

/* Every process, or those the selection holds now. */
static void target_selected(struct fs_session *s)
{
	struct fs_task *t;

	if (!s->o.select_pid && !s->o.select_cgroup &&
	    !s->o.select_container) {
		s->stacks_all = !fs_source_stack_target(s->src, 0, true);
		return;
	}
	fs_proctab_for_each(&s->model.tab, t)
		if (t->pid == t->tgid && fs_task_is_live(t) &&
		    fs_model_task_selected(&s->model, t))
			target(s, t->tgid);
}

/* The parents of zombies old enough to call a leak. */
static void target_zombie_parents(struct fs_session *s, uint64_t now)
{
	struct fs_task *t;

	s->last_target_scan_ns = now;
	fs_proctab_for_each(&s->model.tab, t) {
		if (!fs_task_is_zombie(t) || t->pid != t->tgid)
			continue;
		if ((t->flags & FS_TASK_EXIT_UNKNOWN) ||
		    now - t->exit_ns >= s->o.stacks_zombie_ns)
			target(s, t->ppid);
	}
}

/* A frames record read back: kept for the stack record after it. */
static void keep_named(struct fs_session *s, const struct fs_rec_frames *r)
{
	struct named *n = &s->named[r->what];
	uint64_t *copy = malloc(r->hdr.size);

	free(n->rec);
	n->rec = copy;
	if (!copy)
		return;
	memcpy(copy, r, r->hdr.size);
	fs_frames_stack((const void *)copy, &n->st, n->frames);
}

/*
 * The stack recorded for rec (what: FS_FRAMES_*), or NULL: recorded
 * without names (live, or an older recording). A frames record names
 * the one record after it: the same type, thread and stamp.
 */
static const struct fs_stack *named(struct fs_session *s,
				    const struct fs_hdr *rec, unsigned int what)
{
	struct named *n = &s->named[what];
	const struct fs_rec_frames *r = (const void *)n->rec;

	if (!r || r->rec_type != rec->type || r->hdr.pid != rec->pid ||
	    r->hdr.ts_ns != rec->ts_ns)
		return NULL;
	return &n->st;
}

static void drop_named(struct fs_session *s)
{
	for (int i = 0; i <= FS_FRAMES_KERNEL; i++) {
		free(s->named[i].rec);
		s->named[i].rec = NULL;
	}
}

/*
 * The kernel functions a look's addresses are in: named here, live; a
 * recording's are the names it was recorded with (another boot's
 * addresses are not this one's). Kept in s->kstack for the recorder.
 */
static void kernel_names(struct fs_session *s, const struct fs_rec_task_now *r,
			 struct fs_now_resolved *res)
{
	const uint64_t *kips = fs_task_now_kips(r);
	const struct fs_stack *rec = named(s, &r->hdr, FS_FRAMES_KERNEL);

	s->kstack.frames = s->kframes;
	s->kstack.method = FS_STACK_NONE;
	s->kstack.partial = false;
	s->kstack.nr = r->nr_kips;
	for (uint32_t i = 0; i < r->nr_kips; i++) {
		if (s->replay)
			res->knames[i] = rec && i < rec->nr ?
					 rec->frames[i].function : NULL;
		else
			res->knames[i] = fs_source_kernel_symbol(s->src,
								 kips[i]);
		memset(&s->kframes[i], 0, sizeof(s->kframes[i]));
		s->kframes[i].addr = kips[i];
		s->kframes[i].function = res->knames[i];
	}
}

/*
 * A look at a thread, resolved as it arrives: its user stack, the
 * process's SIGCHLD handler (once, on the leader's record) and the
 * kernel functions it sleeps in.
 */
static void look(struct fs_session *s, const struct fs_rec_task_now *r,
		 struct fs_note *note)
{
	struct fs_now_resolved res = { 0 };
	struct fs_site *handler = NULL;
	size_t bytes;

	if (r->index == 0 && r->sigchld_handler > 1) {
		res.handler = named(s, &r->hdr, FS_FRAMES_HANDLER);
		if (!res.handler)
			res.handler = fs_source_name_address(s->src, &r->hdr,
							r->sigchld_handler);
		/* Kept: the next resolve reuses the resolver's frames. */
		handler = fs_site_new(res.handler, &bytes);
		res.handler = handler ? &handler->stack : NULL;
	}
	kernel_names(s, r, &res);
	res.stack = named(s, &r->hdr, FS_FRAMES_STACK);
	if (!res.stack)
		res.stack = fs_source_resolve_stack(s->src, &r->hdr);
	fs_task_now_apply(&s->model.nows, r, &res);
	note->stack = res.stack;
	note->kernel = s->kstack.nr ? &s->kstack : NULL;
	/* The recorder writes it before the next record: freed after. */
	s->look_handler = handler;
	note->handler = handler ? &handler->stack : NULL;
}

int fs_session_look_at_targets(struct fs_session *s)
{
	const struct fs_idmap *t = &s->targets;
	int err = 0, n;

	if (s->replay)
		return 0;
	/* A look delivers task-now records only: the targets stay put. */
	for (uint32_t i = 0; t->slots && i <= t->mask; i++) {
		if (!t->slots[i].id)
			continue;
		n = fs_source_task_now(s->src, (int32_t)t->slots[i].id);
		/* Gone since it was targeted: its exit will say so. */
		if (n < 0 && n != -ESRCH && n != -ENOENT && !err)
			err = n;
	}
	return err;
}

/*
 * A fork stack is resolved as it arrives: the parent's mappings are
 * read now, while it most likely runs the image that forked. Exec and
 * exit end what was kept of a process.
 */
static void follow_stacks(struct fs_session *s, const struct fs_hdr *rec,
			  struct fs_note *note)
{
	const struct fs_rec_fork *f = (const void *)rec;
	const struct fs_rec_exit *e = (const void *)rec;
	const struct fs_stack *st;

	switch (rec->type) {
	case FS_REC_FORK_STACK:
		st = named(s, rec, FS_FRAMES_STACK);
		note->site = fs_callsites_add(&s->model.sites, (const void *)rec,
				st ? st : fs_source_resolve_stack(s->src, rec));
		note->stack = note->site ? &note->site->stack : NULL;
		break;
	case FS_REC_TASK_NOW:
		look(s, (const void *)rec, note);
		break;
	case FS_REC_FRAMES:
		if (s->replay)
			keep_named(s, (const void *)rec);
		break;
	case FS_REC_FORK:
		if (s->o.stacks == FS_STACKS_SELECTED && note->selected &&
		    !(f->flags & FS_FORK_THREAD))
			target(s, f->child_tgid);
		break;
	case FS_REC_EXEC:
		fs_source_forget_stacks(s->src, rec->tgid);
		fs_task_now_forget(&s->model.nows, rec->tgid);
		break;
	case FS_REC_EXIT:
		if (!(e->flags & FS_EXIT_GROUP_DEAD))
			break;
		fs_source_forget_stacks(s->src, rec->tgid);
		fs_task_now_forget(&s->model.nows, rec->tgid);
		untarget(s, rec->tgid);
		break;
	}
}

static int on_record(void *ctx, const struct fs_hdr *rec)
{
	struct fs_session *s = ctx;
	struct fs_note note;
	bool sync = s->replay && rec->type == FS_REC_SYNC;

	if (sync)
		replayed_sync(s, rec, false);
	fs_model_apply(&s->model, rec, &note);
	follow_stacks(s, rec, &note);
	if (s->o.on_event)
		s->o.on_event(s->o.ctx, s, rec, &note);
	if (s->o.recorder)
		fs_recorder_event(s->o.recorder, rec, &note, s->src);
	free(s->look_handler);
	s->look_handler = NULL;
	if (sync)
		replayed_sync(s, rec, true);
	return 0;
}

/* A recording made with -p, --cgroup or --container is read as made. */
static void recorded_selection(struct fs_session_opts *o,
			       const struct fs_file_meta *m)
{
	if (!m || o->select_pid || o->select_cgroup || o->select_container)
		return;
	o->select_pid = m->select_pid;
	o->select_cgroup = m->select_cgroup[0] ? m->select_cgroup : NULL;
	o->select_container = m->select_container[0] ? m->select_container :
						       NULL;
}

struct fs_session *fs_session_open(const struct fs_session_opts *o)
{
	struct fs_session *s = calloc(1, sizeof(*s));

	if (!s) {
		fs_error(ENOMEM, "out of memory for the session");
		return NULL;
	}
	s->o = *o;
	s->o.source.stacks = o->stacks != FS_STACKS_OFF;
	s->src = fs_source_open(&s->o.source, on_record, s);
	if (!s->src) {
		free(s);
		return NULL;
	}
	s->replay = fs_source_meta(s->src) != NULL;
	recorded_selection(&s->o, fs_source_meta(s->src));
	if (fs_model_init(&s->model, s->o.select_pid)) {
		fs_source_close(s->src);
		free(s);
		return NULL;
	}
	fs_model_filter(&s->model, s->o.select_cgroup, s->o.select_container);
	/*
	 * Watching from now: attached first, then the snapshot, so nothing
	 * falls between them. A recording kept starts here too.
	 */
	s->start_ns = s->replay ? fs_source_meta(s->src)->start_ns :
				  fs_boot_ns();
	if (o->recorder)
		o->recorder->meta.start_ns = s->start_ns;
	if (fs_source_snapshot(s->src) < 0) {
		fs_session_close(s);
		return NULL;
	}
	if (s->o.select_pid &&
	    !fs_proctab_get(&s->model.tab, s->o.select_pid)) {
		fs_error(ENOENT, "no process %d%s", s->o.select_pid,
			 s->replay ? " in the recording" : "");
		fs_session_close(s);
		return NULL;
	}
	s->last_loss_check_ns = fs_boot_ns();
	if (s->o.stacks == FS_STACKS_SELECTED)
		target_selected(s);
	else if (s->o.stacks == FS_STACKS_ZOMBIE_PARENTS)
		target_zombie_parents(s, fs_boot_ns());
	return s;
}

int fs_session_refresh(struct fs_session *s)
{
	uint64_t swept = s->model.swept;
	bool was_resync = s->model.need_resync;
	int n = fs_source_snapshot(s->src);

	if (n >= 0 && was_resync && s->o.on_resync)
		s->o.on_resync(s->o.ctx, s, s->model.swept - swept);
	return n;
}

/*
 * The recording a session keeps is flushed as it goes; a new part of it
 * starts with a snapshot. A recording that cannot be written stops the
 * session: nothing is lost without a word.
 */
static int keep_recording(struct fs_session *s, int n)
{
	struct fs_recorder *r = s->o.recorder;

	if (!r || n < 0)
		return n;
	if (fs_recorder_tick(r, s->src, fs_source_now(s->src)) < 0)
		return r->err;
	if (r->rotating) {
		r->rotating = false;
		if (fs_session_refresh(s) < 0)
			return -EIO;
	}
	return r->err ? r->err : n;
}

/* A recording's records up to ns, kept again if a recording is kept. */
static int replay_until(struct fs_session *s, uint64_t ns)
{
	return keep_recording(s, fs_source_poll_until(s->src, ns));
}

int fs_session_poll(struct fs_session *s, int timeout_ms)
{
	int n;
	uint64_t now;

	/*
	 * A recording's own LOST and snapshot records come in its stream;
	 * where it is cut or damaged the source has said so.
	 */
	if (s->replay)
		return replay_until(s, fs_source_now(s->src) +
				       timeout_ms * NSEC_PER_MSEC);
	n = fs_source_poll(s->src, timeout_ms);
	now = fs_boot_ns();

	if (now - s->last_loss_check_ns >= LOSS_CHECK_NS) {
		fs_source_flush_losses(s->src);
		s->last_loss_check_ns = now;
	}
	if (s->model.need_resync)
		fs_session_refresh(s);
	if (s->o.stacks == FS_STACKS_ZOMBIE_PARENTS &&
	    now - s->last_target_scan_ns >= TARGET_SCAN_NS)
		target_zombie_parents(s, now);
	if (n == -EINTR)
		n = 0;
	if (n < 0)
		return fs_error(n, "reading records failed: %s", strerror(-n));
	return keep_recording(s, n);
}

int fs_session_run_until(struct fs_session *s, uint64_t ns)
{
	if (s->replay) {
		int n = replay_until(s, ns);

		return n < 0 ? n : 0;
	}
	while (!stop && fs_boot_ns() < ns) {
		uint64_t left = ns - fs_boot_ns();
		int n = fs_session_poll(s, left / NSEC_PER_MSEC > 100 ? 100 :
					   (int)(left / NSEC_PER_MSEC) + 1);

		if (n < 0)
			return n;
	}
	return 0;
}

uint64_t fs_session_next_ns(struct fs_session *s)
{
	return fs_source_next_ns(s->src);
}

int fs_session_run_for(struct fs_session *s, uint64_t ms)
{
	return fs_session_run_until(s, fs_session_now(s) +
				       ms * NSEC_PER_MSEC);
}

void fs_session_drain(struct fs_session *s)
{
	if (s->replay)
		return;	/* a recording is read where its clock says */
	fs_source_poll(s->src, 0);
	fs_source_flush_losses(s->src);
	s->stopped_ns = fs_boot_ns();
}

int fs_session_pids_sample(struct fs_session *s)
{
	return fs_source_pids_sample(s->src);
}

int fs_session_cow_sample(struct fs_session *s)
{
	return fs_source_cow_sample(s->src);
}

void fs_session_close(struct fs_session *s)
{
	if (!s)
		return;
	fs_source_close(s->src);
	fs_idmap_clear(&s->targets, NULL);
	fs_model_free(&s->model);
	drop_named(s);
	free(s);
}

const struct fs_model *fs_session_model(const struct fs_session *s)
{
	return &s->model;
}

uint64_t fs_session_start_ns(const struct fs_session *s)
{
	return s->start_ns;
}

uint64_t fs_session_now(const struct fs_session *s)
{
	if (s->stopped_ns)
		return s->stopped_ns;
	return fs_source_now(s->src);
}

bool fs_session_done(const struct fs_session *s)
{
	return fs_source_done(s->src);
}

void fs_session_fill_meta(const struct fs_session *s, struct fs_file_meta *m)
{
	fs_source_fill_meta(s->src, m);
}

const struct fs_file_end *fs_session_end(const struct fs_session *s)
{
	return fs_source_end(s->src);
}

const struct fs_file_meta *fs_session_meta(const struct fs_session *s)
{
	return fs_source_meta(s->src);
}

bool fs_session_exec_fds(const struct fs_session *s)
{
	return fs_source_exec_fds(s->src);
}

const char *fs_session_cow_method(const struct fs_session *s)
{
	return fs_source_cow_method(s->src);
}

int fs_session_counters(struct fs_session *s, uint64_t *out)
{
	return fs_source_counters(s->src, out);
}

const struct fs_stream_stats *fs_session_stats(const struct fs_session *s)
{
	return fs_source_stats(s->src);
}

const char *fs_session_describe(const struct fs_session *s)
{
	return fs_source_describe(s->src);
}
