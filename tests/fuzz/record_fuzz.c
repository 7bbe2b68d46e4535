// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: bytes read as a recording (forkscope record -o), as
 * `-i FILE` would, twice. First the reader alone feeds the model, the
 * table checked and the model's views shown every so often: tree, the
 * zombie report, cow's top, stat's counters. Then as the commands read
 * it: the file source and a session, to one second in (tree --at,
 * zombies --at), then in trace's steps to the end, each event shown as
 * trace shows it (text, JSON, --explain) and fed to the timeline that
 * export --perfetto and --html write. Everything goes to a sink.
 *
 * Every block is a zstd frame with a checksum, so bytes flipped at
 * random stop at the reader: the custom mutator below also unpacks a
 * block, changes the records in it and packs it again, with a header
 * that says the truth, so well-formed but hostile records get through
 * to the model and the views.
 *
 * Built from what reads a recording (make fuzz): no producer, so no
 * libbpf and no kernel; the registry's two opens of one are stubbed
 * below, never called for a file. tests/fuzz/run.sh runs it.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zstd.h>

#include "backends.h"
#include "common.h"
#include "cow_rates.h"
#include "cow_view.h"
#include "event_filter.h"
#include "event_view.h"
#include "explain.h"
#include "html_view.h"
#include "lifestat.h"
#include "model.h"
#include "perfetto_view.h"
#include "recfile.h"
#include "recording_view.h"
#include "session.h"
#include "stat_view.h"
#include "summary_view.h"
#include "timeline.h"
#include "tree_view.h"
#include "zombie_report.h"

/* A recording opens no producer: were one asked for, it is not here. */
struct fs_source *fs_source_bpf_open(const struct fs_source_opts *opts)
{
	(void)opts;
	fs_error(ENOTSUP, "record_fuzz links no producer");
	return NULL;
}

struct fs_source *fs_source_kmod_open(const struct fs_source_opts *opts)
{
	(void)opts;
	fs_error(ENOTSUP, "record_fuzz links no producer");
	return NULL;
}

/* Views also run every so many records: a model caught mid-stream. */
#define VIEW_EVERY	512

static ssize_t sink_write(void *c, const char *buf, size_t len)
{
	(void)c;
	(void)buf;
	return len;
}

/* Output nobody reads, without a syscall per buffer. */
static FILE *sink(void)
{
	static FILE *f;

	if (!f) {
		f = fopencookie(NULL, "w", (cookie_io_functions_t){
				.write = sink_write });
		if (!f)
			abort();
	}
	return f;
}

struct replay {
	struct fs_model m;
	struct fs_lifestat st;
	struct fs_cow_rates cow;
	struct fs_stream_stats stats;
	uint64_t shown[FS_REC_TYPE_MAX];
	const struct fs_file_meta *meta;
	uint64_t now, prev_sample;
};

/* What trace prints for a record, as text and JSON, explained. */
static void show_event(const struct fs_model *m, uint64_t *shown,
		       const struct fs_hdr *rec, const struct fs_note *n)
{
	static const struct fs_event_filter all = { .events = FS_ALL_EVENTS };
	char why[256];
	FILE *f = sink();

	if (rec->type != FS_REC_REAP && fs_event_wanted(&all, rec, n)) {
		fs_explain(why, sizeof(why), m, rec, n);
		fs_event_text(f, m, rec, n, why);
		fs_event_json(f, m, rec, n, why);
		fs_event_text(f, m, rec, n, NULL);
		shown[rec->type]++;
	}
	if (fs_release_wanted(&all, n)) {
		fs_explain_release(why, sizeof(why), n);
		fs_release_text(f, m, rec->ts_ns, n, why);
		fs_release_json(f, rec->ts_ns, n, why);
		shown[FS_REC_REAP]++;
	}
}

/* tree and zombies, as at --at TIME; all: every format and option. */
static void show_trees(struct replay *p, bool all)
{
	struct fs_tree_opts o = { .now_ns = p->now, .sort = p->now % 3 };
	FILE *f = sink();

	fs_tree_text(f, &p->m, &o);
	if (!all)
		return;
	fs_tree_json(f, &p->m, &o);
	fs_tree_dot(f, &p->m, &o);
	o.containers = true;
	fs_tree_text(f, &p->m, &o);
	fs_tree_json(f, &p->m, &o);
	/* -p: the selected process, else whatever the file names. */
	o.root = p->m.select_pid ? p->m.select_pid : p->meta->command_pid;
	if (o.root) {
		fs_tree_text(f, &p->m, &o);
		o.containers = false;
		fs_tree_json(f, &p->m, &o);
	}
}

