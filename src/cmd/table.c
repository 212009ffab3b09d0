/* silo CLI: output formatting shared by the commands (the `list` table, timestamps as Go
 * prints them), so that tools written against runc's output read silo's.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "cmd.h"

#include <string.h>

#include "util.h"

#define TABLE_MIN_WIDTH 12
#define TABLE_PADDING 3

/* tabwriter measures cells in characters, not bytes: count UTF-8 lead bytes.  */
static size_t
display_width (const char *s)
{
  size_t n = 0;
  for (; *s; s++)
    if (((unsigned char) *s & 0xC0) != 0x80)
      n++;
  return n;
}

static const char *
cell_text (const char *cell)
{
  return cell != NULL ? cell : "";
}

void
silo_cmd_print_table (FILE *out, const char *const *cells, size_t n_rows, size_t n_columns)
{
  _cleanup_free_ size_t *widths = xmalloc0 ((n_columns + 1) * sizeof (*widths));

  for (size_t c = 0; c + 1 < n_columns; c++)
    {
      widths[c] = TABLE_MIN_WIDTH;
      for (size_t r = 0; r < n_rows; r++)
        {
          size_t w = display_width (cell_text (cells[r * n_columns + c])) + TABLE_PADDING;
          widths[c] = w > widths[c] ? w : widths[c];
        }
    }
  for (size_t r = 0; r < n_rows; r++)
    {
      for (size_t c = 0; c < n_columns; c++)
        {
          const char *cell = cell_text (cells[r * n_columns + c]);
          fputs (cell, out);
          if (c + 1 < n_columns)
            fprintf (out, "%*s", (int) (widths[c] - display_width (cell)), "");
        }
      fputc ('\n', out);
    }
}

char *
silo_cmd_rfc3339_nano (const char *timestamp)
{
  const char *dot, *end, *digits_end;

  if (timestamp == NULL)
    return NULL;
  dot = strchr (timestamp, '.');
  if (dot == NULL)
    return xstrdup (timestamp);
  end = dot + 1 + strspn (dot + 1, "0123456789");
  digits_end = end;
  while (digits_end > dot + 1 && digits_end[-1] == '0')
    digits_end--;
  if (digits_end == dot + 1)
    digits_end = dot;   /* ".000" goes with its dot */
  return xasprintf ("%.*s%s", (int) (digits_end - timestamp), timestamp, end);
}
