/* silo cgroup: the files under a cgroup directory, as every driver reads and writes them
 * (whole files, "key value" lines, one write per value), and a hierarchy's directory,
 * opened once and checked to be on a cgroup filesystem.  Calls nothing else of cgroup/.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "cgroup-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "util.h"

int
cgroup_read (int dir_fd, const char *file, char **out, struct silo_error **err)
{
  return read_file_at (dir_fd, file, out, NULL, err);
}

int
cgroup_write (int dir_fd, const char *file, const char *value, struct silo_error **err)
{
  return write_file_at (dir_fd, file, value, strlen (value), err);
}

int
cgroup_read_key (int dir_fd, const char *file, const char *key, uint64_t *value, struct silo_error **err)
{
  _cleanup_free_ char *text = NULL;
  size_t len = strlen (key);

  if (cgroup_read (dir_fd, file, &text, err) < 0)
    return -1;
  for (const char *line = text; *line != '\0';)
    {
      if (strncmp (line, key, len) == 0 && line[len] == ' ')
        {
          *value = strtoull (line + len + 1, NULL, 10);
          return 0;
        }
      line = strchrnul (line, '\n');
      if (*line == '\n')
        line++;
    }
  return 1;
}

int
cgroup_hierarchy_dir (const struct cgroup_hierarchy *h, int *tmp, struct silo_error **err)
{
  struct statfs st;
  int fd;

  if (h->dir_fd >= 0)
    return h->dir_fd;
  fd = open (h->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    {
      int saved = errno;
      silo_fail (err, saved, "open cgroup `%s`", h->path);
      errno = saved;
      return -1;
    }
  /* The path comes from a state file: never walk or signal what is not a cgroup.  */
  if (fstatfs (fd, &st) < 0 || (st.f_type != CGROUP_SUPER_MAGIC && st.f_type != CGROUP2_SUPER_MAGIC))
    {
      close (fd);
      silo_fail (err, 0, "`%s` is not on a cgroup filesystem", h->path);
      errno = ENOTDIR;
      return -1;
    }
  *tmp = fd;
  return fd;
}
