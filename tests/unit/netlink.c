/* Loopback: brought up in a child's new network namespace, checked with SIOCGIFFLAGS.  */
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

int
main (void)
{
  int status = -1;
  pid_t pid;

  if (tap_unshare_denied (CLONE_NEWNET))
    {
      skip ("needs root: a new network namespace needs CAP_SYS_ADMIN (lo is up in it)");
      return tap_done ();
    }
  pid = fork ();
  if (pid == 0)
    _exit (child ());
  ok (pid > 0 && waitpid (pid, &status, 0) == pid && WIFEXITED (status) && WEXITSTATUS (status) == 0,
      "lo is up in a new network namespace (child status %d)", status);
  return tap_done ();
}
