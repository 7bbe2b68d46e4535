// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "common.h"
#include "decode.h"
#include "recfile.h"

/*
 * zstd's default: about 8 bytes a record on a fork storm, and at a few
 * hundred MB/s it costs far less than the storm it records.
 */
#define LEVEL		ZSTD_CLEVEL_DEFAULT
#define RAW_MAX		(256U << 10)	/* the writer's blocks */

struct fs_recw {
	int fd;
	int err;		/* sticky: the first failure */
	char *path;
	ZSTD_CCtx *cctx;
	char *raw;		/* records not yet written */
	size_t raw_len;
	uint32_t raw_records;
	uint64_t first_ns, last_ns;	/* of the buffered records */
	char *out;		/* a block header and its frame */
	size_t out_cap;
	uint32_t seq;
	uint64_t bytes;		/* written */
	uint64_t records;	/* written */
};

static int write_all(struct fs_recw *w, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(w->fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			w->err = -errno;
			return fs_error(errno, "cannot write %s after %llu bytes: %s",
					w->path, (unsigned long long)w->bytes,
					strerror(errno));
		}
		p += n;
		len -= n;
		w->bytes += n;
	}
	return 0;
}

/* One block, header and frame, in one write: a kill cuts it or not. */
static int write_block(struct fs_recw *w, uint32_t kind, const void *raw,
		       size_t raw_len, uint32_t records)
{
	struct fs_block_header *b = (void *)w->out;
	size_t n;

	if (w->err)
		return w->err;
	n = ZSTD_compress2(w->cctx, w->out + sizeof(*b),
			   w->out_cap - sizeof(*b), raw, raw_len);
	if (ZSTD_isError(n))
		return fs_error(EIO, "compressing a block of %s failed: %s",
				w->path, ZSTD_getErrorName(n));
	*b = (struct fs_block_header){
		.magic = FS_BLOCK_MAGIC,
		.kind = kind,
		.seq = w->seq++,
		.comp_len = n,
		.raw_len = raw_len,
		.records = records,
		.first_ns = records ? w->first_ns : 0,
		.last_ns = records ? w->last_ns : 0,
	};
	b->check = fs_block_check(b);
	return write_all(w, w->out, sizeof(*b) + n);
}

struct fs_recw *fs_recw_open(const char *path, const struct fs_file_meta *m)
{
	struct fs_file_header h = {
		.version = FS_FILE_VERSION,
		.abi = FS_ABI_VERSION,
		.header_size = sizeof(h),
		.block_raw_max = RAW_MAX,
	};
	struct fs_recw *w = calloc(1, sizeof(*w));

	memcpy(h.magic, FS_FILE_MAGIC, sizeof(h.magic));
	if (!w) {
		fs_error(ENOMEM, "out of memory for a recording");
		return NULL;
	}
	w->fd = -1;
	w->path = strdup(path);
	w->cctx = ZSTD_createCCtx();
	w->raw = malloc(RAW_MAX);
	w->out_cap = sizeof(struct fs_block_header) + ZSTD_compressBound(RAW_MAX);
	w->out = malloc(w->out_cap);
	if (!w->path || !w->cctx || !w->raw || !w->out) {
		fs_error(ENOMEM, "out of memory for a recording");
		goto fail;
	}
	ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel, LEVEL);
	ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_checksumFlag, 1);
	w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (w->fd < 0) {
		fs_error(errno, "cannot create %s: %s", path, strerror(errno));
		goto fail;
	}
	if (write_all(w, (const char *)&h, sizeof(h)) ||
	    write_block(w, FS_BLOCK_META, m, sizeof(*m), 0))
		goto fail;
	return w;
fail:
	fs_recw_abandon(w);
	return NULL;
}

int fs_recw_flush(struct fs_recw *w)
{
	int err;

	if (!w->raw_records)
		return w->err;
	err = write_block(w, FS_BLOCK_RECORDS, w->raw, w->raw_len,
			  w->raw_records);
	if (!err)
		w->records += w->raw_records;
	w->raw_len = 0;
	w->raw_records = 0;
	return err;
}

