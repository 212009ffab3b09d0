/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "idmap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ns.h"
#include "pathsafe.h"
#include "util.h"

/* ---- validation --------------------------------------------------------------- */

bool
silo_idmap_wanted (const oci_mount *m, const struct silo_mount_options *o)
{
  return o->idmap || m->n_uid_mappings > 0 || m->n_gid_mappings > 0;
}

static bool
is_bind (const oci_mount *m, const struct silo_mount_options *o)
{
  return (o->flags & MS_BIND) || (m->type != NULL && strcmp (m->type, "bind") == 0);
}

/* The entries whose tree the parent makes: the ID-mapped ones, and with all_binds every
 * bind of a source (not a remount of the target).  */
static bool
made_early (const oci_mount *m, const struct silo_mount_options *o, bool all_binds)
{
  return silo_idmap_wanted (m, o) || (all_binds && is_bind (m, o) && !(o->flags & MS_REMOUNT));
}

/* The kernel refuses a range that reaches (uid_t) -1, the id that means "none".  */
static int
validate_range (const oci_id_mapping *r, size_t i, const char *field, size_t j,
                struct silo_error **err)
{
  if (r->size == 0)
    return silo_fail (err, EINVAL, "mounts[%zu].%s[%zu].size: must be at least 1", i, field, j);
  if ((uint64_t) r->container_id + r->size > UINT32_MAX)
    return silo_fail (err, EINVAL, "mounts[%zu].%s[%zu]: containerID %u + size %u goes past the "
                      "last id, %u", i, field, j, r->container_id, r->size, UINT32_MAX - 1);
  if ((uint64_t) r->host_id + r->size > UINT32_MAX)
    return silo_fail (err, EINVAL, "mounts[%zu].%s[%zu]: hostID %u + size %u goes past the "
                      "last id, %u", i, field, j, r->host_id, r->size, UINT32_MAX - 1);
  return 0;
}

static bool
overlap (uint32_t a, uint32_t a_size, uint32_t b, uint32_t b_size)
{
  return (uint64_t) a < (uint64_t) b + b_size && (uint64_t) b < (uint64_t) a + a_size;
}

static int
validate_map (const oci_id_mapping *map, size_t n, size_t i, const char *field,
              struct silo_error **err)
{
  if (n > SILO_IDMAP_MAX_RANGES)
    return silo_fail (err, EINVAL, "mounts[%zu].%s: %zu ranges, the kernel takes at most %d",
                      i, field, n, SILO_IDMAP_MAX_RANGES);
  for (size_t j = 0; j < n; j++)
    {
      if (validate_range (&map[j], i, field, j, err) < 0)
        return -1;
      for (size_t k = 0; k < j; k++)
        {
          if (overlap (map[k].container_id, map[k].size, map[j].container_id, map[j].size))
            return silo_fail (err, EINVAL, "mounts[%zu].%s[%zu]: its containerID range overlaps "
                              "that of %s[%zu]", i, field, j, field, k);
          if (overlap (map[k].host_id, map[k].size, map[j].host_id, map[j].size))
            return silo_fail (err, EINVAL, "mounts[%zu].%s[%zu]: its hostID range overlaps "
                              "that of %s[%zu]", i, field, j, field, k);
        }
    }
  return 0;
}

static int
validate_entry (const oci_mount *m, size_t i, const struct silo_mount_options *o, bool userns,
                struct silo_error **err)
{
  bool own = m->n_uid_mappings > 0 || m->n_gid_mappings > 0;
  const char *field = m->n_uid_mappings > 0 ? "uidMappings" : own ? "gidMappings" : "options";

  if (!is_bind (m, o))
    return silo_fail (err, EINVAL, "mounts[%zu].%s: only bind mounts can be ID-mapped, and this "
                      "is a %s mount: add \"bind\" or \"rbind\" to its options, or drop the %s",
                      i, field, m->type != NULL ? m->type : "(no type)",
                      own ? "mappings" : "idmap option");
  if (o->flags & MS_REMOUNT)
    return silo_fail (err, EINVAL, "mounts[%zu].options: \"remount\" cannot be ID-mapped: the "
                      "mapping is set once, on a new bind mount", i);
  if (own && (m->n_uid_mappings == 0 || m->n_gid_mappings == 0))
    return silo_fail (err, EINVAL, "mounts[%zu].%s: required together with %s (the spec asks "
                      "for both)", i, m->n_uid_mappings == 0 ? "uidMappings" : "gidMappings",
                      m->n_uid_mappings == 0 ? "gidMappings" : "uidMappings");
  if (!own && !userns)
    return silo_fail (err, EINVAL, "mounts[%zu].options: \"%s\" without uidMappings and "
                      "gidMappings on the mount borrows the container's user namespace, and "
                      "linux.namespaces has none: add the mappings to the mount, or a user "
                      "namespace", i, o->idmap_recursive ? "ridmap" : "idmap");
  if (validate_map (m->uid_mappings, m->n_uid_mappings, i, "uidMappings", err) < 0)
    return -1;
  return validate_map (m->gid_mappings, m->n_gid_mappings, i, "gidMappings", err);
}

