/* libFuzzer target: the sync message decoder, silo_sync_recv.
 *
 * The other end of the sync socket is the container's init, which runs what the config
 * asked for: what it sends must be an error at worst, never a crash or a lost fd.
 *
 * Input: one byte that says which fd travels with the packet (SCM_RIGHTS), then the
 * packet, sent whole on a SOCK_SEQPACKET socketpair:
 *   0  none
 *   1  a sealed memfd holding the packet itself (what a large payload travels in)
 *   2  /dev/null (not a regular file)
 *   3  the read end of a pipe
 *   4  two fds in one message (more than the receiver has room for)
 * The packet starts with silo's header (type, errnum, flags: 3 native 32-bit words).
 * After each message no fd may be left open: the message's own is closed with it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "fuzz.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sync.h"

enum { FD_NONE, FD_MEMFD, FD_DEV_NULL, FD_PIPE, FD_TWO, FD__COUNT };

/* The fds open now, as a bit mask of the first 64: a message opens at most 5 (the pair,
 * two to pass, the one received), each at the lowest free number, so a leaked one
 * shows up there.  */
static uint64_t
open_fds (void)
{
  uint64_t mask = 0;

  for (int fd = 0; fd < 64; fd++)
    if (fcntl (fd, F_GETFD) >= 0)
      mask |= (uint64_t) 1 << fd;
  return mask;
}

static int
make_memfd (const uint8_t *data, size_t size)
{
  int fd = memfd_create ("silo-fuzz", MFD_CLOEXEC | MFD_ALLOW_SEALING);

  if (fd < 0 || write_all (fd, data, size) < 0)
    fuzz_fail ("sync: make a memfd");
  (void) fcntl (fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
  return fd;
}

/* fds[0..1] to pass, -1 for none.  */
static void
make_fds (int kind, const uint8_t *data, size_t size, int fds[2])
{
  int pipe_fds[2];

  fds[0] = fds[1] = -1;
  if (kind == FD_MEMFD)
    fds[0] = make_memfd (data, size);
  else if (kind == FD_DEV_NULL || kind == FD_TWO)
    fds[0] = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  else if (kind == FD_PIPE && pipe2 (pipe_fds, O_CLOEXEC) == 0)
    {
      fds[0] = pipe_fds[0];
      close (pipe_fds[1]);
    }
  if (kind == FD_TWO)
    fds[1] = open ("/dev/null", O_RDONLY | O_CLOEXEC);
}

/* One packet with data and the fds: 0, or -1 when the kernel would not take it.  */
static int
send_packet (int sock, const uint8_t *data, size_t size, const int fds[2])
{
  int n_fds = (fds[0] >= 0) + (fds[1] >= 0);
  char control[CMSG_SPACE (2 * sizeof (int))];
  struct iovec iov = { (void *) data, size };
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
  struct cmsghdr *c;

  if (n_fds > 0)
    {
      memset (control, 0, sizeof (control));
      mh.msg_control = control;
      mh.msg_controllen = CMSG_SPACE (n_fds * sizeof (int));
      c = CMSG_FIRSTHDR (&mh);
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN (n_fds * sizeof (int));
      memcpy (CMSG_DATA (c), fds, n_fds * sizeof (int));
    }
  return sendmsg (sock, &mh, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 ? -1 : 0;
}

static void
receive (int sock)
{
  _cleanup_error_ struct silo_error *err = NULL;
  struct silo_sync_msg m;

  if (silo_sync_recv (sock, -1, "a fuzzed message", &m, &err) < 0)
    {
      if (err == NULL || err->msg == NULL)
        fuzz_fail ("sync: a failed receive set no error");
      return;
    }
  if (m.data == NULL || m.data[m.len] != '\0')
    fuzz_fail ("sync: a message's data is not NUL-terminated");
  silo_sync_msg_clear (&m);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  int pair[2], fds[2];
  uint64_t before, leaked;

  if (size < 1)
    return 0;
  before = open_fds ();
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
    fuzz_fail ("sync: socketpair");
  make_fds (data[0] % FD__COUNT, data + 1, size - 1, fds);
  /* Nothing sent (a packet larger than the socket takes): nothing to wait for.  */
  if (send_packet (pair[0], data + 1, size - 1, fds) == 0)
    receive (pair[1]);
  for (int i = 0; i < 2; i++)
    {
      if (fds[i] >= 0)
        close (fds[i]);
      close (pair[i]);
    }
  leaked = open_fds () & ~before;
  if (leaked != 0)
    fuzz_fail ("sync: fd %d is left open after the message", __builtin_ctzll (leaked));
  return 0;
}
