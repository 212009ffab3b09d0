/* silo spec: write a default config.json into a bundle, to edit from there.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "cmd.h"
#include "silo-spec.h"

enum { SPEC_OPTION_BUNDLE, SPEC_OPTION_ROOTLESS };

static const struct silo_cmd_option spec_options[] = {
  { "bundle", 'b', "DIR", "write DIR/config.json (default: the current directory)" },
  { "rootless", 0, NULL, "a config for a user without privileges" },
  { NULL },
};

struct spec_options
{
  const char *bundle;
  bool rootless;
};

static int
spec_option (void *data, int option, const char *value, struct silo_error **err)
{
  struct spec_options *opts = data;

  if (option == SPEC_OPTION_BUNDLE)
    opts->bundle = value;
  else
    opts->rootless = true;
  return 0;
}

static int
run_spec (const struct silo_context *ctx, int argc, char **argv, struct silo_error **err)
{
  struct spec_options opts = { .bundle = "." };
  char **args;
  int n_args, ret;

  ret = silo_cmd_begin (&silo_cmd_spec, argc, argv, spec_option, &opts, &args, &n_args, err);
  if (ret != 0)
    return ret < 0 ? -1 : 0;
  return silo_spec_write (opts.bundle, opts.rootless, err) < 0 ? -1 : 0;
}

const struct silo_cmd silo_cmd_spec = {
  "spec", "", "write a default config.json for a new bundle (never replaces one)",
  spec_options, 0, 0, run_spec,
};
