// SPDX-License-Identifier: GPL-2.0-only
/*
 * forkscope exporter, scraped over HTTP as Prometheus would: a leaking
 * parent's zombies appear under its command and leave with the reap,
 * promtool accepts the output in both formats, and hostile clients (a
 * slowloris, an oversized request, a flood of connections) neither wedge
 * it nor keep a scraper out.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "cgroupfs.h"
#include "cli.h"
#include "prom_view.h"

#define LEAKER		"fs-leaker"	/* the leaking parent's comm */
#define NR_ZOMBIES	3
#define WAIT_MS		10000
#define ATTACKER_IP	"127.0.0.2"	/* another source: per-IP limits */

FIXTURE(exp) {
	struct run r;
	int port;
	pid_t leaker;
	pid_t prom;		/* a Prometheus the test started */
	char dir[32];		/* its config and data, removed after */
	char cg[3][PATH_MAX + 160];	/* cgroups made, removed last first */
	int ncg;
};

FIXTURE_SETUP(exp)
{
	const char *args[] = { "exporter", "--listen", "127.0.0.1:0", NULL };
	char *err, *p;

	self->leaker = 0;
	self->prom = 0;
	self->dir[0] = 0;
	self->ncg = 0;
	ASSERT_EQ(0, start(&self->r, args, -1));
	ASSERT_EQ(0, wait_for(&self->r, self->r.err, ", port ")) {
		err = slurp(self->r.err);
		TH_LOG("exporter did not start: %s", err);
		free(err);
	}
	err = slurp(self->r.err);
	p = strstr(err, ", port ");
	self->port = p ? atoi(p + 7) : 0;
	free(err);
	ASSERT_LT(0, self->port);
}

FIXTURE_TEARDOWN(exp)
{
	if (self->leaker > 0) {
		kill(self->leaker, SIGKILL);
		waitpid(self->leaker, NULL, 0);
	}
	if (self->prom > 0) {
		kill(self->prom, SIGTERM);
		waitpid(self->prom, NULL, 0);
	}
	while (self->ncg > 0)
		EXPECT_EQ(0, rmdir(self->cg[--self->ncg]));
	if (self->dir[0]) {
		char cmd[64];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", self->dir);
		EXPECT_EQ(0, system(cmd));
	}
	kill(self->r.pid, SIGTERM);
	EXPECT_EQ(0, finish(&self->r));
	release(&self->r);
}

/*
 * The guests (tests/vm/) carry forkscope and the suites, not Prometheus,
 * promtool, setpriv or the tree's deploy/: there, a test that needs one
 * is skipped. On the host a missing one fails the test (deps.sh installs
 * them).
 */
static bool in_guest_without(const char *file)
{
	char path[PATH_MAX];
	const char *dirs[] = { "/bin/", "/sbin/", "/usr/bin/", "/usr/sbin/",
			       "" };

	if (!getenv("FORKSCOPE_EMULATED"))
		return false;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", dirs[i], file);
		if (!access(path, F_OK))
			return false;
	}
	return true;
}

#define NEEDS(file)							\
	do {								\
		if (in_guest_without(file))				\
			SKIP(return, "%s is not in the guest", file);	\
	} while (0)

/* A TCP connection to the exporter from src (NULL: any address). */
static int dial(int port, const char *src)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (src) {
		struct sockaddr_in s = { .sin_family = AF_INET };

		inet_pton(AF_INET, src, &s.sin_addr);
		if (bind(fd, (void *)&s, sizeof(s)))
			goto fail;
	}
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	if (connect(fd, (void *)&a, sizeof(a)))
		goto fail;
	return fd;
fail:
	close(fd);
	return -1;
}

