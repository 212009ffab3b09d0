/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/nsfs.h>

#include "pathsafe.h"
#include "util.h"

extern char **environ;

#ifndef CLONE_NEWTIME
# define CLONE_NEWTIME 0x00000080
#endif

int
silo_ns_clone_flag (oci_namespace_type t)
{
  static const int flags[OCI_NS__COUNT] = {
    [OCI_NS_PID] = CLONE_NEWPID, [OCI_NS_NETWORK] = CLONE_NEWNET, [OCI_NS_MOUNT] = CLONE_NEWNS,
    [OCI_NS_IPC] = CLONE_NEWIPC, [OCI_NS_UTS] = CLONE_NEWUTS, [OCI_NS_USER] = CLONE_NEWUSER,
    [OCI_NS_CGROUP] = CLONE_NEWCGROUP, [OCI_NS_TIME] = CLONE_NEWTIME,
  };
  return flags[t];
}

static int
open_ns_path (const oci_namespace *ns, size_t index, struct silo_error **err)
{
  _cleanup_close_ int fd = open (ns->path, O_RDONLY | O_CLOEXEC);
  int type;

  if (fd < 0)
    return silo_fail (err, errno, "linux.namespaces[%zu].path: open `%s`", index, ns->path);
  /* A wrong file here would silently leave the container in the host's namespace.  */
  type = ioctl (fd, NS_GET_NSTYPE);
  if (type < 0)
    return silo_fail (err, errno, "linux.namespaces[%zu].path: `%s` is not a namespace", index, ns->path);
  if (type != silo_ns_clone_flag (ns->type))
    return silo_fail (err, EINVAL, "linux.namespaces[%zu].path: `%s` is not a %s namespace",
                      index, ns->path, oci_namespace_type_name (ns->type));
  return steal_fd (&fd);
}

bool
silo_ns_userns_unmapped (const oci_linux *l)
{
  if (l == NULL || l->n_uid_mappings > 0 || l->n_gid_mappings > 0)
    return false;
  for (size_t i = 0; i < l->n_namespaces; i++)
    if (l->namespaces[i].type == OCI_NS_USER && l->namespaces[i].path == NULL)
      return true;
  return false;
}

static int
check_mappings (const struct silo_ns_plan *plan, const oci_linux *l, struct silo_error **err)
{
  bool maps = l->n_uid_mappings > 0 || l->n_gid_mappings > 0;

  if (maps && !plan->new_ns[OCI_NS_USER])
    return silo_fail (err, EINVAL, "linux.%s: mappings need a new user namespace in linux.namespaces",
                      l->n_uid_mappings > 0 ? "uidMappings" : "gidMappings");
  if (plan->new_ns[OCI_NS_USER] && (l->n_uid_mappings == 0) != (l->n_gid_mappings == 0))
    return silo_fail (err, EINVAL, "linux.%s: given without linux.%s; a new user namespace "
                      "takes both or neither", l->n_uid_mappings > 0 ? "uidMappings" : "gidMappings",
                      l->n_uid_mappings > 0 ? "gidMappings" : "uidMappings");
  if (l->has_time_offsets && !plan->new_ns[OCI_NS_TIME])
    return silo_fail (err, EINVAL, "linux.timeOffsets: needs a new time namespace in linux.namespaces");
  return 0;
}

int
silo_ns_plan_init (struct silo_ns_plan *plan, const oci_linux *l, struct silo_error **err)
{
  memset (plan, 0, sizeof (*plan));
  for (int i = 0; i < OCI_NS__COUNT; i++)
    plan->join_fd[i] = -1;
  for (size_t i = 0; l != NULL && i < l->n_namespaces; i++)
    {
      const oci_namespace *ns = &l->namespaces[i];
      if (ns->path == NULL || ns->path[0] == '\0')
        plan->new_ns[ns->type] = true;
      else if ((plan->join_fd[ns->type] = open_ns_path (ns, i, err)) < 0)
        return -1;
    }
  if (l != NULL && check_mappings (plan, l, err) < 0)
    return -1;

  for (int t = 0; t < OCI_NS__COUNT; t++)
    {
      if (!plan->new_ns[t] || t == OCI_NS_CGROUP || t == OCI_NS_TIME)
        continue;  /* cgroup: unshared after placement; time: prepared by the parent */
      if (plan->join_fd[OCI_NS_USER] >= 0)
        plan->unshare_flags |= silo_ns_clone_flag (t);
      else
        plan->clone_flags |= silo_ns_clone_flag (t);
    }
  if (plan->new_ns[OCI_NS_CGROUP])
    plan->unshare_flags |= CLONE_NEWCGROUP;
  plan->child_forks_init = (plan->unshare_flags & CLONE_NEWPID) != 0;
  return 0;
}

void
silo_ns_plan_close (struct silo_ns_plan *plan)
{
  for (int i = 0; i < OCI_NS__COUNT; i++)
    silo_closep (&plan->join_fd[i]);
}

