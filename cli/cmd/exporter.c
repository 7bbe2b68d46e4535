// SPDX-License-Identifier: GPL-2.0-only
/*
 * forkscope exporter: /metrics for Prometheus (docs/exporter.md). One
 * thread: libmicrohttpd is run from the loop that polls the session, so
 * a scrape reads the model with nothing else touching it.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <microhttpd.h>

#include "cmdline.h"
#include "commands.h"
#include "common.h"
#include "metrics.h"
#include "prom_view.h"
#include "session.h"

#define DEFAULT_LISTEN	"127.0.0.1:10090"
#define MAX_CONNECTIONS	16
#define MAX_PER_IP	8
#define CONN_TIMEOUT_S	10
#define CONN_MEMORY	(32U << 10)	/* a request's headers and state */
#define POLL_MS		100

/*
 * Streamed: processes' last exits (when each zombie was made) and failed
 * forks (which limit refused them). Everything else is counted in the
 * kernel or read by a census (docs/exporter.md).
 */
#define STREAMED	(1U << FS_REC_EXIT | 1U << FS_REC_FORK_FAIL)
/*
 * A census (the tasks, the pids cgroups) at a scrape, unless one ran
 * less than CENSUS_MIN_NS ago; between scrapes, at least every
 * CENSUS_MAX_NS, or sooner once the exits of processes it has not seen
 * grow the table past twice the census's (memory stays bounded when
 * nobody scrapes).
 */
#define CENSUS_MIN_NS	(1ULL * NSEC_PER_SEC)
#define CENSUS_MAX_NS	(15ULL * NSEC_PER_SEC)
#define CENSUS_SLACK	4096

struct exporter_opts {
	struct fs_cmd_opts c;	/* -v */
	const char *listen;
	long top;
	bool cow;
};

struct exporter {
	const struct exporter_opts *o;
	struct fs_session *s;
	struct fs_prom_info info;
	struct utsname uts;
	struct fs_metrics m;
	struct fs_pids_budget budget;
	void *scratch;
	size_t scratch_n;
	uint64_t scrapes, errors;
	uint64_t census_at_ns;	/* when the last census ran */
	uint32_t census_tasks;	/* the table's size after it */
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: forkscope exporter [OPTIONS]\n"
"Serve /metrics for Prometheus: forks, execs, exits and failures counted\n"
"in the kernel; zombies by container and parent command and the PID\n"
"budgets, read from the kernel at each scrape. Runs until stopped. See\n"
"docs/exporter.md for the metrics.\n"
"\n"
"  -l, --listen ADDR:PORT  where to listen (default " DEFAULT_LISTEN ");\n"
"                          another address, such as 0.0.0.0:10090 or\n"
"                          [::]:10090, exposes the metrics beyond the host\n"
"  -n, --top N             zombie series for at most N parents, PID budget\n"
"                          series for at most N pids cgroups (default 20,\n"
"                          at most 1000); the rest are summed\n"
"      --cow               count copy-on-write faults too (each such fault\n"
"                          then costs ~250 ns: see docs/exporter.md)\n"
"  -v, --verbose           show libbpf and verifier messages\n"
"  -h, --help              this help\n"
"\n"
"EXAMPLES\n"
"  forkscope exporter                       # metrics for a local Prometheus\n"
"  forkscope exporter -l 0.0.0.0:10090      # scraped from other hosts too\n"
"  forkscope exporter -n 5 --cow            # fewer series; COW faults too\n"
"  curl -s localhost:10090/metrics | grep zombies   # what a scrape sees\n");
}

#define OPT(field)	offsetof(struct exporter_opts, field)

static const struct fs_cmd_spec spec = {
	.name = "exporter",
	.usage = usage,
	.opts = (const struct fs_opt[]){
		{ .name = "listen", .letter = 'l', .kind = FS_OPT_STRING,
		  .off = OPT(listen), .min = 1, .max = 300,
		  .wants = "--listen wants ADDR:PORT" },
		{ .name = "top", .letter = 'n', .kind = FS_OPT_LONG,
		  .off = OPT(top), .min = 1, .max = FS_METRICS_TOP_MAX,
		  .wants = "--top wants a whole number from 1 to 1000" },
		{ .name = "cow", .kind = FS_OPT_FLAG, .off = OPT(cow) },
		{}
	},
};

