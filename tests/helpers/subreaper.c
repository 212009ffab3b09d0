/* subreaper: run a command as a child subreaper, then report what it left behind.
 *
 *   subreaper COMMAND [ARG...]
 *
 * Becomes a child subreaper (PR_SET_CHILD_SUBREAPER), runs COMMAND, waits for it, then
 * reaps whatever was reparented to us until nothing is left, counting it, and prints one
 * line "orphans: N" on stderr.  Exit status: COMMAND's (128+N after signal N).  Processes
 * orphaned by COMMAND (a runtime's forks, a container's processes) come to us instead of
 * PID 1, which on these hosts reaps late: a leak shows here, not as a zombie elsewhere.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int
main (int argc, char **argv)
{
  int status = 0, other, orphans = 0;
  pid_t child, pid;

  if (argc < 2 || prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
    {
      fprintf (stderr, "usage: subreaper COMMAND [ARG...]\n");
      return 2;
    }
  child = fork ();
  if (child == 0)
    {
      execvp (argv[1], argv + 1);
      perror ("subreaper: exec");
      _exit (127);
    }
  while ((pid = wait (&other)) > 0 || errno == EINTR)
    {
      if (pid == child)
        status = other;
      else if (pid > 0)
        orphans++;
    }
  fprintf (stderr, "orphans: %d\n", orphans);
  return WIFSIGNALED (status) ? 128 + WTERMSIG (status) : WEXITSTATUS (status);
}
