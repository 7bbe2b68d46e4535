/* SPDX-License-Identifier: GPL-2.0-only */
/* The model's cgroup names: ids to paths, as the stream told them. */
#ifndef FS_MODEL_CGROUPS_H
#define FS_MODEL_CGROUPS_H

#include "model.h"

/* Applies an FS_REC_CGROUP_PATH record. */
void fs_model_name_cgroup(struct fs_model *m,
			  const struct fs_rec_cgroup_path *r);
void fs_model_forget_cgroups(struct fs_model *m);

#endif
