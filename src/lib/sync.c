/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sync.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

struct sync_header
{
  uint32_t type;
  int32_t errnum;
};

void
silo_sync_msg_clear (struct silo_sync_msg *m)
{
  free (m->data);
  m->data = NULL;
  m->len = 0;
  if (m->fd >= 0)
    close (m->fd);
  m->fd = -1;
}

int
silo_sync_send (int sock, enum silo_sync_type type, int errnum, const void *data, size_t len,
                int pass_fd, struct silo_error **err)
{
  struct sync_header h = { .type = type, .errnum = errnum };
  struct iovec iov[2] = { { &h, sizeof (h) }, { (void *) data, len } };
  char control[CMSG_SPACE (sizeof (int))];
  struct msghdr mh = { .msg_iov = iov, .msg_iovlen = len > 0 ? 2 : 1 };

  if (len > SILO_SYNC_MAX - sizeof (h))
    len = iov[1].iov_len = SILO_SYNC_MAX - sizeof (h);
  if (pass_fd >= 0)
    {
      struct cmsghdr *c;
      memset (control, 0, sizeof (control));
      mh.msg_control = control;
      mh.msg_controllen = sizeof (control);
      c = CMSG_FIRSTHDR (&mh);
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN (sizeof (int));
      memcpy (CMSG_DATA (c), &pass_fd, sizeof (int));
    }
  while (sendmsg (sock, &mh, MSG_NOSIGNAL) < 0)
    if (errno != EINTR)
      return silo_fail (err, errno, "send sync message %d", (int) type);
  return 0;
}

void
silo_sync_send_error (int sock, const struct silo_error *e)
{
  const char *msg = e != NULL && e->msg != NULL ? e->msg : "unknown error";
  (void) silo_sync_send (sock, SYNC_ERROR, e != NULL ? e->errnum : 0, msg, strlen (msg), -1, NULL);
}

static int
wait_readable (int sock, int peer_pidfd, const char *what, struct silo_error **err)
{
  struct pollfd fds[2] = { { .fd = sock, .events = POLLIN }, { .fd = peer_pidfd, .events = POLLIN } };

  for (;;)
    {
      int r = poll (fds, peer_pidfd >= 0 ? 2 : 1, -1);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return silo_fail (err, errno, "poll while waiting for %s", what);
      /* Data first: a child that reported an error and exited must show its error.  */
      if (fds[0].revents & (POLLIN | POLLHUP | POLLERR))
        return 0;
      if (fds[1].revents)
        return silo_fail (err, ECHILD, "the container process exited while waiting for %s", what);
    }
}

static void
take_fd (struct msghdr *mh, struct silo_sync_msg *m)
{
  for (struct cmsghdr *c = CMSG_FIRSTHDR (mh); c != NULL; c = CMSG_NXTHDR (mh, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
      memcpy (&m->fd, CMSG_DATA (c), sizeof (int));
}

int
silo_sync_recv (int sock, int peer_pidfd, const char *what, struct silo_sync_msg *m,
                struct silo_error **err)
{
  struct sync_header h;
  _cleanup_free_ char *buf = xmalloc0 (SILO_SYNC_MAX + 1);
  char control[CMSG_SPACE (sizeof (int))];
  struct iovec iov[2] = { { &h, sizeof (h) }, { buf, SILO_SYNC_MAX - sizeof (h) } };
  struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2, .msg_control = control,
                       .msg_controllen = sizeof (control) };
  ssize_t r;

  m->fd = -1;
  m->data = NULL;
  m->len = 0;
  if (wait_readable (sock, peer_pidfd, what, err) < 0)
    return -1;
  do
    r = recvmsg (sock, &mh, MSG_CMSG_CLOEXEC);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return silo_fail (err, errno, "receive sync message while waiting for %s", what);
  if (r == 0)
    return silo_fail (err, EPIPE, "the peer closed the sync socket while waiting for %s", what);
  if ((size_t) r < sizeof (h))
    return silo_fail (err, EPROTO, "short sync message while waiting for %s", what);
  take_fd (&mh, m);
  m->type = h.type;
  m->errnum = h.errnum;
  m->len = (size_t) r - sizeof (h);
  buf[m->len] = '\0';
  m->data = steal_pointer (&buf);
  return 0;
}

int
silo_sync_next (int sock, int peer_pidfd, const char *what, struct silo_sync_msg *m,
                struct silo_error **err)
{
  for (;;)
    {
      if (silo_sync_recv (sock, peer_pidfd, what, m, err) < 0)
        return -1;
      if (m->type == SYNC_WARNING)
        {
          silo_log_warning ("%s", m->data);
          silo_sync_msg_clear (m);
          continue;
        }
      if (m->type == SYNC_ERROR)
        {
          /* The text already carries strerror: keep errnum without appending it twice.  */
          silo_fail (err, 0, "%s", m->data);
          (*err)->errnum = m->errnum;
          silo_sync_msg_clear (m);
          return -1;
        }
      return 0;
    }
}

int
silo_sync_expect (int sock, int peer_pidfd, enum silo_sync_type type, const char *what,
                  struct silo_sync_msg *m, struct silo_error **err)
{
  if (silo_sync_next (sock, peer_pidfd, what, m, err) < 0)
    return -1;
  if (m->type != type)
    {
      int got = (int) m->type;
      silo_sync_msg_clear (m);
      return silo_fail (err, EPROTO, "unexpected sync message %d while waiting for %s", got, what);
    }
  return 0;
}

int
silo_sync_wait_close (int sock, const char *what, struct silo_error **err)
{
  struct silo_sync_msg m;
  struct silo_error *recv_err = NULL;

  if (silo_sync_recv (sock, -1, what, &m, &recv_err) < 0)
    {
      if (recv_err->errnum == EPIPE)
        {
          silo_error_free (recv_err);
          return 0;
        }
      *err = recv_err;
      return -1;
    }
  if (m.type == SYNC_ERROR)
    {
      silo_fail (err, 0, "%s", m.data);
      (*err)->errnum = m.errnum;
    }
  else
    silo_fail (err, EPROTO, "unexpected sync message %d while waiting for %s", (int) m.type, what);
  silo_sync_msg_clear (&m);
  return -1;
}
