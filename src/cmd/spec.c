/* silo spec: write a default config.json into a bundle, to edit from there; with
 * --rootfs, quick-run's config (quickrun.h) for that root filesystem and those flags.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "cmd.h"
#include "silo-spec.h"

enum { SPEC_OPTION_BUNDLE, SPEC_OPTION_ROOTLESS, SPEC_OPTION_QUICK };

static const struct silo_cmd_option spec_options[] = {
  { "bundle", 'b', "DIR", "write DIR/config.json (default: the current directory)" },
  { "rootless", 0, NULL, "a config for a user without privileges" },
  SILO_CMD_QUICK_OPTIONS,
  { NULL },
};

struct spec_options
{
  const char *bundle;
  bool rootless;
  const char *quick_flag;      /* the last quick-run flag given */
  struct silo_quickrun_options quick;
};

static int
spec_option (void *data, int option, const char *value, struct silo_error **err)
{
  struct spec_options *opts = data;

  if (option == SPEC_OPTION_BUNDLE)
    opts->bundle = value;
  else if (option == SPEC_OPTION_ROOTLESS)
    opts->rootless = true;
  else
    {
      opts->quick_flag = spec_options[option].name;
      return silo_cmd_quick_option (&opts->quick, option - SPEC_OPTION_QUICK, value, err);
    }
  return 0;
}

static int
write_config (struct spec_options *opts, char **args, int n_args, struct silo_error **err)
{
  if (opts->quick.rootfs == NULL && opts->quick_flag != NULL)
    return silo_fail (err, 0, "spec: --%s needs --rootfs (the quick-run config)", opts->quick_flag);
  if (opts->quick.rootfs == NULL && n_args > 0)
    return silo_fail (err, 0, "spec: a command (`%s`) needs --rootfs (the quick-run config)", args[0]);
  if (opts->quick.rootfs == NULL)
    return silo_spec_write (opts->bundle, opts->rootless, err);
  if (opts->rootless)
    return silo_fail (err, 0, "spec: --rootless and --rootfs do not mix (quick-run's config is "
                      "for root)");
  opts->quick.args = args;
  return silo_quickrun_spec_write (opts->bundle, &opts->quick, err);
}

static int
run_spec (const struct silo_context *ctx, int argc, char **argv, struct silo_error **err)
{
  struct spec_options opts = { .bundle = "." };
  char **args;
  int n_args, ret;

  ret = silo_cmd_begin (&silo_cmd_spec, argc, argv, spec_option, &opts, &args, &n_args, err);
  if (ret == 0)
    ret = write_config (&opts, args, n_args, err);
  silo_cmd_quick_release (&opts.quick);
  return ret < 0 ? -1 : 0;
}

const struct silo_cmd silo_cmd_spec = {
  "spec", "[--rootfs DIR [OPTIONS] [CMD [ARGS...]]]",
  "write a default config.json for a new bundle (never replaces one)",
  spec_options, 0, -1, run_spec,
};