/* Reads until the peer closes (or timeout_ms of silence); malloc'd. */
static char *read_all(int fd, int timeout_ms)
{
	size_t len = 0, cap = 1 << 16;
	char *buf = malloc(cap + 1);
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	while (buf && poll(&p, 1, timeout_ms) == 1) {
		if (len == cap) {
			char *b = realloc(buf, 2 * cap + 1);

			if (!b)
				break;
			buf = b;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n <= 0)
			break;
		len += n;
	}
	if (buf)
		buf[len] = 0;
	return buf;
}

/* One HTTP/1.0 request; the whole response, or NULL. */
static char *request(int port, const char *req)
{
	int fd = dial(port, NULL);
	char *resp;

	if (fd < 0)
		return NULL;
	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
		close(fd);
		return NULL;
	}
	resp = read_all(fd, WAIT_MS);
	close(fd);
	return resp;
}

static char *scrape(int port, const char *accept)
{
	char req[256];

	snprintf(req, sizeof(req), "GET /metrics HTTP/1.0\r\n%s%s%s\r\n",
		 accept ? "Accept: " : "", accept ? accept : "",
		 accept ? "\r\n" : "");
	return request(port, req);
}

/* The value of the forkscope_zombies series of parent comm; -1: none. */
static long zombies_of(const char *resp, const char *comm)
{
	char needle[64];
	const char *p;

	snprintf(needle, sizeof(needle), ",parent_comm=\"%s\"} ", comm);
	for (p = resp; (p = strstr(p, "\nforkscope_zombies{container=\""));
	     p++) {
		const char *eol = strchr(p + 1, '\n');
		const char *hit = strstr(p, needle);

		if (hit && (!eol || hit < eol))
			return atol(hit + strlen(needle));
	}
	return -1;
}

/* Scrapes until the series of comm reads want (-1: absent). */
static bool scrape_until(int port, const char *comm, long want)
{
	uint64_t end = fs_boot_ns() + WAIT_MS * NSEC_PER_MSEC;
	long got = -2;

	while (fs_boot_ns() < end) {
		char *resp = scrape(port, NULL);

		got = resp ? zombies_of(resp, comm) : -2;
		free(resp);
		if (got == want)
			return true;
		usleep(20000);
	}
	fprintf(stderr, "# %s: %ld zombies, not %ld\n", comm, got, want);
	return false;
}

/*
 * A parent that leaves NR_ZOMBIES children unreaped (waitid WNOWAIT sees
 * each exit, and leaves it a zombie), says so on ready, and reaps them
 * all when go has a byte; then says so again.
 */
static pid_t start_leaker(int ready, int go)
{
	pid_t pid = fork();
	char b = 0;

	if (pid)
		return pid;
	prctl(PR_SET_NAME, LEAKER);
	for (int i = 0; i < NR_ZOMBIES; i++) {
		pid_t c = fork();
		siginfo_t si;

		if (c == 0)
			_exit(0);
		if (c < 0 || waitid(P_PID, c, &si, WEXITED | WNOWAIT))
			_exit(1);
	}
	if (write(ready, &b, 1) != 1 || read(go, &b, 1) != 1)
		_exit(1);
	while (wait(NULL) > 0)
		;
	if (write(ready, &b, 1) != 1)
		_exit(1);
	pause();
	_exit(0);
}

TEST_F(exp, zombies_of_a_leaking_parent)
{
	int ready[2], go[2];
	char b;

	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	self->leaker = start_leaker(ready[1], go[0]);
	ASSERT_LT(0, self->leaker);
	ASSERT_EQ(1, read(ready[0], &b, 1));
	EXPECT_TRUE(scrape_until(self->port, LEAKER, NR_ZOMBIES));
	ASSERT_EQ(1, write(go[1], &b, 1));
	ASSERT_EQ(1, read(ready[0], &b, 1));
	/* Its series goes to 0 (and ends FS_METRICS_ZERO_HOLD_NS later). */
	EXPECT_TRUE(scrape_until(self->port, LEAKER, 0));
}

