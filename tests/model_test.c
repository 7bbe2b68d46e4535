// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests from synthetic records: the decoder against truncated and
 * hostile input, the process table, and the model's reading of event
 * sequences the kernel produces (pid reuse, autoreap, a non-leader exec,
 * a wait without a status word, -p selection), containers named from
 * cgroup paths and selected by --cgroup and --container.
 */
#include <json-c/json.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "common.h"
#include "decode.h"
#include "escape.h"
#include "event_view.h"
#include "lifestat.h"
#include "lint.h"
#include "model.h"
#include "pids_budget.h"
#include "proctab.h"
#include "synth.h"
#include "zombie_report.h"

/* For views of records no model applied: it names no cgroup. */
static const struct fs_model no_model;

TEST(decoder_accepts_every_well_formed_type)
{
	static const size_t sizes[FS_REC_TYPE_MAX] = {
		[FS_REC_FORK] = sizeof(struct fs_rec_fork),
		[FS_REC_EXEC] = sizeof(struct fs_rec_exec),
		[FS_REC_EXIT] = sizeof(struct fs_rec_exit),
		[FS_REC_WAIT] = sizeof(struct fs_rec_wait),
		[FS_REC_WAIT_RESULT] = sizeof(struct fs_rec_wait_result),
		[FS_REC_REAP] = sizeof(struct fs_rec_reap),
		[FS_REC_LOST] = sizeof(struct fs_rec_lost),
		[FS_REC_TASK] = sizeof(struct fs_rec_task),
		[FS_REC_SYNC] = sizeof(struct fs_rec_sync),
		[FS_REC_COW] = sizeof(struct fs_rec_cow),
		[FS_REC_CGROUP] = sizeof(struct fs_rec_cgroup),
		[FS_REC_CGROUP_PATH] = sizeof(struct fs_rec_cgroup_path),
		[FS_REC_FORK_FAIL] = sizeof(struct fs_rec_fork_fail),
		[FS_REC_EXEC_FAIL] = sizeof(struct fs_rec_exec_fail),
		[FS_REC_PIDS] = sizeof(struct fs_rec_pids),
		[FS_REC_FORK_STACK] = sizeof(struct fs_rec_fork_stack),
		[FS_REC_EXEC_FDS] = sizeof(struct fs_rec_exec_fds),
		[FS_REC_TASK_NOW] = sizeof(struct fs_rec_task_now),
		[FS_REC_FRAMES] = sizeof(struct fs_rec_frames),
	};
	struct synth_exec big;
	size_t size;

	for (unsigned int t = 1; t < FS_REC_TYPE_MAX; t++) {
		ASSERT_NE(0, sizes[t]) TH_LOG("record type %u has no size here", t);
		synth_hdr(&big.r.hdr, t, sizes[t], 1, 1, 0, 1, 1, "x");
		EXPECT_EQ(0, sizes[t] % 8);
		size = sizes[t];
		if (t == FS_REC_EXEC || t == FS_REC_EXEC_FAIL) {
			size = synth_exec(&big, 1, 1, 0, 1, 1, "x", 1, "/x",
					  "x", 1);
			big.r.hdr.type = t;
		} else if (t == FS_REC_CGROUP_PATH) {
			struct fs_rec_cgroup_path *c = (void *)&big;

			c->path_len = 2;
			memcpy(c + 1, "/", 2);
			size = c->hdr.size = sizeof(*c) + 8;
		} else if (t == FS_REC_PIDS) {	/* the machine's: no path */
			((struct fs_rec_pids *)&big)->flags = FS_PIDS_MACHINE;
		} else if (t == FS_REC_TASK_NOW) {
			((struct fs_rec_task_now *)&big)->state = FS_NOW_SLEEPING;
		} else if (t == FS_REC_FRAMES) {
			((struct fs_rec_frames *)&big)->rec_type = FS_REC_FORK_STACK;
		}
		EXPECT_EQ(0, fs_record_check(&big, size)) {
			TH_LOG("%s: %s", fs_record_name(t), fs_last_error());
		}
	}
	/* A newer minor revision's longer fixed part is skipped. */
	synth_hdr(&big.r.hdr, FS_REC_FORK, sizeof(struct fs_rec_fork) + 8, 1, 1,
		  0, 1, 1, "x");
	EXPECT_EQ(0, fs_record_check(&big, sizeof(struct fs_rec_fork) + 8));
}

TEST(decoder_rejects_truncated_and_hostile_records)
{
	struct synth_exec e;
	struct fs_rec_fork f;
	size_t size;

	synth_hdr(&f.hdr, FS_REC_FORK, sizeof(f), 1, 1, 0, 1, 1, "x");
	EXPECT_EQ(-EBADMSG, fs_record_check(&f, sizeof(f.hdr) - 1));
	EXPECT_EQ(-EBADMSG, fs_record_check(&f, sizeof(f) - 8));
	f.hdr.size = sizeof(f.hdr);	/* shorter than a fork record */
	EXPECT_EQ(-EBADMSG, fs_record_check(&f, sizeof(f)));
	f.hdr.size = sizeof(f) + 3;	/* not a multiple of 8 */
	EXPECT_EQ(-EBADMSG, fs_record_check(&f, sizeof(f) + 8));
	f.hdr.size = sizeof(f);
	f.hdr.type = 0;
	EXPECT_EQ(-EBADMSG, fs_record_check(&f, sizeof(f)));
	f.hdr.type = FS_REC_TYPE_MAX;
	EXPECT_EQ(-EBADMSG, fs_record_check(&f, sizeof(f)));
	f.hdr.type = 0xffff;
	EXPECT_EQ(-EBADMSG, fs_record_check(&f, sizeof(f)));
	f.hdr.type = FS_REC_FORK;
	memset(f.hdr.comm, 'A', sizeof(f.hdr.comm));	/* no NUL */
	EXPECT_EQ(-EBADMSG, fs_record_check(&f, sizeof(f)));

	size = synth_exec(&e, 1, 1, 0, 1, 1, "x", 1, "/bin/x", "x\0", 2);
	EXPECT_EQ(0, fs_record_check(&e, size));
	f.hdr.fixed = sizeof(f) - 8;	/* fixed part shorter than a fork's */
	EXPECT_EQ(-EBADMSG, fs_record_check(&f, sizeof(f)));
	f.hdr.fixed = sizeof(f) + 8;	/* fixed part past the record */
	EXPECT_EQ(-EBADMSG, fs_record_check(&f, sizeof(f)));
	e.data[6] = 'B';		/* filename's NUL gone */
	EXPECT_EQ(-EBADMSG, fs_record_check(&e, size));
	e.data[6] = 0;
	e.r.args_len = size;		/* args past the record */
	EXPECT_EQ(-EBADMSG, fs_record_check(&e, size));
	e.r.args_len = 2;
	e.r.filename_len = 0;		/* no filename at all */
	EXPECT_EQ(-EBADMSG, fs_record_check(&e, size));
	e.r.filename_len = FS_FILENAME_LEN + 1;
	EXPECT_EQ(-EBADMSG, fs_record_check(&e, size));
	e.r.filename_len = 7;
	e.r.args_len = FS_ARGS_LEN + 1;
	EXPECT_EQ(-EBADMSG, fs_record_check(&e, size));
}

TEST(streams_of_another_major_abi_are_refused_in_one_line)
{
	EXPECT_EQ(0, fs_abi_check(FS_ABI_VERSION, "the module"));
	EXPECT_EQ(-EPROTO, fs_abi_check(1, "the forkscope module"));
	EXPECT_STREQ("the forkscope module writes record ABI 1, older than the 2 this forkscope reads: use the forkscope module as built with this forkscope",
		     fs_last_error());
	EXPECT_EQ(-EPROTO, fs_abi_check(FS_ABI_VERSION + 1, "rec.fs"));
	EXPECT_NE(NULL, strstr(fs_last_error(), "newer than the 2"));
	EXPECT_EQ(NULL, strchr(fs_last_error(), '\n'));
}

/* A v1 record (a 32-bit cpu where v2 has its fixed size) is malformed. */
TEST(a_v1_record_is_refused)
{
	struct fs_rec_fork f;

	synth_hdr(&f.hdr, FS_REC_FORK, sizeof(f), 1, 1, 0, 1, 1, "x");
	f.hdr.fixed = 1;	/* v1's cpu 65537, low half */
	f.hdr.cpu = 1;
	EXPECT_EQ(-EBADMSG, fs_record_check(&f, sizeof(f)));
}

static int count_arg(void *ctx, const char *arg)
{
	char *out = ctx;

	strcat(out, arg);
	strcat(out, "|");
	return 0;
}

TEST(exec_args_split_and_truncated_tail)
{
	struct synth_exec e;
	char out[2048] = "", zs[FS_ARGS_LEN];
	size_t size;

	size = synth_exec(&e, 1, 1, 0, 1, 1, "x", 1, "/bin/ls", "ls\0-l\0\0/tmp\0", 12);
	ASSERT_EQ(0, fs_record_check(&e, size));
	EXPECT_EQ(4, fs_exec_for_each_arg(&e.r, count_arg, out));
	EXPECT_STREQ("ls|-l||/tmp|", out);

	/* A full area with no final NUL: the cut string still comes out. */
	memset(zs, 'z', sizeof(zs));
	size = synth_exec(&e, 1, 1, 0, 1, 1, "x", 1, "/bin/z", zs, sizeof(zs));
	ASSERT_EQ(0, fs_record_check(&e, size));
	out[0] = 0;
	EXPECT_EQ(1, fs_exec_for_each_arg(&e.r, count_arg, out));
	EXPECT_EQ(FS_ARGS_LEN + 1, strlen(out));
}

TEST(traced_strings_are_escaped_and_cut_safely)
{
	char buf[64];

	EXPECT_STREQ("plain", fs_escape(buf, sizeof(buf), "plain", FS_ESC_SHELL));
	EXPECT_STREQ("'a b'", fs_escape(buf, sizeof(buf), "a b", FS_ESC_SHELL));
	EXPECT_STREQ("'it'\\''s'", fs_escape(buf, sizeof(buf), "it's", FS_ESC_SHELL));
	EXPECT_STREQ("''", fs_escape(buf, sizeof(buf), "", FS_ESC_SHELL));
	EXPECT_STREQ("x\\x01y\\x7f", fs_escape(buf, sizeof(buf), "x\001y\177",
						FS_ESC_TERMINAL));
	EXPECT_STREQ("a\\\"b\\\\", fs_escape(buf, sizeof(buf), "a\"b\\", FS_ESC_DOT));
	EXPECT_STREQ("abc", fs_escape(buf, 4, "abcdef", FS_ESC_TERMINAL));
	EXPECT_STREQ("a\\x1", fs_escape(buf, 5, "a\033", FS_ESC_TERMINAL));
}

TEST(durations_round_like_printf)
{
	char buf[32];

	EXPECT_STREQ("0.002 ms", fs_fmt_duration(buf, sizeof(buf), 1500));
	EXPECT_STREQ("9.999 ms", fs_fmt_duration(buf, sizeof(buf), 9999499));
	EXPECT_STREQ("10.0 ms", fs_fmt_duration(buf, sizeof(buf), 9999500));
	EXPECT_STREQ("12.3 ms", fs_fmt_duration(buf, sizeof(buf), 12340000));
	EXPECT_STREQ("1.00 s", fs_fmt_duration(buf, sizeof(buf), 999960000));
	EXPECT_STREQ("1.50 s", fs_fmt_duration(buf, sizeof(buf), 1500000000));
	EXPECT_STREQ("2m30s", fs_fmt_duration(buf, sizeof(buf), 150 * NSEC_PER_SEC));
	EXPECT_STREQ("3h00m", fs_fmt_duration(buf, sizeof(buf), 3 * 3600 * NSEC_PER_SEC));
}

TEST(sizes_and_counts_for_people)
{
	char buf[32];

	EXPECT_STREQ("0 B", fs_fmt_bytes(buf, sizeof(buf), 0));
	EXPECT_STREQ("1023 B", fs_fmt_bytes(buf, sizeof(buf), 1023));
	EXPECT_STREQ("1.0 KiB", fs_fmt_bytes(buf, sizeof(buf), 1024));
	EXPECT_STREQ("9.9 KiB", fs_fmt_bytes(buf, sizeof(buf), 10137));
	EXPECT_STREQ("10 KiB", fs_fmt_bytes(buf, sizeof(buf), 10240 - 1));
	EXPECT_STREQ("53 MiB", fs_fmt_bytes(buf, sizeof(buf), 53ULL << 20));
	EXPECT_STREQ("1.0 MiB", fs_fmt_bytes(buf, sizeof(buf), (1 << 20) - 1));
	EXPECT_STREQ("16 EiB", fs_fmt_bytes(buf, sizeof(buf), UINT64_MAX));
	EXPECT_STREQ("9999", fs_fmt_count(buf, sizeof(buf), 9999));
	EXPECT_STREQ("10k", fs_fmt_count(buf, sizeof(buf), 10000));
	EXPECT_STREQ("999k", fs_fmt_count(buf, sizeof(buf), 999499));
	EXPECT_STREQ("1.0M", fs_fmt_count(buf, sizeof(buf), 999500));
	EXPECT_STREQ("18E", fs_fmt_count(buf, sizeof(buf), UINT64_MAX));
}

