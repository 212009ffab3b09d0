/* libFuzzer target: config.json.
 *
 * The input is a whole config.json.  oci_config_parse checks types, ranges, enum values
 * and the spec's cross-field rules; a config it accepts must then:
 *   - survive the round trip oci.h promises (parse (generate (c)) == c): the text made
 *     from the config parsed back is the text it was made from;
 *   - go through the checks `create` makes before anything exists that need nothing of
 *     the host (process, cgroup resources, the mount plan) without a sanitizer report.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "fuzz.h"

#include "cgroup/cgroup.h"
#include "oci.h"
#include "process.h"
#include "rootfs-plan.h"

static void
check_round_trip (const oci_config *c)
{
  _cleanup_error_ struct silo_error *err = NULL;
  _cleanup_oci_config_ oci_config *again = NULL;
  _cleanup_free_ char *first = NULL;
  _cleanup_free_ char *second = NULL;
  size_t first_len = 0, second_len = 0;

  if (oci_config_generate (c, &first, &first_len, &err) < 0)
    fuzz_fail ("config: generate a parsed config: %s", err->msg);
  if (oci_config_parse (first, first_len, &again, &err) < 0)
    fuzz_fail ("config: the generated text does not parse: %s\n%s", err->msg, first);
  if (oci_config_generate (again, &second, &second_len, &err) < 0)
    fuzz_fail ("config: generate the config parsed back: %s", err->msg);
  if (first_len != second_len || memcmp (first, second, first_len) != 0)
    fuzz_fail ("config: the round trip changed the config:\n%s\n%s", first, second);
}

/* Each check on its own: a config one refuses still goes through the others.  */
static void
run_checks (const oci_config *c)
{
  struct silo_rootfs_plan plan;
  struct silo_error *err = NULL;

  (void) silo_process_validate (c, &err);
  silo_error_free (err);
  err = NULL;
  (void) silo_cgroup_validate (c, &err);
  silo_error_free (err);
  err = NULL;
  if (silo_rootfs_plan_make (c, "/fuzz/bundle", &plan, &err) == 0)
    silo_rootfs_plan_release (&plan);
  silo_error_free (err);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  _cleanup_error_ struct silo_error *err = NULL;
  _cleanup_oci_config_ oci_config *c = NULL;

  if (oci_config_parse ((const char *) data, size, &c, &err) < 0)
    {
      if (c != NULL)
        fuzz_fail ("config: a failed parse left a config behind");
      if (err == NULL || err->msg == NULL)
        fuzz_fail ("config: a failed parse set no error");
      return 0;
    }
  check_round_trip (c);
  run_checks (c);
  return 0;
}
