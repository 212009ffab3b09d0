/* silo resume: thaw the processes of a paused container.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "cmd.h"

static const struct silo_cmd_option resume_options[] = { { NULL } };

static int
run_resume (const struct silo_context *ctx, int argc, char **argv, struct silo_error **err)
{
  char **args;
  int n_args, ret;

  ret = silo_cmd_begin (&silo_cmd_resume, argc, argv, NULL, NULL, &args, &n_args, err);
  if (ret != 0)
    return ret < 0 ? -1 : 0;
  return silo_container_resume (ctx, args[0], err) < 0 ? -1 : 0;
}

const struct silo_cmd silo_cmd_resume = {
  "resume", "ID", "thaw the processes of a paused container",
  resume_options, 1, 1, run_resume,
};