TEST(command_lines_cut_for_people)
{
	char *argv[] = { "sh", "-c", "a\nb\tc", NULL };
	char buf[64], tree[] = "\u2514\u2500 12 abcdef";

	EXPECT_STREQ("sh -c 'a\\nb\\tc'",
		     fs_escape_cmdline(buf, sizeof(buf), argv, 80));
	/* Seven columns kept, then the ellipsis: eight in all. */
	EXPECT_STREQ("sh -c '\u2026", fs_escape_cmdline(buf, sizeof(buf),
							 argv, 8));
	EXPECT_EQ(8, fs_columns(buf));
	/* A cut never splits a UTF-8 sequence. */
	fs_cut_columns(tree, 4);
	EXPECT_STREQ("\u2514\u2500 \u2026", tree);
	/* Too few bytes after the cut for the ellipsis: a column less. */
	strcpy(buf, "abcd");
	fs_cut_columns(buf, 3);
	EXPECT_STREQ("a\u2026", buf);
	strcpy(buf, "abc");
	fs_cut_columns(buf, 3);
	EXPECT_STREQ("abc", buf);
}

/* A fork, exec or exit record, counted as stat counts a selected one. */
static void stat_rec(struct fs_lifestat *st, unsigned int type, int tgid,
		     int child, const char *comm)
{
	struct fs_note n = { .selected = true };
	union {
		struct fs_hdr h;
		struct fs_rec_fork f;
		struct fs_rec_exit x;
	} r;

	synth_hdr(&r.h, type, type == FS_REC_FORK ? sizeof(r.f) : sizeof(r.x),
		  tgid, tgid, 1, 1, 1, comm);
	if (type == FS_REC_FORK) {
		r.f.child_pid = r.f.child_tgid = child;
		r.f.child_ppid = tgid;
	} else {
		r.x.flags = FS_EXIT_GROUP_DEAD;
	}
	fs_lifestat_event(st, &r.h, &n);
}

TEST(stat_groups_what_the_command_spawned_by_its_children)
{
	struct fs_lifestat *st = calloc(1, sizeof(*st));
	struct synth_exec x;
	struct fs_note n = { .selected = true };

	ASSERT_NE(NULL, st);
	/* 100 runs 200, which execs bash and runs readlink and bash. */
	stat_rec(st, FS_REC_FORK, 100, 200, "sh");
	synth_exec(&x, 200, 200, 100, 2, 1, "bash", 200, "/bin/bash", "", 0);
	fs_lifestat_event(st, &x.r.hdr, &n);
	stat_rec(st, FS_REC_FORK, 200, 201, "bash");
	stat_rec(st, FS_REC_FORK, 201, 202, "bash");
	stat_rec(st, FS_REC_EXIT, 202, 0, "bash");
	stat_rec(st, FS_REC_EXIT, 201, 0, "readlink");
	stat_rec(st, FS_REC_EXIT, 200, 0, "bash");
	/* and two workers that stay python3. */
	stat_rec(st, FS_REC_FORK, 100, 300, "python3");
	stat_rec(st, FS_REC_FORK, 100, 301, "python3");
	stat_rec(st, FS_REC_EXIT, 300, 0, "python3");
	stat_rec(st, FS_REC_EXIT, 301, 0, "python3");
	stat_rec(st, FS_REC_EXIT, 100, 0, "python3");	/* not spawned */
	fs_lifestat_finish(st);

	EXPECT_EQ(5, st->processes);
	ASSERT_EQ(2, st->nspawned);
	EXPECT_STREQ("bash", st->spawned[0].name);
	EXPECT_EQ(3, st->spawned[0].processes);
	ASSERT_EQ(2, st->spawned[0].n);
	EXPECT_STREQ("bash", st->spawned[0].e[0].comm);
	EXPECT_EQ(2, st->spawned[0].e[0].n);
	EXPECT_STREQ("readlink", st->spawned[0].e[1].comm);
	EXPECT_EQ(1, st->spawned[0].e[1].n);
	EXPECT_STREQ("python3", st->spawned[1].name);
	EXPECT_EQ(2, st->spawned[1].processes);
	EXPECT_EQ(0, st->spawned_other);
	EXPECT_EQ(0, st->failed);
	fs_lifestat_free(st);
	free(st);
}

/* The columns of `trace` text: everything after the time of day. */
TEST(text_lines_keep_their_columns)
{
	struct fs_rec_fork f;
	struct fs_note note;
	char *out = NULL, *line2;
	size_t len = 0;
	FILE *m = open_memstream(&out, &len);

	ASSERT_NE(NULL, m);
	memset(&note, 0, sizeof(note));
	synth_hdr(&f.hdr, FS_REC_FORK, sizeof(f), 1234, 1234, 1, 1, 1, "sh\033]");
	f.child_pid = f.child_tgid = 5678;
	f.child_ppid = 1234;
	f.flags = 0;
	fs_event_text(m, &no_model, &f.hdr, &note, NULL);
	synth_hdr(&f.hdr, FS_REC_FORK, sizeof(f), 77, 1234, 1, 1, 1, "worker");
	f.child_pid = 79;
	f.flags = FS_FORK_THREAD;
	fs_event_text(m, &no_model, &f.hdr, &note, NULL);
	fclose(m);
	line2 = strchr(out, '\n') + 1;
	/* HH:MM:SS.uuuuuu, a space, then the columns. */
	ASSERT_EQ(15, strspn(out, "0123456789:.")) TH_LOG("%s", out);
	ASSERT_EQ(15, strspn(line2, "0123456789:.")) TH_LOG("%s", out);
	line2[-1] = 0;
	EXPECT_STREQ("fork           1234       1 sh\\x1b]          child 5678",
		     out + 16);
	EXPECT_STREQ("fork        1234/77       1 worker           thread 79\n",
		     line2 + 16);
	free(out);
}

/* A lost record's text details (after the columns) and JSON reason. */
static void lost_views(uint32_t reason, uint32_t rec_type, char **text,
		       char **json_reason)
{
	struct fs_rec_lost l;
	struct fs_note note;
	struct json_object *o, *v;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	memset(&note, 0, sizeof(note));
	synth_hdr(&l.hdr, FS_REC_LOST, sizeof(l), 0, 0, 0, 1, 0, "");
	l.count = 5;
	l.reason = reason;
	l.rec_type = rec_type;
	f = open_memstream(&out, &len);
	fs_event_text(f, &no_model, &l.hdr, &note, NULL);
	fclose(f);
	*text = strdup(strstr(out, "LOST"));
	(*text)[strcspn(*text, "\n")] = 0;
	free(out);
	f = open_memstream(&out, &len);
	fs_event_json(f, &no_model, &l.hdr, &note, NULL);
	fclose(f);
	o = json_tokener_parse(out);
	*json_reason = strdup(o && json_object_object_get_ex(o, "reason", &v) ?
			      json_object_get_string(v) : "(none)");
	json_object_put(o);
	free(out);
}