static void show_zombies(struct replay *p, bool all)
{
	struct fs_zombie_report r;

	if (fs_zombie_report_build(&r, &p->m, p->now, all ? 0 : NSEC_PER_SEC))
		return;
	fs_zombie_report_text(sink(), &r);
	if (all)
		fs_zombie_report_json(sink(), &r);
	fs_zombie_report_free(&r);
}

static void show_cow(struct replay *p)
{
	struct fs_cow_row *rows;
	struct fs_cow_report r;

	if (fs_cow_rates_update(&p->cow, &p->m,
				(p->now - p->prev_sample) / 1e9))
		return;
	p->prev_sample = p->now;
	/* Each order in turn, as --sort asks for them. */
	rows = fs_cow_rates_sorted(&p->cow, p->now % 3);
	if (!rows)
		return;
	r = (struct fs_cow_report){
		.rows = rows,
		.n = p->cow.nprev < 20 ? p->cow.nprev : 20,
		.total = p->cow.nprev,
		.sort = fs_cow_sort_keys[p->now % 3],
		.method = p->meta->cow_method,
		.interval_s = 1,
		.now_ns = p->now,
		.page = 4096,
		.m = &p->m,
	};
	fs_cow_text(sink(), &r);
	fs_cow_json(sink(), &r);
	free(rows);
}

/*
 * What no record may break, beyond memory safety: every entry of the
 * process table found by its pid, its count right, and a free slot
 * all zeros (a write through a pid of 0 leaves marks a new task gets).
 */
static void check_table(const struct fs_proctab *t)
{
	static const struct fs_task free_slot;
	uint32_t used = 0;

	for (uint32_t i = 0; i <= t->mask; i++) {
		const struct fs_task *e = &t->slots[i];

		if (!e->pid && memcmp(e, &free_slot, sizeof(*e))) {
			fprintf(stderr, "record_fuzz: free slot %u of the process table was written\n", i);
			abort();
		}
		if (e->pid && (e->pid < 0 ||
			       fs_proctab_get((struct fs_proctab *)t, e->pid) != e)) {
			fprintf(stderr, "record_fuzz: pid %d is in slot %u, where its lookup does not find it\n",
				e->pid, i);
			abort();
		}
		used += e->pid != 0;
	}
	if (used != t->count) {
		fprintf(stderr, "record_fuzz: %u entries in the process table, it counts %u\n",
			used, t->count);
		abort();
	}
}

static void show_model(struct replay *p, bool all)
{
	check_table(&p->m.tab);
	show_trees(p, all);
	show_zombies(p, all);
	show_cow(p);
}

/* The recorded command line, NUL-separated, as stat -i makes it argv. */
static void recorded_command(const struct fs_file_meta *m, char *buf,
			     char **argv, size_t max)
{
	const char *end = buf + sizeof(m->command);
	char *p = buf;
	size_t n = 0;

	memcpy(buf, m->command, sizeof(m->command));
	while (p < end && *p && n + 1 < max) {
		argv[n++] = p;
		p += strnlen(p, end - p) + 1;
	}
	argv[n] = NULL;
}

/* The views a replay shows once the file is read: stat's and trace's. */
static void show_end(struct replay *p, const struct fs_file_end *end)
{
	char cmd[sizeof(p->meta->command)], *argv[64];
	struct fs_stat_report rep = {
		.cmd = argv,
		.status = end ? end->command_status : 0,
		.ns = p->now - p->meta->start_ns,
		.method = p->meta->cow_kind ? p->meta->cow_method : NULL,
		.page = 4096,
		.st = &p->st,
		.m = &p->m,
	};
	struct fs_trace_summary sum = {
		.ns = rep.ns,
		.source = p->meta->source,
		.stats = &p->stats,
		.shown = p->shown,
		.types = FS_ALL_EVENTS,
		.cow = rep.method != NULL,
		.model = &p->m,
	};

	recorded_command(p->meta, cmd, argv, ARRAY_SIZE(argv));
	show_model(p, true);
	fs_model_selected_left(&p->m, &rep.zombies);
	fs_lifestat_finish(&p->st);
	fs_stat_text(sink(), &rep);
	fs_stat_json(sink(), &rep);
	fs_summary_text(sink(), &sum);
	fs_summary_json(sink(), &sum);
	fs_resync_text(sink(), p->m.lost, p->m.swept);
	fs_resync_json(sink(), p->now, p->m.lost, p->m.swept);
}

