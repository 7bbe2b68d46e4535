// SPDX-License-Identifier: GPL-2.0-only
/*
 * forkscope export --perfetto: a real workload (a parent forking three
 * children: one execs /bin/true with arguments, one exits 3, one is kept
 * a zombie a while before it is reaped) recorded by `forkscope record -p`,
 * exported, and read back by protoc (Debian's protobuf-compiler) against
 * proto/perfetto_trimmed.proto: the process tracks, the ancestry in the
 * ProcessTree, the slices of each child, the flows from each fork, the
 * exec's argv, who reaped each zombie; COW faults as counter tracks;
 * then the command lines it refuses. Needs root (BPF). And the view from
 * synthetic records: threads, a leader exiting first, snapshot zombies,
 * slices that nest on every track.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "cli.h"
#include "model.h"
#include "pbtext.h"
#include "perfetto_view.h"
#include "synth.h"
#include "timeline.h"

#define TRACE_TYPE	"perfetto.protos.Trace"
#define ZOMBIE_MS	100	/* how long the workload keeps C a zombie */
#define COW_PAGES	64

static const char *proto_file(void)
{
	const char *p = getenv("FORKSCOPE_PROTO");

	return p ? p : "proto/perfetto_trimmed.proto";
}

/* Waits until pid is a zombie ('Z' in /proc/PID/stat). */
static void await_zombie(pid_t pid)
{
	char path[64], buf[256], *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	for (;;) {
		int fd = open(path, O_RDONLY);
		ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

		if (fd >= 0)
			close(fd);
		if (n <= 0)
			return;
		buf[n] = 0;
		p = strrchr(buf, ')');
		if (p && p[1] == ' ' && p[2] == 'Z')
			return;
		usleep(1000);
	}
}

/*
 * The workload, once go is readable: A execs /bin/true with arguments,
 * B exits 3, C exits at once and stays a zombie ZOMBIE_MS before it is
 * reaped, after A and B. With cow, A first writes COW_PAGES pages it
 * shares with its parent.
 */
