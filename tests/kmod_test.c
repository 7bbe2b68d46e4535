// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel module, where it is loaded (the 6.12 test guest): the device
 * keeps its contract under odd reads and bogus ioctls, its syscall probe
 * is there only while a reader is, the module and BPF see the same records
 * for the same workload, and it loads and unloads 100 times under a fork
 * storm with a reader attached, cleanly.
 */
#include <elf.h>
#include <fcntl.h>
#include <linux/fb.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "cgroupfs.h"
#include "collect.h"
#include "decode.h"
#include "forkscope/kmod.h"
#include "kthread.h"

#define CYCLES		100
#define NKIDS		10

static int open_dev(void)
{
	return open(FS_KMOD_DEVICE, O_RDONLY | O_NONBLOCK);
}

/* Reads until the device is empty; bytes read, or -errno. */
static ssize_t drain(int fd, char *buf, size_t len)
{
	ssize_t total = 0, n;

	while ((n = read(fd, buf, len)) > 0)
		total += n;
	return n < 0 && errno != EAGAIN ? -errno : total;
}

TEST(device_keeps_its_contract)
{
	static char buf[1 << 16];
	struct fs_kmod_info info;
	struct pollfd p;
	struct stat st;
	ssize_t n, off;
	int fd;

	if (access(FS_KMOD_DEVICE, F_OK))
		SKIP(return, "no %s: the module is not loaded", FS_KMOD_DEVICE);
	ASSERT_EQ(0, stat(FS_KMOD_DEVICE, &st));
	EXPECT_EQ(0600, st.st_mode & 0777);
	fd = open_dev();
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, open_dev());
	EXPECT_EQ(EBUSY, errno);

	EXPECT_EQ(-1, ioctl(fd, 0xdeadbeef, 0));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(fd, FS_IOC_INFO, NULL));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(0, ioctl(fd, FS_IOC_INFO, &info));
	EXPECT_EQ(FS_ABI_VERSION, info.abi);

	ASSERT_LE(0, drain(fd, buf, sizeof(buf)));
	EXPECT_EQ(-1, read(fd, buf, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, read(fd, buf, sizeof(struct fs_hdr) - 1));
	EXPECT_EQ(EINVAL, errno);

	/* A snapshot is queued: poll says so; a small read gets EINVAL. */
	ASSERT_EQ(0, ioctl(fd, FS_IOC_SNAPSHOT, 7));
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	EXPECT_EQ(1, poll(&p, 1, 1000));
	EXPECT_EQ(-1, read(fd, buf, sizeof(struct fs_rec_sync) - 8));
	EXPECT_EQ(EINVAL, errno);

	/* An odd buffer gets whole records only, never part of one. */
	n = read(fd, buf, sizeof(struct fs_rec_task) * 3 + 17);
	ASSERT_LT(0, n);
	for (off = 0; off < n; off += ((struct fs_hdr *)(buf + off))->size)
		ASSERT_EQ(0, fs_record_check(buf + off, n - off)) {
			TH_LOG("%s", fs_last_error());
		}
	EXPECT_EQ(n, off);
	EXPECT_EQ(FS_REC_SYNC, ((struct fs_hdr *)buf)->type);
	EXPECT_EQ(7, ((struct fs_rec_sync *)buf)->generation);

	ASSERT_LE(0, drain(fd, buf, sizeof(buf)));
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	close(fd);
}

/*
 * Tools that look for a framebuffer send fbdev's ioctls to whatever device
 * they are given: they must not be taken for the module's own.
 */
