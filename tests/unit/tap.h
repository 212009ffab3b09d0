/* A minimal TAP producer for silo's C unit tests.  */
#ifndef SILO_TAP_H
#define SILO_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;

#define ok(cond, ...)                                              \
  do {                                                             \
    int ok_ = (cond) ? 1 : 0;                                      \
    tap_count++;                                                   \
    if (!ok_)                                                      \
      tap_failed++;                                                \
    printf ("%s %d - ", ok_ ? "ok" : "not ok", tap_count);         \
    printf (__VA_ARGS__);                                          \
    printf ("\n");                                                 \
    if (!ok_)                                                      \
      printf ("#   failed at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
  } while (0)

#define is_str(got, want, ...)                                     \
  do {                                                             \
    const char *g_ = (got), *w_ = (want);                          \
    ok (g_ != NULL && w_ != NULL && strcmp (g_, w_) == 0, __VA_ARGS__); \
    if (!(g_ != NULL && w_ != NULL && strcmp (g_, w_) == 0))       \
      printf ("#   got:  %s\n#   want: %s\n", g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
  } while (0)

/* A test point this host cannot run, with the reason.  */
#define skip(...)                                                  \
  do {                                                             \
    tap_count++;                                                   \
    printf ("ok %d # SKIP ", tap_count);                           \
    printf (__VA_ARGS__);                                          \
    printf ("\n");                                                 \
  } while (0)

static inline int
tap_done (void)
{
  printf ("1..%d\n", tap_count);
  return tap_failed ? 1 : 0;
}

#endif