int
silo_idmap_validate (const oci_config *config, bool userns, struct silo_error **err)
{
  for (size_t i = 0; i < config->n_mounts; i++)
    {
      const oci_mount *m = &config->mounts[i];
      _cleanup_mount_options_ struct silo_mount_options o = { 0 };

      if (silo_mount_options_parse (m->options, m->n_options, &o, err) < 0)
        return silo_wrap (err, "mounts[%zu]", i);
      if (silo_idmap_wanted (m, &o) && validate_entry (m, i, &o, userns, err) < 0)
        return -1;
    }
  return 0;
}

/* ---- user namespaces ---------------------------------------------------------- */

/* A child that exists only to hold a new namespace open: it waits for EOF on a pipe whose
 * write end only the parent has, so it goes away when the parent closes it or dies.  */
struct holder
{
  pid_t pid;
  int wake;   /* the write end */
};

static void
holder_stop (struct holder *h)
{
  silo_closep (&h->wake);
  while (h->pid > 0 && waitpid (h->pid, NULL, 0) < 0 && errno == EINTR)
    ;
  h->pid = -1;
}
#define _cleanup_holder_ __attribute__ ((cleanup (holder_stop)))

static int
holder_start (uint64_t flags, struct holder *h, struct silo_error **err)
{
  struct clone_args args = { .flags = flags, .exit_signal = SIGCHLD };
  int pipefd[2];
  char c;

  if (pipe2 (pipefd, O_CLOEXEC) < 0)
    return silo_fail (err, errno, "pipe");
  h->pid = (pid_t) syscall (SYS_clone3, &args, sizeof (args));
  if (h->pid == 0)
    {
      close (pipefd[1]);
      while (read (pipefd[0], &c, 1) < 0 && errno == EINTR)
        ;
      _exit (0);
    }
  close (pipefd[0]);
  h->wake = pipefd[1];
  if (h->pid < 0)
    return silo_fail (err, errno, "clone a process for a new user namespace");
  return 0;
}

