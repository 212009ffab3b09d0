/* silo stop: SIGTERM, then SIGKILL after a timeout, as Docker's stop; the stopped
 * container stays until `rm` or `delete`.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "cmd.h"

#include "util.h"

enum { STOP_OPTION_TIME };

static const struct silo_cmd_option stop_options[] = {
  { "time", 't', "SECONDS", "how long SIGTERM has before SIGKILL (default: 10)" },
  { NULL },
};

static int
stop_option (void *data, int option, const char *value, struct silo_error **err)
{
  long long seconds;

  if (parse_long (value, &seconds) < 0 || seconds < 0 || seconds > 86400)
    return silo_fail (err, 0, "--time: `%s` is not a whole number of seconds from 0 to 86400", value);
  *(unsigned *) data = (unsigned) seconds;
  return 0;
}

static int
run_stop (const struct silo_context *ctx, int argc, char **argv, struct silo_error **err)
{
  unsigned seconds = 10;
  char **args;
  int n_args, ret;

  ret = silo_cmd_begin (&silo_cmd_stop, argc, argv, stop_option, &seconds, &args, &n_args, err);
  if (ret != 0)
    return ret < 0 ? -1 : 0;
  for (int i = 0; i < n_args; i++)
    if (silo_container_stop (ctx, args[i], seconds, err) < 0)
      return -1;
  return 0;
}

const struct silo_cmd silo_cmd_stop = {
  "stop", "NAME...", "stop containers: SIGTERM, then SIGKILL after the timeout (they stay: see rm)",
  stop_options, 1, -1, run_stop,
};