TEST(every_loss_reason_has_a_name_in_text_and_json)
{
	static const struct {
		uint32_t reason, rec_type;
		const char *text, *json;
	} want[] = {
		{ FS_LOST_RINGBUF, FS_REC_EXIT,
		  "LOST 5 exit records: kernel ring buffer full",
		  "kernel ring buffer full" },
		{ FS_LOST_RECURSION, 0,
		  "LOST 5 records: BPF program runs skipped by the kernel",
		  "BPF program runs skipped by the kernel" },
		{ FS_LOST_READER, 0,
		  "LOST 5 records: malformed records rejected by the reader",
		  "malformed records rejected by the reader" },
		{ FS_LOST_COW_MAP, 0,
		  "LOST 5 COW faults: no room for the process's COW counter",
		  "no room for the process's COW counter" },
		{ FS_LOST_COW_SKIPPED, 0,
		  "LOST 5 COW faults: COW counting runs skipped by the kernel",
		  "COW counting runs skipped by the kernel" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		char *text, *reason;

		lost_views(want[i].reason, want[i].rec_type, &text, &reason);
		EXPECT_STREQ(want[i].text, text);
		EXPECT_STREQ(want[i].json, reason);
		free(text);
		free(reason);
	}
}

TEST(waitid_status_is_folded_into_a_wait_word)
{
	struct fs_rec_wait_result w = {
		.syscall = FS_WAIT_SYS_WAITID,
		.flags = FS_WAITR_STATUS,
		.pid = 42,
	};

	w.si_code = CLD_EXITED, w.status = 7;
	EXPECT_EQ(7 << 8, fs_wait_result_status(&w));
	EXPECT_TRUE(fs_wait_result_reaped(&w));
	w.si_code = CLD_DUMPED, w.status = SIGSEGV;
	EXPECT_EQ(SIGSEGV | WCOREFLAG, fs_wait_result_status(&w));
	EXPECT_TRUE(fs_wait_result_reaped(&w));
	w.si_code = CLD_STOPPED, w.status = SIGSTOP;
	EXPECT_TRUE(WIFSTOPPED(fs_wait_result_status(&w)));
	EXPECT_FALSE(fs_wait_result_reaped(&w));
	w.si_code = CLD_KILLED, w.status = SIGKILL;
	w.options = WEXITED | WNOWAIT;
	EXPECT_FALSE(fs_wait_result_reaped(&w));
}

TEST(proctab_survives_churn)
{
	struct fs_proctab t;
	int32_t live = 0;

	ASSERT_EQ(0, fs_proctab_init(&t, 4));
	/* Grow past many doublings, delete every other, check the rest. */
	for (int32_t pid = 1; pid <= 50000; pid++)
		ASSERT_NE(NULL, fs_proctab_put(&t, pid * 7));
	for (int32_t pid = 1; pid <= 50000; pid += 2)
		fs_proctab_del(&t, pid * 7);
	for (int32_t pid = 1; pid <= 50000; pid++) {
		struct fs_task *e = fs_proctab_get(&t, pid * 7);

		if (pid % 2) {
			ASSERT_EQ(NULL, e);
		} else {
			ASSERT_NE(NULL, e);
			ASSERT_EQ(pid * 7, e->pid);
			live++;
		}
	}
	EXPECT_EQ(25000, live);
	EXPECT_EQ(25000, t.count);
	EXPECT_EQ(NULL, fs_proctab_put(&t, 0));
	fs_proctab_free(&t);
}

/* Real tasks in the table, placeholders and released ones left out. */
static int live_tasks(struct fs_model *m)
{
	struct fs_task *e;
	int n = 0;

	fs_proctab_for_each(&m->tab, e)
		n += fs_task_is_live(e);
	return n;
}

FIXTURE(model) {
	struct fs_model m;
	struct fs_note n;
	uint64_t now;
};

FIXTURE_SETUP(model)
{
	ASSERT_EQ(0, fs_model_init(&self->m, 0));
	self->now = 1000;
}

FIXTURE_TEARDOWN(model)
{
	fs_model_free(&self->m);
}

static void fork_(struct fs_model *m, struct fs_note *n, uint64_t *now,
		  int ppid, int pid, int tgid, uint64_t start)
{
	const struct fs_task *parent = fs_proctab_get(&m->tab, ppid);
	struct fs_rec_fork f;

	synth_hdr(&f.hdr, FS_REC_FORK, sizeof(f), ppid, ppid, 1, ++*now,
	    parent ? parent->start_ns : 10, "p");
	f.child_pid = pid;
	f.child_tgid = tgid;
	f.child_ppid = pid == tgid ? ppid : 1;
	f.child_start_ns = start;
	f.flags = pid == tgid ? 0 : FS_FORK_THREAD;
	fs_model_apply(m, &f.hdr, n);
}

static void exit_(struct fs_model *m, struct fs_note *n, uint64_t *now,
		  int pid, int tgid, int ppid, uint64_t start, uint32_t flags,
		  uint32_t status)
{
	struct fs_rec_exit x;

	synth_hdr(&x.hdr, FS_REC_EXIT, sizeof(x), pid, tgid, ppid, ++*now, start,
	    "c");
	x.flags = flags;
	x.status = x.exit_code = status;
	fs_model_apply(m, &x.hdr, n);
}

static void waited_(struct fs_model *m, struct fs_note *n, uint64_t *now,
		    int waiter, int pid, bool with_status, uint32_t status)
{
	struct fs_rec_wait_result w;

	synth_hdr(&w.hdr, FS_REC_WAIT_RESULT, sizeof(w), waiter, waiter, 1, ++*now,
	    10, "p");
	w.syscall = FS_WAIT_SYS_WAIT4;
	w.ret = w.pid = pid;
	w.status = status;
	w.flags = with_status ? FS_WAITR_STATUS : 0;
	fs_model_apply(m, &w.hdr, n);
}

static void reap_(struct fs_model *m, struct fs_note *n, uint64_t *now,
		  int pid, int tgid, uint64_t start)
{
	struct fs_rec_reap r;

	synth_hdr(&r.hdr, FS_REC_REAP, sizeof(r), pid, tgid, 0, ++*now, start, "c");
	fs_model_apply(m, &r.hdr, n);
}

/* A child's fork stack, as the session hands the model a resolved one. */
static void site_(struct fs_model *m, uint64_t *now, int ppid, int pid,
		  uint64_t start, const struct fs_stack *s)
{
	struct fs_rec_fork_stack r;

	synth_hdr(&r.hdr, FS_REC_FORK_STACK, sizeof(r), ppid, ppid, 1, ++*now,
	    10, "p");
	r.child_pid = r.child_tgid = pid;
	r.child_start_ns = start;
	fs_callsites_add(&m->sites, &r, s);
}

/*
 * Three children forked from leak_site stay zombies, three from
 * wait_site are reaped: the report blames the first site with exact
 * counts and names the second as the one that waits; identical stacks
 * are one site.
 */
TEST_F(model, zombies_are_grouped_by_the_site_that_forked_them)
{
	struct fs_frame leak[] = {
		{ .addr = 0x7f00, .function = "fork",
		  .module = "/usr/lib/x86_64-linux-gnu/libc.so.6" },
		{ .addr = 0x1010, .function = "leak_site", .file = "/s/a.c",
		  .line = 23, .module = "/bin/a" },
		{ .addr = 0x1100, .function = "main", .file = "/s/a.c",
		  .line = 54, .module = "/bin/a" },
	};
	struct fs_frame wait[] = {
		{ .addr = 0x7f00, .function = "fork",
		  .module = "/usr/lib/x86_64-linux-gnu/libc.so.6" },
		{ .addr = 0x1040, .function = "wait_site", .file = "/s/a.c",
		  .line = 32, .module = "/bin/a" },
		{ .addr = 0x1108, .function = "main", .file = "/s/a.c",
		  .line = 55, .module = "/bin/a" },
	};
	struct fs_stack a = { FS_STACK_DWARF, false, 3, leak };
	struct fs_stack b = { FS_STACK_DWARF, false, 3, wait };
	struct fs_zombie_report r;
	const struct fs_zombie_parent *p;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	fork_(&self->m, &self->n, &self->now, 1, 100, 100, 10);
	for (int i = 0; i < 3; i++) {
		fork_(&self->m, &self->n, &self->now, 100, 200 + i, 200 + i,
		      60 + i);
		site_(&self->m, &self->now, 100, 200 + i, 60 + i, &a);
		exit_(&self->m, &self->n, &self->now, 200 + i, 200 + i, 100,
		      60 + i, FS_EXIT_GROUP_DEAD, 0);
		fork_(&self->m, &self->n, &self->now, 100, 300 + i, 300 + i,
		      70 + i);
		site_(&self->m, &self->now, 100, 300 + i, 70 + i, &b);
		exit_(&self->m, &self->n, &self->now, 300 + i, 300 + i, 100,
		      70 + i, FS_EXIT_GROUP_DEAD, 0);
		waited_(&self->m, &self->n, &self->now, 100, 300 + i, true, 0);
	}
	EXPECT_EQ(2, self->m.sites.nr_sites);
	ASSERT_EQ(0, fs_zombie_report_build(&r, &self->m, self->now + 10, 0));
	ASSERT_EQ(1, r.nr_parents);
	p = &r.parents[0];
	EXPECT_EQ(3, p->nr);
	ASSERT_EQ(2, p->nr_sites);
	EXPECT_EQ(3, p->sites[0].nr);
	EXPECT_EQ(3, p->sites[0].forked);
	EXPECT_EQ(0, p->sites[0].reaped);
	EXPECT_STREQ("leak_site",
		     p->sites[0].site->stack.frames[p->sites[0].site->frame].function);
	EXPECT_EQ(0, p->sites[1].nr);
	EXPECT_EQ(3, p->sites[1].forked);
	EXPECT_EQ(3, p->sites[1].reaped);
	f = open_memstream(&out, &len);
	fs_zombie_report_text(f, &r);
	fclose(f);
	EXPECT_NE(NULL, strstr(out, "3 zombies forked from leak_site (a.c:23) <- main (a.c:54), aged"));
	EXPECT_NE(NULL, strstr(out, "0 left of 3 forked from wait_site (a.c:32) <- main (a.c:55): it waits"));
	free(out);
	fs_zombie_report_free(&r);
}

TEST_F(model, waited_child_is_reaped_by_the_wait_not_the_free)
{
	fork_(&self->m, &self->n, &self->now, 100, 200, 200, 500);
	EXPECT_EQ(FS_RELEASE_NONE, self->n.released);
	exit_(&self->m, &self->n, &self->now, 200, 200, 100, 500,
	      FS_EXIT_GROUP_DEAD, 3 << 8);
	EXPECT_EQ(self->now - 500, self->n.runtime_ns);
	EXPECT_EQ(FS_RELEASE_NONE, self->n.released);
	self->now += 40;
	waited_(&self->m, &self->n, &self->now, 100, 200, true, 3 << 8);
	EXPECT_TRUE(self->n.reaped);
	EXPECT_EQ(FS_RELEASE_WAIT, self->n.released);
	EXPECT_EQ(200, self->n.gone.pid);
	EXPECT_EQ(41, self->n.zombie_ns);
	EXPECT_EQ(100, self->n.reaper);
	EXPECT_STREQ("p", self->n.reaper_comm);
	EXPECT_EQ(3 << 8, self->n.gone.status);
	/* The free only retires the entry: the reap was told already. */
	reap_(&self->m, &self->n, &self->now, 200, 200, 500);
	EXPECT_EQ(FS_RELEASE_NONE, self->n.released);
	EXPECT_EQ(NULL, fs_proctab_get(&self->m.tab, 200));
}

TEST_F(model, free_tells_a_reap_nothing_else_told)
{
	fork_(&self->m, &self->n, &self->now, 100, 210, 210, 510);
	exit_(&self->m, &self->n, &self->now, 210, 210, 100, 510,
	      FS_EXIT_GROUP_DEAD, 0);
	self->now += 10;
	reap_(&self->m, &self->n, &self->now, 210, 210, 510);
	EXPECT_EQ(FS_RELEASE_FREE, self->n.released);
	EXPECT_EQ(11, self->n.zombie_ns);
	EXPECT_EQ(0, self->n.reaper);
	EXPECT_EQ(NULL, fs_proctab_get(&self->m.tab, 210));
}

TEST_F(model, wait_without_status_word_still_reaps)
{
	fork_(&self->m, &self->n, &self->now, 100, 201, 201, 501);
	exit_(&self->m, &self->n, &self->now, 201, 201, 100, 501,
	      FS_EXIT_GROUP_DEAD, 0);
	waited_(&self->m, &self->n, &self->now, 100, 201, false, 0);
	EXPECT_TRUE(self->n.reaped);
	EXPECT_EQ(FS_RELEASE_WAIT, self->n.released);
	/* Not exited yet: a pid returned without status is not a reap. */
	fork_(&self->m, &self->n, &self->now, 100, 202, 202, 502);
	waited_(&self->m, &self->n, &self->now, 100, 202, false, 0);
	EXPECT_FALSE(self->n.reaped);
	EXPECT_EQ(FS_RELEASE_NONE, self->n.released);
}

TEST_F(model, autoreap_is_told_at_exit)
{
	fork_(&self->m, &self->n, &self->now, 100, 300, 300, 600);
	exit_(&self->m, &self->n, &self->now, 300, 300, 100, 600,
	      FS_EXIT_GROUP_DEAD | FS_EXIT_AUTOREAP, 0);
	EXPECT_EQ(FS_RELEASE_AUTO, self->n.released);
	EXPECT_TRUE(self->n.gone.flags & FS_TASK_AUTOREAP);
	EXPECT_EQ(0, self->n.reaper);
	EXPECT_EQ(0, self->n.zombie_ns);
	reap_(&self->m, &self->n, &self->now, 300, 300, 600);
	EXPECT_EQ(FS_RELEASE_NONE, self->n.released);
}

TEST_F(model, pid_reuse_replaces_the_old_task)
{
	struct fs_task *t;

	fork_(&self->m, &self->n, &self->now, 100, 400, 400, 700);
	exit_(&self->m, &self->n, &self->now, 400, 400, 100, 700,
	      FS_EXIT_GROUP_DEAD, 0);
	/* The reap was lost; the pid comes back for a new task. */
	fork_(&self->m, &self->n, &self->now, 100, 400, 400, 900);
	t = fs_proctab_get(&self->m.tab, 400);
	ASSERT_NE(NULL, t);
	EXPECT_EQ(900, t->start_ns);
	EXPECT_EQ(0, t->flags & FS_TASK_EXITED);
	/* An exit that names the new start time belongs to the new task. */
	exit_(&self->m, &self->n, &self->now, 400, 400, 100, 900,
	      FS_EXIT_GROUP_DEAD, 1 << 8);
	EXPECT_EQ(1 << 8, fs_proctab_get(&self->m.tab, 400)->status);
	EXPECT_EQ(2, live_tasks(&self->m));	/* 400 and its parent 100 */
}

TEST_F(model, non_leader_exec_releases_the_old_leader)
{
	struct synth_exec e;
	struct fs_task *old;

	fork_(&self->m, &self->n, &self->now, 100, 500, 500, 800);
	fork_(&self->m, &self->n, &self->now, 500, 501, 500, 801);
	synth_exec(&e, 500, 500, 100, ++self->now, 800, "new", 501, "", "", 0);
	fs_model_apply(&self->m, &e.r.hdr, &self->n);
	EXPECT_STREQ("new", fs_proctab_get(&self->m.tab, 500)->comm);
	EXPECT_EQ(FS_RELEASE_EXEC, self->n.released);
	EXPECT_EQ(501, self->n.gone.pid);
	EXPECT_EQ(500, self->n.gone.tgid);
	old = fs_proctab_get(&self->m.tab, 501);
	ASSERT_NE(NULL, old);
	EXPECT_TRUE(old->flags & FS_TASK_REAPED);
}

static void cow_(struct fs_model *m, struct fs_note *n, uint64_t *now,
		 int pid, int ppid, uint64_t start, const char *comm,
		 uint64_t faults)
{
	struct fs_rec_cow c;

	synth_hdr(&c.hdr, FS_REC_COW, sizeof(c), pid, pid, ppid, ++*now, start,
	    comm);
	c.faults = faults;
	c.copies = faults / 2;
	c.method = FS_COW_DO_WP_PAGE;
	fs_model_apply(m, &c.hdr, n);
}

TEST_F(model, cow_sample_keeps_the_name_and_parent_exec_and_fork_gave)
{
	struct synth_exec e;
	struct fs_task *t;

	fork_(&self->m, &self->n, &self->now, 100, 510, 510, 810);
	synth_exec(&e, 510, 510, 100, ++self->now, 810, "newprog", 510, "", "", 0);
	fs_model_apply(&self->m, &e.r.hdr, &self->n);
	/* A sample carrying the comm and parent of its first fault. */
	cow_(&self->m, &self->n, &self->now, 510, 99, 810, "p", 40);
	t = fs_proctab_get(&self->m.tab, 510);
	ASSERT_NE(NULL, t);
	EXPECT_STREQ("newprog", t->comm);
	EXPECT_EQ(100, t->ppid);
	EXPECT_EQ(40, t->cow_faults);
	EXPECT_EQ(20, t->cow_copies);
	EXPECT_EQ(1, fs_proctab_get(&self->m.tab, 100)->nr_children);
	EXPECT_STREQ("newprog", self->n.task.comm);
	/* A process only a sample has shown: its name is all there is. */
	cow_(&self->m, &self->n, &self->now, 520, 100, 820, "other", 3);
	t = fs_proctab_get(&self->m.tab, 520);
	ASSERT_NE(NULL, t);
	EXPECT_STREQ("other", t->comm);
	EXPECT_EQ(100, t->ppid);
	EXPECT_EQ(3, t->cow_faults);
}

static void exit_heir(struct fs_model *m, struct fs_note *n, uint64_t *now,
		      int pid, int ppid, uint64_t start, int heir)
{
	struct fs_rec_exit x;

	synth_hdr(&x.hdr, FS_REC_EXIT, sizeof(x), pid, pid, ppid, ++*now, start, "c");
	x.flags = FS_EXIT_GROUP_DEAD;
	x.status = x.exit_code = 0;
	x.heir = heir;
	fs_model_apply(m, &x.hdr, n);
}

static void task_(struct fs_model *m, struct fs_note *n, uint64_t *now,
		  int pid, int tgid, int ppid, uint64_t start, uint32_t flags)
{
	struct fs_rec_task r;

	synth_hdr(&r.hdr, FS_REC_TASK, sizeof(r), pid, tgid, ppid, ++*now, start, "s");
	r.flags = flags;
	r.status = flags & FS_SNAP_ZOMBIE ? 9 : 0;
	fs_model_apply(m, &r.hdr, n);
}

static void sync_(struct fs_model *m, struct fs_note *n, uint64_t *now,
		  uint32_t phase, uint32_t gen)
{
	struct fs_rec_sync r;

	synth_hdr(&r.hdr, FS_REC_SYNC, sizeof(r), 0, 0, 0, ++*now, 0, "");
	r.phase = phase;
	r.generation = gen;
	r.method = FS_SYNC_BPF_ITER;
	r.count = 0;
	fs_model_apply(m, &r.hdr, n);
}

TEST_F(model, late_free_of_an_old_task_spares_the_new_one)
{
	struct fs_task *t;

	fork_(&self->m, &self->n, &self->now, 100, 450, 450, 700);
	exit_(&self->m, &self->n, &self->now, 450, 450, 100, 700,
	      FS_EXIT_GROUP_DEAD, 0);
	waited_(&self->m, &self->n, &self->now, 100, 450, true, 0);
	/* The pid is free once released: a new task gets it at once... */
	fork_(&self->m, &self->n, &self->now, 100, 450, 450, 950);
	/* ...and the old task's sched_process_free comes after (RCU). */
	reap_(&self->m, &self->n, &self->now, 450, 450, 700);
	EXPECT_TRUE(self->n.stale);
	EXPECT_EQ(FS_RELEASE_NONE, self->n.released);
	t = fs_proctab_get(&self->m.tab, 450);
	ASSERT_NE(NULL, t);
	EXPECT_EQ(950, t->start_ns);
	EXPECT_TRUE(fs_task_is_live(t));
}

TEST_F(model, orphans_go_to_the_heir_zombies_too)
{
	struct fs_task *a, *b;

	/* 100 -> 600 (subreaper's child) -> 601, 602 (602 a zombie). */
	fork_(&self->m, &self->n, &self->now, 100, 600, 600, 10);
	fork_(&self->m, &self->n, &self->now, 600, 601, 601, 11);
	fork_(&self->m, &self->n, &self->now, 600, 602, 602, 12);
	exit_(&self->m, &self->n, &self->now, 602, 602, 600, 12,
	      FS_EXIT_GROUP_DEAD, 0);
	EXPECT_EQ(2, fs_proctab_get(&self->m.tab, 600)->nr_children);
	/* 600 dies; the kernel says subreaper 100 adopts its children. */
	exit_heir(&self->m, &self->n, &self->now, 600, 100, 10, 100);
	EXPECT_EQ(100, self->n.reparented);
	EXPECT_EQ(2, self->n.nr_reparented);
	a = fs_proctab_get(&self->m.tab, 601);
	b = fs_proctab_get(&self->m.tab, 602);
	EXPECT_EQ(100, a->ppid);
	EXPECT_EQ(100, b->ppid);
	EXPECT_TRUE(fs_task_is_zombie(b));
	EXPECT_EQ(0, fs_proctab_get(&self->m.tab, 600)->nr_children);
	/* 100 dies without a subreaper above it: init (1) adopts them. */
	exit_heir(&self->m, &self->n, &self->now, 100, 1, 10, 1);
	EXPECT_EQ(1, self->n.reparented);
	EXPECT_EQ(1, fs_proctab_get(&self->m.tab, 601)->ppid);
	EXPECT_EQ(1, fs_proctab_get(&self->m.tab, 602)->ppid);
	/* The zombie is reaped by its new parent. */
	waited_(&self->m, &self->n, &self->now, 1, 602, true, 0);
	EXPECT_EQ(FS_RELEASE_WAIT, self->n.released);
	EXPECT_EQ(1, self->n.reaper);
}

TEST_F(model, only_unreaped_children_are_reparented)
{
	/* sh -c '/bin/true; /bin/true; sleep 1 & exit 3', and a zombie. */
	/* Start 10: what waited_() says of the waiter. */
	fork_(&self->m, &self->n, &self->now, 100, 610, 610, 10);
	for (int pid = 611; pid <= 612; pid++) {
		fork_(&self->m, &self->n, &self->now, 610, pid, pid, pid);
		exit_(&self->m, &self->n, &self->now, pid, pid, 610, pid,
		      FS_EXIT_GROUP_DEAD, 0);
		/* Reaped; the free comes later (RCU). */
		waited_(&self->m, &self->n, &self->now, 610, pid, true, 0);
	}
	fork_(&self->m, &self->n, &self->now, 610, 613, 613, 613);
	fork_(&self->m, &self->n, &self->now, 610, 614, 614, 614);
	exit_(&self->m, &self->n, &self->now, 614, 614, 610, 614,
	      FS_EXIT_GROUP_DEAD, 0);
	exit_heir(&self->m, &self->n, &self->now, 610, 100, 10, 1);
	EXPECT_EQ(1, self->n.reparented);
	EXPECT_EQ(2, self->n.nr_reparented);
	EXPECT_EQ(1, fs_proctab_get(&self->m.tab, 613)->ppid);
	EXPECT_EQ(1, fs_proctab_get(&self->m.tab, 614)->ppid);
	EXPECT_TRUE(fs_task_is_zombie(fs_proctab_get(&self->m.tab, 614)));
	/* The reaped ones stay as they were until their free retires them. */
	EXPECT_EQ(610, fs_proctab_get(&self->m.tab, 611)->ppid);
	EXPECT_EQ(610, fs_proctab_get(&self->m.tab, 612)->ppid);
}

TEST_F(model, exit_read_before_its_fork_stays_an_exit)
{
	struct fs_task *t;

	/* Two CPUs' records merged late: the child's exit comes first. */
	exit_(&self->m, &self->n, &self->now, 700, 700, 100, 1700,
	      FS_EXIT_GROUP_DEAD, 2 << 8);
	fork_(&self->m, &self->n, &self->now, 100, 700, 700, 1700);
	t = fs_proctab_get(&self->m.tab, 700);
	ASSERT_NE(NULL, t);
	EXPECT_TRUE(fs_task_is_zombie(t));
	EXPECT_EQ(2 << 8, t->status);
	EXPECT_EQ(100, t->ppid);
}

TEST_F(model, lost_records_ask_for_a_resync_that_sweeps_the_dead)
{
	struct fs_rec_lost l;

	sync_(&self->m, &self->n, &self->now, FS_SYNC_BEGIN, 1);
	task_(&self->m, &self->n, &self->now, 1, 1, 0, 1, 0);
	task_(&self->m, &self->n, &self->now, 800, 800, 1, 80, 0);
	task_(&self->m, &self->n, &self->now, 801, 801, 1, 81, FS_SNAP_ZOMBIE);
	task_(&self->m, &self->n, &self->now, 802, 800, 1, 82, 0);
	sync_(&self->m, &self->n, &self->now, FS_SYNC_END, 1);
	EXPECT_EQ(4, live_tasks(&self->m));
	EXPECT_TRUE(fs_task_is_zombie(fs_proctab_get(&self->m.tab, 801)));
	EXPECT_TRUE(fs_proctab_get(&self->m.tab, 801)->flags &
		    FS_TASK_EXIT_UNKNOWN);
	EXPECT_EQ(1, fs_proctab_get(&self->m.tab, 800)->nr_threads);
	EXPECT_EQ(2, fs_proctab_get(&self->m.tab, 1)->nr_children);

	synth_hdr(&l.hdr, FS_REC_LOST, sizeof(l), 0, 0, 0, ++self->now, 0, "");
	l.count = 5;
	l.reason = FS_LOST_RINGBUF;
	l.rec_type = FS_REC_EXIT;
	fs_model_apply(&self->m, &l.hdr, &self->n);
	EXPECT_TRUE(self->m.need_resync);

	/* Meanwhile 800 died unseen (with its thread); 801 was reaped. */
	sync_(&self->m, &self->n, &self->now, FS_SYNC_BEGIN, 2);
	task_(&self->m, &self->n, &self->now, 1, 1, 0, 1, 0);
	task_(&self->m, &self->n, &self->now, 803, 803, 1, 83, 0);
	sync_(&self->m, &self->n, &self->now, FS_SYNC_END, 2);
	EXPECT_FALSE(self->m.need_resync);
	EXPECT_EQ(1, self->m.resyncs);
	EXPECT_EQ(3, self->m.swept);
	EXPECT_EQ(2, live_tasks(&self->m));
	EXPECT_EQ(NULL, fs_proctab_get(&self->m.tab, 800));
	EXPECT_EQ(1, fs_proctab_get(&self->m.tab, 1)->nr_children);
}

static void lost_(struct fs_model *m, struct fs_note *n, uint64_t *now,
		  uint32_t reason, uint32_t rec_type, uint64_t count)
{
	struct fs_rec_lost l;

	synth_hdr(&l.hdr, FS_REC_LOST, sizeof(l), 0, 0, 0, ++*now, 0, "");
	l.count = count;
	l.reason = reason;
	l.rec_type = rec_type;
	fs_model_apply(m, &l.hdr, n);
}

TEST_F(model, only_lifecycle_losses_ask_for_a_resync)
{
	sync_(&self->m, &self->n, &self->now, FS_SYNC_BEGIN, 1);
	sync_(&self->m, &self->n, &self->now, FS_SYNC_END, 1);
	/* Faults a COW counter missed: no task changed state unseen. */
	lost_(&self->m, &self->n, &self->now, FS_LOST_COW_MAP, 0, 7);
	lost_(&self->m, &self->n, &self->now, FS_LOST_COW_SKIPPED, 0, 4);
	EXPECT_FALSE(self->m.need_resync);
	EXPECT_EQ(0, self->m.lost);

	lost_(&self->m, &self->n, &self->now, FS_LOST_RINGBUF, FS_REC_FORK, 2);
	EXPECT_TRUE(self->m.need_resync);
	EXPECT_EQ(2, self->m.lost);
	self->m.need_resync = false;
	lost_(&self->m, &self->n, &self->now, FS_LOST_RECURSION, 0, 3);
	EXPECT_TRUE(self->m.need_resync);
	self->m.need_resync = false;
	lost_(&self->m, &self->n, &self->now, FS_LOST_READER, 0, 1);
	EXPECT_TRUE(self->m.need_resync);
	EXPECT_EQ(6, self->m.lost);
}

TEST_F(model, leader_exit_with_live_threads_is_not_a_plain_zombie)
{
	struct fs_task *leader;

	fork_(&self->m, &self->n, &self->now, 100, 900, 900, 90);
	fork_(&self->m, &self->n, &self->now, 900, 901, 900, 91);
	exit_(&self->m, &self->n, &self->now, 900, 900, 100, 90,
	      FS_EXIT_LEADER_WAITS, 0);
	leader = fs_proctab_get(&self->m.tab, 900);
	EXPECT_TRUE(fs_task_leader_waits(leader));
	/* The last thread goes: its status becomes the process's. */
	exit_(&self->m, &self->n, &self->now, 901, 900, 100, 91,
	      FS_EXIT_THREAD | FS_EXIT_GROUP_DEAD | FS_EXIT_AUTOREAP, 4 << 8);
	EXPECT_EQ(FS_RELEASE_AUTO, self->n.released);
	leader = fs_proctab_get(&self->m.tab, 900);
	EXPECT_FALSE(fs_task_leader_waits(leader));
	EXPECT_TRUE(fs_task_is_zombie(leader));
	EXPECT_EQ(4 << 8, leader->status);
}

TEST(selection_follows_descendants)
{
	struct fs_model m;
	struct fs_note n;
	uint64_t now = 0;

	ASSERT_EQ(0, fs_model_init(&m, 100));
	/* 100 is selected by hand here; a snapshot does it for real. */
	fs_proctab_put(&m.tab, 100)->flags |= FS_TASK_SELECTED;
	fs_proctab_get(&m.tab, 100)->tgid = 100;
	fork_(&m, &n, &now, 100, 110, 110, 1);
	EXPECT_TRUE(n.selected);
	fork_(&m, &n, &now, 110, 111, 111, 2);
	EXPECT_TRUE(n.selected);
	fork_(&m, &n, &now, 110, 112, 110, 3);	/* a thread of 110 */
	exit_(&m, &n, &now, 112, 110, 1, 3, FS_EXIT_THREAD, 0);
	EXPECT_TRUE(n.selected);
	fork_(&m, &n, &now, 999, 998, 998, 4);	/* elsewhere */
	EXPECT_FALSE(n.selected);
	exit_(&m, &n, &now, 998, 998, 999, 4, FS_EXIT_GROUP_DEAD, 0);
	EXPECT_FALSE(n.selected);
	fs_model_free(&m);
}

/* Applies a cgroup-path record; false when the decoder refuses it. */
static bool name_(struct fs_model *m, struct fs_note *n, uint32_t hierarchy,
		  uint64_t id, const char *path, uint16_t flags)
{
	struct {
		struct fs_rec_cgroup_path r;
		char path[FS_CGROUP_PATH_LEN + 8];
	} c;
	size_t len = strlen(path) + 1;

	synth_hdr(&c.r.hdr, FS_REC_CGROUP_PATH, sizeof(c.r), 0, 0, 0, 1, 0, "");
	memset(c.path, 0, sizeof(c.path));
	memcpy(c.path, path, len);
	c.r.id = id;
	c.r.hierarchy = hierarchy;
	c.r.flags = flags;
	c.r.path_len = len;
	c.r.hdr.size = sizeof(c.r) + FS_ALIGN8(len);
	if (fs_record_check(&c, c.r.hdr.size))
		return false;
	fs_model_apply(m, &c.r.hdr, n);
	return true;
}

TEST_F(model, cgroup_names_are_kept_renamed_and_dropped_when_unused)
{
	struct fs_rec_fork f;
	uint64_t bytes = fs_model_bytes(&self->m);

	ASSERT_TRUE(name_(&self->m, &self->n, FS_CGROUP_V2, 7,
			  "/system.slice/a.service", 0));
	ASSERT_TRUE(name_(&self->m, &self->n, FS_CGROUP_PIDS, 7, "/", 0));
	ASSERT_TRUE(name_(&self->m, &self->n, FS_CGROUP_V2, 8, "",
			  FS_CGPATH_UNKNOWN));
	EXPECT_STREQ("/system.slice/a.service",
		     fs_model_cgroup_path(&self->m, FS_CGROUP_V2, 7));
	EXPECT_STREQ("/", fs_model_cgroup_path(&self->m, FS_CGROUP_PIDS, 7));
	EXPECT_STREQ("", fs_model_cgroup_path(&self->m, FS_CGROUP_V2, 8));
	EXPECT_EQ(NULL, fs_model_cgroup_path(&self->m, FS_CGROUP_V2, 9));
	EXPECT_EQ(NULL, fs_model_cgroup_path(&self->m, 3, 7));
	/* Each name: its struct, its path, and the unit its path names. */
	EXPECT_EQ(bytes + 3 * sizeof(struct fs_cgroup) +
		  sizeof("/system.slice/a.service") + sizeof("a.service") +
		  sizeof("/") + 1, fs_model_bytes(&self->m));
	ASSERT_TRUE(name_(&self->m, &self->n, FS_CGROUP_V2, 7, "/b", 0));
	EXPECT_STREQ("/b", fs_model_cgroup_path(&self->m, FS_CGROUP_V2, 7));

	/* A live task in cgroup 8; then enough new names to drop the rest. */
	synth_hdr(&f.hdr, FS_REC_FORK, sizeof(f), 100, 100, 1, ++self->now, 10,
		  "p");
	f.child_pid = f.child_tgid = 600;
	f.child_ppid = 100;
	f.child_start_ns = self->now;
	f.child.cgroup = 8;
	fs_model_apply(&self->m, &f.hdr, &self->n);
	EXPECT_EQ(8, fs_proctab_get(&self->m.tab, 600)->id.cgroup);
	for (uint64_t id = 1000; id < 1000 + 8192; id++)
		ASSERT_TRUE(name_(&self->m, &self->n, FS_CGROUP_V2, id, "/x", 0));
	EXPECT_STREQ("", fs_model_cgroup_path(&self->m, FS_CGROUP_V2, 8));
	EXPECT_EQ(NULL, fs_model_cgroup_path(&self->m, FS_CGROUP_V2, 7));
	EXPECT_STREQ("/x", fs_model_cgroup_path(&self->m, FS_CGROUP_V2, 9191));
	EXPECT_GE(8192, self->m.cgroup_paths[0].count);
}

#define ID_A "3f4a5b6c7d8e9f00112233445566778899aabbccddeeff00112233445566abcd"
#define ID_B "3f4a5b6c7d8e1111112233445566778899aabbccddeeff0011223344556677ee"
#define POD "pod0f3b6b5e-1c3a-4f0e-9a62-2b1c3d4e5f60"
#define POD_SLICE "/kubepods.slice/kubepods-burstable.slice/" \
		  "kubepods-burstable-pod0f3b6b5e_1c3a_4f0e_9a62_2b1c3d4e5f60.slice"

/* A span of path as a string; NULL when empty. */
static const char *span_str(char *buf, const char *path, struct fs_span sp)
{
	if (!sp.len)
		return NULL;
	memcpy(buf, path + sp.off, sp.len);
	buf[sp.len] = 0;
	return buf;
}

TEST(container_ids_come_from_the_runtimes_cgroup_names)
{
	static const struct {
		const char *path;
		enum fs_runtime runtime;
		const char *id, *unit;
	} cases[] = {
		/* docker: cgroupfs and systemd drivers */
		{ "/docker/" ID_A, FS_RUNTIME_DOCKER, ID_A, NULL },
		{ "/docker/" ID_A "/", FS_RUNTIME_DOCKER, ID_A, NULL },
		{ "/system.slice/docker-" ID_A ".scope", FS_RUNTIME_DOCKER,
		  ID_A, "docker-" ID_A ".scope" },
		/* systemd inside the container, docker in docker */
		{ "/system.slice/docker-" ID_A ".scope/init.scope",
		  FS_RUNTIME_DOCKER, ID_A, "docker-" ID_A ".scope" },
		{ "/docker/" ID_A "/docker/" ID_B, FS_RUNTIME_DOCKER, ID_B, NULL },
		{ "/docker/" ID_A "/system.slice/nginx.service",
		  FS_RUNTIME_DOCKER, ID_A, NULL },
		/* kubernetes: cgroupfs driver (runtime unnamed), systemd */
		{ "/kubepods/burstable/" POD "/" ID_A, FS_RUNTIME_CRI, ID_A,
		  NULL },
		{ "/kubepods/" POD "/" ID_A, FS_RUNTIME_CRI, ID_A, NULL },
		{ POD_SLICE "/cri-containerd-" ID_A ".scope",
		  FS_RUNTIME_CONTAINERD, ID_A, "cri-containerd-" ID_A ".scope" },
		{ POD_SLICE "/cri-containerd-" ID_A ".scope/system.slice/a.service",
		  FS_RUNTIME_CONTAINERD, ID_A, "cri-containerd-" ID_A ".scope" },
		{ POD_SLICE "/docker-" ID_A ".scope", FS_RUNTIME_DOCKER, ID_A,
		  "docker-" ID_A ".scope" },
		/* cri-o, and its monitor: a unit, not the container */
		{ POD_SLICE "/crio-" ID_A ".scope", FS_RUNTIME_CRIO, ID_A,
		  "crio-" ID_A ".scope" },
		{ "/kubepods/besteffort/" POD "/crio-" ID_A, FS_RUNTIME_CRIO,
		  ID_A, NULL },
		{ POD_SLICE "/crio-conmon-" ID_A ".scope", FS_RUNTIME_SYSTEMD,
		  NULL, "crio-conmon-" ID_A ".scope" },
		/* podman: rootful, rootless, cgroupfs; conmon is no container */
		{ "/machine.slice/libpod-" ID_A ".scope", FS_RUNTIME_PODMAN,
		  ID_A, "libpod-" ID_A ".scope" },
		{ "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-"
		  ID_A ".scope/container", FS_RUNTIME_PODMAN, ID_A,
		  "libpod-" ID_A ".scope" },
		{ "/libpod_parent/libpod-" ID_A, FS_RUNTIME_PODMAN, ID_A, NULL },
		{ "/machine.slice/libpod-conmon-" ID_A ".scope",
		  FS_RUNTIME_SYSTEMD, NULL, "libpod-conmon-" ID_A ".scope" },
		/* systemd: the deepest unit */
		{ "/user.slice/user-1000.slice/session-3.scope",
		  FS_RUNTIME_SYSTEMD, NULL, "session-3.scope" },
		{ "/system.slice/foo.service", FS_RUNTIME_SYSTEMD, NULL,
		  "foo.service" },
		{ "/system.slice/foo.service/sub", FS_RUNTIME_SYSTEMD, NULL,
		  "foo.service" },
		{ "/user.slice/user-1000.slice/user@1000.service/app.slice/"
		  "app-firefox.scope", FS_RUNTIME_SYSTEMD, NULL,
		  "app-firefox.scope" },
		{ "/system.slice/docker.service", FS_RUNTIME_SYSTEMD, NULL,
		  "docker.service" },
		{ "/init.scope", FS_RUNTIME_SYSTEMD, NULL, "init.scope" },
		/* not containers: ids one short, one long, uppercase, bare */
		{ "/docker/" ID_A "0", FS_RUNTIME_NONE, NULL, NULL },
		{ "/docker/3f4a5b6c7d8e9f00112233445566778899aabbccddeeff00112233445566abc",
		  FS_RUNTIME_NONE, NULL, NULL },
		{ "/docker/3F4A5B6C7D8E9F00112233445566778899AABBCCDDEEFF00112233445566ABCD",
		  FS_RUNTIME_NONE, NULL, NULL },
		{ "/system.slice/docker-3f4a5b6c7d8e9f00112233445566778899aabbccddeeff00112233445566abc.scope",
		  FS_RUNTIME_SYSTEMD, NULL,
		  "docker-3f4a5b6c7d8e9f00112233445566778899aabbccddeeff00112233445566abc.scope" },
		{ "/" ID_A, FS_RUNTIME_NONE, NULL, NULL },
		{ "/mydocker/" ID_A, FS_RUNTIME_NONE, NULL, NULL },
		{ "/system.slice/docker-.scope", FS_RUNTIME_SYSTEMD, NULL,
		  "docker-.scope" },
		{ "/user.slice/user-1000.slice", FS_RUNTIME_NONE, NULL, NULL },
		{ "/.scope", FS_RUNTIME_NONE, NULL, NULL },
		{ "/", FS_RUNTIME_NONE, NULL, NULL },
		{ "", FS_RUNTIME_NONE, NULL, NULL },
	};
	char id[FS_CGROUP_PATH_LEN], unit[FS_CGROUP_PATH_LEN];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct fs_container c;
		const char *got;

		fs_container_parse(cases[i].path, &c);
		EXPECT_EQ(cases[i].runtime, c.runtime) TH_LOG("%s", cases[i].path);
		got = span_str(id, cases[i].path, c.id);
		EXPECT_STREQ(cases[i].id ? cases[i].id : "(none)",
			     got ? got : "(none)") TH_LOG("%s", cases[i].path);
		got = span_str(unit, cases[i].path, c.unit);
		EXPECT_STREQ(cases[i].unit ? cases[i].unit : "(none)",
			     got ? got : "(none)") TH_LOG("%s", cases[i].path);
	}
	EXPECT_STREQ("docker", fs_runtime_name(FS_RUNTIME_DOCKER));
	EXPECT_STREQ("cri-o", fs_runtime_name(FS_RUNTIME_CRIO));
	EXPECT_EQ(NULL, fs_runtime_name(FS_RUNTIME_NONE));
}

