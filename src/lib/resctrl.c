/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "resctrl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

int
silo_resctrl_find (char **mount, struct silo_error **err)
{
  _cleanup_free_ char *info = NULL;
  char *save = NULL;

  if (read_file_at (AT_FDCWD, "/proc/self/mountinfo", &info, NULL, err) < 0)
    return -1;
  for (char *line = strtok_r (info, "\n", &save); line != NULL; line = strtok_r (NULL, "\n", &save))
    {
      char *sep = strstr (line, " - ");
      char point[4096];

      if (sep == NULL || strncmp (sep + 3, "resctrl ", 8) != 0)
        continue;
      if (sscanf (line, "%*s %*s %*s %*s %4095s", point) == 1)
        {
          *mount = xstrdup (point);
          return 0;
        }
    }
  return silo_fail (err, ENOENT, "linux.intelRdt: no resctrl filesystem is mounted (this host has "
                    "no Intel RDT or AMD PQoS, or it is not mounted at /sys/fs/resctrl)");
}

/* As a shell's `echo > file` writes a resctrl file: O_CREAT and O_TRUNC change nothing on
 * the kernel's files (they exist), and let the unit tests use a plain directory.  */
static int
write_resctrl (int dirfd, const char *file, const char *text, struct silo_error **err)
{
  _cleanup_close_ int fd = openat (dirfd, file, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);

  if (fd < 0)
    return silo_fail (err, errno, "open `%s` for writing", file);
  return write_value_fd (fd, file, text, strlen (text), err);
}

static bool
has_schema (const oci_intel_rdt *r)
{
  return r->l3_cache_schema != NULL || r->mem_bw_schema != NULL || r->n_schemata > 0;
}

/* The lines for `schemata`, in the spec's order: l3CacheSchema without its MB: lines,
 * memBwSchema, then schemata.  NULL-terminated.  */
static char **
schema_lines (const oci_intel_rdt *r)
{
  _cleanup_free_ char *l3 = xstrdup (r->l3_cache_schema);
  char **lines = xmalloc0 ((r->n_schemata + 64) * sizeof (char *));
  char *save = NULL;
  size_t n = 0;

  for (char *l = l3 != NULL ? strtok_r (l3, "\n", &save) : NULL; l != NULL && n < 60;
       l = strtok_r (NULL, "\n", &save))
    if (strncmp (l, "MB:", 3) != 0)
      lines[n++] = xstrdup (l);
  if (r->mem_bw_schema != NULL)
    lines[n++] = xstrdup (r->mem_bw_schema);
  for (size_t i = 0; i < r->n_schemata; i++)
    lines[n++] = xstrdup (r->schemata[i]);
  return lines;
}

/* A group that existed already must hold what the config asks for.  */
static int
check_existing (int group, const char *name, char **lines, struct silo_error **err)
{
  _cleanup_free_ char *current = NULL;

  if (read_file_at (group, "schemata", &current, NULL, err) < 0)
    return silo_wrap (err, "linux.intelRdt: read the schemata of `%s`", name);
  for (size_t i = 0; lines[i] != NULL; i++)
    if (strstr (current, lines[i]) == NULL)
      return silo_fail (err, EEXIST, "linux.intelRdt: the group `%s` exists with other schemata "
                        "than `%s`", name, lines[i]);
  return 0;
}

/* One write: the kernel takes several lines at once, applied in order, so schemata's own
 * lines still come last, as the spec wants.  */
static int
write_schemata (int group, const char *name, char **lines, struct silo_error **err)
{
  _cleanup_free_ char *text = xstrdup ("");

  if (lines[0] == NULL)
    return 0;
  for (size_t i = 0; lines[i] != NULL; i++)
    {
      char *longer = xasprintf ("%s%s\n", text, lines[i]);
      free (text);
      text = longer;
    }
  if (write_resctrl (group, "schemata", text, err) < 0)
    return silo_wrap (err, "linux.intelRdt: group `%s`", name);
  return 0;
}

static int
add_task (int group, const char *where, pid_t pid, struct silo_error **err)
{
  char value[32];

  snprintf (value, sizeof value, "%d", (int) pid);
  if (write_resctrl (group, "tasks", value, err) < 0)
    return silo_wrap (err, "linux.intelRdt: add the container to `%s`", where);
  return 0;
}

/* enableMonitoring below a shared group: mon_groups/<id>.  */
static int
monitor_in_shared (int mountfd, int group, const char *name, const char *id, pid_t pid,
                   struct silo_error **err)
{
  _cleanup_free_ char *where = xasprintf ("%s/mon_groups/%s", name, id);
  _cleanup_close_ int mon = -1;

  if (faccessat (mountfd, "info/L3_MON", F_OK, 0) < 0 && faccessat (mountfd, "info/MB_MON", F_OK, 0) < 0)
    return silo_fail (err, ENOTSUP, "linux.intelRdt.enableMonitoring: this host's resctrl has no "
                      "monitoring (info/L3_MON, info/MB_MON)");
  if (mkdirat (group, where + strlen (name) + 1, 0755) < 0 && errno != EEXIST)
    return silo_fail (err, errno, "linux.intelRdt.enableMonitoring: mkdir `%s`", where);
  mon = openat (group, where + strlen (name) + 1, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (mon < 0)
    return silo_fail (err, errno, "linux.intelRdt.enableMonitoring: open `%s`", where);
  return add_task (mon, where, pid, err);
}

int
silo_resctrl_apply (const char *mount, const char *id, const oci_intel_rdt *r, pid_t pid,
                    struct silo_error **err)
{
  const char *name = r->clos_id != NULL ? r->clos_id : id;
  _cleanup_close_ int mountfd = open (mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC), group = -1;
  _cleanup_strv_ char **lines = schema_lines (r);
  bool made = false;

  if (mountfd < 0)
    return silo_fail (err, errno, "linux.intelRdt: open `%s`", mount);
  if (has_schema (r) || r->clos_id == NULL)
    {
      made = mkdirat (mountfd, name, 0755) == 0;
      if (!made && errno != EEXIST)
        return silo_fail (err, errno, "linux.intelRdt: mkdir `%s/%s`", mount, name);
    }
  group = openat (mountfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (group < 0)
    return silo_fail (err, errno, "linux.intelRdt.closID: no group `%s` in `%s`%s", name, mount,
                      errno == ENOENT ? " (one without schemata must be prepared beforehand)" : "");
  if (!made && r->clos_id != NULL && has_schema (r) && check_existing (group, name, lines, err) < 0)
    return -1;
  if ((made || r->clos_id == NULL) && write_schemata (group, name, lines, err) < 0)
    return -1;
  if (add_task (group, name, pid, err) < 0)
    return -1;
  if (r->enable_monitoring && r->clos_id != NULL)
    return monitor_in_shared (mountfd, group, name, id, pid, err);
  return 0;
}

int
silo_resctrl_remove (const char *mount, const char *id, const oci_intel_rdt *r, struct silo_error **err)
{
  _cleanup_free_ char *path = r->clos_id != NULL ? xasprintf ("%s/%s/mon_groups/%s", mount, r->clos_id, id)
                                                 : xasprintf ("%s/%s", mount, id);

  if (r->clos_id != NULL && !r->enable_monitoring)
    return 0;
  if (rmdir (path) < 0 && errno != ENOENT)
    return silo_fail (err, errno, "linux.intelRdt: remove `%s`", path);
  return 0;
}
