/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include "pathsafe.h"
#include "util.h"

/* The payload runc's and containerd's readers accept alongside the fd (they read up to
 * 4096 bytes in the same recvmsg).  */
#define FD_NAME_MAX 4096
#define FDS_RECEIVED_MAX 8

/* Both the ptmx node of a devpts instance and the legacy /dev/ptmx are 5:2; only the
 * first is on devpts itself.  Opening a legacy node that a rootfs ships under dev/pts
 * would hand out a pty of the host's instance.  */
static int
check_ptmx (int fd, struct silo_error **err)
{
  struct statfs fs;
  struct stat st;

  if (fstat (fd, &st) < 0 || fstatfs (fd, &fs) < 0)
    return silo_fail (err, errno, "process.terminal: stat the rootfs's /dev/pts/ptmx");
  if (!S_ISCHR (st.st_mode) || major (st.st_rdev) != 5 || minor (st.st_rdev) != 2
      || fs.f_type != DEVPTS_SUPER_MAGIC)
    return silo_fail (err, 0, "process.terminal: the rootfs's /dev/pts/ptmx is not the ptmx "
                      "of a devpts instance; mount devpts on /dev/pts");
  return 0;
}

int
silo_terminal_open_pty (int rootfd, int *master, int *slave, struct silo_error **err)
{
  _cleanup_close_ int ptmx = silo_open_in_root (rootfd, "dev/pts/ptmx", O_RDWR | O_NOCTTY, 0, err);
  int unlock = 0, peer;

  if (ptmx < 0)
    return silo_wrap (err, "process.terminal");
  if (check_ptmx (ptmx, err) < 0)
    return -1;
  if (ioctl (ptmx, TIOCSPTLCK, &unlock) < 0)
    return silo_fail (err, errno, "process.terminal: unlock the pty");
  peer = ioctl (ptmx, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (peer < 0)
    return silo_fail (err, errno, "process.terminal: open the pty's peer (TIOCGPTPEER)");
  *master = steal_fd (&ptmx);
  *slave = peer;
  return 0;
}

int
silo_terminal_setup_slave (int slave, const oci_process *p, bool relayed, struct silo_error **err)
{
  /* A session leader already (the caller did setsid) is fine; any other EPERM is not.  */
  if (setsid () < 0 && !(errno == EPERM && getsid (0) == getpid ()))
    return silo_fail (err, errno, "process.terminal: setsid");
  if (ioctl (slave, TIOCSCTTY, 0) < 0)
    return silo_fail (err, errno, "process.terminal: make the pty the controlling terminal");
  /* The process's own terminal, as with runc and crun: a program that checks its tty's
   * owner (ssh, su, script) must find its uid there.  The group stays devpts' (tty).  */
  if (p != NULL && fchown (slave, p->user.uid, (gid_t) -1) < 0)
    return silo_fail (err, errno, "process.terminal: give the pty to uid %u", p->user.uid);
  if (p != NULL && p->has_console_size)
    {
      struct winsize size = { .ws_row = (unsigned short) p->console_height,
                              .ws_col = (unsigned short) p->console_width };
      if (ioctl (slave, TIOCSWINSZ, &size) < 0)
        return silo_fail (err, errno, "process.consoleSize: set %ux%u", p->console_width,
                          p->console_height);
    }
  /* Relayed in the foreground, the process lives in the caller's terminal: it starts
   * with that size (the relay keeps it in step after), not with 0x0 until the relay
   * catches up.  */
  if (relayed && isatty (STDIN_FILENO))
    (void) silo_terminal_copy_size (STDIN_FILENO, slave);
  for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++)
    {
      /* dup2 onto itself keeps close-on-exec, which would close it at exec.  */
      int r = fd == slave ? fcntl (fd, F_SETFD, 0) : dup2 (slave, fd);
      if (r < 0)
        return silo_fail (err, errno, "process.terminal: put the pty on fd %d", fd);
    }
  return 0;
}

int
silo_terminal_send_fd (int sock, int fd, const char *name, struct silo_error **err)
{
  union { struct cmsghdr header; char buffer[CMSG_SPACE (sizeof (int))]; } control;
  size_t len = name != NULL ? strlen (name) : 0;
  /* A stream socket carries ancillary data only with at least one byte of payload.  */
  struct iovec iov = { .iov_base = (void *) (len > 0 ? name : ""), .iov_len = len > 0 ? len : 1 };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buffer,
                        .msg_controllen = sizeof control.buffer };
  struct cmsghdr *cmsg;
  ssize_t r;

  if (len >= FD_NAME_MAX)
    return silo_fail (err, ENAMETOOLONG, "send fd %d with name `%.64s...`", fd, name);
  memset (&control, 0, sizeof control);
  cmsg = CMSG_FIRSTHDR (&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (cmsg), &fd, sizeof (int));
  do
    r = sendmsg (sock, &msg, MSG_NOSIGNAL);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return silo_fail (err, errno, "send fd `%s`", len > 0 ? name : "");
  if ((size_t) r != iov.iov_len)
    return silo_fail (err, EIO, "send fd `%s`: short write", len > 0 ? name : "");
  return 0;
}