TEST(fbdev_ioctls_are_not_ours)
{
	static char buf[1 << 16];
	struct fb_var_screeninfo var = {};
	struct fb_fix_screeninfo fix;
	int fd, asked = 0;
	ssize_t n;

	if (access(FS_KMOD_DEVICE, F_OK))
		SKIP(return, "no %s: the module is not loaded", FS_KMOD_DEVICE);
	fd = open_dev();
	ASSERT_LE(0, fd);
	ASSERT_LE(0, drain(fd, buf, sizeof(buf)));
	EXPECT_EQ(-1, ioctl(fd, FBIOPUT_VSCREENINFO, &var));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(fd, FBIOGET_FSCREENINFO, &fix));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(fd, FBIOGET_VSCREENINFO, &var));
	EXPECT_EQ(ENOTTY, errno);
	/* Nor did they make a snapshot or a COW sample (events go on). */
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t off = 0; off < n;) {
			const struct fs_hdr *h = (const void *)(buf + off);

			asked += h->type == FS_REC_SYNC || h->type == FS_REC_TASK ||
				 h->type == FS_REC_COW;
			off += h->size;
		}
	EXPECT_EQ(0, asked);
	close(fd);
}

/*
 * Whether a kernel tracepoint has a probe, as the kernel itself keeps it:
 * the enabled count of its static key, read through /proc/kcore at the
 * address /proc/kallsyms gives __tracepoint_NAME. struct tracepoint starts
 * with the name pointer and then the key, whose first word is the count,
 * on every kernel from 4.x to 6.18. -1 when it cannot be read.
 */
static int tracepoint_enabled(const char *name)
{
	char want[128], line[512], sym[256], type;
	unsigned long long a, addr = 0;
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int32_t key = -1;
	FILE *f;
	int fd;

	snprintf(want, sizeof(want), "__tracepoint_%s", name);
	f = fopen("/proc/kallsyms", "r");
	if (!f)
		return -1;
	while (!addr && fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %c %255s", &a, &type, sym) == 3 &&
		    !strcmp(sym, want))
			addr = a + sizeof(void *);
	fclose(f);
	fd = open("/proc/kcore", O_RDONLY);
	if (!addr || fd < 0 || pread(fd, &eh, sizeof(eh), 0) != sizeof(eh))
		goto out;
	for (int i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof(ph), eh.e_phoff + i * eh.e_phentsize) !=
		    sizeof(ph))
			break;
		if (ph.p_type != PT_LOAD || addr < ph.p_vaddr ||
		    addr + sizeof(key) > ph.p_vaddr + ph.p_memsz)
			continue;
		if (pread(fd, &key, sizeof(key), ph.p_offset + addr - ph.p_vaddr) !=
		    sizeof(key))
			key = -1;
		break;
	}
out:
	if (fd >= 0)
		close(fd);
	return key;
}

/*
 * A probe on sys_exit sends every syscall on the machine through the slow
 * path: it must be there only while a reader is, for its wait results.
 */
TEST(syscall_probe_only_while_a_reader_is_attached)
{
	int fd;

	if (access(FS_KMOD_DEVICE, F_OK))
		SKIP(return, "no %s: the module is not loaded", FS_KMOD_DEVICE);
	ASSERT_LE(0, tracepoint_enabled("sys_exit")) {
		TH_LOG("cannot read __tracepoint_sys_exit through /proc/kallsyms and /proc/kcore");
	}
	EXPECT_EQ(0, tracepoint_enabled("sys_exit"));
	fd = open_dev();
	ASSERT_LE(0, fd);
	/* The check sees a probe when there is one. */
	EXPECT_EQ(1, tracepoint_enabled("sys_exit"));
	close(fd);
	EXPECT_EQ(0, tracepoint_enabled("sys_exit"));
}

/* What the comparison looks at: records about these tasks. */
struct subjects {
	pid_t kids[NKIDS + 1];	/* the last one takes COW faults */
	pid_t kthread;		/* only its fork: kthreadd's to make it */
};

static bool is_subject(const struct subjects *s, pid_t pid)
{
	for (size_t i = 0; i < ARRAY_SIZE(s->kids); i++)
		if (s->kids[i] == pid)
			return true;
	return false;
}

/*
 * A failed fork's fields but the machine's counts of tasks and of the
 * user's processes: others' forks move them between the two probes.
 */
