/* pause: the sandbox ("infra") process of a Kubernetes pod, for tests/engines/cri.bats
 * and tests/engines/critest.sh.
 *
 * The pod's namespaces live as long as this process: it sleeps until SIGINT or SIGTERM
 * (exit 0), and, as PID 1 of a pod that shares its PID namespace, reaps every child
 * reparented to it so that no zombie of the pod's containers outlives its parent.
 * Built static: the pause image holds this one file.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void
leave (int signum)
{
  (void) signum;
  _exit (0);
}

static void
reap (int signum)
{
  (void) signum;
  while (waitpid (-1, NULL, WNOHANG) > 0)
    ;
}

int
main (void)
{
  struct sigaction stop = { .sa_handler = leave };
  struct sigaction child = { .sa_handler = reap, .sa_flags = SA_NOCLDSTOP | SA_RESTART };

  /* PID 1 gets no default action for these: without handlers it would ignore them */
  if (sigaction (SIGINT, &stop, NULL) < 0 || sigaction (SIGTERM, &stop, NULL) < 0
      || sigaction (SIGCHLD, &child, NULL) < 0)
    return 1;
  for (;;)
    pause ();
}