/* Every fd that arrived is ours to close; the first one of the first SCM_RIGHTS is kept.  */
static int
take_first_fd (struct msghdr *msg)
{
  int kept = -1;

  for (struct cmsghdr *c = CMSG_FIRSTHDR (msg); c != NULL; c = CMSG_NXTHDR (msg, c))
    {
      size_t n;

      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
        continue;
      n = (c->cmsg_len - CMSG_LEN (0)) / sizeof (int);
      for (size_t i = 0; i < n; i++)
        {
          int fd;
          memcpy (&fd, CMSG_DATA (c) + i * sizeof (int), sizeof (int));
          if (kept < 0)
            kept = fd;
          else
            close (fd);
        }
    }
  return kept;
}

int
silo_terminal_recv_fd (int sock, int *fd, struct silo_error **err)
{
  union
  {
    struct cmsghdr header;
    char buffer[CMSG_SPACE (sizeof (int) * FDS_RECEIVED_MAX)];
  } control;
  char name[FD_NAME_MAX];
  struct iovec iov = { .iov_base = name, .iov_len = sizeof name };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buffer,
                        .msg_controllen = sizeof control.buffer };
  ssize_t r;
  int received;

  do
    r = recvmsg (sock, &msg, MSG_CMSG_CLOEXEC);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return silo_fail (err, errno, "receive an fd");
  received = take_first_fd (&msg);
  if ((msg.msg_flags & MSG_CTRUNC) != 0 || received < 0)
    {
      if (received >= 0)
        close (received);
      return silo_fail (err, r == 0 ? EPIPE : EBADMSG, "receive an fd: %s",
                        r == 0 ? "the peer closed the socket"
                               : (msg.msg_flags & MSG_CTRUNC) != 0 ? "too many fds"
                                                                   : "the message had none");
    }
  *fd = received;
  return 0;
}

/* Connect to `path`; one too long for sun_path goes through /proc/self/fd/<its dir>.  */
static int
connect_unix (int sock, const char *path, struct silo_error **err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  _cleanup_close_ int dirfd = -1;
  int n;

  if (strlen (path) < sizeof addr.sun_path)
    strcpy (addr.sun_path, path);
  else
    {
      const char *slash = strrchr (path, '/');
      _cleanup_free_ char *dir = NULL;

      if (slash == NULL)
        return silo_fail (err, ENAMETOOLONG, "console socket `%s`", path);
      dir = slash == path ? xstrdup ("/") : xasprintf ("%.*s", (int) (slash - path), path);
      dirfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (dirfd < 0)
        return silo_fail (err, errno, "open the console socket's directory `%s`", dir);
      n = snprintf (addr.sun_path, sizeof addr.sun_path, "/proc/self/fd/%d/%s", dirfd, slash + 1);
      if (n < 0 || (size_t) n >= sizeof addr.sun_path)
        return silo_fail (err, ENAMETOOLONG, "console socket `%s`", path);
    }
  if (connect (sock, (struct sockaddr *) &addr, sizeof addr) < 0)
    return silo_fail (err, errno, "connect to the console socket `%s`", path);
  return 0;
}

int
silo_terminal_send_to_console_socket (const char *socket_path, int master,
                                      struct silo_error **err)
{
  _cleanup_close_ int sock = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

  if (sock < 0)
    return silo_fail (err, errno, "socket");
  if (connect_unix (sock, socket_path, err) < 0)
    return -1;
  if (silo_terminal_send_fd (sock, master, "/dev/pts/ptmx", err) < 0)
    return silo_wrap (err, "console socket `%s`", socket_path);
  return 0;
}

int
silo_terminal_make_raw (int fd, struct termios *saved, struct silo_error **err)
{
  struct termios raw;

  if (tcgetattr (fd, saved) < 0)
    return silo_fail (err, errno, "read the terminal's settings");
  raw = *saved;
  /* Fully raw, output processing included: the container's pty already does it.  */
  cfmakeraw (&raw);
  if (tcsetattr (fd, TCSANOW, &raw) < 0)
    return silo_fail (err, errno, "put the terminal in raw mode");
  return 0;
}

void
silo_terminal_restore (int fd, const struct termios *saved)
{
  (void) tcsetattr (fd, TCSANOW, saved);
}

int
silo_terminal_copy_size (int from_fd, int to_fd)
{
  struct winsize size;

  if (ioctl (from_fd, TIOCGWINSZ, &size) < 0)
    return -1;
  return ioctl (to_fd, TIOCSWINSZ, &size);
}