/* The value of one series, "name{labels}" as the exporter writes it. */
static long long series(const char *resp, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = resp; (p = strstr(p, name)); p++)
		if ((p == resp || p[-1] == '\n') && p[n] == ' ')
			return atoll(p + n + 1);
	return -1;
}

/* Scrapes until every series[i] reads want[i]; logs the last scrape. */
static bool series_until(int port, const char *const *name,
			 const long long *want, int n)
{
	uint64_t end = fs_boot_ns() + WAIT_MS * NSEC_PER_MSEC;
	char *resp = NULL;
	int i = 0;

	while (fs_boot_ns() < end) {
		free(resp);
		resp = scrape(port, NULL);
		for (i = 0; resp && i < n; i++)
			if (series(resp, name[i]) != want[i])
				break;
		if (resp && i == n) {
			free(resp);
			return true;
		}
		usleep(50000);
	}
	if (resp && i < n)
		fprintf(stderr, "# %s: %lld, not %lld; the scrape:\n%s",
			name[i], series(resp, name[i]), want[i], resp);
	free(resp);
	return false;
}

/* Makes a cgroup directory the teardown removes. */
static int make_cg(FIXTURE_DATA(exp) *self, const char *dir)
{
	if (self->ncg == 3 || mkdir(dir, 0755))
		return -1;
	snprintf(self->cg[self->ncg++], sizeof(self->cg[0]), "%s", dir);
	return 0;
}

#define CT_LEAKER	"fs-ct-leaker"
#define CT_PIDS_MAX	5
#define CT_ID		"5eed0f0e5c09e1234567890abcdef0123456789abcdef0123456789abcdef012"

/*
 * Joins the cgroups (the v2 one first: on a v2-only host it is the pids
 * one too), leaks zombies until a fork is refused, says how many on
 * ready, then waits to be killed.
 */
static pid_t start_ct_leaker(const char *v2dir, const char *pidsdir, int ready)
{
	pid_t pid = fork();
	unsigned char n = 0;

	if (pid)
		return pid;
	prctl(PR_SET_NAME, CT_LEAKER);
	if (write_file(v2dir, "cgroup.procs", "0") ||
	    (strcmp(v2dir, pidsdir) && write_file(pidsdir, "cgroup.procs", "0")))
		_exit(1);
	for (;;) {
		siginfo_t si;
		pid_t c = fork();

		if (c == 0)
			_exit(0);
		if (c < 0) {
			if (errno != EAGAIN)
				_exit(2);
			break;
		}
		if (waitid(P_PID, c, &si, WEXITED | WNOWAIT))
			_exit(3);
		n++;
	}
	if (write(ready, &n, 1) != 1)
		_exit(4);
	pause();
	_exit(0);
}

/*
 * A leaker in a docker-<id>.scope, in a pids cgroup of pids.max 5: its
 * four zombies under the container's name and its comm, the budget full
 * (5 used, 4 of them zombies, limit 5), one fork refused by pids.max,
 * counted by the cgroup and by the exporter's failed-fork records.
 */
