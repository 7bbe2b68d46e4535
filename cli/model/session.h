/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A live session: a record source feeding the process model, started with
 * a snapshot, kept whole after losses by a new snapshot. Every command
 * that watches the machine runs one.
 */
#ifndef FS_SESSION_H
#define FS_SESSION_H

#include <stdbool.h>
#include "model.h"
#include "source.h"

struct fs_session;

/* Called for every record after the model has applied it. */
typedef void (*fs_event_fn)(void *ctx, const struct fs_hdr *rec,
			    const struct fs_note *note);
/* Called after a resync; swept: tasks found gone unseen. */
typedef void (*fs_resync_fn)(void *ctx, uint64_t swept);

struct fs_session_opts {
	struct fs_source_opts source;
	int32_t select_pid;	/* -p */
	fs_event_fn on_event;	/* may be NULL */
	fs_resync_fn on_resync;	/* may be NULL */
	void *ctx;
};

struct fs_session {
	struct fs_source *src;
	struct fs_model model;
	struct fs_session_opts o;
	uint64_t start_ns;
	uint64_t last_loss_check_ns;
};

/* Opens the source, loads the snapshot. Error: fs_last_error(). */
int fs_session_open(struct fs_session *s, const struct fs_session_opts *o);
/*
 * Applies what arrives within timeout_ms; resyncs after losses. Returns
 * records delivered, or a negative errno (not -EINTR; fs_last_error()
 * says what failed).
 */
int fs_session_poll(struct fs_session *s, int timeout_ms);
/* Polls until ms have passed or a stop was asked for. */
int fs_session_run_for(struct fs_session *s, uint64_t ms);
/* Drains what is left and reports final losses. */
void fs_session_drain(struct fs_session *s);
/* A new snapshot now, e.g. to refresh SIGCHLD dispositions. */
int fs_session_refresh(struct fs_session *s);
void fs_session_close(struct fs_session *s);

/* SIGINT/SIGTERM ask every loop to stop. */
void fs_stop_on_signals(void);
/* The signal that asked to stop, or 0. */
int fs_stop_requested(void);

#endif
