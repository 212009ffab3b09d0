/* silo: the one error type carried through the runtime.
 *
 * Every fallible function takes `struct silo_error **err` as its last parameter and
 * returns an int: >= 0 on success, < 0 on failure with *err set.  Only main() turns an
 * error into an exit code.  A message names what failed, on which path or field, and,
 * where it helps, what to do about it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_ERROR_H
#define SILO_ERROR_H

#include <stdarg.h>

struct silo_error
{
  int errnum;  /* errno value, 0 when the failure is not a system error */
  char *msg;   /* full text, ": strerror(errnum)" included */
};

/* Set *err (when err is not NULL and *err is still empty) and return -1.  When errnum
 * is not 0 the rendered message gets ": strerror(errnum)" appended.  */
int silo_fail (struct silo_error **err, int errnum, const char *fmt, ...)
  __attribute__ ((format (printf, 3, 4)));
int silo_vfail (struct silo_error **err, int errnum, const char *fmt, va_list ap)
  __attribute__ ((format (printf, 3, 0)));

/* Prefix context to an existing error ("create container `x`: ...") and return -1.  */
int silo_wrap (struct silo_error **err, const char *fmt, ...)
  __attribute__ ((format (printf, 2, 3)));

void silo_error_free (struct silo_error *e);
void silo_error_freep (struct silo_error **e);
#define _cleanup_error_ __attribute__ ((cleanup (silo_error_freep)))

#endif
