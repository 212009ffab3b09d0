/* Reading tests/cgroup-resources.tsv (its header says what the columns are), shared by
 * the conversion test and the live test.  Placeholders @MAJ@ and @MIN@ are replaced by a
 * block device's numbers.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SILO_TEST_CGROUP_TSV_H
#define SILO_TEST_CGROUP_TSV_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#ifndef SILO_TOP_SRCDIR
# define SILO_TOP_SRCDIR "."
#endif

struct tsv_row
{
  char *key, *json, *layout, *file, *expected, *written;   /* written: never NULL */
  unsigned line;
};

static char *
tsv_substitute (const char *text, unsigned major, unsigned minor)
{
  char *out = xstrdup (text);
  const char *names[] = { "@MAJ@", "@MIN@" };
  unsigned values[] = { major, minor };

  for (size_t k = 0; k < 2; k++)
    for (char *at = strstr (out, names[k]); at != NULL; at = strstr (out, names[k]))
      {
        char *next = xasprintf ("%.*s%u%s", (int) (at - out), out, values[k], at + strlen (names[k]));
        free (out);
        out = next;
      }
  return out;
}

static void
tsv_rows_free (struct tsv_row *rows, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      free (rows[i].key);
      free (rows[i].json);
      free (rows[i].layout);
      free (rows[i].file);
      free (rows[i].expected);
      free (rows[i].written);
    }
  free (rows);
}

/* All rows, with the device numbers put in; NULL when the file cannot be read.  */
static struct tsv_row *
tsv_read (unsigned major, unsigned minor, size_t *n)
{
  const char *dir = getenv ("srcdir") != NULL ? getenv ("srcdir") : SILO_TOP_SRCDIR;
  _cleanup_free_ char *path = xasprintf ("%s/tests/cgroup-resources.tsv", dir);
  _cleanup_free_ char *line = NULL;
  size_t size = 0;
  struct tsv_row *rows = NULL;
  unsigned number = 0;
  FILE *f = fopen (path, "re");

  *n = 0;
  if (f == NULL)
    return NULL;
  while (getline (&line, &size, f) > 0)
    {
      char *fields[6] = { NULL }, *save = NULL;
      size_t k = 0;
      number++;
      if (line[0] == '#' || line[0] == '\n')
        continue;
      line[strcspn (line, "\n")] = '\0';
      for (char *t = strtok_r (line, "\t", &save); t != NULL && k < 6; t = strtok_r (NULL, "\t", &save))
        fields[k++] = t;
      if (k < 5)
        continue;
      rows = xrealloc (rows, (*n + 1) * sizeof (*rows));
      rows[*n] = (struct tsv_row) {
        xstrdup (fields[0]), tsv_substitute (fields[1], major, minor), xstrdup (fields[2]),
        xstrdup (fields[3]), tsv_substitute (fields[4], major, minor),
        tsv_substitute (fields[k == 6 ? 5 : 4], major, minor), number,
      };
      (*n)++;
    }
  fclose (f);
  return rows;
}

#endif