/* /proc/PID/ns/NAME of our own child (it cannot have been reaped, so the pid is its).  */
static int
open_namespace (int procfd, pid_t pid, const char *name, int type, struct silo_error **err)
{
  _cleanup_free_ char *path = xasprintf ("%d/ns/%s", (int) pid, name);
  _cleanup_close_ int fd = openat (procfd, path, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    return silo_fail (err, errno, "open /proc/%s", path);
  if (ioctl (fd, NS_GET_NSTYPE) != type)
    return silo_fail (err, EINVAL, "/proc/%s is not a %s namespace", path, name);
  return steal_fd (&fd);
}

/* The uid and gid maps of a mount entry.  */
struct mapping
{
  const oci_id_mapping *uids, *gids;
  size_t n_uids, n_gids;
};

/* The maps are written by us, from outside: no "deny" to /proc/PID/setgroups is needed
 * first, that is for writers without CAP_SETGID over the parent user namespace.  */
static int
make_user_namespace (int procfd, const struct mapping *map, struct silo_error **err)
{
  _cleanup_holder_ struct holder h = { .pid = -1, .wake = -1 };
  _cleanup_free_ char *uid_map = silo_ns_format_id_map (map->uids, map->n_uids);
  _cleanup_free_ char *gid_map = silo_ns_format_id_map (map->gids, map->n_gids);
  char path[64];

  if (holder_start (CLONE_NEWUSER, &h, err) < 0)
    return -1;
  snprintf (path, sizeof (path), "%d/uid_map", (int) h.pid);
  if (silo_procfs_write (procfd, path, uid_map, strlen (uid_map), err) < 0)
    return silo_wrap (err, "uidMappings");
  snprintf (path, sizeof (path), "%d/gid_map", (int) h.pid);
  if (silo_procfs_write (procfd, path, gid_map, strlen (gid_map), err) < 0)
    return silo_wrap (err, "gidMappings");
  return open_namespace (procfd, h.pid, "user", CLONE_NEWUSER, err);
}

/* A mount namespace owned by a throwaway user namespace: its copy of the host's mounts is
 * locked (idmap.h), and so is every clone made from it.  */
static int
make_locked_mount_namespace (int procfd, struct silo_error **err)
{
  _cleanup_holder_ struct holder h = { .pid = -1, .wake = -1 };

  if (holder_start (CLONE_NEWUSER | CLONE_NEWNS, &h, err) < 0)
    return -1;
  return open_namespace (procfd, h.pid, "mnt", CLONE_NEWNS, err);
}

/* ---- the plan: one user namespace per distinct mapping ------------------------ */

struct plan
{
  const oci_config *config;
  const char *bundle;
  int joined_userns;            /* the container's joined user namespace, or -1 */
  bool locked;                  /* clone in a locked mount namespace (idmap.h) */
  bool all_binds;               /* every bind, not only the ID-mapped ones (idmap.h) */
  int procfd;
  struct mapping *maps;         /* distinct mappings ... */
  int *userns;                  /* ... and their namespaces */
  size_t n_maps;
  unsigned long propagation;    /* for the trees: cut off from the host's */
};

static void
plan_release (struct plan *p)
{
  for (size_t i = 0; i < p->n_maps; i++)
    silo_closep (&p->userns[i]);
  free (p->maps);
  free (p->userns);
  silo_closep (&p->procfd);
}
#define _cleanup_plan_ __attribute__ ((cleanup (plan_release)))

static bool
same_map (const oci_id_mapping *a, size_t n_a, const oci_id_mapping *b, size_t n_b)
{
  return n_a == n_b && (n_a == 0 || memcmp (a, b, n_a * sizeof (*a)) == 0);
}

/* The user namespace of mounts[i]: the one made for an equal mapping, or a new one; the
 * joined user namespace for an entry without mappings of its own.  Not owned.  */
static int
plan_userns (struct plan *p, size_t i, struct silo_error **err)
{
  const oci_mount *m = &p->config->mounts[i];
  const oci_linux *l = p->config->linux_;
  struct mapping map = { m->uid_mappings, m->gid_mappings, m->n_uid_mappings, m->n_gid_mappings };
  int fd;

  if (map.n_uids == 0 && p->joined_userns >= 0)
    return p->joined_userns;
  if (map.n_uids == 0)
    map = (struct mapping) { l->uid_mappings, l->gid_mappings, l->n_uid_mappings, l->n_gid_mappings };
  for (size_t k = 0; k < p->n_maps; k++)
    if (same_map (p->maps[k].uids, p->maps[k].n_uids, map.uids, map.n_uids)
        && same_map (p->maps[k].gids, p->maps[k].n_gids, map.gids, map.n_gids))
      return p->userns[k];
  fd = make_user_namespace (p->procfd, &map, err);
  if (fd < 0)
    return silo_wrap (err, "%s", m->n_uid_mappings > 0 ? "the mount's mappings"
                                                      : "linux.uidMappings/gidMappings");
  p->maps = xrealloc (p->maps, (p->n_maps + 1) * sizeof (*p->maps));
  p->userns = xrealloc (p->userns, (p->n_maps + 1) * sizeof (*p->userns));
  p->maps[p->n_maps] = map;
  p->userns[p->n_maps] = fd;
  return p->userns[p->n_maps++];
}

/* ---- the trees ---------------------------------------------------------------- */

static const char *
filesystem_name (int fd, char *buf, size_t size)
{
  static const struct { long magic; const char *name; } names[] = {
    { OVERLAYFS_SUPER_MAGIC, "overlay" }, { TMPFS_MAGIC, "tmpfs" }, { EXT4_SUPER_MAGIC, "ext4" },
    { XFS_SUPER_MAGIC, "xfs" }, { BTRFS_SUPER_MAGIC, "btrfs" }, { NFS_SUPER_MAGIC, "nfs" },
    { PROC_SUPER_MAGIC, "proc" }, { SYSFS_MAGIC, "sysfs" }, { SQUASHFS_MAGIC, "squashfs" },
  };
  struct statfs sfs;

  if (fstatfs (fd, &sfs) < 0)
    return "unknown type";
  for (size_t i = 0; i < SILO_ARRAY_SIZE (names); i++)
    if ((long) sfs.f_type == names[i].magic)
      return names[i].name;
  snprintf (buf, size, "type %#lx", (unsigned long) sfs.f_type);
  return buf;
}

static int
explain_idmap_failure (int tree, const char *source, bool recursive, int errnum,
                       struct silo_error **err)
{
  char buf[32];

  if (errnum == ENOSYS)
    return silo_fail (err, errnum, "ID-mapped mounts need mount_setattr(2), Linux 5.12 or later: "
                      "this kernel does not have it");
  if (errnum == EINVAL)
    return silo_fail (err, errnum, "the filesystem of `%s` (%s)%s does not support ID-mapped "
                      "mounts on this kernel", source, filesystem_name (tree, buf, sizeof (buf)),
                      recursive ? ", or of a mount below it (ridmap)," : "");
  if (errnum == EPERM)
    return silo_fail (err, errnum, "ID-map `%s`: refused (is it already on an ID-mapped mount, "
                      "or is the user namespace the host's?)", source);
  return silo_fail (err, errnum, "ID-map `%s`", source);
}

/* userns: the mapping's user namespace, or -1 for a bind that is only made early.  */
static int
make_tree (const struct plan *p, const char *source, const struct silo_mount_options *o,
           int userns, struct silo_error **err)
{
  bool rbind = (o->flags & MS_REC) != 0;
  struct mount_attr idmap = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t) userns };
  _cleanup_close_ int tree = open_tree (AT_FDCWD, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC
                                                          | (rbind ? AT_RECURSIVE : 0));

  /* The kernel will not leave out locked mounts: they could be hiding what is below.  */
  if (tree < 0 && errno == EINVAL && !rbind && p->locked)
    return silo_fail (err, errno, "bind `%s` (in a user namespace, a directory with mounts "
                      "below it needs \"rbind\")", source);
  if (tree < 0)
    return silo_fail (err, errno, "bind `%s`", source);
  if (userns >= 0
      && mount_setattr (tree, "", AT_EMPTY_PATH | (o->idmap_recursive ? AT_RECURSIVE : 0), &idmap,
                        sizeof (idmap)) < 0)
    return explain_idmap_failure (tree, source, o->idmap_recursive, errno, err);
  /* Like the container's other mounts (rootfs.c): nothing mounted there reaches the host.  */
  if (silo_mount_setattr (tree, true, 0, 0, p->propagation, err) < 0)
    return -1;
  return steal_fd (&tree);
}

