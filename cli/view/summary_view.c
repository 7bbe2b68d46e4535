// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>

#include "common.h"
#include "json.h"
#include "summary_view.h"

static bool listed(const struct fs_trace_summary *s, int type)
{
	return type != FS_REC_LOST && (s->types & (1U << type));
}

void fs_summary_text(FILE *f, const struct fs_trace_summary *s)
{
	const struct fs_stream_stats *st = s->stats;
	uint64_t ring = 0;

	for (int i = 1; i < FS_REC_TYPE_MAX; i++)
		ring += st->ringbuf_lost[i];
	fprintf(f, "\n%.1f s traced with %s\nevents shown:", s->ns / 1e9,
		s->source);
	for (int i = 1; i < FS_REC_TYPE_MAX; i++)
		if (listed(s, i))
			fprintf(f, " %s %llu", fs_record_name(i),
				(unsigned long long)s->shown[i]);
	fprintf(f, "\nrecords received %llu; lost %llu (ring buffer full %llu, skipped program runs %llu, malformed %llu)\n",
		(unsigned long long)st->records,
		(unsigned long long)s->model->lost,
		(unsigned long long)ring,
		(unsigned long long)st->recursion_lost,
		(unsigned long long)st->malformed);
	if (s->cow)
		fprintf(f, "COW faults not counted %llu\n",
			(unsigned long long)st->cow_lost);
	fprintf(f, "process table: %u tasks, %llu KiB\n", s->model->tab.count,
		(unsigned long long)fs_model_bytes(s->model) >> 10);
}

void fs_summary_json(FILE *f, const struct fs_trace_summary *s)
{
	const struct fs_stream_stats *st = s->stats;
	struct json_object *o = json_object_new_object();
	struct json_object *shown = json_object_new_object();
	struct json_object *recv = json_object_new_object();
	struct json_object *ring = json_object_new_object();

	for (int i = 1; i < FS_REC_TYPE_MAX; i++) {
		if (!listed(s, i))
			continue;
		fs_json_add_u64(shown, fs_record_name(i), s->shown[i]);
		fs_json_add_u64(recv, fs_record_name(i), st->by_type[i]);
		fs_json_add_u64(ring, fs_record_name(i), st->ringbuf_lost[i]);
	}
	fs_json_add_str(o, "event", "summary");
	fs_json_add_fixed(o, "duration_s", s->ns, 9);
	fs_json_add_str(o, "source", s->source);
	json_object_object_add(o, "shown", shown);
	json_object_object_add(o, "received", recv);
	fs_json_add_u64(o, "lost", s->model->lost);
	json_object_object_add(o, "lost_ring_buffer", ring);
	fs_json_add_u64(o, "lost_skipped_runs", st->recursion_lost);
	fs_json_add_u64(o, "malformed", st->malformed);
	if (s->cow)
		fs_json_add_u64(o, "cow_faults_not_counted", st->cow_lost);
	fs_json_add_u64(o, "table_tasks", s->model->tab.count);
	fs_json_add_u64(o, "table_bytes", fs_model_bytes(s->model));
	fs_json_emit(f, o);
}

void fs_resync_text(FILE *f, uint64_t lost, uint64_t swept)
{
	fprintf(f, "# records were lost (%llu so far): process table rebuilt from a new snapshot, %llu tasks had gone unseen\n",
		(unsigned long long)lost, (unsigned long long)swept);
}

void fs_resync_json(FILE *f, uint64_t lost, uint64_t swept)
{
	struct json_object *o = json_object_new_object();

	fs_json_add_str(o, "event", "resync");
	fs_json_add_u64(o, "ts_ns", fs_boot_ns());
	fs_json_add_u64(o, "lost_total", lost);
	fs_json_add_u64(o, "gone_unseen", swept);
	fs_json_emit(f, o);
}
