/* Terminal: the slave setup of a host pty, size copies, raw mode, fd passing over a
 * socketpair and through a console socket with a path longer than sun_path, and opening
 * the pty of a devpts instance inside a rootfs (in a child with its own mount namespace).  */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "terminal.h"
#include "tap.h"

static char dir[] = "/tmp/silo-terminal-test.XXXXXX";

static int
open_host_pty (int *master, int *slave)
{
  *master = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (*master < 0 || grantpt (*master) < 0 || unlockpt (*master) < 0)
    return -1;
  *slave = open (ptsname (*master), O_RDWR | O_NOCTTY | O_CLOEXEC);
  return *slave < 0 ? -1 : 0;
}

static int
child_setup_slave (int slave)
{
  oci_process p = { .terminal = true, .has_console_size = true, .console_height = 30,
                    .console_width = 100 };
  struct winsize size;

  if (silo_terminal_setup_slave (slave, &p, false, NULL) < 0)
    return 10;
  if (!isatty (0) || !isatty (1) || !isatty (2))
    return 11;
  if (tcgetpgrp (0) != getpgrp () || getsid (0) != getpid ())
    return 12;
  if (ioctl (0, TIOCGWINSZ, &size) < 0 || size.ws_row != 30 || size.ws_col != 100)
    return 13;
  return (fcntl (0, F_GETFD) & FD_CLOEXEC) == 0 ? 0 : 14;
}

static void
test_host_pty (void)
{
  int master, slave, master2, slave2, status = -1;
  struct winsize size = { .ws_row = 12, .ws_col = 34 }, seen = { 0 };
  struct termios saved, now;
  pid_t pid;

  ok (open_host_pty (&master, &slave) == 0 && open_host_pty (&master2, &slave2) == 0,
      "two host ptys");
  /* setup_slave gives the pty to the process's uid, 0 here.  */
  if (!tap_has_capability (CAP_CHOWN))
    skip ("needs root: giving the pty to uid 0 needs CAP_CHOWN (setup_slave)");
  else
    {
      pid = fork ();
      if (pid == 0)
        _exit (child_setup_slave (slave));
      ok (pid > 0 && waitpid (pid, &status, 0) == pid && WIFEXITED (status)
          && WEXITSTATUS (status) == 0, "setup_slave: session, controlling tty, consoleSize, "
          "fds 0-2 (child status %d)", status);
    }

  ioctl (slave, TIOCSWINSZ, &size);
  ok (silo_terminal_copy_size (slave, master2) == 0 && ioctl (slave2, TIOCGWINSZ, &seen) == 0
      && seen.ws_row == 12 && seen.ws_col == 34, "copy_size carries rows and columns");

  ok (silo_terminal_make_raw (slave2, &saved, NULL) == 0 && tcgetattr (slave2, &now) == 0
      && (now.c_lflag & (ICANON | ECHO)) == 0 && (now.c_oflag & OPOST) == 0, "make_raw");
  silo_terminal_restore (slave2, &saved);
  ok (tcgetattr (slave2, &now) == 0 && now.c_lflag == saved.c_lflag, "restore");
  close (master);
  close (slave);
  close (master2);
  close (slave2);
}

static void
test_fd_passing (void)
{
  int sv[2], pipe_fds[2], received = -1;
  struct silo_error *err = NULL;
  char byte = 0;

  ok (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0
      && pipe2 (pipe_fds, O_CLOEXEC) == 0, "a socketpair and a pipe");
  ok (silo_terminal_send_fd (sv[0], pipe_fds[1], "/dev/ptmx", NULL) == 0
      && silo_terminal_recv_fd (sv[1], &received, NULL) == 0 && received >= 0, "send and receive an fd");
  ok (received >= 0 && write (received, "z", 1) == 1 && read (pipe_fds[0], &byte, 1) == 1 && byte == 'z',
      "the received fd is the pipe");
  ok (received >= 0 && (fcntl (received, F_GETFD) & FD_CLOEXEC) != 0, "it is close-on-exec");
  close (received);

  ok (write (sv[0], "x", 1) == 1 && silo_terminal_recv_fd (sv[1], &received, &err) < 0
      && err != NULL && strstr (err->msg, "the message had none") != NULL,
      "a message without an fd is an error");
  silo_error_free (err);
  err = NULL;
  close (sv[0]);
  ok (silo_terminal_recv_fd (sv[1], &received, &err) < 0 && err != NULL
      && strstr (err->msg, "the peer closed the socket") != NULL, "a closed peer is an error");
  silo_error_free (err);
  close (sv[1]);
  close (pipe_fds[0]);
  close (pipe_fds[1]);
}