/* One record, as the session and a replaying command take it. */
static void apply(struct replay *p, const struct fs_hdr *rec, uint64_t nth)
{
	struct fs_note note;

	fs_model_apply(&p->m, rec, &note);
	if (rec->ts_ns > p->now)
		p->now = rec->ts_ns;
	if (rec->type < FS_REC_TYPE_MAX)
		p->stats.by_type[rec->type]++;
	p->stats.records++;
	p->stats.bytes += rec->size;
	fs_lifestat_event(&p->st, rec, &note);
	p->shown[rec->type]++;
	if ((rec->type == FS_REC_SYNC &&
	     ((const struct fs_rec_sync *)rec)->phase == FS_SYNC_END) ||
	    nth % VIEW_EVERY == VIEW_EVERY - 1)
		show_model(p, false);
}

/* The reader alone feeding the model, as a session would. */
static void read_direct(const uint8_t *data, size_t size)
{
	/* glibc's fmemopen refuses a size of 0: an empty file is empty. */
	FILE *in = size ? fmemopen((void *)data, size, "r") :
			  fopen("/dev/null", "r");
	const struct fs_hdr *rec;
	struct fs_recr *r;
	struct replay p = {};
	uint64_t nth = 0;

	if (!in)
		abort();
	r = fs_recr_open(in, "fuzz.fsr");
	if (!r)
		return;
	p.meta = fs_recr_meta(r);
	fs_recording_text(sink(), "fuzz.fsr", p.meta);
	fs_set_boot_to_real_ns(p.meta->boot_to_real_ns);
	p.now = p.prev_sample = p.meta->start_ns;
	/* A recording made with -p, --cgroup or --container is read so. */
	if (fs_model_init(&p.m, p.meta->select_pid))
		abort();
	fs_model_filter(&p.m, p.meta->select_cgroup[0] ?
			p.meta->select_cgroup : NULL,
			p.meta->select_container[0] ?
			p.meta->select_container : NULL);
	while (fs_recr_next(r, &rec) > 0)
		apply(&p, rec, nth++);
	if (fs_recr_last_ns(r) > p.now)
		p.now = fs_recr_last_ns(r);
	show_end(&p, fs_recr_end(r));
	fs_cow_rates_free(&p.cow);
	fs_lifestat_free(&p.st);
	fs_model_free(&p.m);
	fs_recr_close(r);
}

/* The session's side: what trace, tree --at and export do with a file. */
struct replayed {
	struct fs_timeline *tl;
	struct fs_perfetto *perfetto;
	struct fs_html *html;
	uint64_t shown[FS_REC_TYPE_MAX];
};

static void on_timeline(void *ctx, const struct fs_tl_event *ev)
{
	fs_perfetto_event(((struct replayed *)ctx)->perfetto, ev);
}

static void on_event(void *ctx, const struct fs_session *s,
		     const struct fs_hdr *rec, const struct fs_note *n)
{
	struct replayed *x = ctx;
	const struct fs_model *m = fs_session_model(s);

	show_event(m, x->shown, rec, n);
	fs_timeline_apply(x->tl, m, rec, n);
	fs_html_capture(x->html, m, rec, n);
}

static void on_resync(void *ctx, const struct fs_session *s, uint64_t swept)
{
	const struct fs_model *m = fs_session_model(s);

	(void)ctx;
	fs_resync_text(sink(), m->lost, swept);
	fs_resync_json(sink(), fs_session_now(s), m->lost, swept);
}

/* tree --at and zombies --at: the model some time into the recording. */
static void show_at(struct fs_session *s)
{
	const struct fs_model *m = fs_session_model(s);
	struct fs_tree_opts o = { .root = m->select_pid,
				  .now_ns = fs_session_now(s) };
	struct fs_zombie_report r;

	check_table(&m->tab);
	fs_tree_text(sink(), m, &o);
	if (!fs_zombie_report_build(&r, m, fs_session_now(s), NSEC_PER_SEC)) {
		fs_zombie_report_json(sink(), &r);
		fs_zombie_report_free(&r);
	}
}

/* To its end in trace's steps: 100 ms from the next record on. */
static void read_on(struct fs_session *s)
{
	const uint64_t step = 100 * NSEC_PER_MSEC;

	while (!fs_session_done(s)) {
		uint64_t from = fs_session_next_ns(s);

		if (from < fs_session_now(s))
			from = fs_session_now(s);
		if (fs_session_run_until(s, from > UINT64_MAX - step ?
					    UINT64_MAX : from + step) < 0)
			break;
	}
}

