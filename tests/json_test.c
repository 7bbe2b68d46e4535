// SPDX-License-Identifier: GPL-2.0-only
/*
 * The JSON writer alone: what it writes for every kind of value, strings
 * escaped per RFC 8259 with bad UTF-8 replaced, exact decimals, nesting as
 * deep as tree --json needs, and misuse stopped loudly. What it writes is
 * read back by json-c in strict mode, an independent parser.
 */
#include <errno.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "common.h"
#include "json.h"
#include "json_get.h"

/* A writer into memory: begin() then the calls, then end() for the text. */
struct mem {
	char *text;
	size_t len;
	FILE *f;
	struct fs_json j;
};

static struct fs_json *begin(struct mem *m)
{
	m->f = open_memstream(&m->text, &m->len);
	if (!m->f)
		abort();
	fs_json_begin(&m->j, m->f);
	return &m->j;
}

/* The line written, without its newline; the caller frees it. */
static char *end(struct mem *m)
{
	fs_json_end(&m->j);
	fclose(m->f);
	if (m->len && m->text[m->len - 1] == '\n')
		m->text[--m->len] = 0;
	else
		m->text[0] = 0;	/* no newline: fails the caller's check */
	return m->text;
}

/* s as one JSON string value. */
static char *string(const char *s)
{
	struct mem m;

	fs_json_str(begin(&m), NULL, s);
	return end(&m);
}

/* Parses text strictly, UTF-8 checked; NULL when json-c rejects it. */
static struct json_object *parse(const char *text)
{
	return json_parse_with(text, JSON_TOKENER_DEFAULT_DEPTH,
			       JSON_TOKENER_STRICT |
			       JSON_TOKENER_VALIDATE_UTF8);
}

TEST(every_kind_of_value_compact_in_order)
{
	struct mem m;
	struct fs_json *j = begin(&m);
	char *text;

	fs_json_object(j, NULL);
	fs_json_str(j, "event", "fork");
	fs_json_int(j, "neg", -42);
	fs_json_int(j, "min", INT64_MIN);
	fs_json_u64(j, "max", UINT64_MAX);
	fs_json_u64(j, "zero", 0);
	fs_json_bool(j, "t", true);
	fs_json_bool(j, "f", false);
	fs_json_null(j, "nothing");
	fs_json_str(j, "absent", NULL);
	fs_json_object(j, "empty_object");
	fs_json_close(j);
	fs_json_array(j, "list");
	fs_json_array(j, NULL);
	fs_json_close(j);
	fs_json_int(j, NULL, 1);
	fs_json_str(j, NULL, "two");
	fs_json_object(j, NULL);
	fs_json_int(j, "three", 3);
	fs_json_close(j);
	fs_json_close(j);
	fs_json_close(j);
	text = end(&m);
	EXPECT_STREQ("{\"event\":\"fork\",\"neg\":-42,"
		     "\"min\":-9223372036854775808,"
		     "\"max\":18446744073709551615,\"zero\":0,"
		     "\"t\":true,\"f\":false,\"nothing\":null,\"absent\":null,"
		     "\"empty_object\":{},"
		     "\"list\":[[],1,\"two\",{\"three\":3}]}", text);
	free(text);
}

/* Every digit count, both sides of each power of ten, as printf says. */
TEST(integers_are_written_as_printf_writes_them)
{
	uint64_t p = 1;

	for (int k = 0; k <= 20; k++) {
		uint64_t vs[] = { p - 1, p, p + 1, p * 7 / 3 };

		for (size_t i = 0; i < ARRAY_SIZE(vs); i++) {
			char want[48], *text;
			struct mem m;

			fs_json_u64(begin(&m), NULL, vs[i]);
			text = end(&m);
			snprintf(want, sizeof(want), "%llu",
				 (unsigned long long)vs[i]);
			EXPECT_STREQ(want, text);
			free(text);

			fs_json_int(begin(&m), NULL, -(int64_t)(vs[i] >> 1));
			text = end(&m);
			snprintf(want, sizeof(want), "%lld",
				 -(long long)(vs[i] >> 1));
			EXPECT_STREQ(want, text);
			free(text);
		}
		if (k < 19)
			p *= 10;
		else
			p = UINT64_MAX;	/* and around the largest */
	}
}

TEST(a_line_holds_any_one_value)
{
	struct mem m;
	char *text;

	fs_json_u64(begin(&m), NULL, 7);
	text = end(&m);
	EXPECT_STREQ("7", text);
	free(text);
}