static int describe_fork_fail(const struct fs_rec_fork_fail *r, char *out,
			      size_t len)
{
	return snprintf(out, len, "err %d sys %u flags %u clone %llx nproc_max %llu pids %llu %lld/%lld threads_max %u pid_max %u uid %u cgroup %llu pids %llu pidns %u ns_pid %d ns_tgid %d flags %u",
			r->err, r->syscall, r->flags,
			(unsigned long long)r->clone_flags,
			(unsigned long long)r->nproc_max,
			(unsigned long long)r->pids_cgroup,
			(long long)r->pids_current, (long long)r->pids_max,
			r->threads_max, r->pid_max, r->uid,
			(unsigned long long)r->id.cgroup,
			(unsigned long long)r->id.pids_cgroup, r->id.pidns,
			r->id.ns_pid, r->id.ns_tgid, r->id.flags);
}

/*
 * Every field the ABI defines for the record, as text, but for ts_ns: two
 * producers read the clock at two instants. A COW sample is taken by one
 * ioctl or iterator read per producer, so its cpu differs too.
 */
static int describe(const struct fs_hdr *r, char *out, size_t len)
{
	const struct fs_rec_fork *f = (const void *)r;
	const struct fs_rec_exec *e = (const void *)r;
	const struct fs_rec_exit *x = (const void *)r;
	const struct fs_rec_wait *w = (const void *)r;
	const struct fs_rec_wait_result *wr = (const void *)r;
	const struct fs_rec_cow *c = (const void *)r;
	char var[2 * (FS_FILENAME_LEN + FS_ARGS_LEN + 8) + 1];
	uint32_t i;
	int n;

	n = snprintf(out, len, "type %u size %u fixed %u cpu %d pid %d tgid %d ppid %d res %u start %llu comm %.*s | ",
		     r->type, r->size, r->fixed,
		     r->type == FS_REC_COW ? -1 : (int)r->cpu,
		     r->pid, r->tgid, r->ppid, r->reserved,
		     (unsigned long long)r->start_ns, FS_COMM_LEN, r->comm);
	out += n;
	len -= n;
	switch (r->type) {
	case FS_REC_FORK:
		return snprintf(out, len, "child %d tgid %d ppid %d flags %u start %llu cgroup %llu pids %llu pidns %u ns_pid %d ns_tgid %d flags %u",
				f->child_pid, f->child_tgid, f->child_ppid,
				f->flags, (unsigned long long)f->child_start_ns,
				(unsigned long long)f->child.cgroup,
				(unsigned long long)f->child.pids_cgroup,
				f->child.pidns, f->child.ns_pid,
				f->child.ns_tgid, f->child.flags);
	case FS_REC_EXEC:
		/* The whole variable part, padding included, as hex. */
		for (i = 0; i < r->size - r->fixed && i < sizeof(var) / 2; i++)
			sprintf(var + 2 * i, "%02x",
				(unsigned char)((const char *)r)[r->fixed + i]);
		var[2 * i] = 0;
		return snprintf(out, len, "old %d flags %u fnlen %u len %u res %u var %s",
				e->old_pid, e->flags, e->filename_len,
				e->args_len, e->reserved, var);
	case FS_REC_EXIT:
		return snprintf(out, len, "code %u status %u flags %u heir %d cow %llu/%llu",
				x->exit_code, x->status, x->flags, x->heir,
				(unsigned long long)x->cow_faults,
				(unsigned long long)x->cow_copies);
	case FS_REC_WAIT:
		return snprintf(out, len, "wait_pid %d res %u", w->wait_pid,
				w->reserved);
	case FS_REC_WAIT_RESULT:
		return snprintf(out, len, "ret %lld pid %d status %u si_code %d options %u sys %u flags %u res %u",
				(long long)wr->ret, wr->pid, wr->status,
				wr->si_code, wr->options, wr->syscall,
				wr->flags, wr->reserved);
	case FS_REC_REAP:
		return 0;
	case FS_REC_FORK_FAIL:
		return describe_fork_fail((const void *)r, out, len);
	case FS_REC_EXEC_FAIL:
		for (i = 0; i < r->size - r->fixed && i < sizeof(var) / 2; i++)
			sprintf(var + 2 * i, "%02x",
				(unsigned char)((const char *)r)[r->fixed + i]);
		var[2 * i] = 0;
		return snprintf(out, len, "err %d flags %u fnlen %u len %u sys %u res %u var %s",
				((const struct fs_rec_exec_fail *)r)->err,
				e->flags, e->filename_len, e->args_len,
				((const struct fs_rec_exec_fail *)r)->syscall,
				((const struct fs_rec_exec_fail *)r)->reserved,
				var);
	case FS_REC_COW:
		return snprintf(out, len, "faults %llu copies %llu method %u res %u",
				(unsigned long long)c->faults,
				(unsigned long long)c->copies, c->method,
				c->reserved);
	}
	return 0;
}

