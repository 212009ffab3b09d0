/* libFuzzer target: <root>/<id>/state.json.
 *
 * The input is a whole state.json.  silo_state_parse reads what an earlier command wrote,
 * the resolved config inside; a file damaged on disk (a full disk, a crash, a forged file)
 * must be an error, never a crash.  A state it accepts must survive the round trip: the
 * text generated from the state parsed back is the text it was generated from.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "fuzz.h"

#include "oci.h"
#include "state.h"

static void
check_round_trip (const silo_state *s)
{
  _cleanup_error_ struct silo_error *err = NULL;
  _cleanup_silo_state_ silo_state *again = NULL;
  _cleanup_free_ char *first = NULL;
  _cleanup_free_ char *second = NULL;
  size_t first_len = 0, second_len = 0;

  if (silo_state_generate (s, &first, &first_len, &err) < 0)
    fuzz_fail ("state: generate a parsed state: %s", err->msg);
  if (silo_state_parse (first, first_len, &again, &err) < 0)
    fuzz_fail ("state: the generated text does not parse: %s\n%s", err->msg, first);
  if (silo_state_generate (again, &second, &second_len, &err) < 0)
    fuzz_fail ("state: generate the state parsed back: %s", err->msg);
  if (first_len != second_len || memcmp (first, second, first_len) != 0)
    fuzz_fail ("state: the round trip changed the state:\n%s\n%s", first, second);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  _cleanup_error_ struct silo_error *err = NULL;
  _cleanup_silo_state_ silo_state *s = NULL;

  if (silo_state_parse ((const char *) data, size, &s, &err) < 0)
    {
      if (s != NULL)
        fuzz_fail ("state: a failed parse left a state behind");
      if (err == NULL || err->msg == NULL)
        fuzz_fail ("state: a failed parse set no error");
      return 0;
    }
  check_round_trip (s);
  return 0;
}