/* "1.2.3.4:80", "[::1]:80", "localhost:80" -> *ai; one line when not. */
static int parse_listen(const char *arg, struct addrinfo **ai)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	char host[256];
	const char *colon = strrchr(arg, ':');
	size_t n;
	int err;

	if (!colon || !colon[1] || strspn(colon + 1, "0123456789") !=
				   strlen(colon + 1))
		return fs_fail(FS_EXIT_USAGE, "--listen wants ADDR:PORT, not '%s'",
			       arg);
	n = colon - arg;
	if (n >= 2 && arg[0] == '[' && arg[n - 1] == ']')
		arg++, n -= 2;
	if (!n || n >= sizeof(host))
		return fs_fail(FS_EXIT_USAGE, "--listen wants ADDR:PORT, not '%s'",
			       arg);
	memcpy(host, arg, n);
	host[n] = 0;
	err = getaddrinfo(host, colon + 1, &hints, ai);
	if (err)
		return fs_fail(FS_EXIT_USAGE, "--listen %s: %s", host,
			       gai_strerror(err));
	return 0;
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int code,
			     const char *type, char *body, size_t len,
			     enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(len, body, mode);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (code == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(conn, code, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result text(struct MHD_Connection *conn, unsigned int code,
			    const char *msg)
{
	return reply(conn, code, "text/plain; charset=utf-8", (char *)msg,
		     strlen(msg), MHD_RESPMEM_PERSISTENT);
}

static void on_event(void *ctx, const struct fs_session *s,
		     const struct fs_hdr *rec, const struct fs_note *note)
{
	struct exporter *x = ctx;

	fs_metrics_event(&x->m, rec);
}

/*
 * The tasks as the kernel has them now (a snapshot: the zombies, their
 * parents and containers) and a PID budget reading, into the model.
 */
static int census(struct exporter *x)
{
	const struct fs_model *m = fs_session_model(x->s);
	uint64_t t0 = fs_boot_ns();
	int err = fs_session_refresh(x->s);

	if (err >= 0)
		err = fs_session_pids_sample(x->s);
	if (err >= 0 && x->o->cow)
		err = fs_session_cow_sample(x->s);
	if (err < 0)
		return err;
	fs_pids_budget_free(&x->budget);
	memset(&x->budget, 0, sizeof(x->budget));
	err = fs_pids_budget_sample_recorded(&x->budget, m, &m->pids.last);
	if (err)
		return err;
	x->census_at_ns = fs_boot_ns();
	x->census_tasks = m->tab.count;
	x->m.census_ns = x->census_at_ns - t0;
	x->m.censuses++;
	return 0;
}

static bool census_due(const struct exporter *x, uint64_t after_ns)
{
	uint64_t now = fs_boot_ns();

	return now - x->census_at_ns >= after_ns ||
	       fs_session_model(x->s)->tab.count >
	       2 * x->census_tasks + CENSUS_SLACK;
}

/* The snapshot of now: the model's zombies, the counters, the losses. */
static int take(struct exporter *x)
{
	const struct fs_stream_stats *st;
	int err;

	fs_session_poll(x->s, 0);	/* what arrived since the last wake */
	if (census_due(x, CENSUS_MIN_NS)) {
		err = census(x);
		if (err)
			return err;
	}
	fs_metrics_take_pids(&x->m, &x->budget, x->o->top);
	if (x->o->cow)
		fs_metrics_take_cow(&x->m, fs_session_model(x->s));
	x->m.have_counters = !fs_session_counters(x->s, x->m.counters);
	st = fs_session_stats(x->s);
	x->m.lost_ringbuf = 0;
	for (int t = 0; t < FS_REC_TYPE_MAX; t++)
		x->m.lost_ringbuf += st->ringbuf_lost[t];
	x->m.lost_recursion = st->recursion_lost;
	x->m.lost_cow = st->cow_lost;
	x->m.malformed = st->malformed;
	return fs_metrics_take_zombies(&x->m, fs_session_model(x->s),
				       fs_session_now(x->s), x->o->top,
				       &x->scratch, &x->scratch_n);
}

static enum MHD_Result metrics(struct exporter *x,
			       struct MHD_Connection *conn)
{
	const char *accept = MHD_lookup_connection_value(conn,
			MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
	enum fs_prom_format fmt = fs_prom_negotiate(accept);
	char *body = NULL;
	size_t len = 0;
	FILE *f;

	if (take(x)) {
		x->errors++;
		(void)fs_fail(0, "scrape: %s", fs_last_error());
		return text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
			    "cannot read the kernel's tasks; see the exporter's log\n");
	}
	if (!(f = open_memstream(&body, &len))) {
		x->errors++;
		return text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
			    "out of memory\n");
	}
	if (fs_prom_write(f, &x->m, &x->info, fmt)) {
		fclose(f);
		free(body);
		x->errors++;
		return text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
			    "cannot render the metrics\n");
	}
	fclose(f);
	x->scrapes++;
	return reply(conn, MHD_HTTP_OK, fs_prom_content_type(fmt), body, len,
		     MHD_RESPMEM_MUST_FREE);
}

static const char index_html[] =
	"<html><head><title>forkscope exporter</title></head><body>\n"
	"<h1>forkscope exporter</h1>\n"
	"<p><a href=\"/metrics\">Metrics</a></p>\n"
	"</body></html>\n";