/* Is r about one of the subjects? */
static bool about(const struct fs_hdr *r, const struct subjects *s)
{
	switch (r->type) {
	case FS_REC_FORK:
		return is_subject(s, ((const struct fs_rec_fork *)r)->child_pid) ||
		       ((const struct fs_rec_fork *)r)->child_pid == s->kthread;
	case FS_REC_WAIT:
		return is_subject(s, ((const struct fs_rec_wait *)r)->wait_pid);
	case FS_REC_WAIT_RESULT:
		return is_subject(s, ((const struct fs_rec_wait_result *)r)->pid);
	case FS_REC_EXEC:
	case FS_REC_EXIT:
	case FS_REC_REAP:
	case FS_REC_COW:
	case FS_REC_FORK_FAIL:
	case FS_REC_EXEC_FAIL:
		return is_subject(s, r->pid);
	}
	return false;
}

struct line {
	char *text;
	uint64_t ts_ns;
	uint16_t type;
};

static int cmp_line(const void *a, const void *b)
{
	return strcmp(((const struct line *)a)->text,
		      ((const struct line *)b)->text);
}

/* The sorted lines about the subjects in what c collected. */
static size_t lines_of(const struct collect *c, const struct subjects *s,
		       struct line *lines, size_t max)
{
	char buf[4096];
	size_t n = 0;

	for (size_t i = 0; i < c->n && n < max; i++) {
		if (!about(c->recs[i], s))
			continue;
		describe(c->recs[i], buf, sizeof(buf));
		lines[n].text = strdup(buf);
		lines[n].type = c->recs[i]->type;
		lines[n++].ts_ns = c->recs[i]->ts_ns;
	}
	qsort(lines, n, sizeof(*lines), cmp_line);
	return n;
}

static bool is_fork_fail_of(const struct fs_hdr *r, long pid)
{
	return r->type == FS_REC_FORK_FAIL && r->pid == pid;
}

static bool is_exec_fail_of(const struct fs_hdr *r, long pid)
{
	return r->type == FS_REC_EXEC_FAIL && r->pid == pid;
}

static bool reaped_all(struct collect *c, const struct subjects *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(s->kids); i++)
		if (!collect_count(c, is_reap_of, s->kids[i]))
			return false;
	return true;
}

/*
 * A fork into a pid namespace whose init has exited: refused (ENOMEM),
 * on any machine, with every limit read.
 */
static void refused_fork(void)
{
	pid_t init;

	if (unshare(CLONE_NEWPID))
		return;
	init = fork();
	if (init == 0)
		_exit(0);
	waitpid(init, NULL, 0);
	if (fork() == 0)
		_exit(0);
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) < 0)
		err = -errno;
	close(fd);
	return err;
}

/* Where its pids cgroup is, and what the root had to be given for it. */
struct full_cgroup {
	char dir[PATH_MAX + 64];
	uint64_t id;			/* its inode: the cgroup's id */
	char root_ctl[PATH_MAX + 32];	/* "+pids" written here: take it back */
};

