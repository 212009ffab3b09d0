/* silo cgroup layout: which hierarchies are mounted where (from mountinfo text, so that
 * the pure v1, pure v2 and hybrid cases are all plain data and unit-tested), and where
 * the container's cgroup goes below them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "cgroup-internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

bool
cgroup_has_controller (const char *controllers, const char *name)
{
  size_t len = strlen (name);

  for (const char *p = controllers; p != NULL && *p != '\0';)
    {
      const char *end = strchrnul (p, ',');
      if ((size_t) (end - p) == len && memcmp (p, name, len) == 0)
        return true;
      p = *end == ',' ? end + 1 : end;
    }
  return false;
}

bool
cgroup_list_has (const char *list, const char *name)
{
  size_t len = strlen (name);

  for (const char *p = list; p != NULL && *p != '\0';)
    {
      size_t word = strcspn (p, ", \n\t");
      if (word == len && memcmp (p, name, len) == 0)
        return true;
      p += word;
      p += strspn (p, ", \n\t");
    }
  return false;
}

/* v1 and v2 names by enum cgroup_controller; NULL where the version has no such one.  */
static const char *const controller_names[CGROUP_N_CONTROLLERS][2] = {
  [CGROUP_CPU] = { "cpu", "cpu" },
  [CGROUP_CPUACCT] = { "cpuacct", NULL },
  [CGROUP_CPUSET] = { "cpuset", "cpuset" },
  [CGROUP_MEMORY] = { "memory", "memory" },
  [CGROUP_PIDS] = { "pids", "pids" },
  [CGROUP_IO] = { "blkio", "io" },
  [CGROUP_HUGETLB] = { "hugetlb", "hugetlb" },
  [CGROUP_NET_CLS] = { "net_cls", NULL },
  [CGROUP_NET_PRIO] = { "net_prio", NULL },
  [CGROUP_RDMA] = { "rdma", "rdma" },
  [CGROUP_MISC] = { "misc", "misc" },
};

const char *
cgroup_controller_name (enum cgroup_controller c, enum cgroup_version v)
{
  return controller_names[c][v == CGROUP_V1 ? 0 : 1];
}

