/* bench/measure: run one command and say what it cost, everything it started included.
 *
 *   measure REAP_MS PROGRAM [ARG...]
 *
 * prints one line, on fd 3 when it is open (the command's stdout stays its own), else on
 * stdout:   wall_ms cpu_ms maxrss_kb exit_code left
 *
 * It is a child subreaper: an init that the runtime leaves behind (re-parented here) is
 * reaped here when it ends within REAP_MS after the command, and its CPU time counts.
 * cpu_ms is user+system of every process reaped (RUSAGE_CHILDREN), this one excluded;
 * maxrss_kb the largest of them.  `left`: processes still alive after REAP_MS (expected
 * after `create`: the init; they are left for the caller, who is a subreaper too).
 *
 * A C program rather than the Python harness forking itself: ru_maxrss survives execve,
 * so a child forked from a 16 MB interpreter reports 16 MB whatever it runs.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef _GNU_SOURCE
# define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double
now_ms (void)
{
  struct timespec t;
  clock_gettime (CLOCK_MONOTONIC, &t);
  return (double) t.tv_sec * 1e3 + (double) t.tv_nsec / 1e6;
}

/* Reap whatever ends before the deadline; the number still alive after it.  */
static int
reap_until (double deadline)
{
  for (;;)
    {
      pid_t pid = waitpid (-1, NULL, WNOHANG);
      if (pid < 0 && errno == ECHILD)
        return 0;
      if (pid > 0)
        continue;
      if (now_ms () >= deadline)
        break;
      usleep (1000);
    }
  int alive = 0;
  char path[64], buf[4096];
  snprintf (path, sizeof path, "/proc/self/task/%d/children", (int) getpid ());
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  ssize_t n = fd < 0 ? 0 : read (fd, buf, sizeof buf - 1);
  if (fd >= 0)
    close (fd);
  buf[n > 0 ? n : 0] = '\0';
  for (char *tok = strtok (buf, " \n"); tok != NULL; tok = strtok (NULL, " \n"))
    alive++;
  return alive;
}

int
main (int argc, char **argv)
{
  struct rusage ru;
  double start, wall;
  int status, code, left;
  FILE *out;
  pid_t pid;

  if (argc < 3)
    {
      fprintf (stderr, "usage: measure REAP_MS PROGRAM [ARG...]\n");
      return 125;
    }
  if (prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
    {
      perror ("measure: prctl(PR_SET_CHILD_SUBREAPER)");
      return 125;
    }
  out = fcntl (3, F_GETFD) >= 0 ? fdopen (3, "w") : stdout;
  start = now_ms ();
  pid = fork ();
  if (pid < 0)
    return 125;
  if (pid == 0)
    {
      if (out != stdout)
        close (3);
      execvp (argv[2], argv + 2);
      perror (argv[2]);
      _exit (127);
    }
  if (waitpid (pid, &status, 0) < 0)
    return 125;
  wall = now_ms () - start;
  code = WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
  left = reap_until (now_ms () + atof (argv[1]));
  getrusage (RUSAGE_CHILDREN, &ru);
  fprintf (out, "%.3f %.3f %ld %d %d\n", wall,
           (double) (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3
           + (double) (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3,
           ru.ru_maxrss, code, left);
  return 0;
}