static void workload(int go, bool cow)
{
	char *mem = mmap(NULL, COW_PAGES * 4096, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pid_t a, b, c;
	char x;

	if (mem == MAP_FAILED || read(go, &x, 1) != 1)
		_exit(120);
	memset(mem, 1, COW_PAGES * 4096);
	a = fork();
	if (a == 0) {
		if (cow)
			memset(mem, 2, COW_PAGES * 4096);
		execl("/bin/true", "true", "one", "two words", (char *)NULL);
		_exit(127);
	}
	b = fork();
	if (b == 0)
		_exit(3);
	c = fork();
	if (c == 0)
		_exit(0);
	if (a < 0 || b < 0 || c < 0 || waitpid(a, NULL, 0) != a ||
	    waitpid(b, NULL, 0) != b)
		_exit(121);
	await_zombie(c);
	usleep(ZOMBIE_MS * 1000);
	_exit(waitpid(c, NULL, 0) == c ? 0 : 122);
}

struct recorded {
	char dir[64], rec[96], out[96];
	pid_t w;		/* the workload's parent */
	int w_status;
};

/*
 * Records the workload with `forkscope record -p W` from before it
 * starts until after it was reaped, then exports the recording.
 */
static int record_workload(struct recorded *rw, bool cow)
{
	char pid[16];
	struct run r, e;
	int go[2], st;

	snprintf(rw->dir, sizeof(rw->dir), "/tmp/fs-export-XXXXXX");
	if (!mkdtemp(rw->dir) || pipe(go))
		return -1;
	snprintf(rw->rec, sizeof(rw->rec), "%s/w.fsr", rw->dir);
	snprintf(rw->out, sizeof(rw->out), "%s/w.pftrace", rw->dir);
	rw->w = fork();
	if (rw->w == 0) {
		close(go[1]);
		workload(go[0], cow);
	}
	close(go[0]);
	snprintf(pid, sizeof(pid), "%d", rw->w);
	{
		const char *args[] = { "record", "-o", rw->rec, "-p", pid,
				       cow ? "--cow" : NULL, NULL };

		if (start(&r, args, -1) || wait_polling(&r))
			return -1;
	}
	/* Attached and snapshotted: now the workload runs. */
	if (write(go[1], "g", 1) != 1 || waitpid(rw->w, &rw->w_status, 0) != rw->w)
		return -1;
	close(go[1]);
	kill(r.pid, SIGINT);
	st = finish(&r);
	release(&r);
	if (st)
		return -1;
	{
		const char *args[] = { "export", "-i", rw->rec, "--perfetto",
				       rw->out, NULL };

		if (start(&e, args, -1))
			return -1;
		st = finish(&e);
		release(&e);
	}
	return st;
}

static void cleanup(struct recorded *rw)
{
	unlink(rw->rec);
	unlink(rw->out);
	rmdir(rw->dir);
}

/* A track event's debug annotation by name, or NULL. */
static const struct pb *note(const struct pb *te, const char *name)
{
	const struct pb *a;

	pb_for_each(te, "debug_annotations", a) {
		const char *n = pb_str(a, "name");

		if (n && !strcmp(n, name))
			return a;
	}
	return NULL;
}

#define MAX_TRACKS	16

/* The process tracks of a trace: uuid and pid, each once. */
struct tracks {
	unsigned long long uuid[MAX_TRACKS];
	long long pid[MAX_TRACKS];
	int n, threads;
};

static void find_tracks(const struct pb *trace, struct tracks *t)
{
	const struct pb *pkt;

	memset(t, 0, sizeof(*t));
	pb_for_each(trace, "packet", pkt) {
		const struct pb *td = pb_get(pkt, "track_descriptor");
		unsigned long long uuid = pb_uint(td, "uuid", 0);
		int i;

		if (pb_get(td, "thread"))
			t->threads++;
		if (!pb_get(td, "process"))
			continue;
		for (i = 0; i < t->n && t->uuid[i] != uuid; i++)
			;
		if (i == t->n && t->n < MAX_TRACKS) {
			t->uuid[t->n] = uuid;
			t->pid[t->n++] = pb_int(td, "process.pid", 0);
		}
	}
}

static unsigned long long track_of(const struct tracks *t, long long pid)
{
	for (int i = 0; i < t->n; i++)
		if (t->pid[i] == pid)
			return t->uuid[i];
	return 0;
}

/* The ProcessTree's ppid for pid (the last packet naming it), or -1. */
static long long ppid_of(const struct pb *trace, long long pid)
{
	const struct pb *pkt, *pr;
	long long ppid = -1;

	pb_for_each(trace, "packet", pkt) {
		pb_for_each(pb_get(pkt, "process_tree"), "processes", pr)
			if (pb_int(pr, "pid", 0) == pid)
				ppid = pb_int(pr, "ppid", -1);
	}
	return ppid;
}

/* A slice event on one track, in the order of the file. */
struct slice_ev {
	bool begin;
	const char *name;	/* a BEGIN's */
	unsigned long long ts;
	const struct pb *te;
};

static int slices_on(const struct pb *trace, unsigned long long uuid,
		     struct slice_ev *ev, int max)
{
	const struct pb *pkt;
	int n = 0;

	pb_for_each(trace, "packet", pkt) {
		const struct pb *te = pb_get(pkt, "track_event");
		const char *type = pb_str(te, "type");

		if (!te || pb_uint(te, "track_uuid", 0) != uuid || !type ||
		    (strcmp(type, "TYPE_SLICE_BEGIN") &&
		     strcmp(type, "TYPE_SLICE_END")))
			continue;
		if (n == max)
			return -1;
		ev[n++] = (struct slice_ev){
			.begin = !strcmp(type, "TYPE_SLICE_BEGIN"),
			.name = pb_str(te, "name"),
			.ts = pb_uint(pkt, "timestamp", 0),
			.te = te,
		};
	}
	return n;
}

/* Instants named name on a track, the nth (from 0), or NULL. */
static const struct pb *instant_on(const struct pb *trace,
				   unsigned long long uuid, const char *name,
				   int nth, int *count)
{
	const struct pb *pkt, *found = NULL;
	int n = 0;

	pb_for_each(trace, "packet", pkt) {
		const struct pb *te = pb_get(pkt, "track_event");
		const char *type = pb_str(te, "type"), *nm = pb_str(te, "name");

		if (!te || pb_uint(te, "track_uuid", 0) != uuid || !type ||
		    strcmp(type, "TYPE_INSTANT") || !nm || strcmp(nm, name))
			continue;
		if (n++ == nth)
			found = te;
	}
	if (count)
		*count = n;
	return found;
}

/* The workload's children, by what each did. */
struct kids {
	long long a, b, c;	/* exec'd true; exited 3; the late zombie */
};

/* Children of w in order of their fork instants on w's track. */
static int children(const struct pb *trace, unsigned long long w_track,
		    long long pid[3])
{
	const struct pb *te;
	int n;

	for (int i = 0; i < 3; i++) {
		te = instant_on(trace, w_track, "fork", i, &n);
		if (!te || n != 3)
			return -1;
		pid[i] = pb_int(note(te, "child"), "int_value", 0);
	}
	return 0;
}

TEST(a_recorded_workload_becomes_tracks_slices_and_flows)
{
	struct recorded rw;
	struct tracks t;
	struct pb *trace;
	long long kid[3];
	unsigned long long w_track, flows[3];
	int n;

	ASSERT_EQ(0, geteuid()) TH_LOG("needs root");
	ASSERT_EQ(0, record_workload(&rw, false));
	ASSERT_EQ(0, rw.w_status);
	trace = pb_decode(proto_file(), TRACE_TYPE, rw.out);
	ASSERT_NE(NULL, trace) TH_LOG("protoc could not read %s", rw.out);

	/* The parent and its three children: a track each, no threads. */
	find_tracks(trace, &t);
	EXPECT_EQ(4, t.n);
	EXPECT_EQ(0, t.threads);
	w_track = track_of(&t, rw.w);
	ASSERT_NE(0, w_track);
	ASSERT_EQ(0, children(trace, w_track, kid));
	for (int i = 0; i < 3; i++) {
		EXPECT_NE(0, track_of(&t, kid[i]));
		EXPECT_EQ(rw.w, ppid_of(trace, kid[i]));
	}
	EXPECT_EQ(getpid(), ppid_of(trace, rw.w));

	for (int i = 0; i < 3; i++) {
		unsigned long long track = track_of(&t, kid[i]);
		const struct pb *fork_te = instant_on(trace, w_track, "fork", i,
						      NULL);
		struct slice_ev ev[8];
		const struct pb *by;

		/* running, then zombie: two slices, one after the other. */
		n = slices_on(trace, track, ev, 8);
		ASSERT_EQ(4, n);
		EXPECT_TRUE(ev[0].begin);
		EXPECT_STREQ("running", ev[0].name);
		EXPECT_FALSE(ev[1].begin);
		EXPECT_TRUE(ev[2].begin);
		EXPECT_STREQ("zombie", ev[2].name);
		EXPECT_FALSE(ev[3].begin);
		EXPECT_LE(ev[0].ts, ev[1].ts);
		EXPECT_EQ(ev[1].ts, ev[2].ts);
		EXPECT_LE(ev[2].ts, ev[3].ts);
		/* The fork's flow ends at the child's first slice. */
		flows[i] = pb_uint(fork_te, "flow_ids", 0);
		EXPECT_NE(0, flows[i]);
		EXPECT_EQ(flows[i], pb_uint(ev[0].te, "terminating_flow_ids", 1));
		for (int j = 0; j < i; j++)
			EXPECT_NE(flows[j], flows[i]);
		/* The zombie's end says who reaped it: the parent's wait. */
		by = note(ev[3].te, "reaped_by");
		EXPECT_EQ(rw.w, pb_int(by, "int_value", 0));
		EXPECT_STREQ("its parent's wait",
			     pb_str(note(ev[3].te, "released"), "string_value"));
		if (i == 0) {	/* A */
			const struct pb *x = instant_on(trace, track, "exec", 0,
							&n);

			EXPECT_EQ(1, n);
			EXPECT_STREQ("/bin/true",
				     pb_str(note(x, "filename"), "string_value"));
			EXPECT_STREQ("true one two words",
				     pb_str(note(x, "argv"), "string_value"));
		}
		EXPECT_STREQ(i == 1 ? "exit 3" : "exit 0",
			     pb_str(note(ev[1].te, "status"), "string_value"));
		/* C stayed a zombie at least as long as the workload slept. */
		if (i == 2)
			EXPECT_GE(ev[3].ts - ev[2].ts, ZOMBIE_MS * 1000000ULL);
	}
	/* The parent's three waits, each reaping a child. */
	for (int i = 0; i < 3; i++) {
		const struct pb *w = instant_on(trace, w_track, "wait", i, &n);

		EXPECT_EQ(3, n);
		EXPECT_EQ(kid[i], pb_int(note(w, "pid"), "int_value", 0));
		EXPECT_STREQ("true", pb_str(note(w, "reaped"), "bool_value"));
	}
	pb_free(trace);
	cleanup(&rw);
}

TEST(cow_faults_become_a_counter_track_of_the_process)
{
	struct recorded rw;
	struct tracks t;
	struct pb *trace;
	const struct pb *pkt;
	long long kid[3];
	unsigned long long a_track, cow_track = 0;
	long long faults = -1;

	ASSERT_EQ(0, record_workload(&rw, true));
	trace = pb_decode(proto_file(), TRACE_TYPE, rw.out);
	ASSERT_NE(NULL, trace);
	find_tracks(trace, &t);
	ASSERT_EQ(0, children(trace, track_of(&t, rw.w), kid));
	a_track = track_of(&t, kid[0]);
	pb_for_each(trace, "packet", pkt) {
		const struct pb *td = pb_get(pkt, "track_descriptor");

		if (pb_get(td, "counter") && pb_uint(td, "parent_uuid", 0) == a_track) {
			EXPECT_STREQ("COW faults", pb_str(td, "name"));
			cow_track = pb_uint(td, "uuid", 0);
		}
	}
	ASSERT_NE(0, cow_track);
	/* Its last value: at least the pages A wrote after the fork. */
	pb_for_each(trace, "packet", pkt) {
		const struct pb *te = pb_get(pkt, "track_event");

		if (pb_uint(te, "track_uuid", 0) == cow_track)
			faults = pb_int(te, "counter_value", -1);
	}
	EXPECT_GE(faults, COW_PAGES);
	pb_free(trace);
	cleanup(&rw);
}


TEST(wrong_command_lines_get_one_line_and_leave_no_file)
{
	char dir[] = "/tmp/fs-export-XXXXXX", out[64], bad[64], *err;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(bad, sizeof(bad), "%s/not-a-recording", dir);
	{
		const char *args[] = { "export", "--perfetto", out, NULL };

		EXPECT_EQ(2, run_to_end(args, NULL, &err));
		EXPECT_STREQ("forkscope: export: wants a recording to read: -i FILE, made by forkscope record -o FILE (see forkscope export --help)\n",
			     err);
		free(err);
	}
	{
		const char *args[] = { "export", "-i", bad, NULL };

		EXPECT_EQ(2, run_to_end(args, NULL, &err));
		EXPECT_EQ(1, count_lines(err));
		EXPECT_NE(NULL, strstr(err, "--perfetto OUT"));
		free(err);
	}
	{
		const char *args[] = { "export", "-i", bad, "--perfetto",
				       "/nonexistent/dir/out", NULL };

		EXPECT_EQ(1, run_to_end(args, NULL, &err));
		EXPECT_STREQ("forkscope: export: cannot write /nonexistent/dir/out: No such file or directory\n",
			     err);
		free(err);
	}
	{
		const char *args[] = { "export", "-i", bad, "--perfetto", out,
				       NULL };
		int fd = open(bad, O_WRONLY | O_CREAT, 0600);

		ASSERT_LE(0, fd);
		ASSERT_EQ(9, write(fd, "not a rec", 9));
		close(fd);
		EXPECT_EQ(1, run_to_end(args, NULL, &err));
		EXPECT_EQ(1, count_lines(err));
		EXPECT_NE(NULL, strstr(err, bad));
		/* Nothing was read: no empty trace is left behind. */
		EXPECT_NE(0, access(out, F_OK));
		free(err);
	}
	{
		const char *args[] = { "-j", "export", "--perfetto", out, "-x",
				       NULL };

		EXPECT_EQ(2, run_to_end(args, NULL, &err));
		EXPECT_STREQ("{\"event\":\"error\",\"command\":\"export\",\"error\":\"unknown option '-x' (see forkscope export --help)\"}\n",
			     err);
		free(err);
	}
	unlink(bad);
	rmdir(dir);
}

/* The view fed as the command feeds it, from synthetic records. */
struct synth {
	struct fs_model m;
	struct fs_timeline *tl;
	struct fs_perfetto *pf;
	uint64_t now;
};

static void feed(struct synth *y, struct fs_hdr *h)
{
	struct fs_note note;

	h->ts_ns = ++y->now;
	fs_model_apply(&y->m, h, &note);
	fs_timeline_apply(y->tl, &y->m, h, &note);
}

static void y_sync(struct synth *y, uint32_t phase)
{
	struct fs_rec_sync s;

	synth_hdr(&s.hdr, FS_REC_SYNC, sizeof(s), 0, 0, 0, 0, 0, "");
	s.phase = phase;
	s.generation = 1;
	feed(y, &s.hdr);
}

static void y_task(struct synth *y, int pid, int ppid, uint64_t start,
		   uint32_t flags)
{
	struct fs_rec_task t;

	synth_hdr(&t.hdr, FS_REC_TASK, sizeof(t), pid, pid, ppid, 0, start,
		  "old");
	t.flags = flags;
	feed(y, &t.hdr);
}

static uint64_t start_of(struct synth *y, int pid)
{
	const struct fs_task *t = fs_proctab_get(&y->m.tab, pid);

	return t ? t->start_ns : 0;
}

static void y_fork(struct synth *y, int parent, int pid, int tgid)
{
	struct fs_rec_fork f;

	synth_hdr(&f.hdr, FS_REC_FORK, sizeof(f), parent, parent, 1, 0,
		  start_of(y, parent), "p");
	f.child_pid = pid;
	f.child_tgid = tgid;
	f.child_ppid = pid == tgid ? parent : 1;
	f.child_start_ns = y->now + 1;
	f.flags = pid == tgid ? 0 : FS_FORK_THREAD;
	feed(y, &f.hdr);
}

static void y_exit(struct synth *y, int pid, int tgid, uint32_t flags,
		   uint32_t status)
{
	struct fs_rec_exit x;

	synth_hdr(&x.hdr, FS_REC_EXIT, sizeof(x), pid, tgid, 100, 0,
		  start_of(y, pid), "c");
	x.flags = flags;
	x.status = x.exit_code = status;
	x.heir = 1;
	feed(y, &x.hdr);
}

static void y_waited(struct synth *y, int waiter, int pid, uint32_t status)
{
	struct fs_rec_wait_result w;

	synth_hdr(&w.hdr, FS_REC_WAIT_RESULT, sizeof(w), waiter, waiter, 1, 0,
		  start_of(y, waiter), "p");
	w.syscall = FS_WAIT_SYS_WAIT4;
	w.ret = w.pid = pid;
	w.status = status;
	w.flags = FS_WAITR_STATUS;
	feed(y, &w.hdr);
}

/* Every track's slices nest: depth never below 0, 0 at the end. */
static int check_nesting(const struct pb *trace, int *tracks)
{
	unsigned long long uuid[64];
	int depth[64], n = 0, i;
	const struct pb *pkt;

	pb_for_each(trace, "packet", pkt) {
		const struct pb *te = pb_get(pkt, "track_event");
		const char *type = pb_str(te, "type");
		unsigned long long u = pb_uint(te, "track_uuid", 0);

		if (!type || (strcmp(type, "TYPE_SLICE_BEGIN") &&
			      strcmp(type, "TYPE_SLICE_END")))
			continue;
		for (i = 0; i < n && uuid[i] != u; i++)
			;
		if (i == n) {
			if (n == 64)
				return -1;
			uuid[n] = u;
			depth[n++] = 0;
		}
		depth[i] += type[11] == 'B' ? 1 : -1;
		if (depth[i] < 0 || depth[i] > 1)
			return -1;
	}
	for (i = 0; i < n; i++)
		if (depth[i])
			return -1;
	*tracks = n;
	return 0;
}

TEST(threads_leaders_and_snapshot_zombies_nest_on_their_tracks)
{
	char path[] = "/tmp/fs-export-XXXXXX";
	struct fs_timeline_opts to = { .on_event = fs_perfetto_event };
	struct synth y = { .now = 1000 };
	struct fs_rec_fork_fail ff;
	struct slice_ev ev[8];
	const struct pb *pkt, *leader_exit, *th;
	struct tracks t;
	struct pb *trace;
	int fd = mkstemp(path), tracks, n;
	FILE *f = fdopen(fd, "w");

	ASSERT_NE(NULL, f);
	ASSERT_EQ(0, fs_model_init(&y.m, 0));
	y.pf = fs_perfetto_new(f);
	to.ctx = y.pf;
	y.tl = fs_timeline_new(&to);
	ASSERT_NE(NULL, y.tl);

	/* The shell 100 and its zombie 150, there before we watched. */
	y_sync(&y, FS_SYNC_BEGIN);
	y_task(&y, 100, 1, 10, 0);
	y_task(&y, 150, 100, 15, FS_SNAP_ZOMBIE);
	y_sync(&y, FS_SYNC_END);
	/* A thread of the shell, autoreaped at its exit. */
	y_fork(&y, 100, 101, 100);
	y_exit(&y, 101, 100, FS_EXIT_THREAD | FS_EXIT_AUTOREAP, 0);
	/* 200: a process whose leader exits before its thread 201. */
	y_fork(&y, 100, 200, 200);
	y_fork(&y, 200, 201, 200);
	y_exit(&y, 200, 200, 0, 0);
	y_exit(&y, 201, 200, FS_EXIT_THREAD | FS_EXIT_AUTOREAP |
	       FS_EXIT_GROUP_DEAD, 5 << 8);
	y_waited(&y, 100, 200, 5 << 8);
	y_waited(&y, 100, 150, 0);
	/* 300 still runs when the stream ends; 100 failed to fork once. */
	y_fork(&y, 100, 300, 300);
	synth_hdr(&ff.hdr, FS_REC_FORK_FAIL, sizeof(ff), 100, 100, 1, 0, 10,
		  "old");
	ff.err = EAGAIN;
	ff.syscall = FS_FORK_SYS_CLONE;
	feed(&y, &ff.hdr);
	fs_timeline_finish(y.tl, ++y.now);
	ASSERT_EQ(0, fs_perfetto_flush(y.pf, path));
	fclose(f);

	trace = pb_decode(proto_file(), TRACE_TYPE, path);
	ASSERT_NE(NULL, trace);
	ASSERT_EQ(0, check_nesting(trace, &tracks));
	/* 100, 150, 200, 300 and the threads 101, 201 all have slices. */
	EXPECT_EQ(6, tracks);
	find_tracks(trace, &t);
	EXPECT_EQ(4, t.n);
	EXPECT_EQ(2, t.threads);
	/* The thread's track and tree entry name its process. */
	n = 0;
	pb_for_each(trace, "packet", pkt) {
		th = pb_path(pkt, "process_tree.threads");
		if (th && pb_int(th, "tid", 0) == 201) {
			EXPECT_EQ(200, pb_int(th, "tgid", 0));
			n++;
		}
		th = pb_path(pkt, "track_descriptor.thread");
		if (th && pb_int(th, "tid", 0) == 101)
			EXPECT_EQ(100, pb_int(th, "pid", 0));
	}
	EXPECT_EQ(1, n);
	/* A fork per child and thread, each a flow. */
	instant_on(trace, track_of(&t, 100), "fork", 0, &n);
	EXPECT_EQ(2, n);
	instant_on(trace, track_of(&t, 100), "new thread", 0, &n);
	EXPECT_EQ(1, n);
	leader_exit = instant_on(trace, track_of(&t, 200), "leader exited", 0,
				 &n);
	EXPECT_EQ(1, n);
	EXPECT_STREQ("exit 0", pb_str(note(leader_exit, "status"),
				      "string_value"));
	instant_on(trace, track_of(&t, 100), "fork failed", 0, &n);
	EXPECT_EQ(1, n);
	/* The snapshot's zombie: one slice, a zombie, reaped. */
	ASSERT_EQ(2, slices_on(trace, track_of(&t, 150), ev, 8));
	EXPECT_STREQ("zombie", ev[0].name);
	EXPECT_EQ(100, pb_int(note(ev[1].te, "reaped_by"), "int_value", 0));
	/* 200 died with its last thread: running, zombie, reaped. */
	ASSERT_EQ(4, slices_on(trace, track_of(&t, 200), ev, 8));
	EXPECT_STREQ("exit 5", pb_str(note(ev[1].te, "status"), "string_value"));
	/* 300 still runs at the end, and says so. */
	ASSERT_EQ(2, slices_on(trace, track_of(&t, 300), ev, 8));
	EXPECT_STREQ("still running when the recording ended",
		     pb_str(note(ev[1].te, "end"), "string_value"));
	pb_free(trace);
	fs_timeline_free(y.tl);
	fs_perfetto_free(y.pf);
	fs_model_free(&y.m);
	unlink(path);
}

TEST_HARNESS_MAIN