/* The file read as `-i FILE` reads it: the file source and a session. */
static void read_session(const uint8_t *data, size_t size)
{
	struct replayed x = {};
	struct fs_timeline_opts to = { .on_event = on_timeline, .ctx = &x,
				       .keep = true };
	struct fs_session_opts so = { .on_event = on_event,
				      .on_resync = on_resync, .ctx = &x };
	int fd = memfd_create("fuzz.fsr", MFD_CLOEXEC);
	const struct fs_file_end *end;
	struct fs_session *s;
	char path[64];

	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	so.source.input = path;
	x.tl = fs_timeline_new(&to);
	x.perfetto = fs_perfetto_new(sink());
	x.html = fs_html_new();
	if (!x.tl || !x.perfetto || !x.html)
		abort();
	s = fs_session_open(&so);
	if (s) {
		if (!fs_session_run_until(s, fs_session_start_ns(s) +
					     NSEC_PER_SEC))
			show_at(s);
		read_on(s);
		show_at(s);
		end = fs_session_end(s);
		fs_timeline_finish(x.tl, end ? end->end_ns : fs_session_now(s));
		fs_perfetto_flush(x.perfetto, "fuzz");
		fs_html_write(sink(), x.html, x.tl, fs_session_meta(s));
		fs_session_close(s);
	}
	fs_html_free(x.html);
	fs_perfetto_free(x.perfetto);
	fs_timeline_free(x.tl);
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	read_direct(data, size);
	read_session(data, size);
	return 0;
}

/* The mutator's side: blocks unpacked, changed, packed again. */

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max);

#define MAX_BLOCKS	256