TEST_F(exp, a_container_at_its_pid_limit)
{
	const struct fs_cgroup_mounts *mnt = fs_cgroup_mounts();
	const char *root = fs_cgroup_pids_root();
	char top[32], v2dir[PATH_MAX + 160], pidsdir[PATH_MAX + 160];
	char pidspath[160], zname[256], used[256], zombies[256], limit[256];
	char refused[256];
	const char *by_limit =
		"forkscope_fork_failures_by_limit_total{limit=\"pids.max\"}";
	long long refused0;
	int ready[2];
	unsigned char n = 0;
	char *resp;

	if (!mnt->v2[0] || !root)
		SKIP(return, "needs cgroup v2 and a pids controller");
	snprintf(top, sizeof(top), "/forkscope-exp-%d", getpid());
	snprintf(v2dir, sizeof(v2dir), "%s%s", mnt->v2, top);
	ASSERT_EQ(0, make_cg(self, v2dir));
	if (!mnt->pids_v1[0]) {
		write_file(mnt->v2, "cgroup.subtree_control", "+pids");
		write_file(v2dir, "cgroup.subtree_control", "+pids");
	}
	snprintf(v2dir + strlen(v2dir), sizeof(v2dir) - strlen(v2dir),
		 "/docker-%s.scope", CT_ID);
	ASSERT_EQ(0, make_cg(self, v2dir));
	if (mnt->pids_v1[0]) {
		snprintf(pidspath, sizeof(pidspath), "%s", top);
		snprintf(pidsdir, sizeof(pidsdir), "%s%s", root, top);
		ASSERT_EQ(0, make_cg(self, pidsdir));
	} else {
		snprintf(pidspath, sizeof(pidspath), "%s/docker-%s.scope", top,
			 CT_ID);
		snprintf(pidsdir, sizeof(pidsdir), "%s", v2dir);
	}
	ASSERT_EQ(0, write_file(pidsdir, "pids.max", "5"));

	resp = scrape(self->port, NULL);
	ASSERT_NE(NULL, resp);
	refused0 = series(resp, by_limit);
	free(resp);
	ASSERT_LE(0, refused0);

	ASSERT_EQ(0, pipe2(ready, O_CLOEXEC));
	self->leaker = start_ct_leaker(v2dir, pidsdir, ready[1]);
	ASSERT_LT(0, self->leaker);
	ASSERT_EQ(1, read(ready[0], &n, 1));
	ASSERT_EQ(CT_PIDS_MAX - 1, n);

	snprintf(zname, sizeof(zname),
		 "forkscope_zombies{container=\"docker:%.12s\",parent_comm=\"%s\"}",
		 CT_ID, CT_LEAKER);
	snprintf(used, sizeof(used), "forkscope_pids_used{cgroup=\"%s\"}",
		 pidspath);
	snprintf(zombies, sizeof(zombies),
		 "forkscope_pids_zombies{cgroup=\"%s\"}", pidspath);
	snprintf(limit, sizeof(limit), "forkscope_pids_limit{cgroup=\"%s\"}",
		 pidspath);
	snprintf(refused, sizeof(refused),
		 "forkscope_pids_refused_total{cgroup=\"%s\"}", pidspath);
	{
		const char *names[] = { zname, used, zombies, limit, refused,
					by_limit };
		const long long want[] = { CT_PIDS_MAX - 1, CT_PIDS_MAX,
					   CT_PIDS_MAX - 1, CT_PIDS_MAX, 1,
					   refused0 + 1 };

		EXPECT_TRUE(series_until(self->port, names, want, 6));
	}
}

#define COW_PAGES	4096

