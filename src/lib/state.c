/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "state.h"

#include <dirent.h>
#include <linux/openat2.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "pathsafe.h"
#include "util.h"

const char *
silo_status_name (enum silo_status s)
{
  static const char *const names[] = { "creating", "created", "running", "paused", "stopped" };
  return names[s];
}

/* The pid holding the flock on DIRFD, from /proc/locks; 0 when it cannot be told.  */
static pid_t
lock_holder (int dirfd)
{
  _cleanup_fclose_ FILE *f = fopen ("/proc/locks", "re");
  struct stat st;
  char line[256];

  if (f == NULL || fstat (dirfd, &st) < 0)
    return 0;
  while (fgets (line, sizeof line, f) != NULL)
    {
      unsigned major, minor;
      unsigned long long ino;
      int pid;

      /* "1: FLOCK  ADVISORY  WRITE 1234 fd:00:5678 0 EOF"; waiters have "->" */
      if (sscanf (line, "%*d: FLOCK %*s %*s %d %x:%x:%llu", &pid, &major, &minor, &ino) == 4
          && ino == (unsigned long long) st.st_ino && makedev (major, minor) == st.st_dev)
        return pid;
    }
  return 0;
}

static int
lock_busy (int dirfd, const char *id, unsigned seconds, struct silo_error **err)
{
  pid_t pid = lock_holder (dirfd);
  _cleanup_free_ char *cmd = NULL, *path = xasprintf ("/proc/%d/cmdline", (int) pid);
  struct silo_error *ignored = NULL;
  size_t len = 0;

  if (pid > 0 && read_file_at (AT_FDCWD, path, &cmd, &len, &ignored) < 0)
    silo_error_freep (&ignored);
  if (cmd != NULL && len > 0)
    {
      /* one line, of a sane length */
      for (size_t i = 0; i + 1 < len; i++)
        cmd[i] = (unsigned char) cmd[i] < ' ' ? ' ' : cmd[i];
      if (len > 80)
        memcpy (cmd + 76, "...", 4);
      return silo_fail (err, EWOULDBLOCK, "container `%s` is locked by pid %d (%s): waited %u s "
                        "(SILO_LOCK_TIMEOUT); if that process hangs, kill it", id, (int) pid, cmd, seconds);
    }
  return silo_fail (err, EWOULDBLOCK, "container `%s` is locked by another process: waited %u s "
                    "(SILO_LOCK_TIMEOUT)", id, seconds);
}

/* Every holder is short (no command holds the lock across a wait that the container
 * controls), so a wait past SILO_LOCK_TIMEOUT seconds (30) is a hung holder: named.  */
static int
lock_dir (int dirfd, const char *id, struct silo_error **err)
{
  const char *env = getenv ("SILO_LOCK_TIMEOUT");
  long long seconds = 30;
  struct timespec start, now;

  if (env != NULL && (parse_long (env, &seconds) < 0 || seconds < 0 || seconds > 86400))
    return silo_fail (err, EINVAL, "SILO_LOCK_TIMEOUT `%s`: must be seconds, 0 to 86400", env);
  clock_gettime (CLOCK_MONOTONIC, &start);
  while (flock (dirfd, LOCK_EX | LOCK_NB) < 0)
    {
      if (errno != EWOULDBLOCK && errno != EINTR)
        return silo_fail (err, errno, "lock container `%s`", id);
      clock_gettime (CLOCK_MONOTONIC, &now);
      if (now.tv_sec - start.tv_sec >= seconds)
        return lock_busy (dirfd, id, (unsigned) seconds, err);
      usleep (10000);
    }
  return 0;
}

/* The state root, checked; a missing one means container `id` does not exist.  */
static int
open_root (const char *root, const char *id, struct silo_error **err)
{
  _cleanup_close_ int fd = open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0 && errno == ENOENT && id != NULL)
    return silo_fail (err, ENOENT, "container `%s` does not exist", id);
  if (fd < 0)
    return silo_fail (err, errno, "open state root `%s`", root);
  if (silo_check_trusted_fd (fd, "the state root", root, err) < 0)
    return -1;
  return steal_fd (&fd);
}

