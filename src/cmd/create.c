/* silo create: set up a container from a bundle; its process waits for `silo start`.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <limits.h>

#include "cmd.h"
#include "util.h"

static const struct silo_cmd_option create_options[] = {
  SILO_CMD_CREATE_OPTIONS,
  { NULL },
};

int
silo_cmd_create_option (void *data, int option, const char *value, struct silo_error **err)
{
  struct silo_create_options *opts = data;
  long long n;

  switch (option)
    {
    case SILO_CREATE_OPTION_BUNDLE: opts->bundle = value; break;
    case SILO_CREATE_OPTION_CONFIG: opts->config_path = value; break;
    case SILO_CREATE_OPTION_PID_FILE: opts->pid_file = value; break;
    case SILO_CREATE_OPTION_CONSOLE_SOCKET: opts->console_socket = value; break;
    case SILO_CREATE_OPTION_NO_PIVOT: opts->no_pivot = true; break;
    case SILO_CREATE_OPTION_NO_NEW_KEYRING: opts->no_new_keyring = true; break;
    case SILO_CREATE_OPTION_PRESERVE_FDS:
      /* fds 3 .. 3+N-1 must all be valid fd numbers.  */
      if (parse_long (value, &n) < 0 || n < 0 || n > INT_MAX - 3)
        return silo_fail (err, 0, "--preserve-fds: `%s` is not a count of file descriptors",
                          value);
      opts->preserve_fds = (int) n;
      break;
    }
  return 0;
}

static int
run_create (const struct silo_context *ctx, int argc, char **argv, struct silo_error **err)
{
  struct silo_create_options opts = { .bundle = "." };
  char **args;
  int n_args, ret;

  ret = silo_cmd_begin (&silo_cmd_create, argc, argv, silo_cmd_create_option, &opts, &args,
                        &n_args, err);
  if (ret != 0)
    return ret < 0 ? -1 : 0;
  if (silo_container_create (ctx, args[0], &opts, err) < 0)
    return -1;
  return 0;
}

const struct silo_cmd silo_cmd_create = {
  "create", "ID", "create a container from a bundle (its process waits for `start`)",
  create_options, 1, 1, run_create, true,
};
