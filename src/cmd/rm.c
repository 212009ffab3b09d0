/* silo rm: delete containers, as Docker's rm: a running one only with -f (killed first).
 * Every name is tried; each failure but the last is logged, the last is the error.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "cmd.h"

#include <errno.h>

#include "log.h"

enum { RM_OPTION_FORCE };

static const struct silo_cmd_option rm_options[] = {
  { "force", 'f', NULL, "kill a running container first" },
  { NULL },
};

static int
rm_option (void *data, int option, const char *value, struct silo_error **err)
{
  *(bool *) data = true;
  return 0;
}

static int
remove_one (const struct silo_context *ctx, const char *name, bool force, struct silo_error **err)
{
  if (silo_container_delete (ctx, name, force, err) == 0)
    return 0;
  if ((*err)->errnum != EBUSY)
    return -1;
  silo_error_freep (err);
  return silo_fail (err, EBUSY, "cannot remove container `%s`: it is not stopped; `silo stop` it "
                    "first, or use rm -f", name);
}

static int
run_rm (const struct silo_context *ctx, int argc, char **argv, struct silo_error **err)
{
  bool force = false;
  char **args;
  int n_args, ret;

  ret = silo_cmd_begin (&silo_cmd_rm, argc, argv, rm_option, &force, &args, &n_args, err);
  if (ret != 0)
    return ret < 0 ? -1 : 0;
  for (int i = 0; i < n_args; i++)
    {
      struct silo_error *failed = NULL;

      if (remove_one (ctx, args[i], force, &failed) == 0)
        continue;
      if (*err != NULL)
        silo_log_error ("%s", (*err)->msg);
      silo_error_freep (err);
      *err = failed;
      ret = -1;
    }
  return ret;
}

const struct silo_cmd silo_cmd_rm = {
  "rm", "NAME...", "delete containers (a running one only with -f, which kills it)",
  rm_options, 1, -1, run_rm,
};
