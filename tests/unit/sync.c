/* The parent/child sync protocol: packets cross whole, large payloads through a memfd,
 * and a truncated or malformed packet is an error, never a silently shorter message.  */
#include <errno.h>
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

/* Receive after the raw packet BUF: the error's text, or NULL.  */
static char *
recv_error_after (const void *buf, size_t len)
{
  struct silo_sync_msg m;
  struct silo_error *err = NULL;
  char *msg = NULL;

  if (send (pair[0], buf, len, 0) < 0)
    return strdup ("send failed");
  if (silo_sync_recv (pair[1], -1, "a test message", &m, &err) < 0)
    msg = strdup (err->msg);
  else
    silo_sync_msg_clear (&m);
  silo_error_free (err);
  return msg;
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
  test_long_error ();
  return tap_done ();
}