TEST(the_writer_is_used_again_after_end)
{
	struct mem m;
	struct fs_json *j = begin(&m);

	for (int i = 0; i < 3; i++) {
		fs_json_object(j, NULL);
		fs_json_int(j, "i", i);
		fs_json_close(j);
		fs_json_end(j);
	}
	fclose(m.f);
	EXPECT_STREQ("{\"i\":0}\n{\"i\":1}\n{\"i\":2}\n", m.text);
	free(m.text);
}

TEST(control_bytes_quotes_and_backslashes_are_escaped)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "plain", "\"plain\"" },
		{ "", "\"\"" },
		{ "say \"hi\"", "\"say \\\"hi\\\"\"" },
		{ "C:\\dir", "\"C:\\\\dir\"" },
		{ "\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"" },
		{ "\x01\x1b[31m\x1f", "\"\\u0001\\u001b[31m\\u001f\"" },
		/* '/' and DEL need no escape: written as they are */
		{ "/usr/bin\x7f", "\"/usr/bin\x7f\"" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *text = string(cases[i].in);

		EXPECT_STREQ(cases[i].out, text);
		free(text);
	}
	/* Every control byte, read back by json-c as the same byte. */
	for (int c = 1; c < 0x20; c++) {
		char in[2] = { c, 0 }, *text = string(in);
		struct json_object *o = parse(text);

		ASSERT_NE(NULL, o) TH_LOG("byte %#x: %s", c, text);
		EXPECT_STREQ(in, json_object_get_string(o));
		json_object_put(o);
		free(text);
	}
}

TEST(keys_are_escaped_like_values)
{
	struct mem m;
	struct fs_json *j = begin(&m);
	char *text;

	/* stat's execs_by_binary is keyed by traced file names. */
	fs_json_object(j, NULL);
	fs_json_u64(j, "/tmp/a\"b\n", 1);
	fs_json_close(j);
	text = end(&m);
	EXPECT_STREQ("{\"/tmp/a\\\"b\\n\":1}", text);
	free(text);
}

TEST(well_formed_utf8_is_kept)
{
	static const char *const ok[] = {
		"caf\xc3\xa9",			/* U+00E9 */
		"\xe2\x82\xac",			/* U+20AC */
		"\xef\xbf\xbd",			/* U+FFFD itself */
		"\xf0\x9f\x98\x80",		/* U+1F600 */
		"\xf4\x8f\xbf\xbf",		/* U+10FFFF, the last */
		"\xed\x9f\xbf",			/* U+D7FF, before the surrogates */
		"\xc2\x80",			/* U+0080, the first two-byte */
	};

	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		char want[16], *text = string(ok[i]);

		snprintf(want, sizeof(want), "\"%s\"", ok[i]);
		EXPECT_STREQ(want, text);
		free(text);
	}
}

/*
 * Bytes that are not well-formed UTF-8 (comm and argv are whatever the
 * traced program set) become U+FFFD, one per maximal subpart: what
 * Python's bytes.decode("utf-8", "replace") gives.
 */
TEST(bad_utf8_becomes_one_replacement_per_maximal_subpart)
{
#define R "\xef\xbf\xbd"
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "\x80", R },				/* lone continuation */
		{ "a\xbf" "b", "a" R "b" },
		{ "\xc0\xaf", R R },			/* overlong '/' */
		{ "\xc1\xbf", R R },			/* overlong */
		{ "\xe0\x80\xaf", R R R },		/* overlong, 3 bytes */
		{ "\xf0\x80\x80\xaf", R R R R },	/* overlong, 4 bytes */
		{ "\xed\xa0\x80", R R R },		/* surrogate U+D800 */
		{ "\xf4\x90\x80\x80", R R R R },	/* past U+10FFFF */
		{ "\xf5\x80", R R },
		{ "\xff\xfe", R R },
		{ "\xe2\x82", R },			/* cut short at the end */
		{ "\xe2\x82z", R "z" },			/* cut short by ASCII */
		{ "\xf0\x9f\x98", R },
		{ "\xf0\x9f\x98\"", R "\\\"" },
		{ "\xe2\xe2\x82\xac", R "\xe2\x82\xac" },
		/* a comm the kernel cut at 15 bytes, inside a character */
		{ "abcdefghijklm\xc3", "abcdefghijklm" R },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char want[64], *text = string(cases[i].in);

		snprintf(want, sizeof(want), "\"%s\"", cases[i].out);
		EXPECT_STREQ(want, text) TH_LOG("case %zu", i);
		free(text);
	}
