// SPDX-License-Identifier: GPL-2.0-only
/*
 * Recordings that cannot be read whole: cut short at every kind of place,
 * a byte flipped, another format or record ABI, not a recording at all.
 * trace -i, tree -i and stat -i each say so in one line on stderr that
 * names the file and what is wrong, and exit 1; never a crash, never a
 * silent answer. A file cut where a block ends still shows every event
 * of the blocks before the cut.
 *
 * The recording is made once, of a shell whose two halves fall in
 * different blocks for sure: it runs `true first`, waits until the
 * recorder has written two blocks more (the second a second after the
 * first, when the session has long read the exec), then `true second`.
 */
#include <fcntl.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "cli.h"
#include "decode.h"
#include "forkscope/file.h"
#include "recfile.h"

static char dir[] = "/tmp/forkscope-recfile.XXXXXX";
static pid_t dir_owner;

__attribute__((constructor)) static void make_dir(void)
{
	if (!mkdtemp(dir))
		abort();
	dir_owner = getpid();
}

/* The harness's children _exit(); only the harness itself cleans up. */
__attribute__((destructor)) static void remove_dir(void)
{
	char cmd[64];

	if (getpid() != dir_owner)
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		fprintf(stderr, "# could not remove %s\n", dir);
}

static char *path_of(const char *name)
{
	static char buf[4][256];
	static int n;
	char *p = buf[n++ % 4];

	snprintf(p, sizeof(buf[0]), "%s/%s", dir, name);
	return p;
}

/* Reads all of path; its length in *len. NULL if it cannot. */
static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (n = ftell(f)) > 0 &&
	    !fseek(f, 0, SEEK_SET) && (buf = malloc(n)) &&
	    fread(buf, 1, n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	*len = buf ? n : 0;
	fclose(f);
	return buf;
}

static int write_all(const char *path, const char *buf, size_t len)
{
	FILE *f = fopen(path, "we");
	int err;

	if (!f)
		return -1;
	err = fwrite(buf, 1, len, f) != len;
	return fclose(f) || err ? -1 : 0;
}

#define RECORDING	"whole.fsr"

/*
 * The recording, made by the first test that wants it. "$1" is its
 * path: a wait lasts until the file has grown (a block written).
 */
static const char *recording(void)
{
	static const char script[] =
		"grown() { s=$(stat -c %s \"$1\"); "
		"while [ \"$(stat -c %s \"$1\")\" = \"$s\" ]; do sleep 0.05; done; }; "
		"/bin/true first; grown \"$1\"; grown \"$1\"; /bin/true second";
	const char *path = path_of(RECORDING), *tmp = path_of("making.fsr");
	const char *args[] = { "record", "-o", tmp, "--", "sh", "-c", script,
			       "sh", tmp, NULL };
	struct run r;
	int status;

	if (!access(path, F_OK))
		return path;
	if (start(&r, args, -1))
		return NULL;
	status = finish(&r);
	if (status) {
		char *err = slurp(r.err);

		fprintf(stderr, "# record exited %d: %s", status, err);
		free(err);
	}
	release(&r);
	return !status && !rename(tmp, path) ? path : NULL;
}

/* Where block i starts, for every block of a file that is whole. */
struct blocks {
	size_t off[64];
	struct fs_block_header h[64];
	size_t n;
};

static int find_blocks(const char *buf, size_t len, struct blocks *b)
{
	size_t off = sizeof(struct fs_file_header);

	b->n = 0;
	while (off < len && b->n < ARRAY_SIZE(b->off)) {
		struct fs_block_header *h = &b->h[b->n];

		if (off + sizeof(*h) > len)
			return -1;
		memcpy(h, buf + off, sizeof(*h));
		if (h->magic != FS_BLOCK_MAGIC || h->seq != b->n)
			return -1;
		b->off[b->n++] = off;
		off += sizeof(*h) + h->comp_len;
	}
	return off == len && b->n >= 4 ? 0 : -1;
}