/* A fork whose child is born with identity id. */
static void fork_in(struct fs_model *m, struct fs_note *n, uint64_t *now,
		    int ppid, int pid, uint64_t cgroup, uint64_t pids_cgroup)
{
	const struct fs_task *parent = fs_proctab_get(&m->tab, ppid);
	struct fs_rec_fork f;

	synth_hdr(&f.hdr, FS_REC_FORK, sizeof(f), ppid, ppid, 1, ++*now,
		  parent ? parent->start_ns : 10, "p");
	f.child_pid = f.child_tgid = pid;
	f.child_ppid = ppid;
	f.child_start_ns = *now;
	f.child.cgroup = cgroup;
	f.child.pids_cgroup = pids_cgroup;
	f.child.pidns = 4026531836;
	f.child.ns_pid = f.child.ns_tgid = pid;
	fs_model_apply(m, &f.hdr, n);
}

static void move_(struct fs_model *m, struct fs_note *n, uint64_t *now,
		  int pid, uint64_t cgroup, uint64_t pids_cgroup)
{
	struct fs_rec_cgroup c;

	synth_hdr(&c.hdr, FS_REC_CGROUP, sizeof(c), pid, pid, 1, ++*now,
		  fs_proctab_get(&m->tab, pid)->start_ns, "c");
	c.id.cgroup = cgroup;
	c.id.pids_cgroup = pids_cgroup;
	c.id.pidns = 4026531836;
	fs_model_apply(m, &c.hdr, n);
}

