/* libFuzzer target: a mounts[].options list.
 *
 * The input is the list, one option per NUL-terminated string ("nosuid\0mode=755\0").
 * silo_mount_options_parse must hand back what the kernel accepts:
 *   - no MS_* flag both set and cleared;
 *   - the atime bits of attr_clear all or none (mount_setattr refuses a part of
 *     MOUNT_ATTR__ATIME), no other bit both set and cleared;
 *   - ridmap only with idmap;
 *   - data: the options silo does not know, non-empty ones only, in order, comma-joined.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "fuzz.h"

#include <stdbool.h>
#include <sys/mount.h>

#include "mount.h"

/* The list is as long as a mounts[] entry would have: the parser is linear.  */
#define MAX_OPTIONS 256

static bool
known_option (const char *name)
{
  const char *known;

  for (size_t i = 0; (known = silo_mount_option_name (i)) != NULL; i++)
    if (strcmp (known, name) == 0)
      return true;
  return false;
}

/* What data must be: the unknown options, comma-joined; NULL when there is none.  */
static char *
expected_data (char *const *options, size_t n)
{
  char *data = NULL;

  for (size_t i = 0; i < n; i++)
    {
      char *longer;

      if (options[i][0] == '\0' || known_option (options[i]))
        continue;
      longer = data == NULL ? xstrdup (options[i]) : xasprintf ("%s,%s", data, options[i]);
      free (data);
      data = longer;
    }
  return data;
}

static void
check_options (const struct silo_mount_options *o, char *const *options, size_t n)
{
  _cleanup_free_ char *data = expected_data (options, n);
  uint64_t atime_cleared = o->attr_clear & MOUNT_ATTR__ATIME;

  if (o->flags & o->cleared)
    fuzz_fail ("mount options: flags %#lx both set and cleared", o->flags & o->cleared);
  if (atime_cleared != 0 && atime_cleared != MOUNT_ATTR__ATIME)
    fuzz_fail ("mount options: attr_clear holds part of MOUNT_ATTR__ATIME: %#llx",
               (unsigned long long) o->attr_clear);
  if (o->attr_set & o->attr_clear & ~(uint64_t) MOUNT_ATTR__ATIME)
    fuzz_fail ("mount options: attributes %#llx both set and cleared",
               (unsigned long long) (o->attr_set & o->attr_clear));
  if (o->idmap_recursive && !o->idmap)
    fuzz_fail ("mount options: ridmap without idmap");
  if ((data == NULL) != (o->data == NULL) || (data != NULL && strcmp (data, o->data) != 0))
    fuzz_fail ("mount options: data `%s`, expected `%s`", o->data ? o->data : "(null)",
               data ? data : "(null)");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  _cleanup_error_ struct silo_error *err = NULL;
  struct silo_mount_options o;
  struct fuzz_list list;

  fuzz_list_split (data, size, MAX_OPTIONS, &list);
  if (silo_mount_options_parse (list.items, list.n, &o, &err) == 0)
    {
      check_options (&o, list.items, list.n);
      silo_mount_options_release (&o);
    }
  fuzz_list_free (&list);
  return 0;
}
