/* silo pause: freeze every process of a running container (its cgroup's freezer).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "cmd.h"

static const struct silo_cmd_option pause_options[] = { { NULL } };

static int
run_pause (const struct silo_context *ctx, int argc, char **argv, struct silo_error **err)
{
  char **args;
  int n_args, ret;

  ret = silo_cmd_begin (&silo_cmd_pause, argc, argv, NULL, NULL, &args, &n_args, err);
  if (ret != 0)
    return ret < 0 ? -1 : 0;
  return silo_container_pause (ctx, args[0], err) < 0 ? -1 : 0;
}

const struct silo_cmd silo_cmd_pause = {
  "pause", "ID", "freeze every process of a running container",
  pause_options, 1, 1, run_pause,
};