int fs_recw_add(struct fs_recw *w, const struct fs_hdr *rec)
{
	int err;

	if (w->raw_len + rec->size > RAW_MAX && (err = fs_recw_flush(w)))
		return err;
	if (w->err)
		return w->err;
	if (!w->raw_records || rec->ts_ns < w->first_ns)
		w->first_ns = rec->ts_ns;
	if (!w->raw_records || rec->ts_ns > w->last_ns)
		w->last_ns = rec->ts_ns;
	memcpy(w->raw + w->raw_len, rec, rec->size);
	w->raw_len += rec->size;
	w->raw_records++;
	return 0;
}

uint64_t fs_recw_bytes(const struct fs_recw *w)
{
	return w->bytes;
}

uint64_t fs_recw_buffered(const struct fs_recw *w)
{
	return w->raw_len;
}

uint64_t fs_recw_records(const struct fs_recw *w)
{
	return w->records + w->raw_records;
}

int fs_recw_close(struct fs_recw *w, struct fs_file_end *end,
		  uint64_t *bytes)
{
	int err = fs_recw_flush(w);

	end->records = w->records;
	end->blocks = w->seq;
	if (!err)
		err = write_block(w, FS_BLOCK_END, end, sizeof(*end), 0);
	*bytes = w->bytes;
	if (!err && fsync(w->fd) && errno != EINVAL)
		err = fs_error(errno, "cannot write %s: %s", w->path,
			       strerror(errno));
	if (close(w->fd) && !err)
		err = fs_error(errno, "cannot write %s: %s", w->path,
			       strerror(errno));
	w->fd = -1;
	fs_recw_abandon(w);
	return err;
}

void fs_recw_abandon(struct fs_recw *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	ZSTD_freeCCtx(w->cctx);
	free(w->raw);
	free(w->out);
	free(w->path);
	free(w);
}

struct fs_recr {
	FILE *f;
	char name[256];
	ZSTD_DCtx *dctx;
	struct fs_file_header fh;
	struct fs_file_meta meta;
	struct fs_file_end end;
	bool ended;
	int err;		/* sticky: cut or damaged */
	uint64_t pos;		/* file offset of the next block */
	uint32_t seq;		/* the next block's */
	struct fs_block_header bh;	/* the block being read */
	char *raw;
	size_t raw_len, off;
	uint32_t left;		/* records left in it */
	char *comp;
	uint64_t last_ns;
};