static uint32_t next_rand(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

struct layout {
	size_t off[MAX_BLOCKS];		/* where each block's header is */
	size_t n;
	uint32_t raw_max;
};

/* The blocks a file holds, as far as their headers are whole and true. */
static bool find_blocks(const uint8_t *data, size_t size, struct layout *l)
{
	struct fs_file_header fh;
	size_t off = sizeof(fh);

	if (size < sizeof(fh))
		return false;
	memcpy(&fh, data, sizeof(fh));
	if (memcmp(fh.magic, FS_FILE_MAGIC, sizeof(fh.magic)) ||
	    fh.block_raw_max < 4096 || fh.block_raw_max > FS_BLOCK_RAW_MAX)
		return false;
	l->raw_max = fh.block_raw_max;
	l->n = 0;
	while (l->n < MAX_BLOCKS && off + sizeof(struct fs_block_header) <= size) {
		struct fs_block_header b;

		memcpy(&b, data + off, sizeof(b));
		if (b.magic != FS_BLOCK_MAGIC || b.check != fs_block_check(&b) ||
		    b.comp_len > size - off - sizeof(b))
			break;
		l->off[l->n++] = off;
		off += sizeof(b) + b.comp_len;
	}
	return l->n > 0;
}

/* Record i's offset in a block, walking what looks like records. */
static size_t record_at(const uint8_t *raw, size_t len, size_t i,
			size_t *count)
{
	size_t off = 0, n = 0, at = 0;

	while (off + sizeof(struct fs_hdr) <= len) {
		const struct fs_hdr *h = (const void *)(raw + off);

		if (h->size < sizeof(*h) || h->size % 8 || h->size > len - off)
			break;
		if (n == i)
			at = off;
		n++;
		off += h->size;
	}
	*count = n;
	return at;
}

/* Copies the record at `at` k times after it; one field counts up. */
static size_t add_run(uint8_t *raw, size_t len, size_t max, size_t at,
		      uint32_t *rnd)
{
	size_t rlen = ((const struct fs_hdr *)(raw + at))->size;
	size_t k = 1 + next_rand(rnd) % (1U << (next_rand(rnd) % 13));
	size_t field = 8 + 4 * (next_rand(rnd) % ((rlen - 8) / 4));
	uint8_t *end = raw + at + rlen;

	if (len + k * rlen > max)
		k = (max - len) / rlen;
	memmove(end + k * rlen, end, raw + len - end);
	for (size_t j = 1; j <= k; j++) {
		uint8_t *copy = raw + at + j * rlen;
		uint32_t v;

		memcpy(copy, raw + at, rlen);
		memcpy(&v, copy + field, sizeof(v));
		v += j;
		memcpy(copy + field, &v, sizeof(v));
	}
	return len + k * rlen;
}

/*
 * Changes one record of a block: its bytes, or where it is (moved,
 * copied, dropped), so that records come in orders no kernel sends; or
 * adds a run of copies of it, each a little different (pids, ids,
 * times counting up), for tables that must grow.
 */
static size_t mutate_records(uint8_t *raw, size_t len, size_t max,
			     uint32_t *rnd)
{
	size_t n, at, to, rlen, tmp_len;
	static uint8_t tmp[FS_BLOCK_RAW_MAX];

	record_at(raw, len, 0, &n);
	if (!n)
		return LLVMFuzzerMutate(raw, len, max);
	at = record_at(raw, len, next_rand(rnd) % n, &n);
	rlen = ((const struct fs_hdr *)(raw + at))->size;
	switch (next_rand(rnd) % 5) {
	case 0: {	/* its bytes, its size kept */
		struct fs_hdr *h = (void *)(raw + at);
		uint16_t keep = h->size;

		LLVMFuzzerMutate(raw + at, rlen, rlen);
		h->size = keep;
		return len;
	}
	case 1:		/* dropped */
		memmove(raw + at, raw + at + rlen, len - at - rlen);
		return len - rlen;
	case 2:		/* copied elsewhere */
		if (len + rlen > max)
			return len;
		to = record_at(raw, len, next_rand(rnd) % n, &n);
		memcpy(tmp, raw + at, rlen);
		memmove(raw + to + rlen, raw + to, len - to);
		memcpy(raw + to, tmp, rlen);
		return len + rlen;
	case 3:		/* moved */
		memcpy(tmp, raw + at, rlen);
		memmove(raw + at, raw + at + rlen, len - at - rlen);
		tmp_len = len - rlen;
		to = record_at(raw, tmp_len, next_rand(rnd) % n, &n);
		memmove(raw + to + rlen, raw + to, tmp_len - to);
		memcpy(raw + to, tmp, rlen);
		return len;
	default:
		return add_run(raw, len, max, at, rnd);
	}
}

/* The header a block of these raw bytes would have been written with. */
static void describe_block(struct fs_block_header *b, const uint8_t *raw,
			   size_t len)
{
	size_t off = 0, n = 0;

	b->raw_len = len;
	if (b->kind != FS_BLOCK_RECORDS)
		return;
	b->first_ns = UINT64_MAX;
	b->last_ns = 0;
	while (off + sizeof(struct fs_hdr) <= len) {
		const struct fs_hdr *h = (const void *)(raw + off);

		if (h->size < sizeof(*h) || h->size % 8 || h->size > len - off)
			break;
		if (h->ts_ns < b->first_ns)
			b->first_ns = h->ts_ns;
		if (h->ts_ns > b->last_ns)
			b->last_ns = h->ts_ns;
		n++;
		off += h->size;
	}
	if (!n)
		b->first_ns = b->last_ns = 0;
	b->records = n ? n : 1;
}

/* As the writer packs a block: a zstd frame with its checksum. */
static size_t compress(void *out, size_t cap, const void *raw, size_t len)
{
	static ZSTD_CCtx *c;

	if (!c) {
		c = ZSTD_createCCtx();
		if (!c)
			abort();
		/* The fastest level: what is packed matters, not how well. */
		ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, 1);
		ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
	}
	return ZSTD_compress2(c, out, cap, raw, len);
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max,
			       unsigned int seed)
{
	static uint8_t raw[FS_BLOCK_RAW_MAX], out[FS_BLOCK_RAW_MAX + 65536];
	uint32_t rnd = seed | 1;
	struct fs_block_header b;
	struct layout l;
	size_t at, end, len, comp, cap;

	if (next_rand(&rnd) % 4 == 0 || !find_blocks(data, size, &l))
		return LLVMFuzzerMutate(data, size, max);
	at = l.off[next_rand(&rnd) % l.n];
	memcpy(&b, data + at, sizeof(b));
	end = at + sizeof(b) + b.comp_len;
	len = ZSTD_decompress(raw, l.raw_max, data + at + sizeof(b),
			      b.comp_len);
	if (ZSTD_isError(len))
		return LLVMFuzzerMutate(data, size, max);
	/* Room to grow: longer strings; runs of records fill the block. */
	cap = l.raw_max < len * 2 + 4096 ? l.raw_max : len * 2 + 4096;
	if (b.kind == FS_BLOCK_RECORDS && next_rand(&rnd) % 2)
		len = mutate_records(raw, len, l.raw_max, &rnd);
	else
		len = LLVMFuzzerMutate(raw, len, cap);
	describe_block(&b, raw, len);
	comp = compress(out, sizeof(out), raw, len);
	if (ZSTD_isError(comp) ||
	    at + sizeof(b) + comp + (size - end) > max)
		return LLVMFuzzerMutate(data, size, max);
	b.comp_len = comp;
	b.check = fs_block_check(&b);
	memmove(data + at + sizeof(b) + comp, data + end, size - end);
	memcpy(data + at, &b, sizeof(b));
	memcpy(data + at + sizeof(b), out, comp);
	return at + sizeof(b) + comp + (size - end);
}
