/* stdio-probe: what a process's fds 0, 1 and 2 are, for tests/terminal-matrix.bats.
 *
 *   stdio-probe report FILE [TEXT]
 *       In the container.  Reads what fds 0, 1 and 2 are before opening anything (an fd
 *       it opened itself would take a closed one's number), then writes "TEXT-out\n" to
 *       fd 1 and "TEXT-err\n" to fd 2 when TEXT is given (write errors are ignored: /dev/null
 *       or a hung-up tty are fine), and last writes FILE: three lines "N TARGET DEV:INO",
 *       TARGET being readlink of /proc/self/fd/N and DEV:INO the open file's st_dev and
 *       st_ino in decimal (`stat -L -c %d:%i`), or "N closed".  FILE appears whole (it is
 *       written as FILE.tmp and renamed): once it exists, both writes are done.
 *
 *   stdio-probe outside FILE
 *       The same three lines for this process, written to FILE, on the host.
 *
 *   stdio-probe socket-stdout COMMAND [ARG...]
 *       On the host: runs COMMAND with fd 1 one end of a unix socketpair and copies what
 *       arrives at the other end to its own stdout until every holder of that end has
 *       closed it.  Exit status: COMMAND's (128+N after signal N).
 *
 * Exit status 2 on a usage or system error, with a message on stderr.  Linked statically
 * so that it runs in the busybox rootfs; built by tests/helpers/common.bash.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define LINE_MAX_ 4200

/* "N TARGET DEV:INO\n" or "N closed\n" for fds 0..2, into `out` (3 * LINE_MAX_ bytes).  */
static void
describe_stdio (char *out)
{
  size_t used = 0;

  out[0] = '\0';
  for (int fd = 0; fd <= 2; fd++)
    {
      char link[64], target[4096];
      struct stat st;
      ssize_t n;

      snprintf (link, sizeof link, "/proc/self/fd/%d", fd);
      if (fstat (fd, &st) < 0)
        {
          used += snprintf (out + used, LINE_MAX_, "%d closed\n", fd);
          continue;
        }
      n = readlink (link, target, sizeof target - 1);
      if (n < 0)
        n = snprintf (target, sizeof target, "?%s", strerror (errno));
      target[n] = '\0';
      used += snprintf (out + used, LINE_MAX_, "%d %s %ju:%ju\n", fd, target,
                        (uintmax_t) st.st_dev, (uintmax_t) st.st_ino);
    }
}

static int
write_file (const char *path, const char *text, int atomically)
{
  char tmp[4096];
  const char *target = path;
  int fd;

  if (atomically)
    {
      if (snprintf (tmp, sizeof tmp, "%s.tmp", path) >= (int) sizeof tmp)
        return fprintf (stderr, "stdio-probe: path too long\n"), 2;
      target = tmp;
    }
  fd = open (target, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0 || write (fd, text, strlen (text)) != (ssize_t) strlen (text) || close (fd) < 0)
    return fprintf (stderr, "stdio-probe: write %s: %s\n", target, strerror (errno)), 2;
  if (atomically && rename (tmp, path) < 0)
    return fprintf (stderr, "stdio-probe: rename to %s: %s\n", path, strerror (errno)), 2;
  return 0;
}

static void
say (int fd, const char *text, const char *suffix)
{
  char line[4096];
  int n = snprintf (line, sizeof line, "%s-%s\n", text, suffix);

  if (n > 0 && n < (int) sizeof line)
    (void) !write (fd, line, n);
}

static int
report (const char *file, const char *text)
{
  static char lines[3 * LINE_MAX_];

  describe_stdio (lines);
  if (text != NULL)
    {
      say (1, text, "out");
      say (2, text, "err");
    }
  return write_file (file, lines, 1);
}

static int
socket_stdout (char **argv)
{
  int pair[2], status;
  char buffer[4096];
  pid_t child;
  ssize_t n;

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
    return perror ("stdio-probe: socketpair"), 2;
  child = fork ();
  if (child < 0)
    return perror ("stdio-probe: fork"), 2;
  if (child == 0)
    {
      if (dup2 (pair[1], 1) < 0)
        _exit (127);
      execvp (argv[0], argv);
      fprintf (stderr, "stdio-probe: exec %s: %s\n", argv[0], strerror (errno));
      _exit (127);
    }
  close (pair[1]);
  for (;;)
    {
      n = read (pair[0], buffer, sizeof buffer);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      if (write (1, buffer, n) != n)
        return perror ("stdio-probe: write"), 2;
    }
  while (waitpid (child, &status, 0) < 0)
    if (errno != EINTR)
      return perror ("stdio-probe: waitpid"), 2;
  return WIFSIGNALED (status) ? 128 + WTERMSIG (status) : WEXITSTATUS (status);
}

int
main (int argc, char **argv)
{
  static char lines[3 * LINE_MAX_];

  if ((argc == 3 || argc == 4) && strcmp (argv[1], "report") == 0)
    return report (argv[2], argc == 4 ? argv[3] : NULL);
  if (argc == 3 && strcmp (argv[1], "outside") == 0)
    {
      describe_stdio (lines);
      return write_file (argv[2], lines, 0);
    }
  if (argc >= 3 && strcmp (argv[1], "socket-stdout") == 0)
    return socket_stdout (argv + 2);
  fprintf (stderr, "usage: stdio-probe report FILE [TEXT] | outside FILE | "
           "socket-stdout COMMAND [ARG...]\n");
  return 2;
}
