/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* silo: a foreground process (`run`'s init, `exec`'s process) — wait for it, forwarding
 * signals to it and relaying its terminal (raw mode on ours, SIGWINCH → resize, restored
 * on exit).  */
#include "container-internal.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "log.h"
#include "terminal.h"
#include "util.h"

/* Signals a foreground `run` passes on to the container, as an interactive shell expects.  */
static const int forwarded[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM,
                                 SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU, SIGPIPE, SIGURG, SIGPWR };

static int
open_signalfd (sigset_t *old, struct silo_error **err)
{
  sigset_t set;
  int fd;

  sigemptyset (&set);
  for (size_t i = 0; i < SILO_ARRAY_SIZE (forwarded); i++)
    sigaddset (&set, forwarded[i]);
  sigaddset (&set, SIGWINCH);
  sigaddset (&set, SIGCHLD);
  if (sigprocmask (SIG_BLOCK, &set, old) < 0)
    return silo_fail (err, errno, "sigprocmask");
  fd = signalfd (-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (fd < 0)
    return silo_fail (err, errno, "signalfd");
  return fd;
}

/* Copy what is readable from one fd to another; false at EOF or error.  */
static bool
relay (int from, int to)
{
  char buf[8192];
  ssize_t n = read (from, buf, sizeof (buf));

  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return true;
  if (n <= 0)
    return false;
  return write_all (to, buf, (size_t) n) == 0;
}

static void
handle_signals (struct silo_foreground *f, int sigfd)
{
  struct signalfd_siginfo si;

  while (read (sigfd, &si, sizeof (si)) == sizeof (si))
    {
      int sig = (int) si.ssi_signo;
      if (sig == SIGCHLD)
        continue;
      if (sig == SIGWINCH)
        {
          if (f->pty_master >= 0)
            silo_terminal_copy_size (STDIN_FILENO, f->pty_master);
          continue;
        }
      silo_pidfd_send_signal (f->pidfd, sig, NULL);
    }
}

static int
reap (pid_t pid, int *exit_status, struct silo_error **err)
{
  int status;
  pid_t r;

  do
    r = waitpid (pid, &status, 0);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return silo_fail (err, errno, "wait for the container process %d", (int) pid);
  *exit_status = WIFSIGNALED (status) ? 128 + WTERMSIG (status) : WEXITSTATUS (status);
  return 0;
}

static int
wait_loop (struct silo_foreground *f, int sigfd, int *exit_status, struct silo_error **err)
{
  bool stdin_open = f->pty_master >= 0;

  for (;;)
    {
      struct pollfd fds[4] = {
        { .fd = f->pidfd, .events = POLLIN },
        { .fd = sigfd, .events = POLLIN },
        { .fd = f->pty_master, .events = POLLIN },
        { .fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN },
      };
      if (poll (fds, 4, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return silo_fail (err, errno, "poll");
        }
      if (fds[1].revents)
        handle_signals (f, sigfd);
      if (fds[2].revents && !relay (f->pty_master, STDOUT_FILENO))
        silo_closep (&f->pty_master);
      if (fds[3].revents && !relay (STDIN_FILENO, f->pty_master))
        stdin_open = false;
      if (fds[0].revents)
        {
          /* drain what the container wrote before it exited */
          while (f->pty_master >= 0 && poll (&fds[2], 1, 0) > 0 && relay (f->pty_master, STDOUT_FILENO))
            ;
          return reap (f->pid, exit_status, err);
        }
    }
}

int
silo_foreground_wait (struct silo_foreground *f, int *exit_status, struct silo_error **err)
{
  sigset_t old;
  struct termios saved;
  bool raw = false;
  int ret;
  _cleanup_close_ int sigfd = open_signalfd (&old, err);

  if (sigfd < 0)
    return -1;
  if (f->pty_master >= 0 && isatty (STDIN_FILENO))
    {
      silo_terminal_copy_size (STDIN_FILENO, f->pty_master);
      raw = silo_terminal_make_raw (STDIN_FILENO, &saved, NULL) == 0;
    }
  ret = wait_loop (f, sigfd, exit_status, err);
  if (raw)
    silo_terminal_restore (STDIN_FILENO, &saved);
  sigprocmask (SIG_SETMASK, &old, NULL);
  return ret;
}