static void exec_in(struct fs_model *m, struct fs_note *n, uint64_t *now,
		    int pid)
{
	struct synth_exec x;

	synth_exec(&x, pid, pid, 1, ++*now,
		   fs_proctab_get(&m->tab, pid)->start_ns, "c", pid, "/bin/c",
		   "c", 2);
	fs_model_apply(m, &x.r.hdr, n);
}

static void exit_of(struct fs_model *m, struct fs_note *n, uint64_t *now,
		    int pid)
{
	exit_(m, n, now, pid, pid, 1, fs_proctab_get(&m->tab, pid)->start_ns,
	      FS_EXIT_GROUP_DEAD, 0);
}

/* Cgroups 1 "/", 2 a docker container, 3 a service below /system.slice. */
static bool name_three(struct fs_model *m, struct fs_note *n)
{
	return name_(m, n, FS_CGROUP_V2, 1, "/", 0) &&
	       name_(m, n, FS_CGROUP_V2, 2,
		     "/system.slice/docker-" ID_A ".scope", 0) &&
	       name_(m, n, FS_CGROUP_V2, 3, "/system.slice/foo.service", 0) &&
	       name_(m, n, FS_CGROUP_PIDS, 1, "/", 0);
}

TEST_F(model, container_selects_tasks_while_they_are_in_it)
{
	fs_model_filter(&self->m, NULL, "3f4a5b6c7d8e9");
	ASSERT_TRUE(name_three(&self->m, &self->n));
	fork_in(&self->m, &self->n, &self->now, 1, 100, 1, 1);
	EXPECT_FALSE(self->n.selected);
	/* Forked into the container (CLONE_INTO_CGROUP): shown with it. */
	fork_in(&self->m, &self->n, &self->now, 100, 200, 2, 1);
	EXPECT_TRUE(self->n.selected);
	exit_of(&self->m, &self->n, &self->now, 100);
	EXPECT_FALSE(self->n.selected);
	/* Children forked inside are in it. */
	fork_in(&self->m, &self->n, &self->now, 200, 201, 2, 1);
	EXPECT_TRUE(self->n.selected);
	exit_of(&self->m, &self->n, &self->now, 201);
	EXPECT_TRUE(self->n.selected);
	/* Released inside: the reap is the container's too. */
	reap_(&self->m, &self->n, &self->now, 201, 201,
	      fs_proctab_get(&self->m.tab, 201)->start_ns);
	EXPECT_EQ(FS_RELEASE_FREE, self->n.released);
	EXPECT_TRUE(self->n.gone_selected);
	/* One moved in later: from its move on, and out again. */
	fork_in(&self->m, &self->n, &self->now, 1, 300, 3, 1);
	EXPECT_FALSE(self->n.selected);
	move_(&self->m, &self->n, &self->now, 300, 2, 1);
	EXPECT_TRUE(self->n.selected);
	exec_in(&self->m, &self->n, &self->now, 300);
	EXPECT_TRUE(self->n.selected);
	move_(&self->m, &self->n, &self->now, 200, 3, 1);
	EXPECT_TRUE(self->n.selected);	/* the move out is shown */
	exit_of(&self->m, &self->n, &self->now, 200);
	EXPECT_FALSE(self->n.selected);
}

