/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
silo_vfail (struct silo_error **err, int errnum, const char *fmt, va_list ap)
{
  char *text = NULL, *full = NULL;

  if (err == NULL || *err != NULL)
    return -1;
  if (vasprintf (&text, fmt, ap) < 0)
    text = NULL;
  if (text != NULL && errnum != 0)
    {
      if (asprintf (&full, "%s: %s", text, strerror (errnum)) < 0)
        full = NULL;
      free (text);
      text = full;
    }
  *err = calloc (1, sizeof (**err));
  if (*err == NULL)
    {
      free (text);
      abort ();  /* no memory even for the error: nothing sensible is left to do */
    }
  (*err)->errnum = errnum;
  (*err)->msg = text != NULL ? text : strdup ("out of memory");
  return -1;
}

int
silo_fail (struct silo_error **err, int errnum, const char *fmt, ...)
{
  va_list ap;
  int ret;

  va_start (ap, fmt);
  ret = silo_vfail (err, errnum, fmt, ap);
  va_end (ap);
  return ret;
}

int
silo_wrap (struct silo_error **err, const char *fmt, ...)
{
  char *prefix = NULL, *full = NULL;
  va_list ap;

  if (err == NULL || *err == NULL)
    return -1;
  va_start (ap, fmt);
  if (vasprintf (&prefix, fmt, ap) < 0)
    prefix = NULL;
  va_end (ap);
  if (prefix != NULL && asprintf (&full, "%s: %s", prefix, (*err)->msg) >= 0)
    {
      free ((*err)->msg);
      (*err)->msg = full;
    }
  free (prefix);
  return -1;
}

void
silo_error_free (struct silo_error *e)
{
  if (e == NULL)
    return;
  free (e->msg);
  free (e);
}

void
silo_error_freep (struct silo_error **e)
{
  silo_error_free (*e);
  *e = NULL;
}
