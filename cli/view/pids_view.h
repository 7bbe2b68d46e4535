/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * forkscope pids's report: the machine's and each pids cgroup's budget,
 * zombies apart, growth over the window and when it runs out.
 */
#ifndef FS_PIDS_VIEW_H
#define FS_PIDS_VIEW_H

#include <stdio.h>
#include "pids_budget.h"

/* b judged (fs_pids_budget_judge()); only its shown rows are printed. */
void fs_pids_text(FILE *f, const struct fs_pids_budget *b);
void fs_pids_json(FILE *f, const struct fs_pids_budget *b);

#endif
