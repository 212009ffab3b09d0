/* Loopback: brought up in a child's new network namespace, checked with SIOCGIFFLAGS; and
 * a request the kernel refuses (moving lo, which stays in its namespace) is an error with
 * the kernel's errno.  */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "netlink.h"
#include "tap.h"

static int
loopback_flags (void)
{
  struct ifreq request;
  int sock = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), flags = -1;

  memset (&request, 0, sizeof request);
  strcpy (request.ifr_name, "lo");
  if (sock >= 0 && ioctl (sock, SIOCGIFFLAGS, &request) == 0)
    flags = request.ifr_flags;
  if (sock >= 0)
    close (sock);
  return flags;
}

static int
child (void)
{
  if (unshare (CLONE_NEWNET) < 0)
    return 10;
  if (loopback_flags () < 0 || (loopback_flags () & IFF_UP) != 0)
    return 11;
  if (silo_netlink_loopback_up (NULL) < 0)
    return 12;
  return (loopback_flags () & IFF_UP) != 0 ? 0 : 13;
}

/* Two new network namespaces: lo of the second cannot move into the first (EINVAL).  */
static int
refused_child (void)
{
  oci_net_device device = { .key = (char *) "lo" };
  oci_linux linux_ = { .net_devices = &device, .n_net_devices = 1 };
  struct silo_error *err = NULL;
  int first;

  if (unshare (CLONE_NEWNET) < 0)
    return 20;
  first = open ("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  if (first < 0 || unshare (CLONE_NEWNET) < 0)
    return 21;
  if (silo_netlink_move_devices (&linux_, first, &err) == 0)
    return 22;
  return err->errnum == EINVAL && strstr (err->msg, "move `lo`") != NULL ? 0 : 23;
}

static void
in_child (int (*fn) (void), const char *what)
{
  int status = -1;
  pid_t pid = fork ();

  if (pid == 0)
    _exit (fn ());
  ok (pid > 0 && waitpid (pid, &status, 0) == pid && WIFEXITED (status) && WEXITSTATUS (status) == 0,
      "%s (child status %d)", what, status);
}

int
main (void)
{

  if (tap_unshare_denied (CLONE_NEWNET))
    {
      skip ("needs root: a new network namespace needs CAP_SYS_ADMIN (lo is up in it)");
      return tap_done ();
    }
  in_child (child, "lo is up in a new network namespace");
  in_child (refused_child, "a request the kernel refuses fails with its errno (EINVAL: lo "
            "cannot leave its namespace)");
  return tap_done ();
}