#undef R
}

/* Random bytes: always valid JSON and UTF-8, and stable when rewritten. */
TEST(any_bytes_make_a_string_json_c_reads_back)
{
	unsigned int seed = 12;

	for (int i = 0; i < 2000; i++) {
		char in[64], *text, *again;
		struct json_object *o;
		size_t n = rand_r(&seed) % (sizeof(in) - 1);

		for (size_t k = 0; k < n; k++)
			in[k] = 1 + rand_r(&seed) % 255;
		in[n] = 0;
		text = string(in);
		o = parse(text);
		ASSERT_NE(NULL, o) TH_LOG("not read back: %s", text);
		again = string(json_object_get_string(o));
		EXPECT_STREQ(text, again);
		json_object_put(o);
		free(text);
		free(again);
	}
}

/* Strings longer than the writer's buffer stream through it whole. */
TEST(long_strings_are_written_whole)
{
	static const char unit[] = "ab\n\x01\xe2\x82\xac\"";	/* 8 bytes */
	size_t n = 3 * sizeof(((struct fs_json *)0)->buf) / 8 * 8 + 8;
	char *in = malloc(n + 1), *text;
	struct json_object *o;

	ASSERT_NE(NULL, in);
	for (size_t k = 0; k < n; k++)
		in[k] = unit[k % 8];
	in[n] = 0;
	text = string(in);
	/* 2 + 2 + 6 + 3 + 2 bytes per unit, and the quotes */
	EXPECT_EQ(n / 8 * 15 + 2, strlen(text));
	o = parse(text);
	ASSERT_NE(NULL, o);
	EXPECT_STREQ(in, json_object_get_string(o));
	json_object_put(o);
	free(text);
	free(in);
}

/*
 * A line to a full device, of every size from under to over two buffers:
 * the check names the device's error whatever stdio kept of the bytes.
 */
TEST(a_failed_write_is_told_with_its_reason)
{
	static char big[12 * 1024];

	memset(big, 'x', sizeof(big) - 1);
	for (size_t n = 3000; n < 10000; n += 7) {
		FILE *f = fopen("/dev/full", "we");
		struct fs_json j;

		ASSERT_NE(NULL, f);
		big[n] = 0;
		fs_json_begin(&j, f);
		fs_json_object(&j, NULL);
		fs_json_str(&j, "a", big);
		fs_json_str(&j, "b", big + n / 2);
		fs_json_close(&j);
		fs_json_end(&j);
		big[n] = 'x';
		EXPECT_EQ(-ENOSPC, fs_output_check(f, "/dev/full")) {
			TH_LOG("%zu bytes: %s", n, fs_last_error());
		}
		fclose(f);
		if (_metadata->exit_code)
			break;
	}
}

TEST(fixed_decimals_are_exact)
{
	static const struct {
		int64_t v;
		unsigned int decimals;
		const char *out;
	} cases[] = {
		{ 50249063, 9, "0.050249063" },
		{ 5, 9, "0.000000005" },
		{ 3000000000, 9, "3.000000000" },
		{ -1500, 3, "-1.500" },
		{ 12345, 3, "12.345" },
		{ 0, 3, "0.000" },
		{ -5, 3, "-0.005" },
		{ -12345, 3, "-12.345" },
		{ 1234, 0, "1234" },
		{ -1234, 0, "-1234" },
		{ INT64_MAX, 9, "9223372036.854775807" },
		{ INT64_MIN, 9, "-9223372036.854775808" },
		{ 7, 18, "0.000000000000000007" },
		{ 7, 40, "0.000000000000000007" },	/* 18 at most */
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct mem m;
		char *text;

		fs_json_fixed(begin(&m), NULL, cases[i].v, cases[i].decimals);
		text = end(&m);
		EXPECT_STREQ(cases[i].out, text);
		free(text);
	}
}