static int
write_time_offsets (const oci_linux *l, struct silo_error **err)
{
  char buf[128];
  int n = snprintf (buf, sizeof (buf), "monotonic %lld %u\nboottime %lld %u\n",
                    (long long) l->monotonic.secs, l->monotonic.nanosecs,
                    (long long) l->boottime.secs, l->boottime.nanosecs);
  /* One write(2) per line: the kernel parses a single offset per write.  */
  char *second = strchr (buf, '\n') + 1;
  if (write_file_at (AT_FDCWD, "/proc/self/timens_offsets", buf, (size_t) (second - buf), err) < 0
      || write_file_at (AT_FDCWD, "/proc/self/timens_offsets", second, (size_t) (n - (second - buf)), err) < 0)
    return silo_wrap (err, "linux.timeOffsets");
  return 0;
}

int
silo_ns_parent_prepare (const struct silo_ns_plan *plan, const oci_linux *l, int saved_fds[2],
                        struct silo_error **err)
{
  saved_fds[0] = saved_fds[1] = -1;
  if (plan->join_fd[OCI_NS_PID] >= 0)
    {
      saved_fds[0] = open ("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
      if (saved_fds[0] < 0)
        return silo_fail (err, errno, "open /proc/self/ns/pid");
      if (setns (plan->join_fd[OCI_NS_PID], CLONE_NEWPID) < 0)
        return silo_fail (err, errno, "join the pid namespace of linux.namespaces");
    }
  if (plan->join_fd[OCI_NS_TIME] >= 0 || plan->new_ns[OCI_NS_TIME])
    {
      saved_fds[1] = open ("/proc/self/ns/time", O_RDONLY | O_CLOEXEC);
      if (saved_fds[1] < 0)
        return silo_fail (err, errno, "open /proc/self/ns/time");
    }
  if (plan->join_fd[OCI_NS_TIME] >= 0 && setns (plan->join_fd[OCI_NS_TIME], CLONE_NEWTIME) < 0)
    return silo_fail (err, errno, "join the time namespace of linux.namespaces");
  if (plan->new_ns[OCI_NS_TIME])
    {
      if (unshare (CLONE_NEWTIME) < 0)
        return silo_fail (err, errno, "unshare the time namespace");
      if (l->has_time_offsets && write_time_offsets (l, err) < 0)
        return -1;
    }
  return 0;
}

int
silo_ns_parent_restore (int saved_fds[2], struct silo_error **err)
{
  int ret = 0;

  if (saved_fds[0] >= 0 && setns (saved_fds[0], CLONE_NEWPID) < 0)
    ret = silo_fail (err, errno, "return to silo's own pid namespace");
  if (saved_fds[1] >= 0 && setns (saved_fds[1], CLONE_NEWTIME) < 0 && ret == 0)
    ret = silo_fail (err, errno, "return to silo's own time namespace");
  silo_closep (&saved_fds[0]);
  silo_closep (&saved_fds[1]);
  return ret;
}

char *
silo_ns_format_id_map (const oci_id_mapping *m, size_t n)
{
  size_t cap = n * 36 + 1, used = 0;
  char *buf = xmalloc0 (cap);

  for (size_t i = 0; i < n; i++)
    used += (size_t) snprintf (buf + used, cap - used, "%u %u %u\n", m[i].container_id,
                               m[i].host_id, m[i].size);
  return buf;
}

/* A map a user without privileges may write itself: its own id, once.  */
static bool
own_id_only (const oci_id_mapping *m, size_t n, uint32_t id)
{
  return n == 1 && m[0].size == 1 && m[0].host_id == id;
}

static int
write_maps_directly (int procfd, pid_t pid, const oci_linux *l, bool deny_setgroups,
                     struct silo_error **err)
{
  _cleanup_free_ char *uid_map = silo_ns_format_id_map (l->uid_mappings, l->n_uid_mappings);
  _cleanup_free_ char *gid_map = silo_ns_format_id_map (l->gid_mappings, l->n_gid_mappings);
  char path[64];

