/* A minimal TAP producer for silo's C unit tests.  */
#ifndef SILO_TAP_H
#define SILO_TAP_H

#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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

/* Whether unshare (FLAGS) is refused with EPERM (tried in a child that exits at once): a
 * test point that needs a new namespace skips then, as without root.  */
static inline bool
tap_unshare_denied (int flags)
{
  int status = -1;
  pid_t pid = fork ();

  if (pid == 0)
    _exit (unshare (flags) == 0 ? 0 : errno == EPERM ? 1 : 2);
  return pid > 0 && waitpid (pid, &status, 0) == pid && WIFEXITED (status)
         && WEXITSTATUS (status) == 1;
}

/* Whether capability CAP is in this process's effective set (CapEff in /proc/self/status;
 * unreadable counts as held, so that the real test runs and says what failed).  */
static inline bool
tap_has_capability (int cap)
{
  char line[256];
  unsigned long long mask = ~0ULL;
  FILE *f = fopen ("/proc/self/status", "re");

  while (f != NULL && fgets (line, sizeof line, f) != NULL)
    if (strncmp (line, "CapEff:", 7) == 0)
      mask = strtoull (line + 7, NULL, 16);
  if (f != NULL)
    fclose (f);
  return (mask >> cap) & 1;
}

static inline int
tap_done (void)
{
  printf ("1..%d\n", tap_count);
  return tap_failed ? 1 : 0;
}

#endif
