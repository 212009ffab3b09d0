/* silo delete: remove a stopped container (with --force, kill it first).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "cmd.h"

enum { DELETE_OPTION_FORCE };

static const struct silo_cmd_option delete_options[] = {
  { "force", 'f', NULL, "kill a running container first; an unknown ID is not an error" },
  { NULL },
};

static int
delete_option (void *data, int option, const char *value, struct silo_error **err)
{
  if (option == DELETE_OPTION_FORCE)
    *(bool *) data = true;
  return 0;
}

static int
run_delete (const struct silo_context *ctx, int argc, char **argv, struct silo_error **err)
{
  bool force = false;
  char **args;
  int n_args, ret;

  ret = silo_cmd_begin (&silo_cmd_delete, argc, argv, delete_option, &force, &args, &n_args,
                        err);
  if (ret != 0)
    return ret < 0 ? -1 : 0;
  return silo_container_delete (ctx, args[0], force, err) < 0 ? -1 : 0;
}

const struct silo_cmd silo_cmd_delete = {
  "delete", "ID", "delete a container and everything it holds",
  delete_options, 1, 1, run_delete,
};
