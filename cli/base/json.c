// SPDX-License-Identifier: GPL-2.0-only
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "common.h"
#include "json.h"
#include "status.h"

static void __attribute__((noreturn, cold)) misuse(const char *what)
{
	fprintf(stderr, "forkscope: bug: JSON writer: %s\n", what);
	abort();
}

/* stdio forgets why a write failed once it has dropped the bytes. */
static void write_out(struct fs_json *j, const void *s, size_t n)
{
	if (fwrite_unlocked(s, 1, n, j->f) != n)
		fs_output_failed(j->f);
}

static void flush(struct fs_json *j)
{
	write_out(j, j->buf, j->len);
	j->len = 0;
}

/* Where the next n bytes go, n at most sizeof(buf). */
static inline char *room(struct fs_json *j, size_t n)
{
	if (j->len + n > sizeof(j->buf))
		flush(j);
	return j->buf + j->len;
}

static inline void put_char(struct fs_json *j, char c)
{
	*room(j, 1) = c;
	j->len++;
}

static void put_mem(struct fs_json *j, const void *s, size_t n)
{
	if (n > sizeof(j->buf) - j->len) {
		flush(j);
		if (n > sizeof(j->buf)) {
			write_out(j, s, n);
			return;
		}
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
}

/*
 * What a string's byte needs: 0 nothing, 1 an escape (or it is the end),
 * 2 a look at the UTF-8 sequence it starts.
 */
static const uint8_t byte_class[256] = {
	[0 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1, [0x80 ... 0xff] = 2,
};

/*
 * The UTF-8 sequence starting at s: its length when it is well-formed
 * (Unicode table 3-7), else minus the length of its maximal subpart (at
 * least 1 byte), which becomes one U+FFFD: Unicode's recommended practice,
 * and what Python's decode(errors="replace") and browsers do.
 */
static int utf8_seq(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xbf;
	int n;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return -1;	/* a continuation byte, overlong C0/C1, F5.. */
	if (s[0] == 0xe0)
		lo = 0xa0;	/* overlong */
	else if (s[0] == 0xed)
		hi = 0x9f;	/* a UTF-16 surrogate */
	else if (s[0] == 0xf0)
		lo = 0x90;	/* overlong */
	else if (s[0] == 0xf4)
		hi = 0x8f;	/* past U+10FFFF */
	if (s[1] < lo || s[1] > hi)
		return -1;
	for (int i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return -i;	/* the NUL ends it too */
	return n;
}

/* Writes the escape for c (a control byte, '"' or '\'); returns the end. */
static char *put_escape(char *p, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	static const char short_esc[0x20] = {
		['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r',
		['\t'] = 't',
	};

	*p++ = '\\';
	if (c == '"' || c == '\\') {
		*p++ = c;
	} else if (short_esc[c]) {
		*p++ = short_esc[c];
	} else {
		memcpy(p, "u00", 3);
		p[3] = hex[c >> 4];
		p[4] = hex[c & 15];
		p += 5;
	}
	return p;
}

/* What one byte of a string can grow to, with the closing quote. */
#define STR_SLACK	8

/*
 * Fills buf directly, checking room once per byte, rather than a memcpy
 * call per run of plain bytes: most strings here are keys of a few bytes.
 */
static void put_string(struct fs_json *j, const char *str)
{
	const unsigned char *s = (const void *)str;
	char *p = room(j, STR_SLACK), *end = j->buf + sizeof(j->buf) - STR_SLACK;

	*p++ = '"';
	for (;;) {
		unsigned char c = *s;
		int n;

		if (p > end) {
			j->len = p - j->buf;
			flush(j);
			p = j->buf;
		}
		if (!byte_class[c]) {
			*p++ = c;
			s++;
		} else if (!c) {
			break;
		} else if (byte_class[c] == 1) {
			p = put_escape(p, c);
			s++;
		} else if ((n = utf8_seq(s)) > 0) {
			while (n--)
				*p++ = *s++;
		} else {
			memcpy(p, "\xef\xbf\xbd", 3);	/* U+FFFD */
			p += 3;
			s += -n;
		}
	}
	*p++ = '"';
	j->len = p - j->buf;
}

static bool in_array(const struct fs_json *j)
{
	unsigned int d = j->depth - 1;

	return j->array[d / 8] & (1U << (d % 8));
}

/* Starts a value: the comma before it and its key, checked. */
static void member(struct fs_json *j, const char *key)
{
	if (!j->depth) {
		if (key)
			misuse("a key outside any object");
		if (j->done)
			misuse("a second value on one line");
		j->done = true;
		return;
	}
	if (in_array(j) ? key != NULL : key == NULL)
		misuse(key ? "a key inside an array" : "a value without a key");
	if (j->comma)
		put_char(j, ',');
	j->comma = true;
	if (key) {
		put_string(j, key);
		put_char(j, ':');
	}
}

static void push(struct fs_json *j, const char *key, bool array)
{
	unsigned int d = j->depth;

	member(j, key);
	if (d >= FS_JSON_MAX_DEPTH)
		misuse("nested too deep");
	if (array)
		j->array[d / 8] |= 1U << (d % 8);
	else
		j->array[d / 8] &= ~(1U << (d % 8));
	j->depth++;
	j->comma = false;
	put_char(j, array ? '[' : '{');
}

void fs_json_object(struct fs_json *j, const char *key)
{
	push(j, key, false);
}

void fs_json_array(struct fs_json *j, const char *key)
{
	push(j, key, true);
}

void fs_json_close(struct fs_json *j)
{
	if (!j->depth)
		misuse("a close with nothing open");
	put_char(j, in_array(j) ? ']' : '}');
	j->depth--;
	j->comma = true;	/* what was closed is its container's member */
}

void fs_json_begin(struct fs_json *j, FILE *f)
{
	j->f = f;
	j->len = 0;
	j->depth = 0;
	j->comma = false;
	j->done = false;
}

void fs_json_end(struct fs_json *j)
{
	if (j->depth)
		misuse("a line ended inside an object or array");
	if (!j->done)
		misuse("an empty line");
	put_char(j, '\n');
	flush(j);
	j->done = false;
}

void fs_json_str(struct fs_json *j, const char *key, const char *v)
{
	member(j, key);
	if (v)
		put_string(j, v);
	else
		put_mem(j, "null", 4);
}

void fs_json_null(struct fs_json *j, const char *key)
{
	member(j, key);
	put_mem(j, "null", 4);
}

void fs_json_bool(struct fs_json *j, const char *key, bool v)
{
	member(j, key);
	if (v)
		put_mem(j, "true", 4);
	else
		put_mem(j, "false", 5);
}

/*
 * Decimal digits of v, at least min_digits of them, ending at end; returns
 * where they start. Four at a time: a 19-digit time_ns is in every record,
 * and each division waits for the one before it.
 */
static char *digits(char *end, uint64_t v, unsigned int min_digits)
{
	static const char pairs[] =
		"00010203040506070809101112131415161718192021222324"
		"25262728293031323334353637383940414243444546474849"
		"50515253545556575859606162636465666768697071727374"
		"75767778798081828384858687888990919293949596979899";
	char *last = end;

	for (; v >= 10000; v /= 10000) {
		unsigned int four = v % 10000;

		end -= 4;
		memcpy(end, pairs + four / 100 * 2, 2);
		memcpy(end + 2, pairs + four % 100 * 2, 2);
	}
	if (v >= 100) {
		end -= 2;
		memcpy(end, pairs + v % 100 * 2, 2);
		v /= 100;
	}
	if (v >= 10) {
		end -= 2;
		memcpy(end, pairs + v * 2, 2);
	} else {
		*--end = '0' + v;
	}
	while ((unsigned int)(last - end) < min_digits)
		*--end = '0';
	return end;
}

void fs_json_u64(struct fs_json *j, const char *key, uint64_t v)
{
	char buf[24], *end = buf + sizeof(buf), *p = digits(end, v, 1);

	member(j, key);
	put_mem(j, p, end - p);
}

void fs_json_int(struct fs_json *j, const char *key, int64_t v)
{
	char buf[24], *end = buf + sizeof(buf), *p;

	p = digits(end, v < 0 ? -(uint64_t)v : (uint64_t)v, 1);
	if (v < 0)
		*--p = '-';
	member(j, key);
	put_mem(j, p, end - p);
}

void fs_json_fixed(struct fs_json *j, const char *key, int64_t v,
		   unsigned int decimals)
{
	uint64_t scale = 1, mag = v < 0 ? -(uint64_t)v : (uint64_t)v;
	char buf[48], *end = buf + sizeof(buf), *p = end;

	if (decimals > 18)	/* 10^19 overflows */
		decimals = 18;
	for (unsigned int i = 0; i < decimals; i++)
		scale *= 10;
	if (decimals) {
		p = digits(end, mag % scale, decimals);
		*--p = '.';
	}
	p = digits(p, mag / scale, 1);
	if (v < 0)
		*--p = '-';
	member(j, key);
	put_mem(j, p, end - p);
}

void fs_json_status(struct fs_json *j, const char *key, uint32_t st)
{
	char buf[64];

	fs_json_object(j, key);
	fs_json_int(j, "raw", st);
	fs_json_str(j, "text", fs_status_str(buf, sizeof(buf), st));
	if (WIFEXITED(st)) {
		fs_json_str(j, "kind", "exited");
		fs_json_int(j, "code", WEXITSTATUS(st));
	} else if (WIFSIGNALED(st)) {
		fs_json_str(j, "kind", "killed");
		fs_json_int(j, "signo", WTERMSIG(st));
		fs_json_str(j, "signal",
			    fs_signal_name(buf, sizeof(buf), WTERMSIG(st)));
		fs_json_bool(j, "core_dumped", WCOREDUMP(st));
	} else if (WIFSTOPPED(st)) {
		fs_json_str(j, "kind", "stopped");
		fs_json_int(j, "signo", WSTOPSIG(st));
	} else if (WIFCONTINUED(st)) {
		fs_json_str(j, "kind", "continued");
	}
	fs_json_close(j);
}