/*
 * A pids cgroup with pids.max 1, for a process to move into and be
 * refused every fork and thread: under the v1 pids hierarchy, else
 * cgroup v2, whose root gets the controller for its children if it
 * lacks it. 0, or -1 with nothing left behind.
 */
static int make_full_cgroup(struct full_cgroup *g)
{
	const struct fs_cgroup_mounts *mnt = fs_cgroup_mounts();
	const char *root = mnt->pids_v1[0] ? mnt->pids_v1 : mnt->v2;
	char path[PATH_MAX + 96], ctl[256] = "";
	FILE *f;

	memset(g, 0, sizeof(*g));
	if (!mnt->pids_v1[0] && !(mnt->v2[0] && mnt->v2_pids))
		return -1;
	if (!mnt->pids_v1[0]) {
		snprintf(path, sizeof(path), "%s/cgroup.subtree_control", root);
		f = fopen(path, "re");
		if (!f)
			return -1;
		if (!fgets(ctl, sizeof(ctl), f))
			ctl[0] = 0;
		fclose(f);
		if (!strstr(ctl, "pids")) {
			if (write_file(path, "+pids\n"))
				return -1;
			strcpy(g->root_ctl, path);
		}
	}
	snprintf(g->dir, sizeof(g->dir), "%s/forkscope-kmod-%d", root,
		 getpid());
	snprintf(path, sizeof(path), "%s/pids.max", g->dir);
	if (!mkdir(g->dir, 0755) && !write_file(path, "1\n") &&
	    (g->id = inode_of("%s", g->dir)))
		return 0;
	rmdir(g->dir);
	if (g->root_ctl[0])
		write_file(g->root_ctl, "-pids\n");
	return -1;
}

/* Once no process is left in it: 0, or -1 if anything stayed. */
static int remove_full_cgroup(const struct full_cgroup *g)
{
	int err = rmdir(g->dir);

	if (g->root_ctl[0])
		err |= write_file(g->root_ctl, "-pids\n");
	return err ? -1 : 0;
}

static void *nothing(void *unused)
{
	return NULL;
}

#define MANY_ARGS	40		/* more than FS_EXEC_FAIL_ARGC */
#define LONG_ARG	600		/* more than FS_ARGS_LEN */

/*
 * A kid's failures beside the failed exec every kid makes; EXTRA_FAILS
 * of them in all, each a record.
 */
static void fail_more(int kid, const char *full_procs)
{
	char *many[MANY_ARGS + 1], args[MANY_ARGS][8], big[LONG_ARG + 1];
	char *argv[] = { "nx", (char *)1, "after", NULL };
	char *at[] = { "nope", "at", NULL };
	pthread_t t;
	int dfd;

	switch (kid) {
	case 0:
		refused_fork();
		break;
	case 1:		/* relative to a directory */
		dfd = open("/", O_DIRECTORY | O_CLOEXEC);
		syscall(SYS_execveat, dfd, "nope", at, environ, 0);
		break;
	case 2:		/* argv cut at FS_EXEC_FAIL_ARGC strings */
		for (int k = 0; k < MANY_ARGS; k++) {
			snprintf(args[k], sizeof(args[k]), "arg%d", k);
			many[k] = args[k];
		}
		many[MANY_ARGS] = NULL;
		execv("/nonexistent-forkscope/many", many);
		break;
	case 3:		/* argv cut at FS_ARGS_LEN bytes */
		memset(big, 'b', LONG_ARG);
		big[LONG_ARG] = 0;
		execl("/nonexistent-forkscope/long", "nx", big, (char *)NULL);
		break;
	case 4:		/* argv[1] cannot be read */
		execv("/nonexistent-forkscope/fault", argv);
		break;
	case 5:		/* in a pids cgroup at pids.max: a fork, a thread */
		if (write_file(full_procs, "0\n"))
			_exit(126);
		if (fork() == 0)
			_exit(0);
		if (!pthread_create(&t, NULL, nothing, NULL))
			pthread_join(t, NULL);
		break;
	}
}