TEST_F(model, cgroup_selects_the_subtree_in_either_hierarchy)
{
	fs_model_filter(&self->m, "/system.slice/", NULL);
	ASSERT_TRUE(name_three(&self->m, &self->n));
	ASSERT_TRUE(name_(&self->m, &self->n, FS_CGROUP_V2, 4,
			  "/system.slicex/a.service", 0));
	ASSERT_TRUE(name_(&self->m, &self->n, FS_CGROUP_PIDS, 5,
			  "/system.slice/b.service", 0));
	fork_in(&self->m, &self->n, &self->now, 1, 100, 2, 1);
	EXPECT_TRUE(self->n.selected);
	fork_in(&self->m, &self->n, &self->now, 1, 101, 3, 1);
	EXPECT_TRUE(self->n.selected);
	fork_in(&self->m, &self->n, &self->now, 1, 102, 4, 1);
	EXPECT_FALSE(self->n.selected);
	fork_in(&self->m, &self->n, &self->now, 1, 103, 1, 1);
	EXPECT_FALSE(self->n.selected);
	/* The v1 pids hierarchy counts as well (hybrid hosts). */
	fork_in(&self->m, &self->n, &self->now, 1, 104, 1, 5);
	EXPECT_TRUE(self->n.selected);
	/* A cgroup never named, a task never told: not selected. */
	fork_in(&self->m, &self->n, &self->now, 1, 105, 99, 0);
	EXPECT_FALSE(self->n.selected);
}

TEST_F(model, container_by_unit_is_the_whole_name)
{
	fs_model_filter(&self->m, NULL, "foo.service");
	ASSERT_TRUE(name_three(&self->m, &self->n));
	fork_in(&self->m, &self->n, &self->now, 1, 100, 3, 1);
	EXPECT_TRUE(self->n.selected);
	fs_model_free(&self->m);
	ASSERT_EQ(0, fs_model_init(&self->m, 0));
	fs_model_filter(&self->m, NULL, "foo.serv");
	ASSERT_TRUE(name_three(&self->m, &self->n));
	fork_in(&self->m, &self->n, &self->now, 1, 100, 3, 1);
	EXPECT_FALSE(self->n.selected);
}

TEST_F(model, pid_and_container_filters_both_apply)
{
	fs_model_free(&self->m);
	ASSERT_EQ(0, fs_model_init(&self->m, 100));
	fs_model_filter(&self->m, NULL, "3f4a");
	ASSERT_TRUE(name_three(&self->m, &self->n));
	fs_proctab_put(&self->m.tab, 100)->flags |= FS_TASK_SELECTED;
	fs_proctab_get(&self->m.tab, 100)->tgid = 100;
	fork_in(&self->m, &self->n, &self->now, 100, 110, 2, 1);
	EXPECT_TRUE(self->n.selected);
	fork_in(&self->m, &self->n, &self->now, 100, 111, 1, 1);
	EXPECT_FALSE(self->n.selected);
	fork_in(&self->m, &self->n, &self->now, 500, 501, 2, 1);
	EXPECT_FALSE(self->n.selected);
}

TEST_F(model, container_prefers_the_hierarchy_that_names_it)
{
	const struct fs_cgroup *c;
	struct fs_ident id = { .cgroup = 1, .pids_cgroup = 7 };
	const char *a, *b;

	ASSERT_TRUE(name_three(&self->m, &self->n));
	ASSERT_TRUE(name_(&self->m, &self->n, FS_CGROUP_PIDS, 7,
			  "/docker/" ID_B, 0));
	c = fs_model_container(&self->m, &id);
	ASSERT_NE(NULL, c);
	EXPECT_EQ(FS_RUNTIME_DOCKER, c->runtime);
	EXPECT_STREQ(ID_B, c->id);
	EXPECT_EQ(NULL, c->unit);
	id.cgroup = 2;
	c = fs_model_container(&self->m, &id);
	EXPECT_STREQ(ID_A, c->id);
	EXPECT_STREQ("docker-" ID_A ".scope", c->unit);
	EXPECT_STREQ("/system.slice/docker-" ID_A ".scope", c->path);
	id.cgroup = 3;
	id.pids_cgroup = 1;
	c = fs_model_container(&self->m, &id);
	EXPECT_EQ(NULL, c->id);
	EXPECT_STREQ("foo.service", c->unit);
	id.cgroup = 42;
	id.pids_cgroup = 0;
	EXPECT_EQ(NULL, fs_model_container(&self->m, &id));
	/* Without --container nothing is ambiguous. */
	EXPECT_FALSE(fs_model_container_ambiguous(&self->m, &a, &b));
}

TEST_F(model, a_prefix_of_two_containers_is_ambiguous)
{
	const char *a, *b;

	fs_model_filter(&self->m, NULL, "3f4a5b6c7d8e");
	ASSERT_TRUE(name_three(&self->m, &self->n));
	EXPECT_FALSE(fs_model_container_ambiguous(&self->m, &a, &b));
	ASSERT_TRUE(name_(&self->m, &self->n, FS_CGROUP_PIDS, 7,
			  "/docker/" ID_A, 0));
	EXPECT_FALSE(fs_model_container_ambiguous(&self->m, &a, &b));
	ASSERT_TRUE(name_(&self->m, &self->n, FS_CGROUP_PIDS, 8,
			  "/docker/" ID_B, 0));
	ASSERT_TRUE(fs_model_container_ambiguous(&self->m, &a, &b));
	EXPECT_NE(0, strcmp(a, b));
	fs_model_free(&self->m);
	ASSERT_EQ(0, fs_model_init(&self->m, 0));
	fs_model_filter(&self->m, NULL, "3f4a5b6c7d8e9");
	ASSERT_TRUE(name_three(&self->m, &self->n));
	ASSERT_TRUE(name_(&self->m, &self->n, FS_CGROUP_PIDS, 8,
			  "/docker/" ID_B, 0));
	EXPECT_FALSE(fs_model_container_ambiguous(&self->m, &a, &b));
}

TEST(pids_forecast_is_headroom_over_growth)
{
	/* 50 left, 30 more in 60 s: full in 100 s. */
	EXPECT_EQ(100, fs_pids_full_in_s(50, 10, 40, 60 * NSEC_PER_SEC));
	EXPECT_EQ(0, fs_pids_full_in_s(0, 10, 11, NSEC_PER_SEC));
	EXPECT_EQ(1.5, fs_pids_full_in_s(3, 0, 2, NSEC_PER_SEC));
	/* Not growing, shrinking, no window, no limit: no forecast. */
	EXPECT_EQ(-1, fs_pids_full_in_s(50, 40, 40, NSEC_PER_SEC));
	EXPECT_EQ(-1, fs_pids_full_in_s(50, 40, 10, NSEC_PER_SEC));
	EXPECT_EQ(-1, fs_pids_full_in_s(50, 10, 40, 0));
	EXPECT_EQ(-1, fs_pids_full_in_s(-1, 10, 40, NSEC_PER_SEC));
}

/*
 * Which limit refused a fork, from what a record says the limits stood
 * at: errno first (ENOMEM, then anything but EAGAIN is no limit), then
 * RLIMIT_NPROC for the unprivileged, a pids cgroup found at its max,
 * threads-max, pid_max (a count: tasks within RESERVED_PIDS of it),
 * else unknown. A zero limit was not read and holds nothing back; nor
 * does a cgroup a clone3 into another one did not walk.
 */