/* A child writes each page of its parent's COW_PAGES: that many faults. */
static int cow_child(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *mem = mmap(NULL, COW_PAGES * pg, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pid_t c;
	int st;

	if (mem == MAP_FAILED)
		return -1;
	/* A huge page takes one fault for 512 pages. */
	madvise(mem, COW_PAGES * pg, MADV_NOHUGEPAGE);
	memset(mem, 1, COW_PAGES * pg);
	c = fork();
	if (c == 0) {
		for (long i = 0; i < COW_PAGES; i++)
			mem[i * pg] = 2;
		_exit(0);
	}
	munmap(mem, COW_PAGES * pg);
	return c > 0 && waitpid(c, &st, 0) == c && st == 0 ? 0 : -1;
}

/*
 * With --cow: the machine's COW faults grow by at least the child's
 * writes (the counter is machine-wide: others fault too), and the
 * count of a process that ended stays in it.
 */
TEST(cow_faults_counted)
{
	const char *args[] = { "exporter", "--cow", "--listen", "127.0.0.1:0",
			       NULL };
	const char *name = "forkscope_cow_faults_total";
	long long before, after;
	struct run r;
	char *err, *p, *resp;
	int port;

	ASSERT_EQ(0, start(&r, args, -1));
	ASSERT_EQ(0, wait_for(&r, r.err, ", port ")) {
		err = slurp(r.err);
		TH_LOG("exporter --cow did not start: %s", err);
		free(err);
	}
	err = slurp(r.err);
	p = strstr(err, ", port ");
	port = p ? atoi(p + 7) : 0;
	free(err);
	ASSERT_LT(0, port);
	resp = scrape(port, NULL);
	ASSERT_NE(NULL, resp);
	before = series(resp, name);
	free(resp);
	ASSERT_LE(0, before);
	ASSERT_EQ(0, cow_child());
	/*
	 * The child's exit record carries its count, in the ring before its
	 * parent's wait returned, and a scrape takes what is in the ring.
	 */
	resp = scrape(port, NULL);
	ASSERT_NE(NULL, resp);
	after = series(resp, name);
	free(resp);
	EXPECT_LE(before + COW_PAGES, after) TH_LOG("%lld then %lld", before, after);
	kill(r.pid, SIGTERM);
	EXPECT_EQ(0, finish(&r));
	release(&r);
}

/* A loopback port free now: the kernel's pick, for a server to take. */
static int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	if (fd >= 0 && !bind(fd, (void *)&a, sizeof(a)) &&
	    !getsockname(fd, (void *)&a, &len))
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

/* Prometheus' answer to a PromQL query (curl), or NULL. */
static char *promql(int port, const char *query)
{
	char cmd[512], *out;
	FILE *p;
	size_t n;

	snprintf(cmd, sizeof(cmd),
		 "curl -sf --max-time 5 -G http://127.0.0.1:%d/api/v1/query --data-urlencode '%s'",
		 port, query);
	p = popen(cmd, "r");
	if (!p)
		return NULL;
	out = calloc(1, 1 << 16);
	n = out ? fread(out, 1, (1 << 16) - 1, p) : 0;
	pclose(p);
	if (out)
		out[n] = 0;
	return out;
}

/* Queries until the answer holds want (a substring); bounded. */
static bool promql_until(int port, const char *query, const char *want)
{
	uint64_t end = fs_boot_ns() + 3 * WAIT_MS * NSEC_PER_MSEC;
	char *out = NULL;

	while (fs_boot_ns() < end) {
		free(out);
		out = promql(port, query);
		if (out && strstr(out, want)) {
			free(out);
			return true;
		}
		usleep(200000);
	}
	fprintf(stderr, "# %s: %s\n", query, out ? out : "(no answer)");
	free(out);
	return false;
}

/*
 * Debian's Prometheus on loopback scrapes the exporter every second; its
 * HTTP API shows the leaker's zombies with their labels, then none.
 */
TEST_F_TIMEOUT(exp, real_prometheus, 120)
{
	char *dir = strcpy(self->dir, "/tmp/fs-prom-XXXXXX"), path[64];
	char arg[3][96], want[256];
	const char *q = "query=forkscope_zombies{parent_comm=\"" LEAKER "\"}";
	int ready[2], go[2], port = free_port();
	pid_t prom;
	FILE *f;
	char b;
	NEEDS("prometheus");
	NEEDS("curl");

	ASSERT_LT(0, port);
	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/prometheus.yml", dir);
	f = fopen(path, "w");
	ASSERT_NE(NULL, f);
	fprintf(f, "global: { scrape_interval: 1s, evaluation_interval: 1s }\n"
		   "scrape_configs:\n"
		   "  - job_name: forkscope\n"
		   "    static_configs: [{ targets: [\"127.0.0.1:%d\"] }]\n",
		self->port);
	fclose(f);
	snprintf(arg[0], sizeof(arg[0]), "--config.file=%s", path);
	snprintf(arg[1], sizeof(arg[1]), "--storage.tsdb.path=%s/data", dir);
	snprintf(arg[2], sizeof(arg[2]), "--web.listen-address=127.0.0.1:%d",
		 port);
	prom = self->prom = fork();
	ASSERT_LE(0, prom);
	if (prom == 0) {
		char log[64];
		int fd;

		snprintf(log, sizeof(log), "%s/log", dir);
		fd = open(log, O_WRONLY | O_CREAT, 0600);
		dup2(fd, 1);
		dup2(fd, 2);
		execlp("prometheus", "prometheus", arg[0], arg[1], arg[2],
		       (char *)NULL);
		_exit(127);
	}
	ASSERT_TRUE(promql_until(port, "query=up{job=\"forkscope\"}",
				 "\"1\"]"));
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	self->leaker = start_leaker(ready[1], go[0]);
	ASSERT_LT(0, self->leaker);
	ASSERT_EQ(1, read(ready[0], &b, 1));
	/* The host's container label is "": Prometheus drops empty labels. */
	snprintf(want, sizeof(want),
		 "{\"metric\":{\"__name__\":\"forkscope_zombies\",\"instance\":\"127.0.0.1:%d\",\"job\":\"forkscope\",\"parent_comm\":\"" LEAKER "\"},\"value\":[",
		 self->port);
	EXPECT_TRUE(promql_until(port, q, want));
	EXPECT_TRUE(promql_until(port, q, ",\"3\"]}]"));
	ASSERT_EQ(1, write(go[1], &b, 1));
	ASSERT_EQ(1, read(ready[0], &b, 1));
	/* To 0 after the reap, as the graph should go. */
	EXPECT_TRUE(promql_until(port, q, ",\"0\"]}]"));
}

/* promtool check metrics on the body of a scrape in a format. */
static int promtool_check(int port, const char *accept)
{
	char *resp = scrape(port, accept), *body;
	FILE *p;
	int st;

	if (!resp || !(body = strstr(resp, "\r\n\r\n"))) {
		free(resp);
		return -1;
	}
	p = popen("promtool check metrics", "w");
	if (!p) {
		free(resp);
		return -1;
	}
	fputs(body + 4, p);
	st = pclose(p);
	free(resp);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

TEST_F(exp, promtool_accepts_both_formats)
{
	char *resp;
	NEEDS("promtool");

	EXPECT_EQ(0, promtool_check(self->port, NULL));
	resp = scrape(self->port, "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5");
	ASSERT_NE(NULL, resp);
	EXPECT_NE(NULL, strstr(resp, "Content-Type: application/openmetrics-text; version=1.0.0"));
	EXPECT_NE(NULL, strstr(resp, "\n# TYPE forkscope_forks counter\n"));
	EXPECT_NE(NULL, strstr(resp, "\n# EOF\n"));
	free(resp);
	resp = scrape(self->port, "application/openmetrics-text;q=0,text/plain");
	ASSERT_NE(NULL, resp);
	EXPECT_NE(NULL, strstr(resp, "Content-Type: text/plain; version=0.0.4"));
	EXPECT_NE(NULL, strstr(resp, "\n# TYPE forkscope_forks_total counter\n"));
	free(resp);
}

/* "HTTP/1.1 404 Not Found" -> 404; 0 for anything else. */
static int status(const char *resp)
{
	return strncmp(resp, "HTTP/1.", 7) ? 0 : atoi(resp + 9);
}

TEST_F(exp, only_get_of_metrics_and_index)
{
	char *r;

	r = request(self->port, "POST /metrics HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc");
	ASSERT_NE(NULL, r);
	EXPECT_EQ(405, status(r)) TH_LOG("%.40s", r);
	free(r);
	r = request(self->port, "GET /nothing HTTP/1.0\r\n\r\n");
	ASSERT_NE(NULL, r);
	EXPECT_EQ(404, status(r)) TH_LOG("%.40s", r);
	free(r);
	r = request(self->port, "GET / HTTP/1.0\r\n\r\n");
	ASSERT_NE(NULL, r);
	EXPECT_EQ(200, status(r));
	EXPECT_NE(NULL, strstr(r, "href=\"/metrics\""));
	free(r);
}

/* Headers past the per-connection memory: refused, and nothing wedged. */
TEST_F(exp, oversized_request_refused)
{
	size_t big = 64 << 10;
	char *req = malloc(big + 64), *r;
	int fd;

	ASSERT_NE(NULL, req);
	strcpy(req, "GET /metrics HTTP/1.0\r\nX-Big: ");
	memset(req + strlen(req), 'a', big);
	strcpy(req + strlen("GET /metrics HTTP/1.0\r\nX-Big: ") + big,
	       "\r\n\r\n");
	fd = dial(self->port, NULL);
	ASSERT_LE(0, fd);
	/* The server may close before taking it all: a short write is fine. */
	signal(SIGPIPE, SIG_IGN);
	(void)!write(fd, req, strlen(req));
	r = read_all(fd, WAIT_MS);
	close(fd);
	free(req);
	ASSERT_NE(NULL, r);
	EXPECT_EQ(NULL, strstr(r, " 200 ")) TH_LOG("%.60s", r);
	free(r);
	r = scrape(self->port, NULL);
	ASSERT_NE(NULL, r);
	EXPECT_NE(NULL, strstr(r, " 200 OK"));
	free(r);
}

/*
 * A flood of idle and half-sent connections from another address: a
 * scrape still gets through, and a slowloris is dropped by the server.
 */
TEST_F(exp, hostile_clients)
{
	int fds[40], n = 0, slow;
	char *r;

	for (int i = 0; i < 40; i++) {
		int fd = dial(self->port, ATTACKER_IP);

		if (fd >= 0)
			fds[n++] = fd;
	}
	ASSERT_LT(0, n);
	slow = fds[0];
	ASSERT_LT(0, write(slow, "GET /metrics HTTP/1.1\r\nHost: x\r\n", 32));
	r = scrape(self->port, NULL);
	ASSERT_NE(NULL, r);
	EXPECT_NE(NULL, strstr(r, " 200 OK"));
	free(r);
	/* The connection timeout (10 s) closes it: read sees the end. */
	r = read_all(slow, 3 * WAIT_MS);
	ASSERT_NE(NULL, r);
	EXPECT_EQ(NULL, strstr(r, " 200 OK"));
	free(r);
	for (int i = 0; i < n; i++)
		close(fds[i]);
}

/* Label values with quotes, backslashes and bytes past ASCII stay valid. */
TEST(view_escapes_label_values)
{
	static struct fs_metrics m = {
		.have_counters = true, .nr_top = 2, .zombies = 5,
		.top = {
			{ .comm = "a\"b\\c\xff\n", .zombies = 3 },
			{ .runtime = FS_RUNTIME_DOCKER,
			  .id = "3f4a5b6c7d8e9f00", .comm = "w", .zombies = 2 },
		},
		.have_oldest = true, .oldest_age_ns = 1000000001,
	};
	struct fs_prom_info info = { "0.1", 2, "6.18" };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len), *p;

	ASSERT_NE(NULL, f);
	ASSERT_EQ(0, fs_prom_write(f, &m, &info, FS_PROM_TEXT));
	fclose(f);
	EXPECT_NE(NULL, strstr(text, "forkscope_zombies{container=\"\",parent_comm=\"a\\\"b\\\\c\\\\xff\\\\x0a\"} 3\n")) TH_LOG("%s", text);
	EXPECT_NE(NULL, strstr(text, "forkscope_zombies{container=\"docker:3f4a5b6c7d8e\",parent_comm=\"w\"} 2\n"));
	EXPECT_NE(NULL, strstr(text, "\nforkscope_zombie_oldest_age_seconds 1.000000001\n"));
	if (!in_guest_without("promtool")) {
		p = popen("promtool check metrics", "w");
		ASSERT_NE(NULL, p);
		fputs(text, p);
		EXPECT_EQ(0, pclose(p));
	}
	free(text);
}

/*
 * The unit's CapabilityBoundingSet as setpriv's --bounding-set
 * ("-all,+bpf,+perfmon"); 0 or -1.
 */
static int unit_caps(char *out, size_t len)
{
	FILE *f = fopen("deploy/forkscope-exporter.service", "r");
	char line[256], *tok, *save;
	int found = -1;

	if (!f)
		return -1;
	while (found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "CapabilityBoundingSet=", 22))
			continue;
		snprintf(out, len, "-all");
		for (tok = strtok_r(line + 22, " \n", &save); tok;
		     tok = strtok_r(NULL, " \n", &save)) {
			size_t n = strlen(out);

			snprintf(out + n, len - n, ",+%s", tok + 4);
			for (char *c = out + n; *c; c++)
				*c = tolower((unsigned char)*c);
		}
		found = 0;
	}
	fclose(f);
	return found;
}