int
silo_state_open_root (const char *root, struct silo_error **err)
{
  return open_root (root, NULL, err);
}

int
silo_state_create_dir (const char *root, const char *id, struct silo_error **err)
{
  _cleanup_close_ int rootfd = -1;
  _cleanup_close_ int dirfd = -1;

  /* The root exists but at the first create: made only when the open says so.  */
  rootfd = open_root (root, NULL, err);
  if (rootfd < 0 && (*err)->errnum == ENOENT)
    {
      silo_error_freep (err);
      if (mkdir_p_at (AT_FDCWD, root, 0700, err) < 0)
        return silo_wrap (err, "create state root");
      rootfd = open_root (root, NULL, err);
    }
  if (rootfd < 0)
    return -1;
  if (mkdirat (rootfd, id, 0700) < 0)
    {
      if (errno == EEXIST)
        return silo_fail (err, EEXIST, "container `%s` already exists", id);
      return silo_fail (err, errno, "create state directory `%s/%s`", root, id);
    }
  dirfd = openat (rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (dirfd < 0)
    return silo_fail (err, errno, "open state directory `%s/%s`", root, id);
  if (lock_dir (dirfd, id, err) < 0)
    return -1;
  return steal_fd (&dirfd);
}

int
silo_state_open_dir_at (int rootfd, const char *root, const char *id, bool lock,
                        struct silo_error **err)
{
  _cleanup_close_ int dirfd = openat (rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  _cleanup_free_ char *path = xasprintf ("%s/%s", root, id);

  if (dirfd < 0)
    {
      if (errno == ENOENT)
        return silo_fail (err, ENOENT, "container `%s` does not exist", id);
      return silo_fail (err, errno, "open state directory `%s`", path);
    }
  if (silo_check_trusted_fd (dirfd, "the state directory", path, err) < 0)
    return -1;
  if (lock && lock_dir (dirfd, id, err) < 0)
    return -1;
  return steal_fd (&dirfd);
}

int
silo_state_open_dir (const char *root, const char *id, bool lock, struct silo_error **err)
{
  _cleanup_close_ int rootfd = open_root (root, id, err);

  if (rootfd < 0)
    return -1;
  return silo_state_open_dir_at (rootfd, root, id, lock, err);
}

static int
save_config (int dirfd, const oci_config *config, struct silo_error **err)
{
  size_t len;
  _cleanup_free_ char *json = silo_stored_config_generate (config, &len);

  return write_file_atomic_at (dirfd, SILO_STATE_CONFIG, json, len, 0600, SILO_VOLATILE, err);
}

static int
save_named (int dirfd, const char *name, const silo_state *s, struct silo_error **err)
{
  _cleanup_free_ char *json = NULL;
  size_t len;

  /* A state read from schema 1 carried its config: it gets a file of its own before the
   * state that no longer holds it replaces the old one.  */
  if (s->schema < SILO_STATE_SCHEMA && s->config != NULL && save_config (dirfd, s->config, err) < 0)
    return -1;
  if (silo_state_generate (s, &json, &len, err) < 0)
    return silo_wrap (err, "serialise the state of `%s`", s->id);
  return write_file_atomic_at (dirfd, name, json, len, 0600, SILO_VOLATILE, err);
}

int
silo_state_save (int dirfd, const silo_state *s, struct silo_error **err)
{
  return save_named (dirfd, "state.json", s, err);
}

int
silo_state_save_recovery (int dirfd, const silo_state *s, struct silo_error **err)
{
  return save_named (dirfd, SILO_STATE_RECOVERY, s, err);
}

int
silo_state_save_config (int dirfd, const silo_state *s, struct silo_error **err)
{
  return save_config (dirfd, s->config, err);
}

/* name may be "ID/state.json" below the state root (list): no symlink is followed on the
 * way, nor out of dirfd.  */
static int
read_trusted (int dirfd, const char *name, char **json, size_t *len, struct silo_error **err)
{
  _cleanup_close_ int fd = silo_openat2 (dirfd, name, O_RDONLY | O_CLOEXEC, 0,
                                         RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
  struct stat st;

  if (fd < 0)
    return silo_fail (err, errno, "open `%s`", name);
  if (silo_check_trusted_stat (fd, "the state file", name, &st, err) < 0)
    return -1;
  if (!S_ISREG (st.st_mode))
    return silo_fail (err, EINVAL, "`%s` is not a regular file", name);
  return read_fd_sized (fd, (size_t) st.st_size, json, len, err);
}

static int
load_config (int dirfd, silo_state *s, struct silo_error **err)
{
  _cleanup_free_ char *json = NULL;
  size_t len;

  if (s->config != NULL)
    return 0;   /* schema 1: it came embedded */
  if (read_trusted (dirfd, SILO_STATE_CONFIG, &json, &len, err) < 0)
    return -1;
  if (silo_stored_config_parse (json, len, &s->config, err) < 0)
    return silo_wrap (err, "%s", SILO_STATE_CONFIG);
  return 0;
}

static int
load_named (int dirfd, const char *name, bool with_config, silo_state **out,
            struct silo_error **err)
{
  _cleanup_free_ char *json = NULL;
  size_t len;

  if (read_trusted (dirfd, name, &json, &len, err) < 0)
    return -1;
  if (silo_state_parse (json, len, out, err) < 0)
    return silo_wrap (err, "%s", name);
  if (with_config && load_config (dirfd, *out, err) < 0)
    {
      silo_state_freep (out);
      return -1;
    }
  return 0;
}

int
silo_state_load (int dirfd, silo_state **out, struct silo_error **err)
{
  return load_named (dirfd, "state.json", true, out, err);
}

int
silo_state_load_brief (int dirfd, silo_state **out, struct silo_error **err)
{
  return load_named (dirfd, "state.json", false, out, err);
}

int
silo_state_load_brief_at (int rootfd, const char *id, silo_state **out, struct silo_error **err)
{
  _cleanup_free_ char *name = xasprintf ("%s/state.json", id);

  return load_named (rootfd, name, false, out, err);
}


/* The record stands in for a state.json that is lost or damaged; a stored-config.json that is
 * too leaves an empty config (no hooks, no intelRdt group to remove), with a warning:
 * the processes and cgroups still go.  */
int
silo_state_load_recovery (int dirfd, bool with_config, silo_state **out, struct silo_error **err)
{
  struct silo_error *config_err = NULL;

  if (load_named (dirfd, SILO_STATE_RECOVERY, false, out, err) < 0)
    return -1;
  if (with_config && load_config (dirfd, *out, &config_err) < 0)
    {
      silo_log_warning ("%s; deleting without the container's config (no poststop hooks)",
                        config_err->msg);
      silo_error_free (config_err);
      (*out)->config = xmalloc0 (sizeof (*(*out)->config));
    }
  return 0;
}

static int
remove_dir_contents (int dirfd, struct silo_error **err)
{
  DIR *dir;
  struct dirent *de;
  int dup_fd = fcntl (dirfd, F_DUPFD_CLOEXEC, 0);

  if (dup_fd < 0 || (dir = fdopendir (dup_fd)) == NULL)
    {
      if (dup_fd >= 0)
        close (dup_fd);
      return silo_fail (err, errno, "read state directory");
    }
  while ((de = readdir (dir)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (unlinkat (dirfd, de->d_name, 0) == 0)
        continue;
      /* A quick-run container's overlay layers are directories (overlay.h).  */
      if (errno == EISDIR)
        {
          if (silo_remove_tree_at (dirfd, de->d_name, err) < 0)
            {
              closedir (dir);
              return silo_wrap (err, "remove the state directory");
            }
          continue;
        }
      if (errno != ENOENT)
        {
          int saved = errno;
          closedir (dir);
          return silo_fail (err, saved, "remove `%s` from the state directory", de->d_name);
        }
    }
  closedir (dir);
  return 0;
}

/* What a container directory holds when nothing went wrong: removed by name, so that the
 * directory is read only when something else is left (a writer's temporary file, a
 * quick-run's layers).  */
static void
remove_known_files (int dirfd)
{
  static const char *const names[] = { "state.json", SILO_STATE_CONFIG, SILO_STATE_RECOVERY,
                                       "start.sock" };

  for (size_t i = 0; i < SILO_ARRAY_SIZE (names); i++)
    unlinkat (dirfd, names[i], 0);
}

int
silo_state_remove_dir (const char *root, const char *id, struct silo_error **err)
{
  _cleanup_free_ char *path = xasprintf ("%s/%s", root, id);
  _cleanup_close_ int dirfd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);

  if (dirfd < 0)
    return errno == ENOENT ? 0 : silo_fail (err, errno, "open `%s`", path);
  remove_known_files (dirfd);
  if (rmdir (path) == 0 || errno == ENOENT)
    return 0;
  if (remove_dir_contents (dirfd, err) < 0)
    return -1;
  if (rmdir (path) < 0 && errno != ENOENT)
    return silo_fail (err, errno, "remove `%s`", path);
  return 0;
}

static bool
creating_without_pid (const silo_state *s)
{
  return s->pid <= 0 && s->status != NULL && strcmp (s->status, "creating") == 0;
}

bool
silo_state_needs_dir (const silo_state *s)
{
  return creating_without_pid (s);
}

void
silo_state_probe_creator (int dirfd, silo_state *s)
{
  if (!creating_without_pid (s))
    return;
  if (flock (dirfd, LOCK_SH | LOCK_NB) == 0)
    flock (dirfd, LOCK_UN);
  else
    s->creator_alive = errno == EWOULDBLOCK;
}

bool
silo_state_init_alive (const silo_state *s)
{
  uint64_t st;

  if (s->pid <= 0)
    return false;
  /* A pid that is gone answers ESRCH at once; a lookup of /proc/PID/stat that fails walks
   * procfs first (`list` of stopped containers spent a fifth of its time there).  */
  if (kill (s->pid, 0) < 0 && errno == ESRCH)
    return false;
  if (silo_proc_start_time (s->pid, &st) < 0)
    return false;
  return st == s->start_time;
}

static int
init_exe (pid_t pid, struct stat *st)
{
  char path[64];

  snprintf (path, sizeof (path), "/proc/%d/exe", (int) pid);
  return stat (path, st);
}

void
silo_state_record_init_exe (silo_state *s)
{
  struct stat st;

  s->init_exe_dev = s->init_exe_ino = 0;
  if (init_exe (s->pid, &st) == 0)
    {
      s->init_exe_dev = st.st_dev;
      s->init_exe_ino = st.st_ino;
    }
}

/* The init called execve: `start` released it, whether or not it lived to record it.  */
static bool
init_has_exec (const silo_state *s)
{
  struct stat st;

  if (s->init_exe_ino == 0 || init_exe (s->pid, &st) < 0)
    return false;
  return st.st_dev != s->init_exe_dev || st.st_ino != s->init_exe_ino;
}

enum silo_status
silo_state_status_unpaused (const silo_state *s)
{
  if (creating_without_pid (s))
    return s->creator_alive ? SILO_CREATING : SILO_STOPPED;
  bool alive = silo_state_init_alive (s);

  if (!alive)
    return SILO_STOPPED;
  if (s->status != NULL && strcmp (s->status, "creating") == 0)
    return SILO_CREATING;
  if (!s->started && !init_has_exec (s))
    return SILO_CREATED;
  return SILO_RUNNING;
}
