/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "util.h"

int
silo_seccomp_agent_connect (const char *listener_path, struct silo_error **err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  _cleanup_close_ int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  _cleanup_free_ char *copy = xstrdup (listener_path), *copy2 = xstrdup (listener_path);
  _cleanup_close_ int dirfd = -1;

  if (fd < 0)
    return silo_fail (err, errno, "linux.seccomp.listenerPath: socket");
  if (strlen (listener_path) < sizeof addr.sun_path)
    snprintf (addr.sun_path, sizeof addr.sun_path, "%s", listener_path);
  else
    {
      /* Too long for sun_path: through its directory's fd.  */
      dirfd = open (dirname (copy), O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (dirfd < 0)
        return silo_fail (err, errno, "linux.seccomp.listenerPath `%s`: open its directory",
                          listener_path);
      snprintf (addr.sun_path, sizeof addr.sun_path, "/proc/self/fd/%d/%s", dirfd, basename (copy2));
    }
  if (connect (fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    return silo_fail (err, errno, "linux.seccomp.listenerPath: failed to connect with seccomp agent at `%s`",
                      listener_path);
  return steal_fd (&fd);
}

int
silo_seccomp_agent_send (int agent, const char *state_json, int listener, struct silo_error **err)
{
  char control[CMSG_SPACE (sizeof (int))] = { 0 };
  struct iovec iov = { (void *) state_json, strlen (state_json) };
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                       .msg_controllen = sizeof control };
  struct cmsghdr *c = CMSG_FIRSTHDR (&mh);
  ssize_t r;

  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (c), &listener, sizeof (int));
  do
    r = sendmsg (agent, &mh, MSG_NOSIGNAL);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return silo_fail (err, errno, "linux.seccomp.listenerPath: send the listener to the seccomp agent");
  if ((size_t) r != iov.iov_len)
    return silo_fail (err, EIO, "linux.seccomp.listenerPath: the seccomp agent took %zd of %zu bytes",
                      r, iov.iov_len);
  return 0;
}
