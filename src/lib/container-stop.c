/* silo: `stop`, as Docker's: SIGTERM to the container's init, SIGKILL to all of its
 * processes once the timeout has passed, and back when the init is gone.  The stopped
 * container stays (as with Docker): `rm` or `delete` removes it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "container.h"

#include <errno.h>
#include <stdint.h>
#include <poll.h>
#include <signal.h>

#include "container-internal.h"
#include "log.h"
#include "spawn.h"
#include "state.h"
#include "util.h"

/* 0 once the process behind pidfd has exited, 1 when timeout_ms passed first.  */
static int
wait_exit (int pidfd, int timeout_ms, struct silo_error **err)
{
  struct pollfd p = { .fd = pidfd, .events = POLLIN };
  int ret;

  do
    ret = poll (&p, 1, timeout_ms);
  while (ret < 0 && errno == EINTR);
  if (ret < 0)
    return silo_fail (err, errno, "wait for the container's init");
  return ret == 0 ? 1 : 0;
}

/* A paused container cannot act on SIGTERM (its processes are frozen): it is resumed
 * after the signal is sent, so that the signal is the first thing it sees.  */
static void
resume_if_paused (const struct silo_context *ctx, const char *id, enum silo_status status)
{
  struct silo_error *err = NULL;

  if (status == SILO_PAUSED && silo_container_resume (ctx, id, &err) < 0)
    {
      silo_log_warning ("stop: %s", err->msg);
      silo_error_free (err);
    }
}

static int
kill_everything (const struct silo_context *ctx, const char *id, int pidfd, struct silo_error **err)
{
  if (silo_container_kill (ctx, id, SIGKILL, true, err) < 0)
    {
      /* gone meanwhile: that is what was asked */
      if ((*err)->errnum != ESRCH)
        return -1;
      silo_error_freep (err);
    }
  /* SIGKILL takes effect at once; 10 s is the same bound `delete` gives it.  */
  if (wait_exit (pidfd, 10000, err) == 1)
    return silo_fail (err, ETIMEDOUT, "the init did not exit 10 s after SIGKILL");
  return 0;
}

int
silo_container_stop (const struct silo_context *ctx, const char *id, unsigned timeout_s,
                     struct silo_error **err)
{
  _cleanup_silo_state_ silo_state *s = NULL;
  /* No lock: as `kill`, and nothing may hold one across our wait.  */
  _cleanup_close_ int dirfd = silo_container_open (ctx, id, false, &s, err), pidfd = -1;
  enum silo_status status;
  int ret;

  if (dirfd < 0)
    return -1;
  status = silo_container_status (s);
  if (status == SILO_STOPPED)
    return 0;
  pidfd = silo_pidfd_open_checked (s->pid, s->start_time, NULL);
  if (pidfd < 0)
    return 0;   /* it exited just now */
  /* A created container has not run its program: nothing would handle SIGTERM.  */
  if (status == SILO_RUNNING || status == SILO_PAUSED)
    {
      if (silo_pidfd_send_signal (pidfd, SIGTERM, err) < 0 && (*err)->errnum != ESRCH)
        return silo_wrap (err, "stop container `%s`", id);
      silo_error_freep (err);
      resume_if_paused (ctx, id, status);
      ret = wait_exit (pidfd, timeout_s > INT32_MAX / 1000 ? INT32_MAX : (int) timeout_s * 1000, err);
      if (ret <= 0)
        return ret < 0 ? silo_wrap (err, "stop container `%s`", id) : 0;
    }
  if (kill_everything (ctx, id, pidfd, err) < 0)
    return silo_wrap (err, "stop container `%s`", id);
  return 0;
}
