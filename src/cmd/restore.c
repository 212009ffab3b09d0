/* silo restore: make a container from a bundle and a checkpoint's images (CRIU), then
 * wait for it as `run` does (or return at once with -d).  Only in a build with CRIU.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "cmd.h"

enum
{
  RESTORE_OPTION_BUNDLE = SILO_CRIU_OPTION__COUNT,
  RESTORE_OPTION_DETACH,
  RESTORE_OPTION_CONSOLE_SOCKET,
  RESTORE_OPTION_PID_FILE,
  RESTORE_OPTION_NO_SUBREAPER,
};

static const struct silo_cmd_option restore_options[] = {
  SILO_CMD_CRIU_OPTIONS,
  { "bundle", 'b', "DIR", "bundle directory (default: the current directory)" },
  { "detach", 'd', NULL, "return once the container is restored, without waiting" },
  { "console-socket", 0, "PATH", "unix socket that receives the terminal's pty master" },
  { "pid-file", 0, "FILE", "write the container's init pid to FILE" },
  { "no-subreaper", 0, NULL, "do not reap the processes the container orphans while waiting" },
  { NULL },
};

static int
restore_option (void *data, int option, const char *value, struct silo_error **err)
{
  struct silo_restore_options *o = data;

  switch (option)
    {
    case RESTORE_OPTION_BUNDLE: o->create.bundle = value; return 0;
    case RESTORE_OPTION_DETACH: o->create.detach = true; return 0;
    case RESTORE_OPTION_CONSOLE_SOCKET: o->create.console_socket = value; return 0;
    case RESTORE_OPTION_PID_FILE: o->create.pid_file = value; return 0;
    case RESTORE_OPTION_NO_SUBREAPER: o->no_subreaper = true; return 0;
    }
  return silo_cmd_criu_option (&o->criu, option, value, err);
}

static int
run_restore (const struct silo_context *ctx, int argc, char **argv, struct silo_error **err)
{
  struct silo_restore_options opts = { .create = { .bundle = "." } };
  char **args;
  int n_args, ret, exit_status = 0;

  ret = silo_cmd_begin (&silo_cmd_restore, argc, argv, restore_option, &opts, &args, &n_args, err);
  if (ret != 0)
    return ret < 0 ? -1 : 0;
  if (silo_container_restore (ctx, args[0], &opts, &exit_status, err) < 0)
    return -1;
  return exit_status;
}

const struct silo_cmd silo_cmd_restore = {
  "restore", "ID", "make a container from a checkpoint with CRIU and wait for it",
  restore_options, 1, 1, run_restore, true,
};
