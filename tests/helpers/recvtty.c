/* recvtty: the receiving end of `--console-socket`, for the integration tests.
 *
 *   recvtty SOCKET OUTPUT [INPUT]
 *
 * Listens on the unix socket SOCKET, accepts one connection and takes the pty master the
 * runtime sends with SCM_RIGHTS.  It writes INPUT (if given) to the master, then copies
 * everything the container prints into OUTPUT until the last holder of the slave closes
 * it (read returns EIO).  Exit status: 0 on success; 2 when what arrived is not a pty
 * master (the test checks this); 1 on any other error.  Messages go to stderr.
 *
 * Built by tests/helpers/common.bash with the host compiler; runs on the host.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

static int
fail (const char *what, const char *path)
{
  fprintf (stderr, "recvtty: %s `%s`: %s\n", what, path, strerror (errno));
  return -1;
}

static int
listen_on (const char *path)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int fd;

  if (strlen (path) >= sizeof addr.sun_path)
    {
      errno = ENAMETOOLONG;
      return fail ("socket path too long", path);
    }
  strcpy (addr.sun_path, path);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return fail ("socket", path);
  unlink (path);
  if (bind (fd, (struct sockaddr *) &addr, sizeof addr) < 0 || listen (fd, 1) < 0)
    {
      close (fd);
      return fail ("bind/listen", path);
    }
  return fd;
}

/* One message carrying exactly one fd; anything else is the runtime's error.  */
static int
receive_fd (int connection)
{
  char data[256];
  union { struct cmsghdr header; char buffer[CMSG_SPACE (sizeof (int))]; } control;
  struct iovec iov = { .iov_base = data, .iov_len = sizeof data };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                        .msg_control = control.buffer, .msg_controllen = sizeof control.buffer };
  struct cmsghdr *cmsg;
  int fd;

  if (recvmsg (connection, &msg, MSG_CMSG_CLOEXEC) < 0)
    return fail ("recvmsg on", "console socket");
  cmsg = CMSG_FIRSTHDR (&msg);
  if (cmsg == NULL || cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS
      || cmsg->cmsg_len != CMSG_LEN (sizeof (int)))
    {
      fprintf (stderr, "recvtty: the message carried no single fd\n");
      return -1;
    }
  memcpy (&fd, CMSG_DATA (cmsg), sizeof fd);
  return fd;
}

static int
copy_until_hangup (int master, int output)
{
  char buffer[4096];

  for (;;)
    {
      ssize_t n = read (master, buffer, sizeof buffer);
      if (n == 0 || (n < 0 && errno == EIO))
        return 0;               /* every slave fd is closed: the container is gone */
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return fail ("read from", "pty master");
      if (write (output, buffer, n) != n)
        return fail ("write to", "output");
    }
}

int
main (int argc, char **argv)
{
  int listener, connection, master, output, pty_number;

  if (argc < 3 || argc > 4)
    {
      fprintf (stderr, "usage: recvtty SOCKET OUTPUT [INPUT]\n");
      return 1;
    }
  output = open (argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (output < 0)
    return fail ("open", argv[2]), 1;
  listener = listen_on (argv[1]);
  if (listener < 0)
    return 1;
  connection = accept4 (listener, NULL, NULL, SOCK_CLOEXEC);
  if (connection < 0)
    return fail ("accept on", argv[1]), 1;
  close (listener);
  unlink (argv[1]);
  master = receive_fd (connection);
  close (connection);
  if (master < 0)
    return 1;
  /* TIOCGPTN only works on a master: a slave or any other fd is the runtime's bug.  */
  if (ioctl (master, TIOCGPTN, &pty_number) < 0)
    {
      fprintf (stderr, "recvtty: the received fd is not a pty master\n");
      return 2;
    }
  if (argc == 4 && write (master, argv[3], strlen (argv[3])) < 0)
    return fail ("write input to", "pty master"), 1;
  return copy_until_hangup (master, output) < 0 ? 1 : 0;
}
