/* SPDX-License-Identifier: GPL-2.0-only */
/* The kernel producers a source can read, for the registry to pick from. */
#ifndef FS_SOURCE_BACKENDS_H
#define FS_SOURCE_BACKENDS_H

#include "source.h"

struct fs_source *fs_source_bpf_open(const struct fs_source_opts *opts);
struct fs_source *fs_source_kmod_open(const struct fs_source_opts *opts);
/* A recording: opts->input, "-" for standard input. */
struct fs_source *fs_source_file_open(const struct fs_source_opts *opts);

#endif