/* refused_fork 1, execveat 1, many 1, long 1, fault 1, pids.max 2 */
#define EXTRA_FAILS	7

/* kid's failed exec other than "/nonexistent-forkscope", or NULL */
static const struct fs_rec_exec_fail *odd_exec(const struct collect *c,
					       pid_t kid)
{
	for (size_t i = 0; i < c->n; i++)
		if (is_exec_fail_of(c->recs[i], kid) &&
		    strcmp(fs_exec_filename((const void *)c->recs[i]),
			   "/nonexistent-forkscope"))
			return (const void *)c->recs[i];
	return NULL;
}

static int count_arg(void *ctx, const char *arg)
{
	return 0;
}

/*
 * That the records compared say what the extra failures were (checked
 * in one producer's: the other's are the same, line for line).
 */
static void expect_extras(struct __test_metadata *_metadata,
			  const struct collect *c, const struct subjects *s,
			  const struct full_cgroup *full)
{
	const struct fs_rec_exec_fail *x[5] = {};
	const struct fs_rec_fork_fail *f;
	size_t threads = 0;

	for (int i = 1; i <= 4; i++) {
		x[i] = odd_exec(c, s->kids[i]);
		ASSERT_NE(NULL, x[i]) TH_LOG("kid %d", i);
	}
	EXPECT_EQ(FS_EXEC_SYS_EXECVEAT, x[1]->syscall);
	EXPECT_STREQ("nope", fs_exec_filename((const void *)x[1]));
	EXPECT_EQ(ENOENT, x[1]->err);
	EXPECT_EQ(0, x[1]->flags);
	EXPECT_EQ(2, fs_exec_for_each_arg((const void *)x[1], count_arg, NULL));
	EXPECT_EQ(FS_EXEC_ARGS_TRUNC, x[2]->flags);
	EXPECT_EQ(FS_EXEC_FAIL_ARGC,
		  fs_exec_for_each_arg((const void *)x[2], count_arg, NULL));
	EXPECT_EQ(FS_EXEC_ARGS_TRUNC, x[3]->flags);
	EXPECT_EQ(FS_ARGS_LEN, x[3]->args_len);
	EXPECT_EQ(2, fs_exec_for_each_arg((const void *)x[3], count_arg, NULL));
	/* The strings before the one that could not be read. */
	EXPECT_EQ(FS_EXEC_ARGS_FAULT, x[4]->flags);
	EXPECT_EQ(1, fs_exec_for_each_arg((const void *)x[4], count_arg, NULL));
	for (size_t i = 0; i < c->n; i++) {
		if (!is_fork_fail_of(c->recs[i], s->kids[5]))
			continue;
		f = (const void *)c->recs[i];
		EXPECT_EQ(EAGAIN, f->err);
		EXPECT_EQ(FS_LIMIT_PIDS_CGROUP, fs_fork_fail_limit(f));
		EXPECT_EQ(full->id, f->pids_cgroup);
		EXPECT_EQ(full->id, f->id.pids_cgroup);
		EXPECT_EQ(1, f->pids_current);
		EXPECT_EQ(1, f->pids_max);
		if (f->clone_flags & CLONE_THREAD) {
			threads++;
			EXPECT_EQ(FS_FORK_SYS_CLONE3, f->syscall);
		}
	}
	EXPECT_EQ(1, threads);
}

/*
 * Both producers at once on one workload: processes that fork, exec,
 * exit, get waited for and reaped, one that takes COW faults and renames
 * itself before a sample, and a kernel thread's fork. Every record about
 * them must be the same field for field, so that no rule can drift apart
 * between the two.
 */