TEST(status_objects_say_how_a_process_ended)
{
	static const struct {
		uint32_t status;
		const char *out;
	} cases[] = {
		{ 3 << 8, "{\"raw\":768,\"text\":\"exit 3\",\"kind\":\"exited\",\"code\":3}" },
		{ SIGSEGV | 0x80, "{\"raw\":139,\"text\":\"killed by SIGSEGV (core dumped)\","
		  "\"kind\":\"killed\",\"signo\":11,\"signal\":\"SIGSEGV\",\"core_dumped\":true}" },
		{ SIGKILL, "{\"raw\":9,\"text\":\"killed by SIGKILL\",\"kind\":\"killed\","
		  "\"signo\":9,\"signal\":\"SIGKILL\",\"core_dumped\":false}" },
		{ SIGSTOP << 8 | 0x7f, "{\"raw\":4991,\"text\":\"stopped by SIGSTOP\","
		  "\"kind\":\"stopped\",\"signo\":19}" },
		{ 0xffff, "{\"raw\":65535,\"text\":\"continued\",\"kind\":\"continued\"}" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct mem m;
		char *text;

		fs_json_status(begin(&m), NULL, cases[i].status);
		text = end(&m);
		EXPECT_STREQ(cases[i].out, text);
		free(text);
	}
}

/* tree --json nests two levels per process level. */
TEST(nesting_as_deep_as_the_limit)
{
	struct mem m;
	struct fs_json *j = begin(&m);
	char *text;

	for (int d = 0; d < FS_JSON_MAX_DEPTH; d++) {
		if (d % 2)
			fs_json_array(j, "children");
		else
			fs_json_object(j, NULL);
	}
	for (int d = 0; d < FS_JSON_MAX_DEPTH; d++)
		fs_json_close(j);
	text = end(&m);
	ASSERT_EQ(FS_JSON_MAX_DEPTH / 2 * strlen("{\"children\":[]}"),
		  strlen(text));
	EXPECT_EQ(0, strncmp(text, "{\"children\":[{\"children\":[{", 27));
	EXPECT_EQ(0, strcmp(text + strlen(text) - 6, "]}]}]}"));
	free(text);
}

/*
 * Misuse is a bug in forkscope: the writer stops it with a line on
 * stderr and SIGABRT rather than write JSON nobody can parse. (Each case
 * runs in a child of its own: the harness takes SIGABRT for a failed
 * assertion.)
 */
static void value_without_key(struct fs_json *j)
{
	fs_json_object(j, NULL);
	fs_json_int(j, NULL, 1);
}

static void key_inside_array(struct fs_json *j)
{
	fs_json_array(j, NULL);
	fs_json_int(j, "k", 1);
}

static void key_outside_object(struct fs_json *j)
{
	fs_json_object(j, "k");
}

static void two_values(struct fs_json *j)
{
	fs_json_object(j, NULL);
	fs_json_close(j);
	fs_json_object(j, NULL);
}

static void close_nothing(struct fs_json *j)
{
	fs_json_object(j, NULL);
	fs_json_close(j);
	fs_json_close(j);
}

static void end_inside(struct fs_json *j)
{
	fs_json_object(j, NULL);
	fs_json_array(j, "a");
	fs_json_close(j);
	fs_json_end(j);
}

static void empty_line(struct fs_json *j)
{
	fs_json_end(j);
}

static void too_deep(struct fs_json *j)
{
	for (int d = 0; d <= FS_JSON_MAX_DEPTH; d++)
		fs_json_array(j, NULL);
}

TEST(misuse_is_stopped_loudly)
{
	static const struct {
		void (*fn)(struct fs_json *j);
		const char *says;
	} cases[] = {
		{ value_without_key, "a value without a key" },
		{ key_inside_array, "a key inside an array" },
		{ key_outside_object, "a key outside any object" },
		{ two_values, "a second value on one line" },
		{ close_nothing, "a close with nothing open" },
		{ end_inside, "a line ended inside an object or array" },
		{ empty_line, "an empty line" },
		{ too_deep, "nested too deep" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char said[256] = "", want[256];
		int fds[2], status;
		ssize_t n;
		pid_t pid;

		ASSERT_EQ(0, pipe(fds));
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid) {
			static struct fs_json j;	/* not on a small stack */
			struct rlimit none = { 0, 0 };

			setrlimit(RLIMIT_CORE, &none);	/* no core file */
			dup2(fds[1], STDERR_FILENO);
			fs_json_begin(&j, fopen("/dev/null", "w"));
			cases[i].fn(&j);
			_exit(0);
		}
		close(fds[1]);
		n = read(fds[0], said, sizeof(said) - 1);
		said[n > 0 ? n : 0] = 0;
		close(fds[0]);
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT)
			TH_LOG("%s: status %#x", cases[i].says, status);
		snprintf(want, sizeof(want), "forkscope: bug: JSON writer: %s\n",
			 cases[i].says);
		EXPECT_STREQ(want, said);
	}
}

TEST_HARNESS_MAIN
