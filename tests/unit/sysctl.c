/* linux.sysctl: which keys each namespace covers, key syntax, and a write in a new
 * network namespace.  */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pathsafe.h"
#include "sysctl.h"
#include "tap.h"

static oci_namespace namespaces[4];
static oci_linux linux_section;
static oci_config config = { .linux_ = &linux_section };
static char *keys[1], *values[1];

static void
use_namespaces (const char *spec)
{
  static const struct { char letter; oci_namespace_type type; } letters[] = {
    { 'i', OCI_NS_IPC }, { 'n', OCI_NS_NETWORK }, { 'u', OCI_NS_UTS }, { 'm', OCI_NS_MOUNT },
  };
  linux_section.n_namespaces = 0;
  for (const char *c = spec; *c != '\0'; c++)
    for (size_t i = 0; i < sizeof letters / sizeof letters[0]; i++)
      if (letters[i].letter == *c)
        namespaces[linux_section.n_namespaces++] = (oci_namespace) { letters[i].type, NULL };
  linux_section.namespaces = namespaces;
}

/* Validate one key with the namespaces of `spec` (i: ipc, n: network, u: uts, m: mount);
 * returns the error text or NULL.  */
static char *
validate (const char *key, const char *spec)
{
  struct silo_error *err = NULL;
  char *msg = NULL;

  use_namespaces (spec);
  keys[0] = (char *) key;
  values[0] = (char *) "1";
  linux_section.sysctl = (oci_map) { keys, values, 1 };
  if (silo_sysctl_validate (&config, &err) < 0)
    msg = strdup (err != NULL ? err->msg : "(no message)");
  silo_error_free (err);
  return msg;
}

static void
accepted (const char *key, const char *spec)
{
  char *msg = validate (key, spec);
  ok (msg == NULL, "%s with namespaces `%s` is accepted%s%s", key, spec, msg ? ": " : "",
      msg ? msg : "");
  free (msg);
}

static void
refused (const char *key, const char *spec, const char *needle)
{
  char *msg = validate (key, spec);
  ok (msg != NULL && strstr (msg, needle) != NULL, "%s with namespaces `%s` is refused (%s)", key,
      spec, msg ? msg : "accepted");
  free (msg);
}

/* In a child with its own network namespace: write net.ipv4.ip_forward and read it back.  */
static int
apply_in_new_network_namespace (void)
{
  struct silo_error *err = NULL;
  char buffer[8] = "";
  int procfd, fd;

  if (unshare (CLONE_NEWNET) < 0)
    return 10;
  procfd = silo_procfs_open (&err);
  if (procfd < 0)
    return 11;
  use_namespaces ("n");
  keys[0] = (char *) "net.ipv4.ip_forward";
  values[0] = (char *) "1";
  linux_section.sysctl = (oci_map) { keys, values, 1 };
  if (silo_sysctl_apply (&config, procfd, &err) < 0)
    return 12;
  fd = openat (procfd, "sys/net/ipv4/ip_forward", O_RDONLY | O_CLOEXEC);
  if (fd < 0 || read (fd, buffer, sizeof buffer - 1) < 1)
    return 13;
  return buffer[0] == '1' ? 0 : 14;
}

static void
test_apply (void)
{
  int status = -1;
  pid_t pid;

  if (tap_unshare_denied (CLONE_NEWNET))
    {
      skip ("needs root: a new network namespace needs CAP_SYS_ADMIN (apply writes "
            "net.ipv4.ip_forward in it)");
      return;
    }
  pid = fork ();
  if (pid == 0)
    _exit (apply_in_new_network_namespace ());
  ok (pid > 0 && waitpid (pid, &status, 0) == pid && WIFEXITED (status)
      && WEXITSTATUS (status) == 0, "apply writes net.ipv4.ip_forward in a new network "
      "namespace (child status %d)", status);
}

int
main (void)
{
  oci_config no_linux = { 0 };
  struct silo_error *err = NULL;

  ok (silo_sysctl_validate (&no_linux, &err) == 0, "no linux section: nothing to check");

  accepted ("net.ipv4.ip_forward", "n");
  refused ("net.ipv4.ip_forward", "iu", "linux.sysctl.net.ipv4.ip_forward: needs a network namespace");
  namespaces[0] = (oci_namespace) { OCI_NS_NETWORK, (char *) "/proc/self/ns/net" };
  linux_section.n_namespaces = 1;
  keys[0] = (char *) "net.core.somaxconn";
  ok (silo_sysctl_validate (&config, &err) < 0 && err != NULL && strstr (err->msg, "host's") != NULL,
      "net.* in silo's own network namespace joined by path is refused");
  silo_error_free (err);
  err = NULL;

  for (const char *const *k = (const char *const[]) { "kernel.msgmax", "kernel.msgmnb",
         "kernel.msgmni", "kernel.sem", "kernel.shmall", "kernel.shmmax", "kernel.shmmni",
         "kernel.shm_rmid_forced", "fs.mqueue.msg_max", "fs.mqueue.queues_max", NULL };
       *k != NULL; k++)
    {
      accepted (*k, "i");
      refused (*k, "nu", "needs an ipc namespace");
    }
  accepted ("kernel.hostname", "u");
  accepted ("kernel.domainname", "u");
  refused ("kernel.hostname", "in", "needs a uts namespace");

  refused ("kernel.pid_max", "inum", "not isolated by any of the container's namespaces");
  refused ("vm.overcommit_memory", "inum", "not isolated");
  refused ("kernel.shm_next_id", "inum", "not isolated");
  refused ("fs.mqueue", "inum", "not isolated");
  refused ("net", "inum", "not isolated");
  refused ("net/ipv4/ip_forward", "n", "without '/' or empty components");
  refused ("net..ipv4.ip_forward", "n", "empty components");
  refused (".net.ipv4", "n", "empty components");
  refused ("net.ipv4.", "n", "empty components");
  refused ("net.ipv4.conf.all.../../x", "n", "empty components");
  refused ("", "n", "empty components");

  /* The ipc namespace counts when joined by path too.  */
  namespaces[0] = (oci_namespace) { OCI_NS_IPC, (char *) "/proc/1/ns/ipc" };
  linux_section.n_namespaces = 1;
  keys[0] = (char *) "kernel.shmmax";
  ok (silo_sysctl_validate (&config, &err) == 0, "kernel.shmmax with an ipc namespace joined by path");
  silo_error_free (err);

  test_apply ();
  return tap_done ();
}