/*
 * Answers at the first call for a request: a GET has no body, and one
 * that sends one is refused rather than read.
 */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_len, void **state)
{
	struct exporter *x = cls;

	if (strcmp(method, MHD_HTTP_METHOD_GET) &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD))
		return text(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
			    "only GET and HEAD\n");
	if (*upload_len)
		return text(conn, MHD_HTTP_CONTENT_TOO_LARGE, "no body here\n");
	if (!strcmp(url, "/metrics"))
		return metrics(x, conn);
	if (!strcmp(url, "/"))
		return reply(conn, MHD_HTTP_OK, "text/html; charset=utf-8",
			     (char *)index_html, sizeof(index_html) - 1,
			     MHD_RESPMEM_PERSISTENT);
	return text(conn, MHD_HTTP_NOT_FOUND, "not found: try /metrics\n");
}

static struct MHD_Daemon *start(struct exporter *x, const struct addrinfo *ai)
{
	unsigned int flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;

	if (ai->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	return MHD_start_daemon(flags, 0, NULL, NULL, on_request, x,
		MHD_OPTION_SOCK_ADDR, ai->ai_addr,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)MAX_CONNECTIONS,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)MAX_PER_IP,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)CONN_TIMEOUT_S,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
		MHD_OPTION_END);
}

/* The port bound (--listen ADDR:0 lets the kernel pick one). */
static void announce(const struct exporter *x, struct MHD_Daemon *d)
{
	const union MHD_DaemonInfo *di =
		MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);

	fprintf(stderr, "forkscope exporter: serving /metrics on %s, port %u (%s)\n",
		x->o->listen, di ? di->port : 0, fs_session_describe(x->s));
}

/* Until stopped: the HTTP side and the session, in turn. */
static int serve(struct exporter *x, struct MHD_Daemon *d)
{
	const union MHD_DaemonInfo *di =
		MHD_get_daemon_info(d, MHD_DAEMON_INFO_EPOLL_FD);
	struct pollfd p = { .fd = di ? di->epoll_fd : -1, .events = POLLIN };
	int err;

	while (!fs_stop_requested()) {
		MHD_UNSIGNED_LONG_LONG to;
		int ms = POLL_MS;

		if (MHD_get_timeout(d, &to) == MHD_YES && to < (unsigned)ms)
			ms = to;
		if (poll(&p, 1, ms) < 0 && errno != EINTR)
			return fs_fail(FS_EXIT_FAIL, "poll: %s", strerror(errno));
		MHD_run(d);
		err = fs_session_poll(x->s, 0);
		if (err >= 0 && census_due(x, CENSUS_MAX_NS))
			err = census(x);
		if (err < 0 && err != -EINTR)
			return fs_fail(FS_EXIT_FAIL, "%s", fs_last_error());
	}
	return FS_EXIT_OK;
}

int cmd_exporter(int argc, char **argv, const struct fs_global_opts *g)
{
	struct exporter_opts o = { .listen = DEFAULT_LISTEN, .top = 20 };
	struct fs_session_opts so = {
		.source = { .counters = true, .no_stream = ~STREAMED,
			    .process_exits_only = true },
		.on_event = on_event,
	};
	struct exporter *x;
	struct addrinfo *ai;
	struct MHD_Daemon *d;
	int err;

	if (fs_cmd_parse(&spec, argc, argv, g, &o.c, &o) < 0)
		return FS_EXIT_USAGE;
	err = parse_listen(o.listen, &ai);
	if (err)
		return err;
	x = calloc(1, sizeof(*x));
	if (!x) {
		freeaddrinfo(ai);
		return fs_fail(FS_EXIT_FAIL, "out of memory");
	}
	x->o = &o;
	uname(&x->uts);
	x->info = (struct fs_prom_info){ FORKSCOPE_VERSION, FS_ABI_VERSION,
					 x->uts.release };
	so.ctx = x;
	so.source.cow = o.cow;
	err = fs_cmd_open_session(&x->s, &o.c, &so, FS_EXIT_FAIL);
	if (!err && fs_session_counters(x->s, x->m.counters))
		err = fs_fail(FS_EXIT_FAIL, "needs the BPF producer's in-kernel counters, which %s does not keep",
			      fs_session_describe(x->s));
	if (!err)
		err = census(x) ? fs_fail(FS_EXIT_FAIL, "%s", fs_last_error()) : 0;
	if (!err) {
		d = start(x, ai);
		if (!d) {
			err = fs_fail(FS_EXIT_FAIL, "cannot listen on %s: %s",
				      o.listen, strerror(errno));
		} else {
			announce(x, d);
			err = serve(x, d);
			MHD_stop_daemon(d);
		}
	}
	if (x->s)
		fs_session_close(x->s);
	freeaddrinfo(ai);
	fs_pids_budget_free(&x->budget);
	free(x->scratch);
	free(x);
	return err;
}
