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
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "collect.h"
#include "decode.h"
#include "forkscope/kmod.h"

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

/* One line per record about a kid, for comparing two producers. */
static int describe(const struct fs_hdr *r, const pid_t *kids, char *out,
		    size_t len)
{
	const struct fs_rec_fork *f = (const void *)r;
	const struct fs_rec_exec *e = (const void *)r;
	const struct fs_rec_exit *x = (const void *)r;
	const struct fs_rec_wait_result *w = (const void *)r;
	int32_t who;

	switch (r->type) {
	case FS_REC_FORK:
		who = f->child_pid;
		break;
	case FS_REC_WAIT_RESULT:
		who = w->pid;
		break;
	case FS_REC_EXEC:
	case FS_REC_EXIT:
	case FS_REC_REAP:
		who = r->pid;
		break;
	default:
		return 0;
	}
	for (int i = 0; i < NKIDS; i++) {
		if (kids[i] != who)
			continue;
		switch (r->type) {
		case FS_REC_FORK:
			return snprintf(out, len, "fork %d by %d start %llu flags %u ppid %d",
					who, r->tgid,
					(unsigned long long)f->child_start_ns,
					f->flags, f->child_ppid);
		case FS_REC_EXEC:
			return snprintf(out, len, "exec %d %s old %d args %u flags %u",
					who, e->filename, e->old_pid,
					e->args_len, e->flags);
		case FS_REC_EXIT:
			return snprintf(out, len, "exit %d status %u code %u flags %u heir %d",
					who, x->status, x->exit_code, x->flags,
					x->heir);
		case FS_REC_WAIT_RESULT:
			return snprintf(out, len, "waited %d by %d status %u sys %u",
					who, r->pid, w->status, w->syscall);
		case FS_REC_REAP:
			return snprintf(out, len, "reap %d start %llu", who,
					(unsigned long long)r->start_ns);
		}
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted lines about the kids in what c collected. */
static size_t lines_of(const struct collect *c, const pid_t *kids,
		       char **lines, size_t max)
{
	char buf[512];
	size_t n = 0;

	for (size_t i = 0; i < c->n && n < max; i++)
		if (describe(c->recs[i], kids, buf, sizeof(buf)) > 0)
			lines[n++] = strdup(buf);
	qsort(lines, n, sizeof(*lines), cmp_str);
	return n;
}

static bool reaped_all(struct collect *c, const pid_t *kids)
{
	for (int i = 0; i < NKIDS; i++)
		if (!collect_count(c, is_reap_of, kids[i]))
			return false;
	return true;
}

TEST(module_and_bpf_see_the_same_records)
{
	struct fs_source_opts ob = { .kind = FS_SOURCE_BPF };
	struct fs_source_opts ok = { .kind = FS_SOURCE_KMOD };
	char *lb[8 * NKIDS], *lk[8 * NKIDS];
	struct collect b = {}, k = {};
	pid_t kids[NKIDS];
	size_t nb, nk;

	if (access(FS_KMOD_DEVICE, F_OK))
		SKIP(return, "no %s: the module is not loaded", FS_KMOD_DEVICE);
	b.src = fs_source_open(&ob, collect_record, &b);
	ASSERT_NE(NULL, b.src) TH_LOG("bpf: %s", fs_last_error());
	k.src = fs_source_open(&ok, collect_record, &k);
	ASSERT_NE(NULL, k.src) TH_LOG("kmod: %s", fs_last_error());

	for (int i = 0; i < NKIDS; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			execl("/bin/true", "true", "same", (char *)NULL);
			_exit(127);
		}
		ASSERT_EQ(kids[i], waitpid(kids[i], NULL, 0));
	}
	for (int t = 0; t < 750 && !(reaped_all(&b, kids) && reaped_all(&k, kids)); t++) {
		fs_source_poll(b.src, 10);
		fs_source_poll(k.src, 10);
	}
	ASSERT_TRUE(reaped_all(&b, kids));
	ASSERT_TRUE(reaped_all(&k, kids));
	nb = lines_of(&b, kids, lb, ARRAY_SIZE(lb));
	nk = lines_of(&k, kids, lk, ARRAY_SIZE(lk));
	EXPECT_EQ(5 * NKIDS, nb);
	ASSERT_EQ(nb, nk);
	for (size_t i = 0; i < nb; i++)
		EXPECT_STREQ(lb[i], lk[i]);
	for (size_t i = 0; i < nb; i++)
		free(lb[i]);
	for (size_t i = 0; i < nk; i++)
		free(lk[i]);
	EXPECT_EQ(0, b.lost);
	EXPECT_EQ(0, k.lost);
	collect_close(&b);
	collect_close(&k);
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