static const struct fork_fail_case {
	const char *what;
	int err;
	unsigned int flags;
	uint64_t nproc, nproc_max, pids_cgroup;
	uint32_t tasks, threads_max, pid_max;
	enum fs_fork_limit want;
	const char *name;
} fork_fail_cases[] = {
	{ "user at RLIMIT_NPROC", EAGAIN, 0, 5, 5, 0, 100, 1000, 32768,
	  FS_LIMIT_NPROC, "RLIMIT_NPROC" },
	{ "privileged at RLIMIT_NPROC", EAGAIN, FS_FFAIL_PRIVILEGED, 5, 5, 0,
	  100, 1000, 32768, FS_LIMIT_UNKNOWN, "unknown" },
	{ "privileged at RLIMIT_NPROC, a pids cgroup full", EAGAIN,
	  FS_FFAIL_PRIVILEGED, 5, 5, 42, 100, 1000, 32768,
	  FS_LIMIT_PIDS_CGROUP, "pids.max" },
	{ "RLIMIT_NPROC unlimited", EAGAIN, 0, 5000, ~0ULL, 0, 100, 1000,
	  32768, FS_LIMIT_UNKNOWN, "unknown" },
	{ "RLIMIT_NPROC and a pids cgroup: the rlimit is checked first",
	  EAGAIN, 0, 5, 5, 42, 100, 1000, 32768, FS_LIMIT_NPROC,
	  "RLIMIT_NPROC" },
	{ "a pids cgroup, tasks near pid_max", EAGAIN, 0, 5, 100, 42, 32600,
	  100000, 32768, FS_LIMIT_PIDS_CGROUP, "pids.max" },
	{ "a pids cgroup, tasks at threads-max", EAGAIN, 0, 5, 100, 42, 1000,
	  1000, 32768, FS_LIMIT_PIDS_CGROUP, "pids.max" },
	{ "tasks at threads-max", EAGAIN, 0, 5, 100, 0, 1000, 1000, 32768,
	  FS_LIMIT_THREADS, "threads-max" },
	{ "tasks over threads-max (lowered)", EAGAIN, 0, 5, 100, 0, 1000, 900,
	  32768, FS_LIMIT_THREADS, "threads-max" },
	{ "tasks one below threads-max", EAGAIN, 0, 5, 100, 0, 999, 1000,
	  32768, FS_LIMIT_UNKNOWN, "unknown" },
	{ "threads-max not read", EAGAIN, 0, 5, 100, 0, 1000, 0, 32768,
	  FS_LIMIT_UNKNOWN, "unknown" },
	{ "tasks at threads-max and near pid_max", EAGAIN, 0, 5, 100, 0,
	  32500, 32500, 32768, FS_LIMIT_THREADS, "threads-max" },
	{ "tasks within RESERVED_PIDS of pid_max", EAGAIN, 0, 5, 100, 0, 100,
	  100000, 400, FS_LIMIT_PID_MAX, "pid_max" },
	{ "pid_max at its smallest", EAGAIN, 0, 5, 100, 0, 1, 100000, 301,
	  FS_LIMIT_PID_MAX, "pid_max" },
	{ "tasks + RESERVED_PIDS one below pid_max", EAGAIN, 0, 5, 100,
	  0, 99, 100000, 400, FS_LIMIT_UNKNOWN, "unknown" },
	{ "pid_max not read", EAGAIN, 0, 5, 100, 0, 100, 100000, 0,
	  FS_LIMIT_UNKNOWN, "unknown" },
	{ "EAGAIN, nothing full", EAGAIN, 0, 5, 100, 0, 100, 1000, 32768,
	  FS_LIMIT_UNKNOWN, "unknown" },
	{ "clone3 into another cgroup, whose pids.max is not read", EAGAIN,
	  FS_FFAIL_INTO_CGROUP, 5, 100, 0, 100, 1000, 32768, FS_LIMIT_UNKNOWN,
	  "unknown" },
	{ "ENOMEM", ENOMEM, 0, 0, 0, 0, 100, 1000, 32768, FS_LIMIT_MEMORY,
	  "memory" },
	{ "ENOMEM, every limit full", ENOMEM, 0, 5, 5, 42, 1000, 1000, 400,
	  FS_LIMIT_MEMORY, "memory" },
	{ "ENOMEM into a pid namespace without init", ENOMEM,
	  FS_FFAIL_PIDNS_DEAD, 0, 0, 0, 100, 1000, 32768, FS_LIMIT_PIDNS_DEAD,
	  "pid namespace without init" },
	{ "EINVAL", EINVAL, 0, 0, 0, 0, 100, 1000, 32768, FS_LIMIT_NONE,
	  "none" },
	{ "EINVAL, every limit full", EINVAL, FS_FFAIL_PIDNS_DEAD, 5, 5, 42,
	  1000, 1000, 400, FS_LIMIT_NONE, "none" },
	{ "EPERM", EPERM, 0, 0, 0, 0, 100, 1000, 32768, FS_LIMIT_NONE,
	  "none" },
};

TEST(fork_fail_limit_from_synthetic_records)
{
	bool named[FS_LIMIT_COUNT] = {};

	for (size_t i = 0; i < ARRAY_SIZE(fork_fail_cases); i++) {
		const struct fork_fail_case *k = &fork_fail_cases[i];
		struct fs_rec_fork_fail r;
		enum fs_fork_limit got;

		synth_hdr(&r.hdr, FS_REC_FORK_FAIL, sizeof(r), 50, 50, 1, 10, 5,
			  "forker");
		r.err = k->err;
		r.syscall = FS_FORK_SYS_CLONE;
		r.flags = k->flags;
		r.nproc = k->nproc;
		r.nproc_max = k->nproc_max;
		r.pids_cgroup = k->pids_cgroup;
		r.pids_current = r.pids_max = k->pids_cgroup ? 10 : 0;
		r.tasks = k->tasks;
		r.threads_max = k->threads_max;
		r.pid_max = k->pid_max;
		got = fs_fork_fail_limit(&r);
		EXPECT_EQ(k->want, got) TH_LOG("%s", k->what);
		EXPECT_STREQ(k->name, fs_fork_limit_name(got))
			TH_LOG("%s", k->what);
		named[got] = true;
	}
	/* Every limit is some case's answer, and has a name of its own. */
	for (int l = 0; l < FS_LIMIT_COUNT; l++) {
		EXPECT_TRUE(named[l]) TH_LOG("no case for limit %d", l);
		for (int m = 0; m < l; m++)
			EXPECT_STRNE(fs_fork_limit_name(l), fs_fork_limit_name(m));
	}
	EXPECT_STREQ("?", fs_fork_limit_name(FS_LIMIT_COUNT));
}

/* A zombie child of parent in pids cgroup 7, the parent a namespace's init. */
static void zombie_in_7(struct fs_model *m, struct fs_note *n, uint64_t *now,
			int parent, int pid)
{
	struct fs_rec_fork f;

	synth_hdr(&f.hdr, FS_REC_FORK, sizeof(f), parent, parent, 1, ++*now,
		  10, "init");
	f.child_pid = f.child_tgid = pid;
	f.child_ppid = parent;
	f.child_start_ns = *now;
	f.child.pids_cgroup = 7;
	fs_model_apply(m, &f.hdr, n);
	exit_(m, n, now, pid, pid, parent, *now, FS_EXIT_GROUP_DEAD, 0);
}

TEST_F(model, pids_budget_from_synthetic_readings)
{
	struct fs_pids_machine mach = { .tasks = 100, .pid_max = 32768,
					.threads_max = 1000 };
	struct fs_pids_input in[] = {
		{ .path = "/a/b", .current = 10, .max = 1000 },
		{ .path = "/c", .current = 3, .max = -1 },
		{ .path = "/a", .current = 20, .max = 100, .refused = 2 },
	};
	struct fs_pids_budget b = {};
	struct fs_rec_fork f;
	const struct fs_pids_row *a, *ab, *c;

	/* Process 100, a pid namespace's init, in pids cgroup /a/b. */
	ASSERT_TRUE(name_(&self->m, &self->n, FS_CGROUP_PIDS, 7, "/a/b", 0));
	synth_hdr(&f.hdr, FS_REC_FORK, sizeof(f), 1, 1, 0, ++self->now, 5,
		  "host");
	f.child_pid = f.child_tgid = 100;
	f.child_ppid = 1;
	f.child_start_ns = 10;
	f.child.pids_cgroup = 7;
	f.child.flags = FS_IDENT_NS_INIT;
	fs_model_apply(&self->m, &f.hdr, &self->n);
	zombie_in_7(&self->m, &self->n, &self->now, 100, 600);
	zombie_in_7(&self->m, &self->n, &self->now, 100, 601);

	ASSERT_EQ(0, fs_pids_budget_feed(&b, &self->m, NSEC_PER_SEC, &mach,
					 in, 3));
	/* A minute later: 30 more in /a/b (and so in /a), 1 more zombie. */
	in[0].current = 40;
	in[2].current = 50;
	mach.tasks = 130;
	zombie_in_7(&self->m, &self->n, &self->now, 100, 602);
	ASSERT_EQ(0, fs_pids_budget_feed(&b, &self->m, 61 * NSEC_PER_SEC,
					 &mach, in, 3));
	ASSERT_EQ(3, b.n);
	a = &b.rows[0];
	ab = &b.rows[1];
	c = &b.rows[2];
	ASSERT_STREQ("/a", a->path);
	ASSERT_STREQ("/a/b", ab->path);
	ASSERT_STREQ("/c", c->path);

	EXPECT_EQ(0, fs_pids_budget_judge(&b, 80, 60));
	/* /a/b's own 1000 is not what applies: /a's 100 above it is. */
	EXPECT_EQ(1000, ab->max);
	EXPECT_EQ(100, ab->limit);
	EXPECT_STREQ("/a", ab->limit_by);
	EXPECT_EQ(50, ab->headroom);
	EXPECT_EQ(3, ab->last.zombies);
	EXPECT_EQ(3, ab->last.zombies_of_init);
	EXPECT_EQ(2, ab->first.zombies);
	EXPECT_EQ(30, ab->used_per_min);
	EXPECT_EQ(1, ab->zombies_per_min);
	EXPECT_EQ(29, ab->live_per_min);
	EXPECT_EQ(100, ab->full_in_s);
	EXPECT_EQ(50, ab->used_pct);
	EXPECT_FALSE(ab->runs_out);
	/* Zombies below a cgroup are its too: pids.current is hierarchical. */
	EXPECT_EQ(3, a->last.zombies);
	EXPECT_EQ(2, a->last.refused);
	EXPECT_EQ(100, a->full_in_s);
	/* No limit, no zombies: not shown, never unhealthy. */
	EXPECT_FALSE(c->shown);
	EXPECT_EQ(-1, c->limit);
	EXPECT_EQ(2, b.nr_shown);
	/* The machine: threads-max is the smaller limit here. */
	EXPECT_EQ(1000, b.machine.limit);
	EXPECT_STREQ("kernel.threads-max", b.machine.limit_by);
	EXPECT_EQ(870, b.machine.headroom);
	EXPECT_EQ(1740, b.machine.full_in_s);
	EXPECT_EQ(3, b.machine.last.zombies);

	/* A longer horizon, a lower threshold: unhealthy. */
	EXPECT_EQ(2, fs_pids_budget_judge(&b, 80, 120));
	EXPECT_TRUE(ab->runs_out);
	EXPECT_EQ(2, fs_pids_budget_judge(&b, 50, 0));
	EXPECT_TRUE(ab->over_warn && a->over_warn && !ab->runs_out);
	EXPECT_EQ(3, fs_pids_budget_judge(&b, 80, 1800));
	EXPECT_TRUE(b.machine.runs_out);
	fs_pids_budget_free(&b);
}

/* The model and lint, fed one synthetic record at a time. */
FIXTURE(lintm) {
	struct fs_model m;
	struct fs_note n;
	struct fs_lint l;
	uint64_t now;
};

FIXTURE_SETUP(lintm)
{
	ASSERT_EQ(0, fs_model_init(&self->m, 0));
	fs_lint_init(&self->l, &fs_lint_defaults);
	self->now = NSEC_PER_SEC;
}

FIXTURE_TEARDOWN(lintm)
{
	fs_lint_free(&self->l);
	fs_model_free(&self->m);
}

static const struct fs_finding *feed(FIXTURE_DATA(lintm) *self,
				     const struct fs_hdr *h)
{
	fs_model_apply(&self->m, h, &self->n);
	return fs_lint_event(&self->l, &self->m, h, &self->n);
}

/* tgid forks pid (a thread when pid != tgid; flags FS_FORK_*). */
static void lfork(FIXTURE_DATA(lintm) *self, int tgid, int pid, int ctgid,
		  uint32_t flags)
{
	struct fs_rec_fork f;

	synth_hdr(&f.hdr, FS_REC_FORK, sizeof(f), tgid, tgid, 1, self->now,
		  tgid * 10, "p");
	f.child_pid = pid;
	f.child_tgid = ctgid;
	f.child_ppid = pid == ctgid ? tgid : 1;
	f.child_start_ns = self->now;
	f.flags = flags | (pid == ctgid ? 0 : FS_FORK_THREAD);
	feed(self, &f.hdr);
}

static const struct fs_finding *lexec(FIXTURE_DATA(lintm) *self, int pid,
				      int ppid, const char *file)
{
	const struct fs_task *t = fs_proctab_get(&self->m.tab, pid);
	struct synth_exec x;

	synth_exec(&x, pid, pid, ppid, self->now, t ? t->start_ns : 0, "c", pid,
		   file, "c", 2);
	return feed(self, &x.r.hdr);
}

static const struct fs_finding *lexec_fail(FIXTURE_DATA(lintm) *self,
					   int pid, int ppid,
					   const char *file, int err)
{
	const struct fs_task *t = fs_proctab_get(&self->m.tab, pid);
	struct synth_exec x;

	synth_exec(&x, pid, pid, ppid, self->now, t ? t->start_ns : 0, "c", pid,
		   file, "c", 2);
	x.r.hdr.type = FS_REC_EXEC_FAIL;
	((struct fs_rec_exec_fail *)&x.r)->err = err;
	return feed(self, &x.r.hdr);
}

static const struct fs_finding *lexit(FIXTURE_DATA(lintm) *self, int pid,
				      int ppid, uint32_t flags, uint32_t st)
{
	const struct fs_task *t = fs_proctab_get(&self->m.tab, pid);
	struct fs_rec_exit x;

	synth_hdr(&x.hdr, FS_REC_EXIT, sizeof(x), pid, pid, ppid, self->now,
		  t ? t->start_ns : pid * 10, "c");
	x.flags = flags | FS_EXIT_GROUP_DEAD;
	x.status = x.exit_code = st;
	return feed(self, &x.hdr);
}

