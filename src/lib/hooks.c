/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "hooks.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "signals.h"
#include "util.h"

/* How much of a hook's output is kept for its error message, and how many lines of it.  */
#define HOOK_TAIL_SIZE 1024
#define HOOK_TAIL_LINES 3

struct hook_run
{
  const oci_hook *hook;
  const char *stage;
  size_t index;
  pid_t pid;
  int pidfd;
  int output;               /* read end of the hook's stdout+stderr; -1 at EOF */
  bool timed_out;
  char tail[HOOK_TAIL_SIZE];
  size_t tail_len;
};

/* "prestart hook `/x` (hooks.prestart[0])", the start of every message about a hook.  */
#define HOOK_FMT "%s hook `%s` (hooks.%s[%zu])"
#define HOOK_ARGS(run) (run)->stage, (run)->hook->path, (run)->stage, (run)->index

/* posix_spawn's dup2 actions run in order: an fd already sitting on 0, 1 or 2 could be
 * overwritten by an earlier one, which happens when silo itself runs with stdio closed.  */
static int
fd_above_stdio (int fd)
{
  int moved;

  if (fd > STDERR_FILENO)
    return fd;
  moved = fcntl (fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
  close (fd);
  return moved;
}

/* A pipe already holding the state: the hook reads it whenever it likes, and silo never
 * writes to a pipe whose reader may be gone.  */
static int
state_pipe (const char *state_json, struct silo_error **err)
{
  size_t len = state_json != NULL ? strlen (state_json) : 0;
  _cleanup_close_ int read_end = -1, write_end = -1;
  int fds[2], capacity;

  if (pipe2 (fds, O_CLOEXEC) < 0)
    return silo_fail (err, errno, "pipe");
  read_end = fd_above_stdio (fds[0]);
  write_end = fds[1];
  if (read_end < 0)
    return silo_fail (err, errno, "fcntl F_DUPFD_CLOEXEC");
  /* A pipe holds at least a page; a user over its pipe-user-pages quota gets less than
   * the usual 64 KiB, and a write beyond the capacity would block silo for good.  */
  capacity = len > 4096 ? fcntl (write_end, F_GETPIPE_SZ) : 4096;
  if ((capacity < 0 || (size_t) capacity < len) && fcntl (write_end, F_SETPIPE_SZ, (int) len) < 0)
    return silo_fail (err, errno, "the state (%zu bytes) does not fit in a pipe", len);
  if (write_all (write_end, state_json, len) < 0)
    return silo_fail (err, errno, "write the state to the hook's stdin");
  return steal_fd (&read_end);
}

static char **
strv_with_null (char **items, size_t n, const char *fallback)
{
  char **v = xmalloc0 ((n + 2) * sizeof (char *));

  if (n > 0)
    memcpy (v, items, n * sizeof (char *));
  else if (fallback != NULL)
    v[0] = (char *) fallback;
  return v;
}

/* Returns 0 or an errno value, as posix_spawn does.  */
static int
spawn_hook (struct hook_run *run, int stdin_fd, int output_fd)
{
  _cleanup_free_ char **argv = strv_with_null (run->hook->args, run->hook->n_args, run->hook->path);
  _cleanup_free_ char **envp = strv_with_null (run->hook->env, run->hook->n_env, NULL);
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  sigset_t none, all;
  bool lowered;
  int r;

  sigemptyset (&none);
  sigfillset (&all);
  posix_spawn_file_actions_init (&actions);
  posix_spawnattr_init (&attr);
  posix_spawn_file_actions_adddup2 (&actions, stdin_fd, STDIN_FILENO);
  posix_spawn_file_actions_adddup2 (&actions, output_fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2 (&actions, output_fd, STDERR_FILENO);
  posix_spawn_file_actions_addclosefrom_np (&actions, STDERR_FILENO + 1);
  /* Its own process group, so that a timeout kills whatever the hook started too.  */
  posix_spawnattr_setflags (&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
                                   | POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setsigmask (&attr, &none);
  posix_spawnattr_setsigdefault (&attr, &all);
  posix_spawnattr_setpgroup (&attr, 0);
  lowered = silo_nofile_lower ();
  r = posix_spawn (&run->pid, run->hook->path, &actions, &attr, argv, envp);
  if (lowered)
    silo_nofile_raise ();
  posix_spawn_file_actions_destroy (&actions);
  posix_spawnattr_destroy (&attr);
  return r;
}

static void
keep_tail (struct hook_run *run, const char *data, size_t n)
{
  if (n >= HOOK_TAIL_SIZE)
    {
      memcpy (run->tail, data + n - HOOK_TAIL_SIZE, HOOK_TAIL_SIZE);
      run->tail_len = HOOK_TAIL_SIZE;
      return;
    }
  if (run->tail_len + n > HOOK_TAIL_SIZE)
    {
      size_t drop = run->tail_len + n - HOOK_TAIL_SIZE;
      memmove (run->tail, run->tail + drop, run->tail_len - drop);
      run->tail_len -= drop;
    }
  memcpy (run->tail + run->tail_len, data, n);
  run->tail_len += n;
}

/* Copy what the hook wrote to silo's stderr.  Returns false at EOF or when nothing more
 * is there without waiting.  */
static bool
forward_output (struct hook_run *run)
{
  char buffer[4096];
  ssize_t n = read (run->output, buffer, sizeof buffer);

  if (n < 0 && errno == EINTR)
    return true;
  if (n <= 0)
    {
      if (n == 0)
        silo_closep (&run->output);
      return false;
    }
  (void) write_all (STDERR_FILENO, buffer, (size_t) n);
  keep_tail (run, buffer, (size_t) n);
  return true;
}

static int
remaining_ms (const struct timespec *deadline)
{
  struct timespec now;
  long long ms;

  clock_gettime (CLOCK_MONOTONIC, &now);
  ms = (long long) (deadline->tv_sec - now.tv_sec) * 1000
       + (deadline->tv_nsec - now.tv_nsec) / 1000000;
  return ms < 0 ? 0 : ms > 1000000000 ? 1000000000 : (int) ms;
}

/* Forward output until the hook exits or its time is up.  */
static int
watch_hook (struct hook_run *run, struct silo_error **err)
{
  struct timespec deadline;

  clock_gettime (CLOCK_MONOTONIC, &deadline);
  deadline.tv_sec += run->hook->has_timeout ? run->hook->timeout : 0;
  for (;;)
    {
      struct pollfd fds[2] = { { run->pidfd, POLLIN, 0 }, { run->output, POLLIN, 0 } };
      int timeout = run->hook->has_timeout ? remaining_ms (&deadline) : -1;
      int r = poll (fds, run->output >= 0 ? 2 : 1, timeout);

      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return silo_fail (err, errno, "poll");
      if (r == 0)
        {
          killpg (run->pid, SIGKILL);
          run->timed_out = true;
          return 0;
        }
      if (run->output >= 0 && fds[1].revents != 0)
        forward_output (run);
      if (fds[0].revents != 0)
        break;
    }
  /* Exited: take what is already written, not what background children may still write.  */
  if (run->output >= 0 && fcntl (run->output, F_SETFL, O_NONBLOCK) == 0)
    while (run->output >= 0 && forward_output (run))
      ;
  return 0;
}

/* The last lines of the hook's output as a message suffix, ": a; b; c", or "".  */
static char *
tail_lines (struct hook_run *run)
{
  char *text = xmalloc0 (HOOK_TAIL_SIZE + 1), *lines[HOOK_TAIL_LINES], *save = NULL;
  size_t n = 0;

  memcpy (text, run->tail, run->tail_len);
  for (char *line = strtok_r (text, "\r\n", &save); line != NULL;
       line = strtok_r (NULL, "\r\n", &save))
    {
      if (n == HOOK_TAIL_LINES)
        memmove (lines, lines + 1, --n * sizeof (char *));
      lines[n++] = line;
    }
  char *joined = xstrdup ("");
  for (size_t i = 0; i < n; i++)
    {
      char *longer = xasprintf ("%s%s%s", joined, i > 0 ? "; " : ": ", lines[i]);
      free (joined);
      joined = longer;
    }
  free (text);
  return joined;
}

static int
hook_result (struct hook_run *run, int status, struct silo_error **err)
{
  _cleanup_free_ char *output = tail_lines (run);
  const char *name;

  if (run->timed_out)
    return silo_fail (err, 0, HOOK_FMT " did not finish within %d s and was killed%s",
                      HOOK_ARGS (run), run->hook->timeout, output);
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return 0;
  if (WIFEXITED (status))
    return silo_fail (err, 0, HOOK_FMT " exited with status %d%s", HOOK_ARGS (run),
                      WEXITSTATUS (status), output);
  name = silo_signal_name (WTERMSIG (status));
  if (name != NULL)
    return silo_fail (err, 0, HOOK_FMT " was killed by %s%s", HOOK_ARGS (run), name, output);
  return silo_fail (err, 0, HOOK_FMT " was killed by signal %d%s", HOOK_ARGS (run),
                    WTERMSIG (status), output);
}

static int
reap (pid_t pid, int *status)
{
  while (waitpid (pid, status, 0) < 0)
    if (errno != EINTR)
      return -1;
  return 0;
}

static int
run_started_hook (struct hook_run *run, struct silo_error **err)
{
  int status = 0, r;

  run->pidfd = (int) syscall (SYS_pidfd_open, run->pid, 0);
  if (run->pidfd < 0)
    {
      r = silo_fail (err, errno, HOOK_FMT ": pidfd_open", HOOK_ARGS (run));
      killpg (run->pid, SIGKILL);
    }
  else
    {
      r = watch_hook (run, err);
      if (r < 0)
        killpg (run->pid, SIGKILL);
      close (run->pidfd);
    }
  if (reap (run->pid, &status) < 0 && r == 0)
    return silo_fail (err, errno, HOOK_FMT ": waitpid (is SIGCHLD ignored?)", HOOK_ARGS (run));
  return r < 0 ? r : hook_result (run, status, err);
}

static int
run_hook (const oci_hook *hook, const char *stage, size_t index, const char *state_json,
          struct silo_error **err)
{
  struct hook_run run = { .hook = hook, .stage = stage, .index = index, .pidfd = -1 };
  _cleanup_close_ int stdin_fd = -1, output_write = -1;
  int fds[2], r;

  if (hook->path == NULL || hook->path[0] != '/')
    return silo_fail (err, 0, "hooks.%s[%zu].path: must be an absolute path", stage, index);
  if (hook->has_timeout && hook->timeout <= 0)
    return silo_fail (err, 0, "hooks.%s[%zu].timeout: must be greater than zero", stage, index);
  stdin_fd = state_pipe (state_json, err);
  if (stdin_fd < 0)
    return silo_wrap (err, HOOK_FMT, HOOK_ARGS (&run));
  if (pipe2 (fds, O_CLOEXEC) < 0)
    return silo_fail (err, errno, HOOK_FMT ": pipe", HOOK_ARGS (&run));
  run.output = fds[0];
  output_write = fd_above_stdio (fds[1]);
  r = output_write < 0 ? errno : spawn_hook (&run, stdin_fd, output_write);
  silo_closep (&output_write);
  if (r != 0)
    {
      silo_closep (&run.output);
      return silo_fail (err, r, HOOK_FMT, HOOK_ARGS (&run));
    }
  r = run_started_hook (&run, err);
  silo_closep (&run.output);
  return r;
}

int
silo_hooks_run (const oci_hook *hooks, size_t n, const char *stage, const char *state_json,
                struct silo_error **err)
{
  for (size_t i = 0; i < n; i++)
    if (run_hook (&hooks[i], stage, i, state_json, err) < 0)
      return -1;
  return 0;
}

void
silo_hooks_run_all (const oci_hook *hooks, size_t n, const char *stage, const char *state_json)
{
  for (size_t i = 0; i < n; i++)
    {
      struct silo_error *err = NULL;
      if (run_hook (&hooks[i], stage, i, state_json, &err) < 0)
        {
          silo_log_warning ("%s", err->msg);
          silo_error_free (err);
        }
    }
}