static void
test_console_socket (void)
{
  char long_dir[400], socket_path[512];
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int listener, master, slave, conn, received = -1, dirfd;

  /* A directory deep enough that the socket's path does not fit in sun_path.  */
  snprintf (long_dir, sizeof long_dir, "%s/%0120d", dir, 0);
  snprintf (socket_path, sizeof socket_path, "%s/console.sock", long_dir);
  ok (mkdir (long_dir, 0700) == 0 && strlen (socket_path) >= sizeof addr.sun_path,
      "a socket path of %zu bytes", strlen (socket_path));
  dirfd = open (long_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  snprintf (addr.sun_path, sizeof addr.sun_path, "/proc/self/fd/%d/console.sock", dirfd);
  listener = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ok (listener >= 0 && bind (listener, (struct sockaddr *) &addr, sizeof addr) == 0
      && listen (listener, 1) == 0, "listen on it");
  ok (open_host_pty (&master, &slave) == 0, "a host pty");
  ok (silo_terminal_send_to_console_socket (socket_path, master, NULL) == 0,
      "send_to_console_socket reaches a long path");
  conn = accept4 (listener, NULL, NULL, SOCK_CLOEXEC);
  ok (conn >= 0 && silo_terminal_recv_fd (conn, &received, NULL) == 0 && isatty (received),
      "the receiver gets a terminal");
  close (received);
  close (conn);
  close (listener);
  close (master);
  close (slave);
  close (dirfd);
}

/* In a child with its own mount namespace: a rootfs with a fresh devpts on dev/pts.  */
static int
child_open_pty (const char *rootfs)
{
  char pts[512], ptmx[512];
  int rootfd, master = -1, slave = -1;
  struct silo_error *err = NULL;

  snprintf (pts, sizeof pts, "%s/dev/pts", rootfs);
  snprintf (ptmx, sizeof ptmx, "%s/dev/pts/ptmx", rootfs);
  if (unshare (CLONE_NEWNS) < 0 || mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    return 10;
  rootfd = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  /* A plain file where the ptmx should be is refused.  */
  if (close (open (ptmx, O_WRONLY | O_CREAT | O_CLOEXEC, 0666)) < 0)
    return 11;
  if (silo_terminal_open_pty (rootfd, &master, &slave, &err) == 0 || err == NULL
      || strstr (err->msg, "not the ptmx of a devpts instance") == NULL)
    return 12;
  silo_error_free (err);
  if (unlink (ptmx) < 0 || mount ("devpts", pts, "devpts", 0, "newinstance,ptmxmode=0666,mode=620") < 0)
    return 13;
  if (silo_terminal_open_pty (rootfd, &master, &slave, NULL) < 0)
    return 14;
  if (!isatty (master) || !isatty (slave) || (fcntl (slave, F_GETFD) & FD_CLOEXEC) == 0)
    return 15;
  if (write (slave, "hi\n", 3) != 3)
    return 16;
  char buffer[16] = "";
  if (read (master, buffer, sizeof buffer - 1) < 2 || strncmp (buffer, "hi", 2) != 0)
    return 17;
  /* The first pty of the new instance, not one of the host's.  */
  unsigned int number = 99;
  return ioctl (master, TIOCGPTN, &number) == 0 && number == 0 ? 0 : 18;
}

static void
test_open_pty (void)
{
  char rootfs[256], dev[512], pts[512];
  int status = -1;
  pid_t pid;

  snprintf (rootfs, sizeof rootfs, "%s/rootfs", dir);
  snprintf (dev, sizeof dev, "%s/dev", rootfs);
  snprintf (pts, sizeof pts, "%s/dev/pts", rootfs);
  ok (mkdir (rootfs, 0755) == 0 && mkdir (dev, 0755) == 0 && mkdir (pts, 0755) == 0, "a rootfs");
  if (tap_unshare_denied (CLONE_NEWNS))
    {
      skip ("needs root: a mount namespace and a devpts mount need CAP_SYS_ADMIN (open_pty)");
      return;
    }
  pid = fork ();
  if (pid == 0)
    _exit (child_open_pty (rootfs));
  ok (pid > 0 && waitpid (pid, &status, 0) == pid && WIFEXITED (status) && WEXITSTATUS (status) == 0,
      "open_pty in a devpts instance inside the rootfs (child status %d)", status);
}

int
main (void)
{
  char command[600];

  if (mkdtemp (dir) == NULL)
    return 99;
  test_host_pty ();
  test_fd_passing ();
  test_console_socket ();
  test_open_pty ();
  snprintf (command, sizeof command, "rm -rf '%s'", dir);
  if (system (command) != 0)
    fprintf (stderr, "cleanup of %s failed\n", dir);
  return tap_done ();
}