/* The systemd unit's capabilities are enough: a scrape under them. */
TEST(unit_capabilities_suffice)
{
	char caps[128], *err, *p, *resp;
	int port;
	struct run r;
	NEEDS("deploy/forkscope-exporter.service");

	ASSERT_EQ(0, unit_caps(caps, sizeof(caps)));
	EXPECT_EQ(0, strcmp(caps, "-all,+bpf,+perfmon")) TH_LOG("%s", caps);
	r.out = memfd_create("out", 0);
	r.err = memfd_create("err", 0);
	ASSERT_LE(0, r.out);
	r.pid = fork();
	ASSERT_LE(0, r.pid);
	if (r.pid == 0) {
		dup2(r.out, 1);
		dup2(r.err, 2);
		execlp("setpriv", "setpriv", "--bounding-set", caps,
		       forkscope_bin(), "exporter", "--listen", "127.0.0.1:0",
		       (char *)NULL);
		_exit(127);
	}
	ASSERT_EQ(0, wait_for(&r, r.err, ", port ")) {
		err = slurp(r.err);
		TH_LOG("%s", err);
		free(err);
	}
	err = slurp(r.err);
	p = strstr(err, ", port ");
	port = p ? atoi(p + 7) : 0;
	free(err);
	resp = port ? scrape(port, NULL) : NULL;
	ASSERT_NE(NULL, resp);
	EXPECT_NE(NULL, strstr(resp, "\nforkscope_forks_total{kind=\"process\"} "));
	free(resp);
	kill(r.pid, SIGTERM);
	EXPECT_EQ(0, finish(&r));
	release(&r);
}

