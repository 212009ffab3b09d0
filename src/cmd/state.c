/* silo state: print a container's runtime state (the spec's state JSON).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdlib.h>

#include "cmd.h"
#include "util.h"

static const struct silo_cmd_option state_options[] = { { NULL } };

static int
run_state (const struct silo_context *ctx, int argc, char **argv, struct silo_error **err)
{
  _cleanup_free_ char *json = NULL;
  char **args;
  int n_args, ret;

  ret = silo_cmd_begin (&silo_cmd_state, argc, argv, NULL, NULL, &args, &n_args, err);
  if (ret != 0)
    return ret < 0 ? -1 : 0;
  if (silo_container_state (ctx, args[0], &json, err) < 0)
    return -1;
  printf ("%s\n", json);
  return 0;
}

const struct silo_cmd silo_cmd_state = {
  "state", "ID", "print the state of a container as JSON",
  state_options, 1, 1, run_state,
};