/* The file stopped: sticky, with where. */
static int cut(struct fs_recr *r, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int cut(struct fs_recr *r, int err, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	r->err = fs_error(err, "%s: %s", r->name, why);
	return r->err;
}

/* Reads len bytes; how many were there (short only at end of file). */
static size_t read_some(struct fs_recr *r, void *buf, size_t len)
{
	size_t n = fread(buf, 1, len, r->f);

	r->pos += n;
	return n;
}

static int check_block(struct fs_recr *r, const struct fs_block_header *b,
		       uint64_t at)
{
	uint32_t want_raw = b->kind == FS_BLOCK_META ? sizeof(r->meta) :
			    b->kind == FS_BLOCK_END ? sizeof(r->end) : 0;

	if (b->magic != FS_BLOCK_MAGIC || b->check != fs_block_check(b))
		return cut(r, EBADMSG, "damaged at byte %llu: no block header where block %u should start",
			   (unsigned long long)at, r->seq);
	if (b->seq != r->seq)
		return cut(r, EBADMSG, "damaged at byte %llu: block %u where block %u should be",
			   (unsigned long long)at, b->seq, r->seq);
	if ((b->kind == FS_BLOCK_META) != (b->seq == 0) ||
	    b->kind < FS_BLOCK_META || b->kind > FS_BLOCK_END)
		return cut(r, EBADMSG, "damaged at byte %llu: block %u is of kind %u",
			   (unsigned long long)at, b->seq, b->kind);
	if (b->raw_len > r->fh.block_raw_max ||
	    b->comp_len > ZSTD_compressBound(b->raw_len) ||
	    (want_raw && b->raw_len < want_raw) ||
	    (b->kind == FS_BLOCK_RECORDS &&
	     (!b->records || b->records > b->raw_len / sizeof(struct fs_hdr) ||
	      b->first_ns > b->last_ns)))
		return cut(r, EBADMSG, "damaged at byte %llu: block %u claims %u bytes in %u, %u records",
			   (unsigned long long)at, b->seq, b->raw_len,
			   b->comp_len, b->records);
	return 0;
}

/* Reads and unpacks the next block into r->raw. */
static int read_block(struct fs_recr *r)
{
	struct fs_block_header *b = &r->bh;
	uint64_t at = r->pos;
	size_t n, got;

	got = read_some(r, b, sizeof(*b));
	if (ferror(r->f))
		return cut(r, EIO, "read error at byte %llu: %s",
			   (unsigned long long)r->pos, strerror(errno));
	if (!got)
		return cut(r, EPIPE, "cut short after block %u (byte %llu), without its end: the recording was killed or its disk filled; read up to there",
			   r->seq ? r->seq - 1 : 0, (unsigned long long)at);
	if (got < sizeof(*b))
		return cut(r, EPIPE, "cut short inside block %u at byte %llu: the recording was killed or its disk filled; read up to there",
			   r->seq, (unsigned long long)r->pos);
	if (check_block(r, b, at))
		return r->err;
	if (read_some(r, r->comp, b->comp_len) < b->comp_len)
		return cut(r, EPIPE, "cut short inside block %u at byte %llu: the recording was killed or its disk filled; read up to there",
			   r->seq, (unsigned long long)r->pos);
	n = ZSTD_decompressDCtx(r->dctx, r->raw, r->fh.block_raw_max, r->comp,
				b->comp_len);
	if (ZSTD_isError(n) || n != b->raw_len)
		return cut(r, EBADMSG, "block %u at byte %llu is damaged: %s",
			   r->seq, (unsigned long long)at,
			   ZSTD_isError(n) ? ZSTD_getErrorName(n) :
					     "it holds another length");
	r->seq++;
	r->raw_len = n;
	r->off = 0;
	r->left = b->kind == FS_BLOCK_RECORDS ? b->records : 0;
	return 0;
}

/* A string from the file ends inside its field, whatever the file says. */
#define TERMINATE(s)	((s)[sizeof(s) - 1] = 0)

static int read_meta(struct fs_recr *r)
{
	struct fs_file_meta *m = &r->meta;

	if (read_block(r))
		return r->err;
	memcpy(m, r->raw, sizeof(*m));
	TERMINATE(m->hostname);
	TERMINATE(m->kernel);
	TERMINATE(m->boot_id);
	TERMINATE(m->source);
	TERMINATE(m->cow_method);
	TERMINATE(m->select_cgroup);
	TERMINATE(m->select_container);
	TERMINATE(m->command);
	TERMINATE(m->forkscope);
	if (m->select_pid < 0 || m->command_pid < 0)
		return cut(r, EBADMSG, "damaged: its header selects pid %d",
			   m->select_pid < 0 ? m->select_pid : m->command_pid);
	return 0;
}

static int read_header(struct fs_recr *r)
{
	struct fs_file_header *h = &r->fh;
	char writer[300];
	size_t got = read_some(r, h, sizeof(*h));

	/* A directory opens, and fails at the first read. */
	if (ferror(r->f))
		return (r->err = fs_error(errno, "cannot read %s: %s", r->name,
					  strerror(errno)));
	if (!got)
		return cut(r, EBADMSG, "an empty file, not a forkscope recording (see forkscope record --help)");
	if (memcmp(h->magic, FS_FILE_MAGIC,
		   got < sizeof(h->magic) ? got : sizeof(h->magic)))
		return cut(r, EBADMSG, "not a forkscope recording (see forkscope record --help)");
	if (got < sizeof(*h))
		return cut(r, EPIPE, "cut short inside its header, at byte %zu: the recording was killed or its disk filled",
			   got);
	if (h->version != FS_FILE_VERSION)
		return cut(r, EPROTO, "a recording of format %u; this forkscope reads format %u: use the forkscope that recorded it or a %s one",
			   h->version, FS_FILE_VERSION,
			   h->version > FS_FILE_VERSION ? "newer" : "older");
	snprintf(writer, sizeof(writer), "the recording %s", r->name);
	if (fs_abi_check(h->abi, writer))
		return (r->err = -EPROTO);
	if (h->header_size != sizeof(*h) || h->block_raw_max < 4096 ||
	    h->block_raw_max > FS_BLOCK_RAW_MAX)
		return cut(r, EBADMSG, "damaged: its header says %u bytes, blocks up to %u",
			   h->header_size, h->block_raw_max);
	r->raw = malloc(h->block_raw_max);
	r->comp = malloc(ZSTD_compressBound(h->block_raw_max));
	if (!r->raw || !r->comp)
		return cut(r, ENOMEM, "out of memory");
	return read_meta(r);
}

struct fs_recr *fs_recr_open(FILE *f, const char *name)
{
	struct fs_recr *r = calloc(1, sizeof(*r));

	if (!r) {
		fclose(f);
		fs_error(ENOMEM, "out of memory for a recording");
		return NULL;
	}
	r->f = f;
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->dctx = ZSTD_createDCtx();
	if (!r->dctx) {
		cut(r, ENOMEM, "out of memory");
		goto fail;
	}
	if (read_header(r))
		goto fail;
	return r;
fail:
	fs_recr_close(r);
	return NULL;
}

const struct fs_file_meta *fs_recr_meta(const struct fs_recr *r)
{
	return &r->meta;
}

/* The END block: the file must stop right there. */
static int read_end(struct fs_recr *r)
{
	char extra;

	memcpy(&r->end, r->raw, sizeof(r->end));
	if (read_some(r, &extra, 1))
		return cut(r, EBADMSG, "damaged: bytes follow its end block at byte %llu",
			   (unsigned long long)r->pos - 1);
	if (r->end.blocks != r->seq - 1)
		return cut(r, EBADMSG, "damaged: its end counts %u blocks, %u were read",
			   r->end.blocks, r->seq - 1);
	r->ended = true;
	if (r->end.end_ns > r->last_ns)
		r->last_ns = r->end.end_ns;
	return 0;
}

/* The record at r->off of a records block, checked. */
static int take_record(struct fs_recr *r, const struct fs_hdr **rec)
{
	const struct fs_hdr *h = (const void *)(r->raw + r->off);
	size_t avail = r->raw_len - r->off;
	uint32_t nth = r->bh.records - r->left;

	if (fs_record_check(h, avail))
		return cut(r, EBADMSG, "damaged: record %u of block %u: %s",
			   nth, r->seq - 1, fs_last_error());
	if (h->ts_ns < r->bh.first_ns || h->ts_ns > r->bh.last_ns)
		return cut(r, EBADMSG, "damaged: record %u of block %u is stamped outside its block's time",
			   nth, r->seq - 1);
	r->off += h->size;
	r->left--;
	if (!r->left && r->off != r->raw_len)
		return cut(r, EBADMSG, "damaged: block %u holds more than its %u records",
			   r->seq - 1, r->bh.records);
	r->last_ns = h->ts_ns;
	*rec = h;
	return 1;
}

int fs_recr_next(struct fs_recr *r, const struct fs_hdr **rec)
{
	while (!r->left) {
		if (r->err || r->ended)
			return r->err;
		if (read_block(r))
			return r->err;
		if (r->bh.kind == FS_BLOCK_END)
			return read_end(r);
	}
	return take_record(r, rec);
}

const struct fs_file_end *fs_recr_end(const struct fs_recr *r)
{
	return r->ended ? &r->end : NULL;
}

uint64_t fs_recr_last_ns(const struct fs_recr *r)
{
	return r->last_ns;
}

void fs_recr_close(struct fs_recr *r)
{
	if (!r)
		return;
	if (r->f && r->f != stdin)
		fclose(r->f);
	ZSTD_freeDCtx(r->dctx);
	free(r->raw);
	free(r->comp);
	free(r);
}
