/* silo: CRIU's RPC over a `criu swrk` child (see criu-rpc.h for the exchange).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "criu-rpc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

/* An exit status of the child that says the exec failed (the shell's convention).  */
#define SWRK_EXEC_FAILED 127

/* criu swrk, our child, on the far end of *sk.  */
static pid_t
swrk_start (int *sk, struct silo_error **err)
{
  int pair[2];
  pid_t pid;

  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
    return silo_fail (err, errno, "CRIU: socketpair for `criu swrk`");
  pid = fork ();
  if (pid < 0)
    {
      int saved = errno;
      close (pair[0]);
      close (pair[1]);
      return silo_fail (err, saved, "CRIU: fork for `criu swrk`");
    }
  if (pid == 0)
    {
      sigset_t none;
      char fd[16];

      /* CRIU catches its restored tasks' deaths with SIGCHLD: never start it blocked.  */
      sigemptyset (&none);
      sigprocmask (SIG_SETMASK, &none, NULL);
      close (pair[0]);
      if (fcntl (pair[1], F_SETFD, 0) < 0)
        _exit (SWRK_EXEC_FAILED);
      snprintf (fd, sizeof (fd), "%d", pair[1]);
      execlp ("criu", "criu", "swrk", fd, (char *) NULL);
      _exit (SWRK_EXEC_FAILED);
    }
  close (pair[1]);
  *sk = pair[0];
  return pid;
}

static int
swrk_wait (pid_t pid)
{
  int status;

  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return -1;
  return status;
}

static int
send_request (int sk, const CriuReq *req, struct silo_error **err)
{
  size_t len = CRIU (criu_req__get_packed_size) (req);
  _cleanup_free_ uint8_t *buf = xmalloc0 (len > 0 ? len : 1);

  if (CRIU (criu_req__pack) (req, buf) != len)
    return silo_fail (err, EINVAL, "CRIU: cannot pack the request");
  if (send (sk, buf, len, MSG_NOSIGNAL) != (ssize_t) len)
    return silo_fail (err, errno, "CRIU: send the request to `criu swrk`");
  return 0;
}

