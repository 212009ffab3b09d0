/* silo kill: send a signal to a container's init process (or, with --all, to all of its
 * processes).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <signal.h>
#include <string.h>

#include "cmd.h"
#include "signals.h"

enum { KILL_OPTION_ALL };

static const struct silo_cmd_option kill_options[] = {
  { "all", 'a', NULL, "signal every process of the container, not only its init" },
  { NULL },
};

static int
kill_option (void *data, int option, const char *value, struct silo_error **err)
{
  if (option == KILL_OPTION_ALL)
    *(bool *) data = true;
  return 0;
}

static int
run_kill (const struct silo_context *ctx, int argc, char **argv, struct silo_error **err)
{
  bool all = false;
  int signal_number = SIGTERM;
  char **args;
  int n_args, ret;

  ret = silo_cmd_begin (&silo_cmd_kill, argc, argv, kill_option, &all, &args, &n_args, err);
  if (ret != 0)
    return ret < 0 ? -1 : 0;
  /* Signal 0, as kill(1) and runc take it: is the container's init there?  */
  if (n_args == 2 && strcmp (args[1], "0") == 0)
    signal_number = 0;
  else if (n_args == 2 && (signal_number = silo_signal_parse (args[1], err)) < 0)
    return -1;
  return silo_container_kill (ctx, args[0], signal_number, all, err) < 0 ? -1 : 0;
}

const struct silo_cmd silo_cmd_kill = {
  "kill", "ID [SIGNAL]",
  "send a signal (name or number, default TERM) to a container's processes",
  kill_options, 1, 2, run_kill,
};
