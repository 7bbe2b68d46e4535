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
	char size[16];

	for (int i = 1; i < FS_REC_TYPE_MAX; i++)
		ring += st->ringbuf_lost[i];
	fprintf(f, "\n%.1f s traced with %s\nevents shown:", s->ns / 1e9,
		s->source);
	for (int i = 1; i < FS_REC_TYPE_MAX; i++)
		if (listed(s, i))
			fprintf(f, " %s %llu", fs_record_name(i),
				(unsigned long long)s->shown[i]);
	fprintf(f, "\nrecords received %llu (%s); lost %llu\n",
		(unsigned long long)st->records,
		fs_fmt_bytes(size, sizeof(size), st->bytes),
		(unsigned long long)s->model->lost);
	/* Every loss by its cause; a line of zeros says nothing. */
	if (s->model->lost || ring || st->recursion_lost || st->malformed)
		fprintf(f, "lost to: ring buffer full %llu, skipped program runs %llu, malformed %llu\n",
			(unsigned long long)ring,
			(unsigned long long)st->recursion_lost,
			(unsigned long long)st->malformed);
	if (s->cow)
		fprintf(f, "COW faults not counted %llu\n",
			(unsigned long long)st->cow_lost);
	fprintf(f, "process table: %u tasks, %s\n", s->model->tab.count,
		fs_fmt_bytes(size, sizeof(size), fs_model_bytes(s->model)));
}

/* {"fork": N, ...}: a count per type the trace could show. */
static void json_by_type(struct fs_json *j, const char *key,
			 const struct fs_trace_summary *s, const uint64_t *n)
{
	fs_json_object(j, key);
	for (int i = 1; i < FS_REC_TYPE_MAX; i++)
		if (listed(s, i))
			fs_json_u64(j, fs_record_name(i), n[i]);
	fs_json_close(j);
}

void fs_summary_json(FILE *f, const struct fs_trace_summary *s)
{
	const struct fs_stream_stats *st = s->stats;
	struct fs_json j;

	fs_json_begin(&j, f);
	fs_json_object(&j, NULL);
	fs_json_str(&j, "event", "summary");
	fs_json_fixed(&j, "duration_s", s->ns, 9);
	fs_json_str(&j, "source", s->source);
	json_by_type(&j, "shown", s, s->shown);
	json_by_type(&j, "received", s, st->by_type);
	fs_json_u64(&j, "received_bytes", st->bytes);
	fs_json_u64(&j, "lost", s->model->lost);
	json_by_type(&j, "lost_ring_buffer", s, st->ringbuf_lost);
	fs_json_u64(&j, "lost_skipped_runs", st->recursion_lost);
	fs_json_u64(&j, "malformed", st->malformed);
	if (s->cow)
		fs_json_u64(&j, "cow_faults_not_counted", st->cow_lost);
	fs_json_u64(&j, "table_tasks", s->model->tab.count);
	fs_json_u64(&j, "table_bytes", fs_model_bytes(s->model));
	fs_json_close(&j);
	fs_json_end(&j);
}

void fs_resync_text(FILE *f, uint64_t lost, uint64_t swept)
{
	fprintf(f, "# records were lost (%llu so far): process table rebuilt from a new snapshot, %llu tasks had gone unseen\n",
		(unsigned long long)lost, (unsigned long long)swept);
}

void fs_resync_json(FILE *f, uint64_t now_ns, uint64_t lost, uint64_t swept)
{
	struct fs_json j;

	fs_json_begin(&j, f);
	fs_json_object(&j, NULL);
	fs_json_str(&j, "event", "resync");
	fs_json_u64(&j, "ts_ns", now_ns);
	fs_json_u64(&j, "lost_total", lost);
	fs_json_u64(&j, "gone_unseen", swept);
	fs_json_close(&j);
	fs_json_end(&j);
}
