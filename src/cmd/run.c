/* silo run: create and start a container, then wait for it and exit with its status.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "cmd.h"

enum { RUN_OPTION_DETACH = SILO_CREATE_OPTION__COUNT, RUN_OPTION_KEEP };

static const struct silo_cmd_option run_options[] = {
  SILO_CMD_CREATE_OPTIONS,
  { "detach", 'd', NULL, "return once the container is started, without waiting" },
  { "keep", 0, NULL, "keep the stopped container instead of deleting it" },
  { NULL },
};

static int
run_option (void *data, int option, const char *value, struct silo_error **err)
{
  struct silo_create_options *opts = data;

  switch (option)
    {
    case RUN_OPTION_DETACH: opts->detach = true; return 0;
    case RUN_OPTION_KEEP: opts->keep = true; return 0;
    }
  return silo_cmd_create_option (data, option, value, err);
}

static int
run_run (const struct silo_context *ctx, int argc, char **argv, struct silo_error **err)
{
  struct silo_create_options opts = { .bundle = "." };
  char **args;
  int n_args, ret, exit_status = 0;

  ret = silo_cmd_begin (&silo_cmd_run, argc, argv, run_option, &opts, &args, &n_args, err);
  if (ret != 0)
    return ret < 0 ? -1 : 0;
  if (silo_container_run (ctx, args[0], &opts, &exit_status, err) < 0)
    return -1;
  return exit_status;
}

const struct silo_cmd silo_cmd_run = {
  "run", "ID", "create and start a container, wait for it and exit with its status",
  run_options, 1, 1, run_run, true,
};
