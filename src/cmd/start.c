/* silo start: let a created container's process run its program.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "cmd.h"

static const struct silo_cmd_option start_options[] = { { NULL } };

static int
run_start (const struct silo_context *ctx, int argc, char **argv, struct silo_error **err)
{
  char **args;
  int n_args, ret;

  ret = silo_cmd_begin (&silo_cmd_start, argc, argv, NULL, NULL, &args, &n_args, err);
  if (ret != 0)
    return ret < 0 ? -1 : 0;
  return silo_container_start (ctx, args[0], err) < 0 ? -1 : 0;
}

const struct silo_cmd silo_cmd_start = {
  "start", "ID", "run the program of a created container",
  start_options, 1, 1, run_start,
};