/* The fd a message carries (SCM_RIGHTS), or -1.  */
static int
carried_fd (struct msghdr *m)
{
  int fd = -1;

  for (struct cmsghdr *c = CMSG_FIRSTHDR (m); c != NULL; c = CMSG_NXTHDR (m, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS
        && c->cmsg_len >= CMSG_LEN (sizeof (int)))
      {
        silo_closep (&fd);
        memcpy (&fd, CMSG_DATA (c), sizeof (int));
      }
  return fd;
}

/* One message: *msg, NULL at the end of the stream; *fd what it carried, or -1.  */
static int
receive (int sk, CriuResp **msg, int *fd, struct silo_error **err)
{
  union { struct cmsghdr align; char buf[CMSG_SPACE (sizeof (int))]; } control;
  _cleanup_free_ uint8_t *buf = NULL;
  struct iovec iov;
  struct msghdr m = { 0 };
  ssize_t len, n;

  *msg = NULL;
  *fd = -1;
  do
    len = recv (sk, NULL, 0, MSG_PEEK | MSG_TRUNC);
  while (len < 0 && errno == EINTR);
  if (len < 0)
    return silo_fail (err, errno, "CRIU: receive from `criu swrk`");
  buf = xmalloc0 (len > 0 ? (size_t) len : 1);
  iov = (struct iovec) { buf, len > 0 ? (size_t) len : 1 };
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  m.msg_control = control.buf;
  m.msg_controllen = sizeof (control.buf);
  do
    n = recvmsg (sk, &m, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return silo_fail (err, errno, "CRIU: receive from `criu swrk`");
  *fd = carried_fd (&m);
  if (n == 0)
    return 0;
  *msg = CRIU (criu_resp__unpack) (NULL, (size_t) n, buf);
  if (*msg == NULL)
    {
      silo_closep (fd);
      return silo_fail (err, EBADMSG, "CRIU: `criu swrk` sent a message silo cannot unpack");
    }
  return 0;
}

/* What silo does for a notification: keep the orphan pty's master; pass "status-ready"
 * on to the caller's status fd, as runc does.  Every other action needs nothing.  */
static void
notified (const CriuNotify *n, int fd, struct silo_criu_call *call)
{
  const char *script = n != NULL && n->script != NULL ? n->script : "";

  if (strcmp (script, "orphan-pts-master") == 0 && fd >= 0)
    {
      silo_closep (&call->pty_master);
      call->pty_master = steal_fd (&fd);
    }
  else if (strcmp (script, "status-ready") == 0 && call->status_fd >= 0)
    {
      if (write_all (call->status_fd, "", 1) < 0)
        silo_log_warning ("--status-fd %d: cannot write CRIU's ready byte: %s", call->status_fd,
                          strerror (errno));
      silo_closep (&call->status_fd);
    }
  silo_closep (&fd);
}

static int
acknowledge (int sk, struct silo_error **err)
{
  CriuReq ack;

  CRIU (criu_req__init) (&ack);
  ack.type = CRIU_REQ_TYPE__NOTIFY;
  ack.has_notify_success = true;
  ack.notify_success = true;
  return send_request (sk, &ack, err);
}

static int
exchange (int sk, const CriuReq *req, struct silo_criu_call *call, CriuResp **resp,
          struct silo_error **err)
{
  if (send_request (sk, req, err) < 0)
    return -1;
  for (;;)
    {
      CriuResp *msg;
      int fd;

      if (receive (sk, &msg, &fd, err) < 0)
        return -1;
      if (msg == NULL || msg->type != CRIU_REQ_TYPE__NOTIFY)
        {
          silo_closep (&fd);
          *resp = msg;
          return 0;
        }
      notified (msg->notify, fd, call);
      CRIU (criu_resp__free_unpacked) (msg, NULL);
      if (acknowledge (sk, err) < 0)
        return -1;
    }
}

static int
swrk_ended (int status, struct silo_error **err)
{
  if (WIFEXITED (status) && WEXITSTATUS (status) == SWRK_EXEC_FAILED)
    return silo_fail (err, ENOENT, "CRIU: cannot run `criu swrk` (is the criu program "
                      "installed and in PATH?)");
  if (WIFSIGNALED (status))
    return silo_fail (err, ECOMM, "CRIU: `criu swrk` was killed by signal %d before it "
                      "answered", WTERMSIG (status));
  return silo_fail (err, ECOMM, "CRIU: `criu swrk` exited (status %d) before it answered",
                    WIFEXITED (status) ? WEXITSTATUS (status) : -1);
}

int
silo_criu_rpc_call (const CriuReq *req, struct silo_criu_call *call, CriuResp **resp,
                    struct silo_error **err)
{
  _cleanup_close_ int sk = -1;
  pid_t pid;
  int ret, status;

  *resp = NULL;
  call->pty_master = -1;
  pid = swrk_start (&sk, err);
  if (pid < 0)
    return -1;
  ret = exchange (sk, req, call, resp, err);
  /* criu swrk exits once it has answered (or when its socket closes, after an error).  */
  silo_closep (&sk);
  status = swrk_wait (pid);
  /* Without the criu program, the failed send or receive is not what to report.  */
  if (status >= 0 && WIFEXITED (status) && WEXITSTATUS (status) == SWRK_EXEC_FAILED)
    {
      silo_error_freep (err);
      ret = -1;
      swrk_ended (status, err);
    }
  else if (ret == 0 && *resp == NULL)
    ret = swrk_ended (status, err);
  if (ret < 0)
    {
      if (*resp != NULL)
        CRIU (criu_resp__free_unpacked) (*resp, NULL);
      *resp = NULL;
      silo_closep (&call->pty_master);
    }
  return ret;
}
