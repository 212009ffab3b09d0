/* seccomp-agent: a minimal seccomp notify agent, the listener end of
 * linux.seccomp.listenerPath, for the integration tests.
 *
 *   seccomp-agent SOCKET STATE-FILE ERRNO
 *
 * Listens on the unix socket SOCKET.  Each connection brings one message: runtime-spec's
 * ContainerProcessState JSON with the listener fd as SCM_RIGHTS.  The JSON is appended to
 * STATE-FILE as one line ("no-fd" is appended instead when no fd came with it), and a
 * child process answers every notification on that listener with -ERRNO until the
 * filter's last user is gone.  When the runtime closes the connection (it must, once the
 * listener is sent), a line "eof" is appended to STATE-FILE.eof.  Runs until killed.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static void
serve (int listener, int error)
{
  struct seccomp_notif request;
  struct seccomp_notif_resp response;

  for (;;)
    {
      struct pollfd p = { .fd = listener, .events = POLLIN };

      if (poll (&p, 1, -1) < 0 && errno != EINTR)
        _exit (1);
      if (p.revents & POLLHUP)
        _exit (0);
      memset (&request, 0, sizeof request);
      if (ioctl (listener, SECCOMP_IOCTL_NOTIF_RECV, &request) < 0)
        continue;   /* the caller went away meanwhile */
      response = (struct seccomp_notif_resp) { .id = request.id, .error = -error };
      ioctl (listener, SECCOMP_IOCTL_NOTIF_SEND, &response);
    }
}

/* One connection: the state and the listener.  */
static void
take (int conn, const char *state_file, int error)
{
  char buffer[65536], control[CMSG_SPACE (sizeof (int))];
  struct iovec iov = { buffer, sizeof buffer - 1 };
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                       .msg_controllen = sizeof control };
  int listener = -1;
  ssize_t n = recvmsg (conn, &mh, 0);
  FILE *out = fopen (state_file, "a");

  if (n < 0)
    n = 0;
  buffer[n] = '\0';
  for (struct cmsghdr *c = CMSG_FIRSTHDR (&mh); c != NULL; c = CMSG_NXTHDR (&mh, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
      memcpy (&listener, CMSG_DATA (c), sizeof (int));
  if (out != NULL)
    {
      fprintf (out, "%s\n", listener >= 0 ? buffer : "no-fd");
      fclose (out);
    }
  /* Answer at once: the runtime's own close of this connection may be a notified call.  */
  if (listener >= 0 && fork () == 0)
    serve (listener, error);
  if (listener >= 0)
    close (listener);
  while (read (conn, buffer, sizeof buffer) > 0)
    ;
  snprintf (buffer, sizeof buffer, "%s.eof", state_file);
  if ((out = fopen (buffer, "a")) != NULL)
    {
      fputs ("eof\n", out);
      fclose (out);
    }
  close (conn);
}

int
main (int argc, char **argv)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int server;

  if (argc != 4 || strlen (argv[1]) >= sizeof addr.sun_path)
    {
      fprintf (stderr, "usage: seccomp-agent SOCKET STATE-FILE ERRNO\n");
      return 2;
    }
  signal (SIGCHLD, SIG_IGN);
  strcpy (addr.sun_path, argv[1]);
  server = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (server < 0 || bind (server, (struct sockaddr *) &addr, sizeof addr) < 0 || listen (server, 8) < 0)
    {
      perror ("seccomp-agent: listen");
      return 1;
    }
  for (;;)
    {
      int conn = accept4 (server, NULL, NULL, SOCK_CLOEXEC);
      if (conn >= 0)
        take (conn, argv[2], atoi (argv[3]));
    }
}
