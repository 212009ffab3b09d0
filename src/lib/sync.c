/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sync.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

struct sync_header
{
  uint32_t type;
  int32_t errnum;
  uint32_t flags;
};

/* The payload did not fit in one packet: it is in the passed fd, a sealed memfd.  */
#define SYNC_F_PAYLOAD_FD 1u
#define SYNC_INLINE_MAX (SILO_SYNC_MAX - sizeof (struct sync_header))
#define SYNC_PAYLOAD_FD_MAX ((size_t) 1 << 30)

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

static int
send_packet (int sock, const struct sync_header *h, const void *data, size_t len, int pass_fd,
             struct silo_error **err)
{
  struct iovec iov[2] = { { (void *) h, sizeof (*h) }, { (void *) data, len } };
  char control[CMSG_SPACE (sizeof (int))];
  struct msghdr mh = { .msg_iov = iov, .msg_iovlen = len > 0 ? 2 : 1 };

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
      return silo_fail (err, errno, "send sync message %d", (int) h->type);
  return 0;
}

/* A payload too large for one packet (a state document with a large annotation) goes in
 * a sealed memfd.  */
static int
payload_memfd (const void *data, size_t len, struct silo_error **err)
{
  _cleanup_close_ int fd = memfd_create ("silo-sync", MFD_CLOEXEC | MFD_ALLOW_SEALING);

  if (fd < 0)
    return silo_fail (err, errno, "memfd_create for a sync message of %zu bytes", len);
  if (write_all (fd, data, len) < 0)
    return silo_fail (err, errno, "write a sync message of %zu bytes to a memfd", len);
  if (fcntl (fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
    return silo_fail (err, errno, "seal the memfd of a sync message");
  return steal_fd (&fd);
}

int
silo_sync_send (int sock, enum silo_sync_type type, int errnum, const void *data, size_t len,
                int pass_fd, struct silo_error **err)
{
  struct sync_header h = { .type = type, .errnum = errnum };
  _cleanup_close_ int payload = -1;

  if (len <= SYNC_INLINE_MAX)
    return send_packet (sock, &h, data, len, pass_fd, err);
  if (pass_fd >= 0 || len > SYNC_PAYLOAD_FD_MAX)
    return silo_fail (err, EMSGSIZE, "sync message %d: %zu bytes%s is too large", (int) type, len,
                      pass_fd >= 0 ? " with an fd" : "");
  payload = payload_memfd (data, len, err);
  if (payload < 0)
    return -1;
  h.flags = SYNC_F_PAYLOAD_FD;
  return send_packet (sock, &h, NULL, 0, payload, err);
}

void
silo_sync_log_sink (const char *level, const char *msg, void *data)
{
  enum silo_sync_type type = strcmp (level, "debug") == 0 ? SYNC_DEBUG : SYNC_WARNING;

  (void) silo_sync_send (*(int *) data, type, 0, msg, strlen (msg), -1, NULL);
}

void
silo_sync_send_error (int sock, const struct silo_error *e)
{
  const char *msg = e != NULL && e->msg != NULL ? e->msg : "unknown error";
  int errnum = e != NULL ? e->errnum : 0;
  size_t len = strlen (msg), keep = SYNC_INLINE_MAX / 2 - 64;
  _cleanup_free_ char *cut = NULL;

  if (silo_sync_send (sock, SYNC_ERROR, errnum, msg, len, -1, NULL) == 0 || len <= SYNC_INLINE_MAX)
    return;
  /* No memfd (a seccomp profile may deny it): the middle goes, saying so; the start says
   * what failed, the end has the errno text.  */
  cut = xasprintf ("%.*s [... %zu bytes cut ...] %s", (int) keep, msg, len - 2 * keep,
                   msg + len - keep);
  (void) silo_sync_send (sock, SYNC_ERROR, errnum, cut, strlen (cut), -1, NULL);
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

/* The fds that came with the packet: the first goes into m->fd, any other is closed.  The
 * protocol passes one at most, but the control buffer has room for two ints (CMSG_SPACE
 * rounds up), and the kernel installs every fd that fits.  Returns how many came.  */
static size_t
take_fds (struct msghdr *mh, struct silo_sync_msg *m)
{
  size_t n = 0;

  for (struct cmsghdr *c = CMSG_FIRSTHDR (mh); c != NULL; c = CMSG_NXTHDR (mh, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
      for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN (0)) / sizeof (int); i++, n++)
        {
          int fd;

          memcpy (&fd, CMSG_DATA (c) + i * sizeof (int), sizeof (int));
          if (m->fd < 0)
            m->fd = fd;
          else
            close (fd);
        }
  return n;
}

/* The payload of a message sent with SYNC_F_PAYLOAD_FD: the whole memfd.  */
static int
read_payload_fd (struct silo_sync_msg *m, const char *what, struct silo_error **err)
{
  char *data = NULL;
  size_t len = 0;
  struct stat st;

  if (m->fd < 0 || m->len != 0 || fstat (m->fd, &st) < 0 || !S_ISREG (st.st_mode)
      || (size_t) st.st_size > SYNC_PAYLOAD_FD_MAX)
    {
      silo_sync_msg_clear (m);
      return silo_fail (err, EPROTO, "malformed large sync message while waiting for %s", what);
    }
  if (lseek (m->fd, 0, SEEK_SET) < 0 || read_fd_all (m->fd, &data, &len, err) < 0)
    {
      silo_sync_msg_clear (m);
      return silo_wrap (err, "read a large sync message while waiting for %s", what);
    }
  free (m->data);
  m->data = data;
  m->len = len;
  close (m->fd);
  m->fd = -1;
  return 0;
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
  size_t n_fds;
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
  /* An empty packet with an fd is no end of file: it is short, and its fd is closed.  */
  n_fds = take_fds (&mh, m);
  if (r == 0 && n_fds == 0)
    return silo_fail (err, EPIPE, "the peer closed the sync socket while waiting for %s", what);
  if ((size_t) r < sizeof (h) || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)))
    {
      silo_sync_msg_clear (m);
      return silo_fail (err, EPROTO, "%s sync message while waiting for %s",
                        (size_t) r < sizeof (h) ? "short" : "truncated", what);
    }
  if (n_fds > 1)
    {
      silo_sync_msg_clear (m);
      return silo_fail (err, EPROTO, "sync message with %zu fds while waiting for %s", n_fds, what);
    }
  m->type = h.type;
  m->errnum = h.errnum;
  m->len = (size_t) r - sizeof (h);
  buf[m->len] = '\0';
  m->data = steal_pointer (&buf);
  if (h.flags & SYNC_F_PAYLOAD_FD)
    return read_payload_fd (m, what, err);
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
      if (m->type == SYNC_WARNING || m->type == SYNC_DEBUG)
        {
          if (m->type == SYNC_WARNING)
            silo_log_warning ("%s", m->data);
          else
            silo_log_debug ("container: %s", m->data);
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
