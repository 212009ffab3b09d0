/* The linux.resources conversions, row by row from tests/cgroup-resources.tsv: each row's
 * JSON goes through libocispec and silo's write list for its layout, and the file must be
 * written with the row's value, in the row's field's name.  Then the shares -> weight
 * arithmetic against libm over its whole range, and the blkio weight scale.  No kernel.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup/cgroup-internal.h"
#include "cgroup-tsv.h"
#include "oci.h"
#include "tap.h"
#include "util.h"

/* Every write silo would make for r on a host where layout holds every controller.  */
static int
all_writes (const oci_resources *r, enum cgroup_version v, struct cgroup_writes *w, struct silo_error **err)
{
  for (int c = 0; c < CGROUP_N_CONTROLLERS; c++)
    if (cgroup_resource_writes (c, v, r, false, w, err) < 0)
      return -1;
  if (v == CGROUP_V2)
    cgroup_unified_writes (r, w);
  return 0;
}

static void
check_row (const struct tsv_row *row)
{
  enum cgroup_version v = strcmp (row->layout, "v1") == 0 ? CGROUP_V1 : CGROUP_V2;
  _cleanup_free_ char *field = xasprintf ("linux.resources.%s", row->key);
  struct cgroup_writes w = { NULL, 0 };
  struct silo_error *err = NULL;
  oci_resources *r = NULL;
  const struct cgroup_write *found = NULL;

  if (oci_resources_parse (row->json, strlen (row->json), &r, &err) < 0 || all_writes (r, v, &w, &err) < 0)
    {
      ok (false, "line %u: %s: %s", row->line, row->json, err->msg);
      silo_error_free (err);
      oci_resources_free (r);
      return;
    }
  for (size_t i = 0; i < w.n && found == NULL; i++)
    if (strcmp (w.items[i].file, row->file) == 0)
      found = &w.items[i];
  if (found == NULL)
    ok (false, "line %u: %s %s writes %s", row->line, row->layout, row->key, row->file);
  else
    {
      is_str (found->value, row->written, "line %u: %s %s -> %s = %s", row->line, row->layout, row->key,
              row->file, row->written);
      is_str (found->field, field, "line %u: the write names its field", row->line);
    }
  cgroup_writes_clear (&w);
  oci_resources_free (r);
}

static void
test_table (void)
{
  size_t n = 0;
  struct tsv_row *rows = tsv_read (7, 0, &n);

  ok (rows != NULL && n >= 60, "tests/cgroup-resources.tsv read: %zu rows", n);
  for (size_t i = 0; i < n; i++)
    check_row (&rows[i]);
  tsv_rows_free (rows, n);
}

/* The formula as runc 1.3 writes it, with libm.  */
static uint64_t
reference_weight (uint64_t shares)
{
  double l, exponent;

  if (shares == 0)
    return 0;
  if (shares <= 2)
    return 1;
  if (shares >= 262144)
    return 10000;
  l = log2 ((double) shares);
  exponent = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
  return (uint64_t) ceil (pow (10, exponent));
}

static void
test_shares (void)
{
  size_t mismatches = 0;
  uint64_t first = 0;
  const uint64_t points[][2] = { { 0, 0 }, { 1, 1 }, { 2, 1 }, { 3, 2 }, { 1024, 100 }, { 1025, 101 },
                                 { 4096, 303 }, { 262143, 10000 }, { 262144, 10000 }, { 1000000, 10000 } };

  for (size_t i = 0; i < SILO_ARRAY_SIZE (points); i++)
    ok (cgroup_cpu_shares_to_weight (points[i][0]) == points[i][1], "shares %llu -> weight %llu (got %llu)",
        (unsigned long long) points[i][0], (unsigned long long) points[i][1],
        (unsigned long long) cgroup_cpu_shares_to_weight (points[i][0]));
  for (uint64_t s = 0; s <= 262200; s++)
    if (cgroup_cpu_shares_to_weight (s) != reference_weight (s) && mismatches++ == 0)
      first = s;
  ok (mismatches == 0, "shares -> weight equals libm's for every shares 0..262200 (%zu differ, first %llu)",
      mismatches, (unsigned long long) first);
  for (uint64_t s = 3; s <= 262144; s++)
    if (cgroup_cpu_shares_to_weight (s) < cgroup_cpu_shares_to_weight (s - 1))
      {
        ok (false, "weight falls at shares %llu", (unsigned long long) s);
        return;
      }
  ok (true, "shares -> weight never falls");
}

static void
test_io_weight (void)
{
  bool same = true;

  for (uint64_t w = 10; w <= 1000; w++)
    same = same && cgroup_blkio_weight_to_io_weight (w) == 1 + (w - 10) * 9999 / 990;
  ok (same, "blkio weight 10..1000 -> io.weight 1 + (w - 10) * 9999 / 990");
  ok (cgroup_blkio_weight_to_io_weight (10) == 1 && cgroup_blkio_weight_to_io_weight (1000) == 10000,
      "the ends: 10 -> 1, 1000 -> 10000");
  ok (cgroup_blkio_weight_to_io_weight (0) == 0, "0 stays unset");
}

int
main (void)
{
  test_table ();
  test_shares ();
  test_io_weight ();
  return tap_done ();
}