/* The block holding the exec of `true WORD`: records counted in order. */
static int block_of_exec(const char *path, const struct blocks *b,
			 const char *word)
{
	FILE *f = fopen(path, "re");
	struct fs_recr *r = f ? fs_recr_open(f, path) : NULL;
	const struct fs_hdr *rec;
	uint64_t nth = 0, upto = 0;
	int found = -1;
	size_t i = 0;

	while (r && found < 0 && fs_recr_next(r, &rec) > 0) {
		const struct fs_rec_exec *e = (const void *)rec;
		const char *args = fs_exec_args(e);

		while (i < b->n && nth >= upto)
			upto += b->h[i++].records;
		nth++;
		/* argv: "/bin/true", word */
		if (rec->type == FS_REC_EXEC &&
		    !strcmp(fs_exec_filename(e), "/bin/true") &&
		    e->args_len == 10 + strlen(word) + 1 &&
		    !strcmp(args + 10, word))
			found = i - 1;
	}
	fs_recr_close(r);
	return found;
}

struct outcome {
	int status;
	char *out, *err;
};

static void forget(struct outcome *o)
{
	free(o->out);
	free(o->err);
}

static int run_cmd(const char *const args[], struct outcome *o)
{
	struct run r;

	if (start(&r, args, -1))
		return -1;
	o->status = finish(&r);
	o->out = slurp(r.out);
	o->err = slurp(r.err);
	release(&r);
	return 0;
}

/* The lines of s that start with prefix. */
static int lines_starting(const char *s, const char *prefix)
{
	int n = 0;

	for (const char *l = s; *l; l = strchr(l, '\n') + 1) {
		n += !strncmp(l, prefix, strlen(prefix));
		if (!strchr(l, '\n'))
			break;
	}
	return n;
}

/*
 * Whether every line of trace's stderr is the "reading" banner, the
 * summary it prints when it stops (a blank line, then lines of counts),
 * or the one error line, which is the last.
 */
static bool only_banner_summary_and(const char *err, const char *error_line)
{
	static const char *const ok[] = {
		"forkscope: reading ", "events shown: ", "records received ",
		"lost to: ", "process table: ", "",
	};
	const char *l = err, *last = NULL;

	while (*l) {
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) : strlen(l);
		bool known = strstr(l, " s traced with ") &&
			     strstr(l, " s traced with ") < l + len;

		for (size_t i = 0; i < ARRAY_SIZE(ok) && !known; i++)
			known = ok[i][0] ? !strncmp(l, ok[i], strlen(ok[i])) :
					   len == 0;
		if (!known && strncmp(l, error_line, strlen(error_line)))
			return false;
		last = l;
		if (!nl)
			break;
		l = nl + 1;
	}
	return last && !strncmp(last, error_line, strlen(error_line));
}

/*
 * trace, tree and stat each read path: exit 1, and one line on stderr
 * "forkscope: CMD: " + what names the file + want (each of want's
 * '|'-separated words must be there).
 */