TEST_F(lintm, mt_fork_only_when_a_threaded_parents_child_lingers)
{
	const struct fs_finding *f;

	for (int t = 101; t <= 103; t++)
		lfork(self, 100, t, 100, 0);
	lfork(self, 100, 200, 200, 0);		/* execs after 60 ms */
	lfork(self, 100, 201, 201, 0);		/* at once */
	lfork(self, 100, 202, 202, FS_FORK_SHARED_VM);	/* vfork */
	lfork(self, 300, 301, 301, 0);		/* one thread only */
	lfork(self, 100, 203, 203, 0);		/* never execs */
	self->now += NSEC_PER_MSEC;
	EXPECT_EQ(NULL, lexec(self, 201, 100, "/bin/ok"));
	self->now += 59 * NSEC_PER_MSEC;
	EXPECT_EQ(NULL, lexec(self, 202, 100, "/bin/vfork"));
	EXPECT_EQ(NULL, lexec(self, 301, 300, "/bin/single"));
	f = lexec(self, 200, 100, "/bin/late");
	ASSERT_NE(NULL, f);
	EXPECT_EQ(FS_LINT_MT_FORK, f->kind);
	EXPECT_EQ(100, f->tgid);
	EXPECT_EQ(4, f->threads);
	EXPECT_EQ(1, f->count);
	EXPECT_EQ(60 * NSEC_PER_MSEC, f->ran_ns);
	EXPECT_STREQ("/bin/late", f->filename);
	self->now += 100 * NSEC_PER_MSEC;
	fs_lint_finish(&self->l, &self->m, self->now);
	ASSERT_EQ(1, self->l.n);
	EXPECT_EQ(2, self->l.f[0].count);
	EXPECT_EQ(203, self->l.f[0].child);
	EXPECT_TRUE(self->l.f[0].still_running);
}

TEST_F(lintm, exec_loops_but_not_a_path_search)
{
	const struct fs_finding *f = NULL;

	lfork(self, 1, 400, 400, 0);
	lfork(self, 1, 401, 401, 0);
	/* execvp: each directory of PATH, then the one that has it. */
	EXPECT_EQ(NULL, lexec_fail(self, 400, 1, "/a/x", ENOENT));
	EXPECT_EQ(NULL, lexec_fail(self, 400, 1, "/b/x", ENOENT));
	EXPECT_EQ(NULL, lexec(self, 400, 1, "/c/x"));
	for (int i = 0; i < 4; i++) {
		self->now += NSEC_PER_MSEC;
		f = lexec_fail(self, 401, 1, "/y", EACCES);
		EXPECT_EQ(i < 2, f == NULL);
	}
	ASSERT_NE(NULL, f);
	EXPECT_EQ(FS_LINT_EXEC_LOOP, f->kind);
	EXPECT_EQ(4, f->count);
	EXPECT_EQ(EACCES, f->err);
	EXPECT_STREQ("/y", f->filename);
	EXPECT_EQ(1, self->l.n);
}

TEST_F(lintm, autoreap_is_told_only_when_a_child_fails)
{
	const struct fs_finding *f;

	lfork(self, 500, 501, 501, 0);
	lfork(self, 500, 502, 502, 0);
	EXPECT_EQ(NULL, lexit(self, 501, 500, FS_EXIT_AUTOREAP, 0));
	EXPECT_EQ(NULL, lexit(self, 502, 500, 0, 1 << 8));	/* waited */
	lfork(self, 500, 503, 503, 0);
	f = lexit(self, 503, 500, FS_EXIT_AUTOREAP, 9);		/* SIGKILL */
	ASSERT_NE(NULL, f);
	EXPECT_EQ(FS_LINT_AUTOREAP, f->kind);
	EXPECT_EQ(500, f->tgid);
	EXPECT_EQ(1, f->count);
	EXPECT_EQ(9, f->status);
	EXPECT_EQ(FS_SEV_WARNING, fs_lint_worst(&self->l));
}

TEST_F(lintm, one_open_file_inherited_down_a_tree_is_one_finding)
{
	struct {
		struct fs_rec_exec_fds r;
		struct fs_exec_fd e[2];
	} x;
	const struct fs_finding *f;

	for (int i = 0; i < 3; i++) {
		lfork(self, 600 + i, 700 + i, 700 + i, 0);
		synth_hdr(&x.r.hdr, FS_REC_EXEC_FDS, sizeof(x), 700 + i,
			  700 + i, 600 + i, ++self->now, 0, "sleep");
		x.r.hdr.fixed = sizeof(x.r);
		x.r.count = x.r.nr = 2;
		x.e[0] = (struct fs_exec_fd){ .fd = 10, .kind = FS_FD_CHR,
					      .dev = 3, .ino = 5 };
		x.e[1] = (struct fs_exec_fd){ .fd = 251, .kind = FS_FD_FIFO,
					      .dev = 14, .ino = 77 };
		f = feed(self, &x.r.hdr);
		ASSERT_NE(NULL, f);
		EXPECT_EQ(i + 1, f->count);
	}
	ASSERT_EQ(1, self->l.n);
	EXPECT_EQ(600, self->l.f[0].tgid);
	EXPECT_EQ(2, self->l.f[0].nr_fds);
	EXPECT_EQ(FS_SEV_WARNING, self->l.f[0].sev);	/* a pipe */
}

TEST_F(lintm, prefork_workers_by_their_cow_counts)
{
	struct fs_rec_cow c;
	const struct fs_finding *f = NULL;

	lfork(self, 800, 801, 801, 0);
	/* 1024 faults a second, four samples: steady growth. */
	for (int i = 1; i <= 4; i++) {
		self->now += NSEC_PER_SEC;
		synth_hdr(&c.hdr, FS_REC_COW, sizeof(c), 801, 801, 800,
			  self->now, 0, "w");
		c.faults = 1024 * i;
		f = feed(self, &c.hdr);
	}
	ASSERT_NE(NULL, f);
	EXPECT_EQ(FS_LINT_PREFORK_COW, f->kind);
	EXPECT_EQ(800, f->tgid);
	EXPECT_EQ(1, f->count);
	EXPECT_EQ(4096 * 4096, f->cow_bytes);
	EXPECT_EQ(4096 * 1024, (uint64_t)f->worker_rate);
	EXPECT_TRUE(f->steady);
	EXPECT_EQ(FS_SEV_WARNING, f->sev);
	/* An exec'd child is no worker. */
	lfork(self, 800, 802, 802, 0);
	lexec(self, 802, 800, "/bin/x");
	synth_hdr(&c.hdr, FS_REC_COW, sizeof(c), 802, 802, 800, ++self->now, 0,
		  "x");
	c.faults = 100000;
	EXPECT_EQ(NULL, feed(self, &c.hdr));
}

TEST_F(lintm, fork_failures_are_errors)
{
	struct fs_rec_fork_fail r;
	const struct fs_finding *f;

	lfork(self, 1, 900, 900, 0);
	self->now++;
	synth_hdr(&r.hdr, FS_REC_FORK_FAIL, sizeof(r), 900, 900, 1, self->now,
		  self->now - 1, "f");
	r.err = EAGAIN;
	r.nproc_max = ~0ULL;	/* unlimited */
	r.pids_cgroup = 5;
	r.pids_current = r.pids_max = 3;
	feed(self, &r.hdr);
	f = feed(self, &r.hdr);
	ASSERT_NE(NULL, f);
	EXPECT_EQ(2, f->count);
	EXPECT_EQ(FS_LIMIT_PIDS_CGROUP, f->limit);
	EXPECT_EQ(3, f->max);
	EXPECT_EQ(FS_SEV_ERROR, fs_lint_worst(&self->l));
}

static void synth_now(struct fs_rec_task_now *r, int32_t pid, int32_t tgid,
		      uint16_t index, uint64_t ts, uint64_t utime_ns)
{
	memset(r, 0, sizeof(*r));
	synth_hdr(&r->hdr, FS_REC_TASK_NOW, sizeof(*r), pid, tgid, 1, ts, 7,
		  "srv");
	r->index = index;
	r->state = FS_NOW_SLEEPING;
	r->utime_ns = utime_ns;
	r->syscall = -1;
}

/*
 * Looks at a process: a look replaces the one before and is measured
 * against it (CPU share), the wait channel is the first frame past the
 * scheduler's, a fault is no syscall, and records out of order are left
 * out.
 */
TEST(task_now_looks_from_synthetic_records)
{
	static const char *const epoll[] = {
		"__schedule", "schedule", "schedule_hrtimeout_range",
		"ep_poll", "do_epoll_wait", "__x64_sys_epoll_wait",
		"do_syscall_64", "entry_SYSCALL_64_after_hwframe",
	};
	static const char *const fault[] = {
		"__schedule", "io_schedule", "folio_wait_bit_common",
		"filemap_fault", "handle_mm_fault", "exc_page_fault",
		"asm_exc_page_fault",
	};
	struct fs_task_nows n = { 0 };
	struct fs_now_resolved res = { 0 };
	struct fs_rec_task_now r;
	const struct fs_proc_now *p;

	synth_now(&r, 100, 100, 0, 1 * NSEC_PER_SEC, 100 * NSEC_PER_MSEC);
	r.sigchld_handler = 0x401000;
	r.flags = FS_NOW_IN_SYSCALL;
	r.syscall = 232;
	r.nr_kips = 8;
	memcpy(res.knames, epoll, sizeof(epoll));
	ASSERT_EQ(0, fs_task_now_apply(&n, &r, &res));
	p = fs_task_now_of(&n, 100);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(1, p->nr);
	EXPECT_EQ(0x401000, p->handler);
	EXPECT_EQ(-1, p->threads[0].cpu_permille);	/* no look before */
	ASSERT_EQ(3, p->threads[0].nr_kernel);
	EXPECT_STREQ("ep_poll", p->threads[0].kernel[0]);
	EXPECT_STREQ("do_epoll_wait", p->threads[0].kernel[1]);
	EXPECT_STREQ("__x64_sys_epoll_wait", p->threads[0].kernel[2]);
	EXPECT_FALSE(p->threads[0].in_fault);
	EXPECT_EQ(232, p->threads[0].syscall);

	/* A second look, a second later: 500 ms more of a CPU, half. */
	synth_now(&r, 100, 100, 0, 2 * NSEC_PER_SEC, 600 * NSEC_PER_MSEC);
	r.flags = FS_NOW_IN_SYSCALL;
	r.syscall = 4;	/* a fault's error code, in orig_ax's place */
	r.nr_kips = 7;
	memset(res.knames, 0, sizeof(res.knames));
	memcpy(res.knames, fault, sizeof(fault));
	ASSERT_EQ(0, fs_task_now_apply(&n, &r, &res));
	/* A new thread: no time of it before. */
	synth_now(&r, 101, 100, 1, 2 * NSEC_PER_SEC, 5 * NSEC_PER_SEC);
	r.nr_kips = 0;
	ASSERT_EQ(0, fs_task_now_apply(&n, &r, &res));
	/* Out of order, or of another look: left out. */
	synth_now(&r, 102, 100, 3, 2 * NSEC_PER_SEC, 0);
	EXPECT_EQ(-EINVAL, fs_task_now_apply(&n, &r, &res));
	synth_now(&r, 102, 100, 2, 2 * NSEC_PER_SEC, 0);
	r.look = 9;
	EXPECT_EQ(-EINVAL, fs_task_now_apply(&n, &r, &res));
	p = fs_task_now_of(&n, 100);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(2, p->nr);
	EXPECT_EQ(0, p->handler);
	EXPECT_EQ(500, p->threads[0].cpu_permille);
	EXPECT_TRUE(p->threads[0].in_fault);
	EXPECT_FALSE(p->threads[0].flags & FS_NOW_IN_SYSCALL);
	EXPECT_STREQ("folio_wait_bit_common", p->threads[0].kernel[0]);
	EXPECT_EQ(101, p->threads[1].pid);
	EXPECT_EQ(-1, p->threads[1].cpu_permille);
	EXPECT_EQ(NULL, fs_task_now_of(&n, 200));
	/* A fault inside a syscall (copy_to_user) is the syscall's. */
	synth_now(&r, 300, 300, 0, 3 * NSEC_PER_SEC, 0);
	r.flags = FS_NOW_IN_SYSCALL;
	r.syscall = 0;
	r.nr_kips = 4;
	memset(res.knames, 0, sizeof(res.knames));
	res.knames[0] = "filemap_fault";
	res.knames[1] = "exc_page_fault";
	res.knames[2] = "asm_exc_page_fault";
	res.knames[3] = "do_syscall_64";
	ASSERT_EQ(0, fs_task_now_apply(&n, &r, &res));
	p = fs_task_now_of(&n, 300);
	ASSERT_NE(NULL, p);
	EXPECT_FALSE(p->threads[0].in_fault);
	EXPECT_TRUE(p->threads[0].flags & FS_NOW_IN_SYSCALL);
	fs_task_now_forget(&n, 300);
	fs_task_now_forget(&n, 100);
	EXPECT_EQ(NULL, fs_task_now_of(&n, 100));
	EXPECT_EQ(0, n.bytes);
	fs_task_now_free(&n);
}

TEST_HARNESS_MAIN
