// SPDX-License-Identifier: GPL-2.0-only
/*
 * The inspector's own speed, with no kernel in the loop: a synthetic
 * stream of process lifecycles (fork, exec, exit, wait, wait result, free
 * per process) through the decoder alone, then through decoder and model;
 * then through decoder, model and trace's text or JSON view into
 * /dev/null, as trace shows them (the reap line from the wait result);
 * and the model's memory per tracked process with N processes alive.
 * Prints key=value lines.
 *   decode_bench [RECORDS] [LIVE_PROCESSES]   (default 10000000 100000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "decode.h"
#include "event_view.h"
#include "model.h"
#include "synth.h"

#define CYCLE	6	/* records per process lifecycle */

static size_t emit(char *buf, unsigned int type, size_t size, int pid,
		   int tgid, int ppid, uint64_t ts, uint64_t start)
{
	synth_hdr((void *)buf, type, size, pid, tgid, ppid, ts, start, "bench");
	return size;
}

/* One lifecycle of child pid under parent 100; returns bytes written. */
static size_t lifecycle(char *buf, int pid, uint64_t *ts)
{
	uint64_t start = ++*ts;
	size_t off = 0;
	struct fs_rec_fork *f = (void *)(buf + off);
	struct fs_rec_exit *x;
	struct fs_rec_wait_result *w;

	off += emit(buf + off, FS_REC_FORK, sizeof(*f), 100, 100, 1, ++*ts, 10);
	f->child_pid = f->child_tgid = pid;
	f->child_ppid = 100;
	f->child_start_ns = start;
	off += synth_exec((void *)(buf + off), pid, pid, 100, ++*ts, start,
			  "bench", pid, "/bin/true", "true\0-x\0", 8);
	x = (void *)(buf + off);
	off += emit(buf + off, FS_REC_EXIT, sizeof(*x), pid, pid, 100, ++*ts, start);
	x->flags = FS_EXIT_GROUP_DEAD;
	x->heir = 1;
	off += emit(buf + off, FS_REC_WAIT, sizeof(struct fs_rec_wait), 100, 100,
		    1, ++*ts, 10);
	w = (void *)(buf + off);
	off += emit(buf + off, FS_REC_WAIT_RESULT, sizeof(*w), 100, 100, 1,
		    ++*ts, 10);
	w->pid = w->ret = pid;
	w->syscall = FS_WAIT_SYS_WAIT4;
	w->flags = FS_WAITR_STATUS;
	off += emit(buf + off, FS_REC_REAP, sizeof(struct fs_rec_reap), pid, pid,
		    0, ++*ts, start);
	return off;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* Decodes (and with m, applies) n records from the looped stream. */
static double run(const char *buf, size_t len, long n, struct fs_model *m)
{
	struct fs_note note;
	double t0 = now();
	size_t off = 0;

	for (long i = 0; i < n; i++) {
		const struct fs_hdr *h = (const void *)(buf + off);

		if (fs_record_check(h, len - off))
			abort();
		if (m)
			fs_model_apply(m, h, &note);
		off += h->size;
		if (off == len)
			off = 0;
	}
	return now() - t0;
}

/*
 * Decodes, applies and shows n records as trace does, into f; returns the
 * seconds. Text and JSON alike pay the same /dev/null writes per byte.
 */
static double view(const char *buf, size_t len, long n, FILE *f, bool json)
{
	struct fs_note note;
	struct fs_model m;
	size_t off = 0;
	double t0;

	fs_model_init(&m, 0);
	t0 = now();
	for (long i = 0; i < n; i++) {
		const struct fs_hdr *h = (const void *)(buf + off);

		if (fs_record_check(h, len - off))
			abort();
		fs_model_apply(&m, h, &note);
		if (h->type != FS_REC_REAP) {
			if (json)
				fs_event_json(f, &m, h, &note, NULL);
			else
				fs_event_text(f, &m, h, &note, NULL);
		}
		if (note.released) {
			if (json)
				fs_release_json(f, h->ts_ns, &note, NULL);
			else
				fs_release_text(f, &m, h->ts_ns, &note, NULL);
		}
		off += h->size;
		if (off == len)
			off = 0;
	}
	fflush(f);
	t0 = now() - t0;
	fs_model_free(&m);
	return t0;
}

int main(int argc, char **argv)
{
	long records = argc > 1 ? atol(argv[1]) : 10000000;
	long live = argc > 2 ? atol(argv[2]) : 100000;
	/* 32,768 distinct lifecycles, replayed: pids recur as on a real box */
	size_t cycles = 32768, cap = cycles * CYCLE * 1024, len = 0;
	char *buf = malloc(cap);
	struct fs_model m;
	struct fs_note note;
	uint64_t ts = 1000;
	double t;

	if (!buf)
		return 1;
	for (size_t i = 0; i < cycles; i++)
		len += lifecycle(buf + len, 1000 + i, &ts);
	printf("stream_bytes=%zu records_per_pass=%zu avg_record_bytes=%.0f\n",
	       len, cycles * CYCLE, (double)len / (cycles * CYCLE));

	t = run(buf, len, records, NULL);
	printf("decode_records=%ld seconds=%.3f decode_per_s=%.0f\n", records,
	       t, records / t);
	fs_model_init(&m, 0);
	t = run(buf, len, records, &m);
	printf("decode_model_records=%ld seconds=%.3f decode_model_per_s=%.0f\n",
	       records, t, records / t);
	fs_model_free(&m);

	/* Views: text and JSON in ABBA order, the best of each pair's. */
	{
		FILE *f = fopen("/dev/null", "w");
		double best[2] = { 1e9, 1e9 };
		long vrecords = records / 10;

		if (!f)
			return 1;
		for (int i = 0; i < 4; i++) {
			bool json = i == 1 || i == 2;

			t = view(buf, len, vrecords, f, json);
			if (t < best[json])
				best[json] = t;
		}
		fclose(f);
		printf("view_records=%ld text_ns_per_record=%.0f json_ns_per_record=%.0f\n",
		       vrecords, best[0] / vrecords * 1e9,
		       best[1] / vrecords * 1e9);
	}

	/* Memory: live processes, each forked and exec'd, none exited. */
	fs_model_init(&m, 0);
	for (long i = 0; i < live; i++) {
		_Alignas(8) char rec[sizeof(struct synth_exec)];
		struct fs_rec_fork *f = (void *)rec;
		struct synth_exec *e = (void *)rec;

		uint64_t start = ++ts;

		emit(rec, FS_REC_FORK, sizeof(*f), 100, 100, 1, ++ts, 10);
		f->child_pid = f->child_tgid = 200000 + i;
		f->child_ppid = 100;
		f->child_start_ns = start;
		fs_model_apply(&m, &f->hdr, &note);
		synth_exec(e, 200000 + i, 200000 + i, 100, ++ts, start,
			   "bench", 200000 + i, "/usr/bin/sleep",
			   "sleep\0" "1000\0", 11);
		fs_model_apply(&m, &e->r.hdr, &note);
	}
	printf("live_processes=%u task_entry_bytes=%zu model_bytes=%llu bytes_per_process=%.0f\n",
	       m.tab.count, sizeof(struct fs_task),
	       (unsigned long long)fs_model_bytes(&m),
	       (double)fs_model_bytes(&m) / m.tab.count);
	fs_model_free(&m);
	free(buf);
	return 0;
}