static void refused_by_all(struct __test_metadata *_metadata,
			   const char *path, const char *names,
			   const char *want)
{
	static const char *const cmds[][6] = {
		{ "trace", "-i", NULL },
		{ "trace", "--json", "-i", NULL },
		{ "tree", "-i", NULL },
		{ "tree", "--json", "-i", NULL },
		{ "stat", "-o", "/dev/null", "-i", NULL },
	};

	for (size_t c = 0; c < ARRAY_SIZE(cmds); c++) {
		const char *args[8];
		struct outcome o;
		char prefix[64];
		bool json = false, failed;
		size_t n = 0;

		for (; cmds[c][n]; n++) {
			args[n] = cmds[c][n];
			json |= !strcmp(args[n], "--json");
		}
		args[n++] = path;
		args[n] = NULL;
		ASSERT_EQ(0, run_cmd(args, &o));
		failed = _metadata->exit_code == KSFT_FAIL;
		EXPECT_EQ(1, o.status);
		if (json)
			snprintf(prefix, sizeof(prefix),
				 "{\"event\":\"error\",\"command\":\"%s\",\"error\":\"",
				 cmds[c][0]);
		else
			snprintf(prefix, sizeof(prefix), "forkscope: %s: ",
				 cmds[c][0]);
		/* The one line, whatever else trace says before it. */
		EXPECT_EQ(1, lines_starting(o.err, prefix));
		if (!strcmp(cmds[c][0], "trace") && !json) {
			EXPECT_TRUE(only_banner_summary_and(o.err, prefix));
		} else {
			EXPECT_EQ(1 + (strcmp(cmds[c][0], "trace") ? 0 :
				       lines_starting(o.err, "forkscope: reading ")),
				  count_lines(o.err));
		}
		EXPECT_NE(NULL, strstr(o.err, names));
		for (const char *w = want; *w; ) {
			size_t len = strcspn(w, "|");
			char word[128];

			snprintf(word, sizeof(word), "%.*s", (int)len, w);
			EXPECT_NE(NULL, strstr(o.err, word)) {
				TH_LOG("wanted '%s'", word);
			}
			w += len + (w[len] == '|');
		}
		EXPECT_EQ(NULL, strstr(o.err, "Sanitizer"));
		if (!failed && _metadata->exit_code == KSFT_FAIL)
			TH_LOG("%s %s %s: exit %d, stderr:\n%s", cmds[c][0],
			       json ? "--json" : "", path, o.status, o.err);
		forget(&o);
	}
}

/* The recording and its block layout, for tests that damage a copy. */
FIXTURE(rec) {
	const char *path;
	char *buf;
	size_t len;
	struct blocks b;
};

FIXTURE_SETUP(rec)
{
	self->path = recording();
	ASSERT_NE(NULL, self->path);
	self->buf = read_all(self->path, &self->len);
	ASSERT_NE(NULL, self->buf);
	/* header, meta, two records blocks at least, the end */
	ASSERT_EQ(0, find_blocks(self->buf, self->len, &self->b));
	ASSERT_EQ(FS_BLOCK_META, self->b.h[0].kind);
	ASSERT_EQ(FS_BLOCK_END, self->b.h[self->b.n - 1].kind);
}

FIXTURE_TEARDOWN(rec)
{
	free(self->buf);
}

/* A copy of the recording cut to len bytes, as damaged.fsr. */
static const char *cut_copy(FIXTURE_DATA(rec) *self, size_t len)
{
	const char *p = path_of("damaged.fsr");

	return write_all(p, self->buf, len) ? NULL : p;
}

/* A copy with the byte at off flipped. */
static const char *flipped_copy(FIXTURE_DATA(rec) *self, size_t off)
{
	const char *p = path_of("damaged.fsr");
	int err;

	self->buf[off] ^= 0x5a;
	err = write_all(p, self->buf, self->len);
	self->buf[off] ^= 0x5a;
	return err ? NULL : p;
}

TEST_F(rec, whole_file_reads_clean)
{
	const char *args[] = { "trace", "-i", self->path, NULL };
	struct outcome o;

	ASSERT_EQ(0, run_cmd(args, &o));
	EXPECT_EQ(0, o.status);
	EXPECT_NE(NULL, strstr(o.out, "/bin/true [ /bin/true first ]"));
	EXPECT_NE(NULL, strstr(o.out, "/bin/true [ /bin/true second ]"));
	EXPECT_EQ(0, lines_starting(o.err, "forkscope: trace: "));
	forget(&o);
}

TEST_F(rec, cut_inside_the_header)
{
	refused_by_all(_metadata, cut_copy(self, 20), "damaged.fsr: ",
		       "cut short inside its header, at byte 20");
}

TEST_F(rec, cut_inside_the_meta_block)
{
	size_t meta = self->b.off[0];
	char want[128];

	/* In its block header, then in its frame. */
	snprintf(want, sizeof(want), "cut short inside block 0 at byte %zu",
		 meta + 10);
	refused_by_all(_metadata, cut_copy(self, meta + 10), "damaged.fsr: ",
		       want);
	snprintf(want, sizeof(want), "cut short inside block 0 at byte %zu",
		 self->b.off[1] - 3);
	refused_by_all(_metadata, cut_copy(self, self->b.off[1] - 3),
		       "damaged.fsr: ", want);
}

