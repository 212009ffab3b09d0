/* silo features: print what this build of silo supports (the spec's features.json).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdlib.h>

#include "cmd.h"
#include "util.h"

static const struct silo_cmd_option features_options[] = { { NULL } };

static int
run_features (const struct silo_context *ctx, int argc, char **argv, struct silo_error **err)
{
  _cleanup_free_ char *json = NULL;
  char **args;
  int n_args, ret;

  ret = silo_cmd_begin (&silo_cmd_features, argc, argv, NULL, NULL, &args, &n_args, err);
  if (ret != 0)
    return ret < 0 ? -1 : 0;
  if (silo_features_generate (&json, err) < 0)
    return -1;
  printf ("%s\n", json);
  return 0;
}

const struct silo_cmd silo_cmd_features = {
  "features", "", "print the features this silo supports, as JSON (features.json)",
  features_options, 0, 0, run_features,
};