static int
make_entry (struct plan *p, size_t i, int *tree, struct silo_error **err)
{
  const oci_mount *m = &p->config->mounts[i];
  _cleanup_mount_options_ struct silo_mount_options o = { 0 };
  _cleanup_free_ char *source = NULL;
  int userns;

  if (silo_mount_options_parse (m->options, m->n_options, &o, err) < 0)
    return -1;
  if (!made_early (m, &o, p->all_binds))
    return 0;
  if (m->source == NULL || m->source[0] == '\0')
    return silo_fail (err, EINVAL, "source: required for a bind mount");
  /* Relative to the bundle, as for every bind (rootfs.c).  */
  source = m->source[0] == '/' ? xstrdup (m->source) : xasprintf ("%s/%s", p->bundle, m->source);
  userns = silo_idmap_wanted (m, &o) ? plan_userns (p, i, err) : -1;
  if (userns < 0 && silo_idmap_wanted (m, &o))
    return -1;
  *tree = make_tree (p, source, &o, userns, err);
  return *tree;
}

static int
make_trees (struct plan *p, struct silo_idmap_mounts *out, struct silo_error **err)
{
  for (size_t i = 0; i < out->n; i++)
    if (make_entry (p, i, &out->trees[i], err) < 0)
      return silo_wrap (err, "mounts[%zu] (%s)", i, p->config->mounts[i].destination);
  return 0;
}

/* ---- where the trees are cloned ----------------------------------------------- */

/* setns(CLONE_NEWNS) moves root and cwd to the namespace's root: both are put back.  */
struct place
{
  int mntns, root, cwd;
};

static void
place_release (struct place *s)
{
  silo_closep (&s->mntns);
  silo_closep (&s->root);
  silo_closep (&s->cwd);
}
#define _cleanup_place_ __attribute__ ((cleanup (place_release)))