TEST_F(rec, cut_inside_a_records_block)
{
	size_t at = self->b.off[1] + sizeof(struct fs_block_header) +
		    self->b.h[1].comp_len / 2;
	char want[128];

	snprintf(want, sizeof(want), "cut short inside block 1 at byte %zu",
		 at);
	refused_by_all(_metadata, cut_copy(self, at), "damaged.fsr: ",
		       "the recording was killed or its disk filled|"
		       "read up to there");
	refused_by_all(_metadata, cut_copy(self, at), "damaged.fsr: ", want);
}

/* The JSON lines trace printed, the summary left out. */
static int event_lines(const char *out, const char ***lines)
{
	int n = 0, cap = count_lines(out) + 1;

	*lines = calloc(cap, sizeof(**lines));
	for (const char *l = out; *l && n < cap; l = strchr(l, '\n') + 1) {
		if (strncmp(l, "{\"event\":\"summary\"", 18))
			(*lines)[n++] = l;
		if (!strchr(l, '\n'))
			break;
	}
	return n;
}

static bool same_line(const char *a, const char *b)
{
	size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");

	return la == lb && !memcmp(a, b, la);
}

/*
 * Cut where block `last` ends, without the END: what trace shows is the
 * whole file's events up to some point, every one of the blocks read
 * included, and one line saying where it was cut.
 */
static void cut_at_block_end(struct __test_metadata *_metadata,
			     FIXTURE_DATA(rec) *self, size_t last,
			     bool second_in)
{
	const char *whole_args[] = { "trace", "--json", "-i", self->path, NULL };
	const char *path = cut_copy(self, self->b.off[last + 1]);
	const char *args[] = { "trace", "--json", "-i", path, NULL };
	const char *text_args[] = { "trace", "-i", path, NULL };
	const char **whole_lines, **cut_lines;
	struct outcome whole, o;
	int nwhole, ncut;
	char want[128];

	ASSERT_NE(NULL, path);
	ASSERT_EQ(0, run_cmd(whole_args, &whole));
	ASSERT_EQ(0, whole.status);
	ASSERT_EQ(0, run_cmd(args, &o));
	EXPECT_EQ(1, o.status);
	snprintf(want, sizeof(want), "cut short after block %zu (byte %zu), without its end",
		 last, self->b.off[last + 1]);
	EXPECT_NE(NULL, strstr(o.err, want)) {
		TH_LOG("stderr: %s", o.err);
	}
	nwhole = event_lines(whole.out, &whole_lines);
	ncut = event_lines(o.out, &cut_lines);
	EXPECT_LE(ncut, nwhole);
	for (int i = 0; i < ncut && i < nwhole; i++) {
		EXPECT_TRUE(same_line(whole_lines[i], cut_lines[i])) {
			TH_LOG("line %d: %.*s", i,
			       (int)strcspn(cut_lines[i], "\n"), cut_lines[i]);
		}
	}
	EXPECT_NE(NULL, strstr(o.out, "\"filename\":\"/bin/true\",\"argv\":[\"/bin/true\",\"first\"]"));
	if (second_in) {
		EXPECT_EQ(nwhole, ncut);
	} else {
		EXPECT_LT(ncut, nwhole);
		EXPECT_EQ(NULL, strstr(o.out, "\"argv\":[\"/bin/true\",\"second\"]"));
	}
	free(whole_lines);
	free(cut_lines);
	forget(&o);
	forget(&whole);

	/* As text, the same events, and the one line last. */
	ASSERT_EQ(0, run_cmd(text_args, &o));
	EXPECT_EQ(1, o.status);
	EXPECT_NE(NULL, strstr(o.out, "/bin/true [ /bin/true first ]"));
	EXPECT_EQ(second_in, strstr(o.out, "/bin/true [ /bin/true second ]") != NULL);
	EXPECT_TRUE(only_banner_summary_and(o.err, "forkscope: trace: "));
	EXPECT_EQ(1, lines_starting(o.err, "forkscope: trace: "));
	forget(&o);
}

