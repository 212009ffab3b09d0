/* What the libFuzzer targets in tests/fuzz/ share: splitting an input into a list of
 * strings, and failing an oracle so that libFuzzer keeps the input.
 *
 * Every target is one LLVMFuzzerTestOneInput that parses and never acts: nothing is
 * mounted, loaded, executed or written outside the process.  `make fuzz` builds and runs
 * them (tests/fuzz/local.mk).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_FUZZ_H
#define SILO_FUZZ_H

#include <sanitizer/common_interface_defs.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* A list of strings from an input: the bytes up to each NUL are one element, and a
 * final NUL ends the last one (no empty element after it).  NUL is the one byte that can
 * be in none of them: neither in a JSON string of config.json (libocispec refuses it)
 * nor in an argv element.  At most `max` elements are kept; the list ends with NULL.
 * Free the list with fuzz_list_free.  */
struct fuzz_list
{
  char *text;   /* the input, NUL-terminated */
  char **items;
  size_t n;
};

static inline void
fuzz_list_split (const uint8_t *data, size_t size, size_t max, struct fuzz_list *l)
{
  size_t start = 0;

  l->text = xmalloc0 (size + 1);
  memcpy (l->text, data, size);
  l->items = xmalloc0 ((max + 1) * sizeof (char *));
  l->n = 0;
  while (start < size && l->n < max)
    {
      l->items[l->n++] = l->text + start;
      start += strlen (l->text + start) + 1;
    }
}

static inline void
fuzz_list_free (struct fuzz_list *l)
{
  free (l->items);
  free (l->text);
}

/* An oracle failed: say why where the sanitizers report (libFuzzer's stderr, also when
 * -close_fd_mask silenced the target's own output) and abort, so that libFuzzer writes
 * the input out as a crash.  */
static inline void __attribute__ ((noreturn, format (printf, 1, 2)))
fuzz_fail (const char *fmt, ...)
{
  char *msg = NULL;
  va_list ap;

  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    msg = NULL;
  va_end (ap);
  __sanitizer_report_error_summary (msg != NULL ? msg : "fuzz oracle failed");
  abort ();
}

#endif
