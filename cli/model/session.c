// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "session.h"

#define LOSS_CHECK_NS	(250 * NSEC_PER_MSEC)

struct fs_session {
	struct fs_source *src;
	struct fs_model model;
	struct fs_session_opts o;
	uint64_t start_ns;
	uint64_t last_loss_check_ns;
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

static int on_record(void *ctx, const struct fs_hdr *rec)
{
	struct fs_session *s = ctx;
	struct fs_note note;

	fs_model_apply(&s->model, rec, &note);
	if (s->o.on_event)
		s->o.on_event(s->o.ctx, s, rec, &note);
	return 0;
}

struct fs_session *fs_session_open(const struct fs_session_opts *o)
{
	struct fs_session *s = calloc(1, sizeof(*s));

	if (!s) {
		fs_error(ENOMEM, "out of memory for the session");
		return NULL;
	}
	s->o = *o;
	if (fs_model_init(&s->model, o->select_pid)) {
		free(s);
		return NULL;
	}
	fs_model_filter(&s->model, o->select_cgroup, o->select_container);
	s->src = fs_source_open(&o->source, on_record, s);
	/* Attached first, then the snapshot: nothing falls between them. */
	if (!s->src || fs_source_snapshot(s->src) < 0) {
		fs_session_close(s);
		return NULL;
	}
	if (o->select_pid && !fs_proctab_get(&s->model.tab, o->select_pid)) {
		fs_session_close(s);
		fs_error(ENOENT, "no process %d", o->select_pid);
		return NULL;
	}
	s->start_ns = s->last_loss_check_ns = fs_boot_ns();
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

int fs_session_poll(struct fs_session *s, int timeout_ms)
{
	int n = fs_source_poll(s->src, timeout_ms);
	uint64_t now = fs_boot_ns();

	if (now - s->last_loss_check_ns >= LOSS_CHECK_NS) {
		fs_source_flush_losses(s->src);
		s->last_loss_check_ns = now;
	}
	if (s->model.need_resync)
		fs_session_refresh(s);
	if (n == -EINTR)
		return 0;
	return n < 0 ? fs_error(n, "reading records failed: %s", strerror(-n)) : n;
}

int fs_session_run_for(struct fs_session *s, uint64_t ms)
{
	uint64_t end = fs_boot_ns() + ms * NSEC_PER_MSEC;

	while (!stop) {
		uint64_t now = fs_boot_ns();
		int n;

		if (now >= end)
			break;
		n = fs_session_poll(s, (end - now) / NSEC_PER_MSEC > 100 ? 100 :
				       (int)((end - now) / NSEC_PER_MSEC) + 1);
		if (n < 0)
			return n;
	}
	return 0;
}

void fs_session_drain(struct fs_session *s)
{
	fs_source_poll(s->src, 0);
	fs_source_flush_losses(s->src);
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
	fs_model_free(&s->model);
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
	return fs_source_now(s->src);
}

bool fs_session_done(const struct fs_session *s)
{
	return fs_source_done(s->src);
}

const struct fs_file_meta *fs_session_meta(const struct fs_session *s)
{
	return fs_source_meta(s->src);
}

const char *fs_session_cow_method(const struct fs_session *s)
{
	return fs_source_cow_method(s->src);
}

const struct fs_stream_stats *fs_session_stats(const struct fs_session *s)
{
	return fs_source_stats(s->src);
}

const char *fs_session_describe(const struct fs_session *s)
{
	return fs_source_describe(s->src);
}