TEST_F(rec, cut_at_a_block_boundary_shows_the_blocks_before)
{
	int first = block_of_exec(self->path, &self->b, "first");
	int second = block_of_exec(self->path, &self->b, "second");

	TH_LOG("true first in block %d, true second in block %d of %zu",
	       first, second, self->b.n);
	ASSERT_GE(first, 1);
	ASSERT_GT(second, first);
	cut_at_block_end(_metadata, self, first, false);
	refused_by_all(_metadata, cut_copy(self, self->b.off[first + 1]),
		       "damaged.fsr: ", "cut short after block|without its end");
}

TEST_F(rec, cut_before_its_end_shows_every_event)
{
	cut_at_block_end(_metadata, self, self->b.n - 2, true);
}

TEST_F(rec, flipped_byte_in_a_block_header)
{
	char want[128];

	/* block 1's seq, and then its length */
	snprintf(want, sizeof(want), "damaged at byte %zu: no block header where block 1 should start",
		 self->b.off[1]);
	refused_by_all(_metadata, flipped_copy(self, self->b.off[1] + 8),
		       "damaged.fsr: ", want);
	refused_by_all(_metadata, flipped_copy(self, self->b.off[1] + 12),
		       "damaged.fsr: ", want);
}

TEST_F(rec, flipped_byte_in_a_compressed_frame)
{
	size_t frame = self->b.off[1] + sizeof(struct fs_block_header);
	char want[128];

	snprintf(want, sizeof(want), "block 1 at byte %zu is damaged",
		 self->b.off[1]);
	refused_by_all(_metadata,
		       flipped_copy(self, frame + self->b.h[1].comp_len / 2),
		       "damaged.fsr: ", want);
	/* the meta's frame: nothing can be read */
	snprintf(want, sizeof(want), "block 0 at byte %zu is damaged",
		 self->b.off[0]);
	refused_by_all(_metadata,
		       flipped_copy(self, self->b.off[1] - 6),
		       "damaged.fsr: ", want);
}

TEST_F(rec, bytes_after_the_end)
{
	const char *p = path_of("damaged.fsr");
	char *longer = malloc(self->len + 16);

	ASSERT_NE(NULL, longer);
	memcpy(longer, self->buf, self->len);
	memset(longer + self->len, 0, 16);
	ASSERT_EQ(0, write_all(p, longer, self->len + 16));
	free(longer);
	refused_by_all(_metadata, p, "damaged.fsr: ",
		       "damaged: bytes follow its end block");
}

/* A copy whose file header says other things. */
static const char *header_copy(FIXTURE_DATA(rec) *self,
			       const struct fs_file_header *h)
{
	const char *p = path_of("other.fsr");
	struct fs_file_header keep;
	int err;

	memcpy(&keep, self->buf, sizeof(keep));
	memcpy(self->buf, h, sizeof(*h));
	err = write_all(p, self->buf, self->len);
	memcpy(self->buf, &keep, sizeof(keep));
	return err ? NULL : p;
}

TEST_F(rec, wrong_magic)
{
	struct fs_file_header h;

	memcpy(&h, self->buf, sizeof(h));
	h.magic[1] = 'E';
	refused_by_all(_metadata, header_copy(self, &h), "other.fsr", "not a forkscope recording");
}

TEST_F(rec, future_format_version)
{
	struct fs_file_header h;
	char want[128];

	memcpy(&h, self->buf, sizeof(h));
	h.version = FS_FILE_VERSION + 1;
	snprintf(want, sizeof(want), "a recording of format %u; this forkscope reads format %u|newer",
		 FS_FILE_VERSION + 1, FS_FILE_VERSION);
	refused_by_all(_metadata, header_copy(self, &h), "other.fsr", want);
}