unsigned
cgroup_controllers_mask (const char *list, enum cgroup_version v)
{
  unsigned mask = 0;

  for (int c = 0; c < CGROUP_N_CONTROLLERS; c++)
    {
      const char *name = cgroup_controller_name (c, v);
      if (name != NULL && cgroup_list_has (list, name))
        mask |= CGROUP_MASK (c);
    }
  return mask;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo.  */
static void
unescape_octal (char *s)
{
  char *out = s;

  for (char *in = s; *in != '\0'; in++)
    {
      if (in[0] == '\\' && in[1] >= '0' && in[1] <= '3' && in[2] >= '0' && in[2] <= '7'
          && in[3] >= '0' && in[3] <= '7')
        {
          *out++ = (char) (((in[1] - '0') << 6) | ((in[2] - '0') << 3) | (in[3] - '0'));
          in += 3;
        }
      else
        *out++ = *in;
    }
  *out = '\0';
}

/* Superblock options of a v1 mount that are not controllers.  */
static bool
is_v1_mount_option (const char *opt)
{
  static const char *const options[] = {
    "rw", "ro", "sync", "dirsync", "mand", "lazytime", "xattr", "noprefix", "clone_children",
    "cpuset_v2_mode", "favordynmods", "nofavordynmods", "none", "all",
  };

  if (strchr (opt, '=') != NULL)
    return strncmp (opt, "name=", 5) != 0;   /* release_agent=..., but keep name=... */
  for (size_t i = 0; i < SILO_ARRAY_SIZE (options); i++)
    if (strcmp (opt, options[i]) == 0)
      return true;
  return false;
}

/* "rw,xattr,release_agent=/x,name=systemd" -> "name=systemd"; "rw,cpu,cpuacct" -> "cpu,cpuacct".
 * The kernel lists controllers in its own fixed order, the order /proc/PID/cgroup uses.  */
static char *
v1_controllers (const char *super_options)
{
  _cleanup_free_ char *copy = xstrdup (super_options);
  char *out = xmalloc0 (strlen (super_options) + 1), *save = NULL;

  for (char *opt = strtok_r (copy, ",", &save); opt != NULL; opt = strtok_r (NULL, ",", &save))
    {
      if (is_v1_mount_option (opt))
        continue;
      if (out[0] != '\0')
        strcat (out, ",");
      strcat (out, opt);
    }
  return out;
}

static bool
already_listed (const struct cgroup_mount *m, size_t n, enum cgroup_version v, const char *controllers)
{
  for (size_t i = 0; i < n; i++)
    if (m[i].version == v && strcmp (m[i].controllers, controllers) == 0)
      return true;
  return false;
}

/* Split one mountinfo line into mount point, fs type and superblock options (in place).
 * Returns false for a line that is not a complete mountinfo record.  */
static bool
split_mountinfo_line (char *line, char **mount_point, char **fstype, char **super_options)
{
  char *fields[8] = { NULL };
  size_t n = 0;
  char *save = NULL;
  bool after_separator = false;

  for (char *f = strtok_r (line, " ", &save); f != NULL; f = strtok_r (NULL, " ", &save))
    {
      if (!after_separator && n >= 6 && strcmp (f, "-") == 0)
        {
          after_separator = true;
          n = 5;   /* drop optional fields: fields[5..7] = fstype, source, super options */
          continue;
        }
      if (n < SILO_ARRAY_SIZE (fields))
        fields[n++] = f;
    }
  if (!after_separator || n < 8)
    return false;
  *mount_point = fields[4];
  *fstype = fields[5];
  *super_options = fields[7];
  return true;
}

static void
add_mount (struct cgroup_mount **list, size_t *n, enum cgroup_version v, char *controllers,
           const char *mount_point)
{
  *list = xrealloc (*list, (*n + 1) * sizeof (**list));
  (*list)[*n].version = v;
  (*list)[*n].controllers = controllers;
  (*list)[*n].mount_point = xstrdup (mount_point);
  unescape_octal ((*list)[*n].mount_point);
  (*n)++;
}

int
cgroup_layout_parse (const char *mountinfo, struct cgroup_mount **out, size_t *n,
                     struct silo_error **err)
{
  _cleanup_free_ char *copy = xstrdup (mountinfo);
  struct cgroup_mount *list = NULL;
  size_t count = 0;
  char *save = NULL;

  for (char *line = strtok_r (copy, "\n", &save); line != NULL; line = strtok_r (NULL, "\n", &save))
    {
      char *mount_point, *fstype, *super_options, *controllers;
      enum cgroup_version v;

      if (!split_mountinfo_line (line, &mount_point, &fstype, &super_options))
        continue;
      if (strcmp (fstype, "cgroup2") == 0)
        v = CGROUP_V2, controllers = xstrdup (CGROUP_UNIFIED_NAME);
      else if (strcmp (fstype, "cgroup") == 0)
        v = CGROUP_V1, controllers = v1_controllers (super_options);
      else
        continue;
      /* A hierarchy bind-mounted twice: the first mount serves.  */
      if (controllers[0] == '\0' || already_listed (list, count, v, controllers))
        {
          free (controllers);
          continue;
        }
      add_mount (&list, &count, v, controllers, mount_point);
    }
  (void) err;
  *out = list;
  *n = count;
  return 0;
}

void
cgroup_mounts_free (struct cgroup_mount *m, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      free (m[i].controllers);
      free (m[i].mount_point);
    }
  free (m);
}

int
cgroup_relative_path (const char *cgroups_path, const char *id, char **out, struct silo_error **err)
{
  const char *source = cgroups_path != NULL && cgroups_path[0] != '\0' ? cgroups_path : id;
  _cleanup_free_ char *copy = xstrdup (source);
  _cleanup_free_ char *result = xmalloc0 (strlen (source) + 1);
  char *save = NULL;

  if (strlen (source) >= PATH_MAX)
    return silo_fail (err, 0, "linux.cgroupsPath: longer than %d bytes", PATH_MAX - 1);
  for (char *c = strtok_r (copy, "/", &save); c != NULL; c = strtok_r (NULL, "/", &save))
    {
      if (strcmp (c, ".") == 0)
        continue;
      if (strcmp (c, "..") == 0)
        return silo_fail (err, 0, "linux.cgroupsPath `%s`: `..` is not allowed (the path is "
                          "taken below each cgroup hierarchy's root)", source);
      if (result[0] != '\0')
        strcat (result, "/");
      strcat (result, c);
    }
  if (result[0] == '\0')
    return silo_fail (err, 0, "linux.cgroupsPath `%s`: names the root cgroup; give the "
                      "container a cgroup of its own (e.g. `/%s`)", source, id != NULL ? id : "ID");
  *out = steal_pointer (&result);
  return 0;
}
