/* bench/hog: the workload of bench/limits.sh, linked static so that it runs in the busybox
 * rootfs.  Each mode prints what it reached, one line at a time and flushed, so that the
 * last line survives an OOM kill.
 *
 *   hog mem MIB     touch MIB mebibytes, 1 MiB at a time: "mem N" after each
 *   hog cpu SECS    spin for SECS seconds of wall time: "cpu USED_MS WALL_MS" at the end
 *   hog pids N      fork N sleeping children: "pids N" once all forks are done (or failed),
 *                   then kill them
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef _GNU_SOURCE
# define _GNU_SOURCE
#endif
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double
now_ms (clockid_t clock)
{
  struct timespec t;
  clock_gettime (clock, &t);
  return (double) t.tv_sec * 1e3 + (double) t.tv_nsec / 1e6;
}

static int
hog_mem (long mib)
{
  for (long i = 1; i <= mib; i++)
    {
      char *p = mmap (NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p == MAP_FAILED)
        {
          printf ("mem-failed %ld %s\n", i, strerror (errno));
          return 1;
        }
      memset (p, (int) i, 1 << 20);
      printf ("mem %ld\n", i);
      fflush (stdout);
    }
  return 0;
}

static int
hog_cpu (long secs)
{
  double start = now_ms (CLOCK_MONOTONIC), cpu0 = now_ms (CLOCK_PROCESS_CPUTIME_ID);
  volatile unsigned long spin = 0;

  while (now_ms (CLOCK_MONOTONIC) - start < (double) secs * 1e3)
    for (int i = 0; i < 100000; i++)
      spin++;
  printf ("cpu %.1f %.1f\n", now_ms (CLOCK_PROCESS_CPUTIME_ID) - cpu0, now_ms (CLOCK_MONOTONIC) - start);
  return 0;
}

static int
hog_pids (long n)
{
  pid_t *kids = calloc ((size_t) n, sizeof *kids);
  long made = 0;

  if (kids == NULL)
    return 1;
  for (; made < n; made++)
    {
      kids[made] = fork ();
      if (kids[made] < 0)
        break;
      if (kids[made] == 0)
        {
          pause ();
          _exit (0);
        }
    }
  printf ("pids %ld\n", made);
  fflush (stdout);
  for (long i = 0; i < made; i++)
    kill (kids[i], SIGKILL);
  while (wait (NULL) > 0)
    ;
  free (kids);
  return 0;
}

int
main (int argc, char **argv)
{
  long n;

  if (argc != 3)
    {
      fprintf (stderr, "usage: hog mem MIB | cpu SECS | pids N\n");
      return 2;
    }
  n = strtol (argv[2], NULL, 10);
  if (strcmp (argv[1], "mem") == 0)
    return hog_mem (n);
  if (strcmp (argv[1], "cpu") == 0)
    return hog_cpu (n);
  if (strcmp (argv[1], "pids") == 0)
    return hog_pids (n);
  fprintf (stderr, "hog: unknown mode `%s`\n", argv[1]);
  return 2;
}