  snprintf (path, sizeof (path), "%d/uid_map", (int) pid);
  if (silo_procfs_write (procfd, path, uid_map, strlen (uid_map), err) < 0)
    return silo_wrap (err, "linux.uidMappings");
  /* The kernel takes a gid_map from an unprivileged writer only once setgroups(2) is off
   * for good in the namespace.  */
  snprintf (path, sizeof (path), "%d/setgroups", (int) pid);
  if (deny_setgroups && silo_procfs_write (procfd, path, "deny", 4, err) < 0)
    return silo_wrap (err, "linux.gidMappings");
  snprintf (path, sizeof (path), "%d/gid_map", (int) pid);
  if (silo_procfs_write (procfd, path, gid_map, strlen (gid_map), err) < 0)
    return silo_wrap (err, "linux.gidMappings");
  return 0;
}

static char **
map_helper_argv (const char *helper, pid_t pid, const oci_id_mapping *m, size_t n)
{
  char **argv = xmalloc0 ((3 * n + 3) * sizeof (char *));
  size_t k = 0;

  argv[k++] = xstrdup (helper);
  argv[k++] = xasprintf ("%d", (int) pid);
  for (size_t i = 0; i < n; i++)
    {
      argv[k++] = xasprintf ("%u", m[i].container_id);
      argv[k++] = xasprintf ("%u", m[i].host_id);
      argv[k++] = xasprintf ("%u", m[i].size);
    }
  return argv;
}

/* The last line the helper wrote, for the error message.  */
static void
read_last_line (int fd, char *buf, size_t size)
{
  size_t used = 0;
  ssize_t r;

  while (used + 1 < size && (r = read (fd, buf + used, size - 1 - used)) > 0)
    used += (size_t) r;
  buf[used] = '\0';
  while (used > 0 && buf[used - 1] == '\n')
    buf[--used] = '\0';
  char *nl = strrchr (buf, '\n');
  if (nl != NULL)
    memmove (buf, nl + 1, strlen (nl + 1) + 1);
}

/* newuidmap/newgidmap (shadow's uidmap package) are setuid and check every range against
 * /etc/subuid and /etc/subgid: how a user without privileges maps more than its own id.  */
static int
run_map_helper (const char *helper, const char *field, pid_t pid, const oci_id_mapping *m,
                size_t n, struct silo_error **err)
{
  _cleanup_strv_ char **argv = map_helper_argv (helper, pid, m, n);
  _cleanup_close_ int out_r = -1, out_w = -1;
  posix_spawn_file_actions_t actions;
  int pipefd[2], r, status;
  char text[512];
  pid_t child;

  if (pipe2 (pipefd, O_CLOEXEC) < 0)
    return silo_fail (err, errno, "%s: pipe for %s", field, helper);
  out_r = pipefd[0];
  out_w = pipefd[1];
  posix_spawn_file_actions_init (&actions);
  posix_spawn_file_actions_adddup2 (&actions, out_w, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2 (&actions, out_w, STDERR_FILENO);
  r = posix_spawnp (&child, helper, &actions, NULL, argv, environ);
  posix_spawn_file_actions_destroy (&actions);
  if (r != 0)
    return silo_fail (err, r, "%s: maps other than your own uid and gid need %s (Debian package "
                      "uidmap)", field, helper);
  silo_closep (&out_w);
  read_last_line (out_r, text, sizeof (text));
  if (waitpid (child, &status, 0) < 0)
    return silo_fail (err, errno, "%s: wait for %s", field, helper);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return silo_fail (err, EPERM, "%s: %s refused the map (are its ranges in /etc/subuid and "
                      "/etc/subgid?): %s", field, helper, text[0] != '\0' ? text : "no message");
  return 0;
}

int
silo_ns_write_id_maps (pid_t pid, const oci_linux *l, struct silo_error **err)
{
  _cleanup_close_ int procfd = -1;

  if (geteuid () != 0 && !(own_id_only (l->uid_mappings, l->n_uid_mappings, geteuid ())
                           && own_id_only (l->gid_mappings, l->n_gid_mappings, getegid ())))
    {
      if (run_map_helper ("newuidmap", "linux.uidMappings", pid, l->uid_mappings,
                          l->n_uid_mappings, err) < 0)
        return -1;
      return run_map_helper ("newgidmap", "linux.gidMappings", pid, l->gid_mappings,
                             l->n_gid_mappings, err);
    }
  procfd = silo_procfs_open (err);
  if (procfd < 0)
    return -1;
  return write_maps_directly (procfd, pid, l, geteuid () != 0, err);
}

int
silo_ns_child_enter (const struct silo_ns_plan *plan, struct silo_error **err)
{
  /* user first: it decides which capabilities the other setns calls have.  */
  static const oci_namespace_type order[] = { OCI_NS_USER, OCI_NS_IPC, OCI_NS_UTS, OCI_NS_NETWORK,
                                              OCI_NS_CGROUP, OCI_NS_MOUNT };

  for (size_t i = 0; i < SILO_ARRAY_SIZE (order); i++)
    {
      oci_namespace_type t = order[i];
      if (plan->join_fd[t] >= 0 && setns (plan->join_fd[t], silo_ns_clone_flag (t)) < 0)
        return silo_fail (err, errno, "join the %s namespace of linux.namespaces", oci_namespace_type_name (t));
    }
  if (plan->unshare_flags != 0 && unshare (plan->unshare_flags) < 0)
    return silo_fail (err, errno, "unshare namespaces (flags %#x)", plan->unshare_flags);
  return 0;
}

int
silo_ns_apply_uts (const oci_config *c, const struct silo_ns_plan *plan, struct silo_error **err)
{
  bool uts = plan->new_ns[OCI_NS_UTS] || plan->join_fd[OCI_NS_UTS] >= 0;

  if ((c->hostname != NULL || c->domainname != NULL) && !uts)
    return silo_fail (err, EINVAL, "%s: setting it needs a uts namespace in linux.namespaces",
                      c->hostname != NULL ? "hostname" : "domainname");
  if (c->hostname != NULL && sethostname (c->hostname, strlen (c->hostname)) < 0)
    return silo_fail (err, errno, "hostname: set `%s`", c->hostname);
  if (c->domainname != NULL && setdomainname (c->domainname, strlen (c->domainname)) < 0)
    return silo_fail (err, errno, "domainname: set `%s`", c->domainname);
  return 0;
}