/* The alert rules parse, and fire when (and only when) their tests say. */
TEST(alert_rules)
{
	NEEDS("promtool");
	EXPECT_EQ(0, system("promtool check rules deploy/forkscope-rules.yml"));
	EXPECT_EQ(0, system("promtool test rules deploy/forkscope-rules.test.yml"));
}

TEST(negotiation)
{
	EXPECT_EQ(FS_PROM_TEXT, fs_prom_negotiate(NULL));
	EXPECT_EQ(FS_PROM_TEXT, fs_prom_negotiate("text/plain;version=0.0.4"));
	EXPECT_EQ(FS_PROM_OPENMETRICS, fs_prom_negotiate(
		"application/openmetrics-text;version=1.0.0;q=0.6,text/plain;q=0.4,*/*;q=0.1"));
	EXPECT_EQ(FS_PROM_OPENMETRICS, fs_prom_negotiate(
		"text/plain;q=0.5, Application/OpenMetrics-Text"));
	EXPECT_EQ(FS_PROM_TEXT, fs_prom_negotiate(
		"application/openmetrics-text;q=0.0,text/plain"));
	EXPECT_EQ(FS_PROM_TEXT, fs_prom_negotiate(
		"application/openmetrics-textual"));
}

TEST_HARNESS_MAIN