static int
place_save (int procfd, struct place *s, struct silo_error **err)
{
  _cleanup_free_ char *path = xasprintf ("%d/ns/mnt", (int) getpid ());

  s->mntns = openat (procfd, path, O_RDONLY | O_CLOEXEC);
  s->root = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  s->cwd = open (".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (s->mntns < 0 || s->root < 0 || s->cwd < 0)
    return silo_fail (err, errno, "open silo's own mount namespace, root and working directory");
  return 0;
}

static int
place_restore (const struct place *s, struct silo_error **err)
{
  if (setns (s->mntns, CLONE_NEWNS) < 0)
    return silo_fail (err, errno, "return to silo's own mount namespace");
  if (fchdir (s->root) < 0 || chroot (".") < 0 || fchdir (s->cwd) < 0)
    return silo_fail (err, errno, "return to silo's own root and working directory");
  return 0;
}

/* In a locked mount namespace (p->locked) or in silo's own.  */
static int
make_trees_in_place (struct plan *p, struct silo_idmap_mounts *out, struct silo_error **err)
{
  _cleanup_place_ struct place saved = { -1, -1, -1 };
  _cleanup_close_ int locked = -1;
  _cleanup_error_ struct silo_error *back = NULL;
  int ret;

  if (!p->locked)
    return make_trees (p, out, err);
  locked = make_locked_mount_namespace (p->procfd, err);
  if (locked < 0 || place_save (p->procfd, &saved, err) < 0)
    return silo_wrap (err, "ID-mapped mounts: a mount namespace to clone them in");
  if (setns (locked, CLONE_NEWNS) < 0)
    return silo_fail (err, errno, "ID-mapped mounts: enter a mount namespace to clone them in");
  ret = make_trees (p, out, err);
  if (place_restore (&saved, &back) < 0)
    {
      /* silo must not go on from that namespace: this is the error that matters.  */
      if (err != NULL)
        {
          silo_error_freep (err);
          *err = steal_pointer (&back);
        }
      return -1;
    }
  return ret;
}

static bool
any_made_early (const oci_config *config, bool all_binds)
{
  for (size_t i = 0; i < config->n_mounts; i++)
    {
      const oci_mount *m = &config->mounts[i];
      _cleanup_mount_options_ struct silo_mount_options o = { 0 };

      if (silo_mount_options_parse (m->options, m->n_options, &o, NULL) == 0
          && made_early (m, &o, all_binds))
        return true;
    }
  return false;
}

int
silo_idmap_prepare (const oci_config *config, const char *bundle, bool userns, int joined_userns,
                    struct silo_idmap_mounts *out, struct silo_error **err)
{
  const char *propagation = config->linux_ != NULL ? config->linux_->rootfs_propagation : NULL;
  /* Root opens every bind source for a container with a user namespace: what the
   * container's ids may not reach on the host (a directory of mode 0700) can still be
   * bound, as the config asked.  A user without privileges reaches no more than the
   * container would.  */
  _cleanup_plan_ struct plan p = { .config = config, .bundle = bundle, .locked = userns,
                                   .all_binds = userns && geteuid () == 0,
                                   .joined_userns = joined_userns, .procfd = -1 };

  memset (out, 0, sizeof (*out));
  if (!any_made_early (config, p.all_binds))
    return 0;
  if (silo_mount_isolation_propagation (propagation, &p.propagation) < 0)
    return silo_fail (err, EINVAL, "linux.rootfsPropagation: unknown propagation `%s`", propagation);
  out->n = config->n_mounts;
  out->trees = xmalloc0 (out->n * sizeof (*out->trees));
  for (size_t i = 0; i < out->n; i++)
    out->trees[i] = -1;
  p.procfd = silo_procfs_open (err);
  if (p.procfd < 0 || make_trees_in_place (&p, out, err) < 0)
    {
      silo_idmap_mounts_close (out);
      return -1;
    }
  return 0;
}

void
silo_idmap_mounts_close (struct silo_idmap_mounts *m)
{
  for (size_t i = 0; i < m->n; i++)
    silo_closep (&m->trees[i]);
  free (m->trees);
  m->trees = NULL;
  m->n = 0;
}

bool
silo_idmap_supported (void)
{
  /* A kernel that has the call checks its arguments (EINVAL, EBADF) instead.  */
  return mount_setattr (-1, "", AT_EMPTY_PATH, NULL, 0) == 0 || errno != ENOSYS;
}
