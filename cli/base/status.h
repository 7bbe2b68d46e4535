/* SPDX-License-Identifier: GPL-2.0-only */
/* Wait-status words, in words: "exit 3", "killed by SIGSEGV (core dumped)". */
#ifndef FS_STATUS_H
#define FS_STATUS_H

#include <stddef.h>
#include <stdint.h>

char *fs_status_str(char *buf, size_t len, uint32_t status);
/* "SIGSEGV" for 11; "SIG42" for a number without a name. */
const char *fs_signal_name(char *buf, size_t len, int sig);

#endif