TEST(module_and_bpf_see_the_same_records)
{
	struct fs_source_opts ob = { .kind = FS_SOURCE_BPF, .cow = true };
	struct fs_source_opts ok = { .kind = FS_SOURCE_KMOD, .cow = true };
	enum { PAGES = 64, PER_KID = 6 };
	struct line lb[8 * (NKIDS + 2)], lk[8 * (NKIDS + 2)];
	struct collect b = {}, k = {};
	struct subjects s = {};
	struct full_cgroup full;
	size_t page = getpagesize(), nb, nk;
	char full_procs[PATH_MAX + 96];
	int ready[2], go[2], st;
	char *mem, ch;
	pid_t cow;

	if (access(FS_KMOD_DEVICE, F_OK))
		SKIP(return, "no %s: the module is not loaded", FS_KMOD_DEVICE);
	mem = mmap(NULL, PAGES * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mem);
	memset(mem, 1, PAGES * page);
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	b.src = fs_source_open(&ob, collect_record, &b);
	ASSERT_NE(NULL, b.src) TH_LOG("bpf: %s", fs_last_error());
	k.src = fs_source_open(&ok, collect_record, &k);
	ASSERT_NE(NULL, k.src) TH_LOG("kmod: %s", fs_last_error());
	ASSERT_EQ(fs_source_cow_kind(b.src), fs_source_cow_kind(k.src));

	/* A plain TEST has no teardown: no ASSERT while this cgroup is. */
	ASSERT_EQ(0, make_full_cgroup(&full)) {
		TH_LOG("no pids controller to make a cgroup in");
	}
	snprintf(full_procs, sizeof(full_procs), "%s/cgroup.procs", full.dir);
	for (int i = 0; i < NKIDS; i++) {
		s.kids[i] = fork();
		if (s.kids[i] == 0) {
			/* A failed exec each; some, more failures first. */
			fail_more(i, full_procs);
			execl("/nonexistent-forkscope", "nx", "same", "",
			      (char *)NULL);
			execl("/bin/true", "true", "same", (char *)NULL);
			_exit(127);
		}
		EXPECT_EQ(s.kids[i], waitpid(s.kids[i], &st, 0));
		EXPECT_EQ(0, st) TH_LOG("kid %d", i);
	}
	/* Its kid is gone: nothing can be left in it. */
	EXPECT_EQ(0, remove_full_cgroup(&full));
	cow = s.kids[NKIDS] = fork();
	if (cow == 0) {
		for (int i = 0; i < PAGES; i++)
			mem[(size_t)i * page] = 2;
		prctl(PR_SET_NAME, "renamed");
		write(ready[1], "r", 1);
		read(go[0], &ch, 1);
		_exit(3);
	}
	ASSERT_EQ(1, read(ready[0], &ch, 1));
	ASSERT_LE(1, fs_source_cow_sample(b.src));
	ASSERT_LE(1, fs_source_cow_sample(k.src));
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(cow, waitpid(cow, NULL, 0));
	s.kthread = kthread_fork();
	ASSERT_LT(0, s.kthread) TH_LOG("no kernel thread fork to compare");

	for (int t = 0; t < 750 && !(reaped_all(&b, &s) && reaped_all(&k, &s) &&
				     collect_count(&b, is_fork_of, s.kthread) &&
				     collect_count(&k, is_fork_of, s.kthread)); t++) {
		fs_source_poll(b.src, 10);
		fs_source_poll(k.src, 10);
	}
	ASSERT_TRUE(reaped_all(&b, &s));
	ASSERT_TRUE(reaped_all(&k, &s));
	nb = lines_of(&b, &s, lb, ARRAY_SIZE(lb));
	nk = lines_of(&k, &s, lk, ARRAY_SIZE(lk));
	/*
	 * fork exec-failed exec exit wait waited reap; the extra failures;
	 * fork cow exit wait waited reap; the kernel thread's fork
	 */
	EXPECT_EQ((PER_KID + 1) * NKIDS + EXTRA_FAILS + PER_KID + 1, nb);
	for (int i = 0; i < NKIDS; i++) {
		size_t forks = i == 0 ? 1 : i == 5 ? 2 : 0;
		size_t execs = i >= 1 && i <= 4 ? 2 : 1;

		EXPECT_EQ(forks, collect_count(&b, is_fork_fail_of, s.kids[i]));
		EXPECT_EQ(forks, collect_count(&k, is_fork_fail_of, s.kids[i]));
		EXPECT_EQ(execs, collect_count(&b, is_exec_fail_of, s.kids[i]));
		EXPECT_EQ(execs, collect_count(&k, is_exec_fail_of, s.kids[i]));
	}
	expect_extras(_metadata, &b, &s, &full);
	ASSERT_EQ(nb, nk);
	for (size_t i = 0; i < nb; i++) {
		EXPECT_STREQ(lb[i].text, lk[i].text);
		/*
		 * One tracepoint call ran both: the same clock, the same
		 * moment but for a stall between them (13 ms seen in a TCG
		 * guest on a busy host); another clock (realtime) or unit
		 * would be off by far more.
		 */
		if (lb[i].type != FS_REC_COW)
			EXPECT_GT(NSEC_PER_SEC,
				  llabs((long long)(lb[i].ts_ns - lk[i].ts_ns)));
	}
	for (size_t i = 0; i < nb; i++)
		free(lb[i].text);
	for (size_t i = 0; i < nk; i++)
		free(lk[i].text);
	EXPECT_EQ(0, b.lost);
	EXPECT_EQ(0, k.lost);
	collect_close(&b);
	collect_close(&k);
	munmap(mem, PAGES * page);
}

