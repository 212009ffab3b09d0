/* The live cgroup tests' shared scaffolding; cgroup-fixture.h is its interface.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup-fixture.h"
#include "cgroup/cgroup-internal.h"
#include "util.h"

bool
fixture_setup (struct fixture *f, const char *prefix)
{
  _cleanup_free_ char *mountinfo = NULL;

  memset (f, 0, sizeof (*f));
  if (geteuid () != 0)
    {
      printf ("1..0 # SKIP needs root\n");
      return false;
    }
  snprintf (f->id, sizeof (f->id), "%s-%d", prefix, (int) getpid ());
  if (read_file_at (AT_FDCWD, "/proc/self/mountinfo", &mountinfo, NULL, NULL) < 0
      || cgroup_layout_parse (mountinfo, &f->mounts, &f->n_mounts, NULL) < 0 || f->n_mounts == 0)
    {
      printf ("1..0 # SKIP no cgroup mounted\n");
      return false;
    }
  return true;
}

void
fixture_track (struct fixture *f, pid_t pid)
{
  if (pid <= 0 || f->n_started >= SILO_ARRAY_SIZE (f->started))
    return;
  f->started[f->n_started].pid = pid;
  f->started[f->n_started].pidfd = pidfd_open (pid, 0);
  f->n_started++;
}

/* <id> or <id>-<suffix>: not <id>7, another run's (pid 12 vs 127).  */
static bool
is_ours (const struct fixture *f, const char *name)
{
  size_t len = strlen (f->id);

  return strncmp (name, f->id, len) == 0 && (name[len] == '\0' || name[len] == '-');
}

void
fixture_remove_tree (const char *path)
{
  DIR *d = opendir (path);
  struct dirent *de;

  if (d == NULL)
    return;
  while ((de = readdir (d)) != NULL)
    if (de->d_type == DT_DIR && strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0)
      {
        _cleanup_free_ char *child = xasprintf ("%s/%s", path, de->d_name);
        fixture_remove_tree (child);
      }
  closedir (d);
  rmdir (path);
}

static void
kill_started (const struct fixture *f)
{
  for (size_t k = 0; k < f->n_started; k++)
    if (f->started[k].pidfd >= 0)
      pidfd_send_signal (f->started[k].pidfd, SIGKILL, NULL, 0);
    else
      kill (f->started[k].pid, SIGKILL);   /* no pidfd (an old kernel, valgrind) */
}

/* The SIGKILL already sent lands once the cgroup thaws (a frozen task stays frozen until
 * then); the pause lets the kernel finish the exits before the rmdir.  */
static void
remove_ours (const struct fixture *f, const char *mount_point)
{
  DIR *d = opendir (mount_point);
  struct dirent *de;

  while (d != NULL && (de = readdir (d)) != NULL)
    if (is_ours (f, de->d_name))
      {
        _cleanup_free_ char *p = xasprintf ("%s/%s", mount_point, de->d_name);
        _cleanup_free_ char *state = xasprintf ("%s/freezer.state", p), *freeze = xasprintf ("%s/cgroup.freeze", p);
        fixture_write_text (state, "THAWED");
        fixture_write_text (freeze, "0");
        usleep (20000);
        fixture_remove_tree (p);
      }
  if (d != NULL)
    closedir (d);
}

void
fixture_cleanup (struct fixture *f)
{
  kill_started (f);
  while (waitpid (-1, NULL, WNOHANG) > 0)
    ;
  for (size_t i = 0; i < f->n_mounts; i++)
    remove_ours (f, f->mounts[i].mount_point);
  while (waitpid (-1, NULL, 0) > 0)
    ;
}

bool
fixture_any_left (const struct fixture *f)
{
  bool left = false;

  for (size_t i = 0; i < f->n_mounts; i++)
    {
      DIR *d = opendir (f->mounts[i].mount_point);
      struct dirent *de;
      while (d != NULL && (de = readdir (d)) != NULL)
        if (is_ours (f, de->d_name))
          {
            printf ("#   left: %s/%s\n", f->mounts[i].mount_point, de->d_name);
            left = true;
          }
      if (d != NULL)
        closedir (d);
    }
  return left;
}

bool
fixture_left_anywhere (const struct fixture *f, const char *name)
{
  for (size_t i = 0; i < f->n_mounts; i++)
    {
      _cleanup_free_ char *p = xasprintf ("%s/%s", f->mounts[i].mount_point, name);
      if (access (p, F_OK) == 0)
        {
          printf ("#   left: %s\n", p);
          return true;
        }
    }
  return false;
}

char *
fixture_read_text (const char *dir, const char *file)
{
  _cleanup_free_ char *path = xasprintf ("%s/%s", dir, file);
  char *text = NULL;

  if (read_file_at (AT_FDCWD, path, &text, NULL, NULL) < 0)
    return NULL;
  return text;
}

void
fixture_write_text (const char *path, const char *value)
{
  write_file_at (AT_FDCWD, path, value, strlen (value), NULL);
}

void
fixture_free (struct fixture *f)
{
  for (size_t k = 0; k < f->n_started; k++)
    silo_closep (&f->started[k].pidfd);
  f->n_started = 0;
  cgroup_mounts_free (f->mounts, f->n_mounts);
  f->mounts = NULL;
  f->n_mounts = 0;
}