TEST_F(rec, future_record_abi)
{
	struct fs_file_header h;
	char want[128];

	memcpy(&h, self->buf, sizeof(h));
	h.abi = FS_ABI_VERSION + 1;
	snprintf(want, sizeof(want), "writes record ABI %u, newer than the %u this forkscope reads",
		 FS_ABI_VERSION + 1, FS_ABI_VERSION);
	refused_by_all(_metadata, header_copy(self, &h), "other.fsr", want);
}

/*
 * A file whose last event is stamped a century after the rest (damage
 * the block checks cannot see: the block says so too) is read past the
 * gap in one step: trace stepped through it 100 ms at a time (3e10
 * loops), export a second at a time.
 */
TEST_F(rec, an_event_a_century_ahead_takes_one_step)
{
	const uint64_t century = 100ULL * 365 * 86400 * NSEC_PER_SEC;
	const char *p = path_of("ahead.fsr");
	const char *args[] = { "trace", "--json", "-i", p, NULL };
	const char *export_args[] = { "export", "--perfetto", "-", "-i", p,
				      NULL };
	FILE *in = fopen(self->path, "re");
	struct fs_recr *r = in ? fs_recr_open(in, self->path) : NULL;
	struct fs_file_end end = { .reason = FS_END_STOPPED };
	union { struct fs_hdr h; char b[FS_EXEC_MAX_SIZE]; } last;
	const struct fs_hdr *rec;
	struct fs_recw *w;
	struct outcome o;
	char want[64];
	uint64_t bytes;

	ASSERT_NE(NULL, r);
	w = fs_recw_open(p, fs_recr_meta(r));
	ASSERT_NE(NULL, w);
	last.h.type = 0;
	while (fs_recr_next(r, &rec) > 0) {
		ASSERT_EQ(0, fs_recw_add(w, rec));
		if (rec->type == FS_REC_EXIT || rec->type == FS_REC_WAIT)
			memcpy(&last, rec, rec->size);
	}
	ASSERT_NE(0, last.h.type);
	last.h.ts_ns += century;
	ASSERT_EQ(0, fs_recw_add(w, &last.h));
	end.end_ns = last.h.ts_ns;
	ASSERT_EQ(0, fs_recw_close(w, &end, &bytes));
	fs_recr_close(r);

	ASSERT_EQ(0, run_cmd(args, &o));
	EXPECT_EQ(0, o.status);
	snprintf(want, sizeof(want), "\"ts_ns\":%llu,",
		 (unsigned long long)last.h.ts_ns);
	EXPECT_NE(NULL, strstr(o.out, want));
	EXPECT_EQ(0, lines_starting(o.err, "{\"event\":\"error\""));
	forget(&o);
	/* export stepped a second at a time: 3e9 loops */
	ASSERT_EQ(0, run_cmd(export_args, &o));
	EXPECT_EQ(0, o.status) {
		TH_LOG("export: %s", o.err);
	}
	EXPECT_NE(0, strlen(o.out));
	forget(&o);
}

TEST(an_empty_file_is_not_a_recording)
{
	const char *p = path_of("empty.fsr");

	ASSERT_EQ(0, write_all(p, "", 0));
	refused_by_all(_metadata, p, "empty.fsr: ",
		       "an empty file, not a forkscope recording");
	refused_by_all(_metadata, "/dev/null", "/dev/null: ",
		       "an empty file, not a forkscope recording");
}

TEST(another_file_is_not_a_recording)
{
	refused_by_all(_metadata, "/bin/true", "/bin/true: ",
		       "not a forkscope recording");
}

TEST(a_directory_or_no_file_cannot_be_read)
{
	refused_by_all(_metadata, dir, dir, "cannot read|Is a directory");
	refused_by_all(_metadata, path_of("no-such.fsr"), "no-such.fsr: ",
		       "cannot read|No such file or directory");
}

TEST_HARNESS_MAIN
