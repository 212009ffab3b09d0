/* silo run: create and start a container, then wait for it and exit with its status.
 * Two forms: runc's (`run [OPTIONS] ID`, from a bundle) and quick-run (`run --rootfs DIR
 * [OPTIONS] [--] [CMD ARGS...]`, quickrun.h); their flags do not mix.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "util.h"

enum
{
  RUN_OPTION_DETACH = SILO_CREATE_OPTION__COUNT,
  RUN_OPTION_KEEP,
  RUN_OPTION_QUICK,   /* the SILO_CMD_QUICK_OPTIONS from here */
  RUN_OPTION_RM = RUN_OPTION_QUICK + SILO_QUICK_OPTION__COUNT,
  RUN_OPTION_NAME,
  RUN_OPTION__COUNT
};

static const struct silo_cmd_option run_options[] = {
  SILO_CMD_CREATE_OPTIONS,
  { "detach", 'd', NULL, "return once the container is started, without waiting" },
  { "keep", 0, NULL, "keep the stopped container instead of deleting it" },
  SILO_CMD_QUICK_OPTIONS,
  { "rm", 0, NULL, "quick-run: delete the container, and all it wrote, once it exits" },
  { "name", 0, "NAME", "quick-run: the container's name (default: a generated one)" },
  { NULL },
};

struct run_options
{
  struct silo_create_options create;
  struct silo_quickrun_options quick;
  const char *given[RUN_OPTION__COUNT];   /* each flag's name once given */
};

static int
run_option (void *data, int option, const char *value, struct silo_error **err)
{
  struct run_options *opts = data;

  opts->given[option] = run_options[option].name;
  switch (option)
    {
    case RUN_OPTION_DETACH: opts->create.detach = opts->quick.detach = true; return 0;
    case RUN_OPTION_KEEP: opts->create.keep = true; return 0;
    case RUN_OPTION_RM: opts->quick.rm = true; return 0;
    case RUN_OPTION_NAME: opts->quick.name = value; return 0;
    }
  if (option >= RUN_OPTION_QUICK)
    return silo_cmd_quick_option (&opts->quick, option - RUN_OPTION_QUICK, value, err);
  return silo_cmd_create_option (&opts->create, option, value, err);
}

/* A flag of the other form, or NULL.  */
static const char *
mixed_flag (const struct run_options *opts, bool quick)
{
  for (int i = 0; i < RUN_OPTION__COUNT; i++)
    {
      bool is_quick = i >= RUN_OPTION_QUICK;
      if (i != RUN_OPTION_DETACH && opts->given[i] != NULL && is_quick != quick)
        return opts->given[i];
    }
  return NULL;
}

static int
run_quick (const struct silo_context *ctx, struct run_options *opts, char **args,
           struct silo_error **err)
{
  _cleanup_free_ char *name = NULL;
  const char *other = mixed_flag (opts, true);
  int exit_status = 0;

  if (other != NULL)
    return silo_fail (err, 0, "run: --%s is for a bundle, not for --rootfs (quick-run)%s", other,
                      opts->given[RUN_OPTION_KEEP] ? ": it keeps the container unless --rm" : "");
  opts->quick.args = args;
  if (silo_quickrun_run (ctx, &opts->quick, &name, &exit_status, err) < 0)
    return -1;
  if (opts->quick.detach)
    printf ("%s\n", name);
  return exit_status;
}

static int
run_bundle (const struct silo_context *ctx, struct run_options *opts, char **args, int n_args,
            struct silo_error **err)
{
  const char *other = mixed_flag (opts, false);
  int exit_status = 0;

  if (other != NULL)
    return silo_fail (err, 0, "run: --%s needs --rootfs (quick-run); a bundle's config sets it", other);
  if (n_args != 1)
    return silo_fail (err, 0, "`run` needs exactly 1 argument: ID (got %d), or --rootfs DIR", n_args);
  if (silo_container_run (ctx, args[0], &opts->create, &exit_status, err) < 0)
    return -1;
  return exit_status;
}

static int
run_run (const struct silo_context *ctx, int argc, char **argv, struct silo_error **err)
{
  struct run_options opts = { .create = { .bundle = "." } };
  char **args;
  int n_args, ret;

  ret = silo_cmd_begin (&silo_cmd_run, argc, argv, run_option, &opts, &args, &n_args, err);
  if (ret == 0 && opts.quick.rootfs != NULL)
    ret = run_quick (ctx, &opts, args, err);
  else if (ret == 0)
    ret = run_bundle (ctx, &opts, args, n_args, err);
  else if (ret == 1)
    ret = 0;   /* --help */
  silo_cmd_quick_release (&opts.quick);
  return ret;
}

const struct silo_cmd silo_cmd_run = {
  "run", "ID | --rootfs DIR [CMD [ARGS...]]",
  "create and start a container, wait for it and exit with its status",
  run_options, 0, -1, run_run, true,
};
