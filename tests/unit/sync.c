/* The parent/child sync protocol: packets cross whole, large payloads through a memfd,
 * and a truncated or malformed packet is an error, never a silently shorter message.  */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sync.h"
#include "tap.h"

static int pair[2];

static char *
pattern (size_t len)
{
  char *p = malloc (len + 1);

  for (size_t i = 0; i < len; i++)
    p[i] = (char) ('a' + i % 26);
  p[len] = '\0';
  return p;
}

/* Send LEN bytes of a pattern and receive them: 1 when they came back whole.  */
static int
roundtrip (size_t len)
{
  char *data = pattern (len);
  struct silo_sync_msg m;
  struct silo_error *err = NULL;
  int good;

  if (silo_sync_send (pair[0], SYNC_HOOKS_DONE, 0, data, len, -1, &err) < 0
      || silo_sync_recv (pair[1], -1, "a test message", &m, &err) < 0)
    {
      printf ("# %s\n", err->msg);
      silo_error_free (err);
      free (data);
      return 0;
    }
  good = m.type == SYNC_HOOKS_DONE && m.len == len && memcmp (m.data, data, len) == 0 && m.fd < 0;
  silo_sync_msg_clear (&m);
  free (data);
  return good;
}

/* Receive the next packet: the error's text, or NULL.  */
static char *
recv_error (void)
{
  struct silo_sync_msg m;
  struct silo_error *err = NULL;
  char *msg = NULL;

  if (silo_sync_recv (pair[1], -1, "a test message", &m, &err) < 0)
    msg = strdup (err->msg);
  else
    silo_sync_msg_clear (&m);
  silo_error_free (err);
  return msg;
}

/* Receive after the raw packet BUF: the error's text, or NULL.  */
static char *
recv_error_after (const void *buf, size_t len)
{
  if (send (pair[0], buf, len, 0) < 0)
    return strdup ("send failed");
  return recv_error ();
}

static void
test_bad_packets (void)
{
  uint32_t flagged[3] = { SYNC_PTY, 0, 1 };   /* "payload in an fd", without an fd */
  char *big = pattern (SILO_SYNC_MAX + 100), *msg;

  msg = recv_error_after (big, SILO_SYNC_MAX + 100);
  is_str (msg, "truncated sync message while waiting for a test message: Protocol error",
          "a packet longer than the largest is reported truncated");
  free (msg);
  msg = recv_error_after ("ab", 2);
  is_str (msg, "short sync message while waiting for a test message: Protocol error",
          "a short packet is an error");
  free (msg);
  msg = recv_error_after (flagged, sizeof flagged);
  is_str (msg, "malformed large sync message while waiting for a test message: Protocol error",
          "a payload-in-fd packet without its fd is an error");
  free (msg);
  free (big);
}

/* How many of the first 256 fds are open.  */
static int
open_fd_count (void)
{
  int n = 0;

  for (int fd = 0; fd < 256; fd++)
    n += fcntl (fd, F_GETFD) >= 0;
  return n;
}

/* Send the packet BUF with N_FDS fds (of /dev/null) in one SCM_RIGHTS, then receive: the
 * error's text, or NULL.  *leaked: how many fds more are open after the receive.  */
static char *
recv_error_after_fds (const void *buf, size_t len, int n_fds, int *leaked)
{
  int fds[2] = { open ("/dev/null", O_RDONLY | O_CLOEXEC), open ("/dev/null", O_RDONLY | O_CLOEXEC) };
  char control[CMSG_SPACE (sizeof fds)] = { 0 };
  struct iovec iov = { (void *) buf, len };
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                       .msg_controllen = CMSG_SPACE (n_fds * sizeof (int)) };
  struct cmsghdr *c = CMSG_FIRSTHDR (&mh);
  char *msg;
  int before, sent;

  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN (n_fds * sizeof (int));
  memcpy (CMSG_DATA (c), fds, n_fds * sizeof (int));
  sent = sendmsg (pair[0], &mh, 0) >= 0;
  close (fds[0]);
  close (fds[1]);
  if (!sent)
    return strdup ("send failed");
  before = open_fd_count ();
  msg = recv_error ();
  *leaked = open_fd_count () - before;
  return msg;
}

/* Found by tests/fuzz/sync.c: fds that came with a bad packet stayed open.  */
static void
test_extra_fds_closed (void)
{
  uint32_t header[3] = { SYNC_PTY, 0, 0 };
  char *msg;
  int leaked;

  msg = recv_error_after_fds (header, sizeof header, 2, &leaked);
  is_str (msg, "sync message with 2 fds while waiting for a test message: Protocol error",
          "two fds in one packet are an error");
  ok (leaked == 0, "and neither stays open (%d did)", leaked);
  free (msg);
  msg = recv_error_after_fds ("", 0, 1, &leaked);
  is_str (msg, "short sync message while waiting for a test message: Protocol error",
          "an empty packet with an fd is short, not the end of the stream");
  ok (leaked == 0, "and its fd does not stay open (%d did)", leaked);
  free (msg);
}

static void
test_long_error (void)
{
  size_t len = 3 * SILO_SYNC_MAX;
  char *text = pattern (len);
  struct silo_error e = { .errnum = ENOSPC, .msg = text };
  struct silo_sync_msg m;
  struct silo_error *err = NULL;

  silo_sync_send_error (pair[0], &e);
  ok (silo_sync_next (pair[1], -1, "a test message", &m, &err) < 0 && err != NULL
      && err->errnum == ENOSPC && strcmp (err->msg, text) == 0,
      "an error of %zu bytes crosses whole, with its errno", len);
  silo_error_free (err);
  free (text);
}

int
main (void)
{
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
    {
      printf ("Bail out! socketpair: %s\n", strerror (errno));
      return 1;
    }
  /* large packets need room in the socket buffers */
  int size = 4 * SILO_SYNC_MAX;
  setsockopt (pair[0], SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  setsockopt (pair[1], SOL_SOCKET, SO_RCVBUF, &size, sizeof size);

  ok (roundtrip (0), "an empty payload");
  ok (roundtrip (100), "a small payload");
  ok (roundtrip (SILO_SYNC_MAX - 12), "the largest payload that fits one packet");
  ok (roundtrip (SILO_SYNC_MAX - 11), "one byte more: through a memfd");
  ok (roundtrip (5u << 20), "5 MiB (a state document with a large annotation)");
  test_bad_packets ();
  test_extra_fds_closed ();
  test_long_error ();
  return tap_done ();
}