/* Reads with odd sizes until killed, reopening when the module comes back. */
static void reader(void)
{
	static char buf[4096 + 13];
	size_t sizes[] = { 57, 100, 841, 4096 + 13 };

	for (unsigned int i = 0;; i++) {
		int fd = open_dev();

		if (fd < 0) {
			usleep(1000);
			continue;
		}
		for (int j = 0; j < 20; j++)
			read(fd, buf, sizes[(i + j) % ARRAY_SIZE(sizes)]);
		ioctl(fd, 0x1234, 0);		/* bogus */
		close(fd);
		usleep(10000);	/* a window for rmmod, as a real reader leaves */
	}
}

static void fork_storm(void)
{
	for (;;) {
		pid_t p = fork();

		if (p == 0)
			_exit(0);
		if (p > 0)
			waitpid(p, NULL, 0);
	}
}

FIXTURE(cycle) {
};

FIXTURE_SETUP(cycle)
{
}

FIXTURE_TEARDOWN(cycle)
{
}

/* 100 cycles under TCG take a minute: more than the default 30 s. */
TEST_F_TIMEOUT(cycle, loads_and_unloads_under_a_fork_storm, 300)
{
	const char *ko = getenv("FORKSCOPE_KO");
	pid_t storm, rd;
	int ok = 0;

	if (!ko || access(ko, R_OK))
		SKIP(return, "FORKSCOPE_KO names no module file");
	storm = fork();
	if (storm == 0)
		fork_storm();
	rd = fork();
	if (rd == 0)
		reader();
	for (int i = 0; i < CYCLES; i++) {
		char cmd[256];

		/* The reader may hold the device: rmmod says busy; retry. */
		for (int t = 0; t < 200 && system("rmmod forkscope 2>/dev/null"); t++)
			usleep(5000);
		snprintf(cmd, sizeof(cmd), "insmod %s %s", ko,
			 getenv("FORKSCOPE_KO_PARAMS") ?: "");
		ok += !system(cmd);
	}
	kill(storm, SIGKILL);
	kill(rd, SIGKILL);
	waitpid(storm, NULL, 0);
	waitpid(rd, NULL, 0);
	EXPECT_EQ(CYCLES, ok);
	EXPECT_EQ(0, access(FS_KMOD_DEVICE, F_OK));
}

TEST_HARNESS_MAIN
