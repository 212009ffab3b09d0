/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "process.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "pathsafe.h"
#include "util.h"

/* The kernel reads this much of a file to find a "#!" line (BINPRM_BUF_SIZE), and follows
 * at most this many interpreters of interpreters (BINPRM_MAX_RECURSION).  */
#define SHEBANG_BUFFER_SIZE 256
#define SHEBANG_MAX_DEPTH 4

struct rlimit_name
{
  const char *name;
  int resource;
};

static const struct rlimit_name rlimit_names[] = {
  { "RLIMIT_AS", RLIMIT_AS },           { "RLIMIT_CORE", RLIMIT_CORE },
  { "RLIMIT_CPU", RLIMIT_CPU },         { "RLIMIT_DATA", RLIMIT_DATA },
  { "RLIMIT_FSIZE", RLIMIT_FSIZE },     { "RLIMIT_LOCKS", RLIMIT_LOCKS },
  { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK }, { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
  { "RLIMIT_NICE", RLIMIT_NICE },       { "RLIMIT_NOFILE", RLIMIT_NOFILE },
  { "RLIMIT_NPROC", RLIMIT_NPROC },     { "RLIMIT_RSS", RLIMIT_RSS },
  { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },   { "RLIMIT_RTTIME", RLIMIT_RTTIME },
  { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING }, { "RLIMIT_STACK", RLIMIT_STACK },
};

static int
rlimit_resource (const char *name)
{
  for (size_t i = 0; name != NULL && i < SILO_ARRAY_SIZE (rlimit_names); i++)
    if (strcmp (name, rlimit_names[i].name) == 0)
      return rlimit_names[i].resource;
  return -1;
}

/* ---- validation -------------------------------------------------------------------- */

static int
validate_rlimits (const oci_process *p, struct silo_error **err)
{
  for (size_t i = 0; i < p->n_rlimits; i++)
    {
      const oci_rlimit *r = &p->rlimits[i];

      if (rlimit_resource (r->type) < 0)
        return silo_fail (err, 0, "process.rlimits[%zu].type: unknown rlimit `%s`", i,
                          r->type != NULL ? r->type : "");
      if (r->soft > r->hard)
        return silo_fail (err, 0, "process.rlimits[%zu]: the soft limit of %s (%llu) is above "
                          "its hard limit (%llu)", i, r->type, (unsigned long long) r->soft,
                          (unsigned long long) r->hard);
      for (size_t j = 0; j < i; j++)
        if (strcmp (p->rlimits[j].type, r->type) == 0)
          return silo_fail (err, 0, "process.rlimits[%zu].type: %s is already set by "
                            "process.rlimits[%zu]", i, r->type, j);
    }
  return 0;
}

int
silo_process_validate (const oci_config *c, struct silo_error **err)
{
  const oci_process *p = c->process;

  if (p == NULL)
    return silo_fail (err, 0, "process: required to create a container");
  if (p->n_args == 0 || p->args[0] == NULL || p->args[0][0] == '\0')
    return silo_fail (err, 0, "process.args: needs at least one entry, the program to run");
  if (p->cwd == NULL || p->cwd[0] != '/')
    return silo_fail (err, 0, "process.cwd: must be an absolute path, got `%s`",
                      p->cwd != NULL ? p->cwd : "");
  for (size_t i = 0; i < p->n_env; i++)
    if (p->env[i] == NULL || p->env[i][0] == '=' || strchr (p->env[i], '=') == NULL)
      return silo_fail (err, 0, "process.env[%zu]: `%s` is not of the form KEY=value", i,
                        p->env[i] != NULL ? p->env[i] : "");
  if (p->user.has_umask && p->user.umask > 0777)
    return silo_fail (err, 0, "process.user.umask: %#o is not a permission mask (0 to 0777)",
                      p->user.umask);
  if (p->has_oom_score_adj && (p->oom_score_adj < -1000 || p->oom_score_adj > 1000))
    return silo_fail (err, 0, "process.oomScoreAdj: %d is outside [-1000, 1000]",
                      p->oom_score_adj);
  return validate_rlimits (p, err);
}

/* ---- rlimits, oom_score_adj -------------------------------------------------------- */

static const char *
rlimit_text (rlim_t value, char *buffer, size_t size)
{
  if (value == RLIM_INFINITY)
    return "unlimited";
  snprintf (buffer, size, "%llu", (unsigned long long) value);
  return buffer;
}

static int
rlimit_error (const oci_rlimit *r, int resource, int errnum, struct silo_error **err)
{
  char soft[24], hard[24], current[24];
  struct rlimit now;

  if (errnum != EPERM || getrlimit (resource, &now) < 0)
    return silo_fail (err, errnum, "process.rlimits: set %s to soft %s, hard %s", r->type,
                      rlimit_text (r->soft, soft, sizeof soft),
                      rlimit_text (r->hard, hard, sizeof hard));
  return silo_fail (err, errnum, "process.rlimits: %s: cannot set soft %s, hard %s: the "
                    "current hard limit is %s and raising it needs CAP_SYS_RESOURCE%s", r->type,
                    rlimit_text (r->soft, soft, sizeof soft),
                    rlimit_text (r->hard, hard, sizeof hard),
                    rlimit_text (now.rlim_max, current, sizeof current),
                    resource == RLIMIT_NOFILE ? " (and at most /proc/sys/fs/nr_open)" : "");
}

int
silo_rlimits_apply (const oci_process *p, struct silo_error **err)
{
  for (size_t i = 0; i < p->n_rlimits; i++)
    {
      const oci_rlimit *r = &p->rlimits[i];
      int resource = rlimit_resource (r->type);
      struct rlimit limit = { .rlim_cur = r->soft, .rlim_max = r->hard };

      if (resource < 0)
        return silo_fail (err, 0, "process.rlimits[%zu].type: unknown rlimit `%s`", i,
                          r->type != NULL ? r->type : "");
      if (setrlimit (resource, &limit) < 0)
        return rlimit_error (r, resource, errno, err);
    }
  return 0;
}

int
silo_oom_score_adj_apply (const oci_process *p, int procfd, struct silo_error **err)
{
  char value[16];
  int len;

  if (!p->has_oom_score_adj)
    return 0;
  len = snprintf (value, sizeof value, "%d", (int) p->oom_score_adj);
  if (silo_procfs_write (procfd, "self/oom_score_adj", value, (size_t) len, err) == 0)
    return 0;
  if (err != NULL && *err != NULL && (*err)->errnum == EACCES)
    return silo_wrap (err, "process.oomScoreAdj: %d is below silo's own oom_score_adj and "
                      "going lower needs CAP_SYS_RESOURCE", (int) p->oom_score_adj);
  return silo_wrap (err, "process.oomScoreAdj");
}

/* ---- identity ---------------------------------------------------------------------- */

_Static_assert (sizeof (gid_t) == sizeof (uint32_t), "gid_t is 32 bits on Linux");

static int
set_additional_groups (const oci_user *u, struct silo_error **err)
{
  if (setgroups (u->n_additional_gids, (const gid_t *) u->additional_gids) == 0)
    return 0;
  /* A user namespace whose /proc/PID/setgroups is "deny" refuses even an empty list; then
   * there are no host groups to drop either.  */
  if (errno == EPERM && u->n_additional_gids == 0)
    return 0;
  return silo_fail (err, errno, "process.user.additionalGids: setgroups%s",
                    errno == EPERM ? " (in a user namespace it needs setgroups \"allow\" and "
                                     "the groups mapped in linux.gidMappings)" : "");
}

int
silo_process_set_identity (const oci_process *p, struct silo_error **err)
{
  const oci_user *u = &p->user;

  /* Changing uid from 0 clears the permitted set unless keepcaps is on; silo_caps_apply
   * runs after this and can only grant capabilities still permitted.  */
  if (prctl (PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
    return silo_fail (err, errno, "prctl PR_SET_KEEPCAPS");
  if (set_additional_groups (u, err) < 0)
    return -1;
  if (setresgid (u->gid, u->gid, u->gid) < 0)
    return silo_fail (err, errno, "process.user.gid: set gid %u%s", u->gid,
                      errno == EINVAL ? " (not mapped in linux.gidMappings)" : "");
  if (setresuid (u->uid, u->uid, u->uid) < 0)
    return silo_fail (err, errno, "process.user.uid: set uid %u%s", u->uid,
                      errno == EINVAL ? " (not mapped in linux.uidMappings)" : "");
  if (prctl (PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
    return silo_fail (err, errno, "prctl PR_SET_KEEPCAPS");
  umask (u->has_umask ? (mode_t) u->umask : 0022);
  return 0;
}

/* ---- exec -------------------------------------------------------------------------- */

static int
exec_error (const char *name, int errnum, bool found, struct silo_error **err)
{
  if (errnum == ENOENT && found)
    return silo_fail (err, errnum, "exec `%s`: the file exists, so its ELF interpreter "
                      "(dynamic loader) is missing, or it is a script silo could not read", name);
  if (errnum == EACCES)
    return silo_fail (err, errnum, "exec `%s`: it must be a regular file, executable by the "
                      "process's user and not on a noexec mount", name);
  if (errnum == ENOEXEC)
    return silo_fail (err, errnum, "exec `%s`: not a program this kernel can run (another "
                      "architecture, or a script without #!)", name);
  return silo_fail (err, errnum, "exec `%s`", name);
}

/* 0 and the fd of an executable regular file, or -errno as execvp(3) would see it.  */
static int
open_executable (const char *path, int *fd_out)
{
  _cleanup_close_ int fd = open (path, O_PATH | O_CLOEXEC);
  struct stat st;

  if (fd < 0)
    return -errno;
  if (fstat (fd, &st) < 0)
    return -errno;
  if (!S_ISREG (st.st_mode))
    return -EACCES;
  if (faccessat (fd, "", X_OK, AT_EACCESS | AT_EMPTY_PATH) < 0)
    return -errno;
  *fd_out = steal_fd (&fd);
  return 0;
}

static const char *
env_path (const oci_process *p)
{
  for (size_t i = 0; i < p->n_env; i++)
    if (strncmp (p->env[i], "PATH=", 5) == 0)
      return p->env[i] + 5;
  return SILO_DEFAULT_PATH;
}

/* execvp's search: a name with '/' is used as it is; otherwise each PATH entry in turn
 * (an empty one is the cwd), going on past entries that are missing or not executable.  */
static int
find_program (const char *name, const char *search, char **path, struct silo_error **err)
{
  bool denied = false;
  int fd = -1, r;

  if (strchr (name, '/') != NULL)
    {
      r = open_executable (name, &fd);
      if (r < 0)
        return exec_error (name, -r, false, err);
      *path = xstrdup (name);
      return fd;
    }
  for (const char *dir = search;; dir++)
    {
      const char *end = strchrnul (dir, ':');
      _cleanup_free_ char *candidate = end == dir ? xasprintf ("./%s", name)
        : xasprintf ("%.*s/%s", (int) (end - dir), dir, name);

      r = open_executable (candidate, &fd);
      if (r == 0)
        {
          *path = steal_pointer (&candidate);
          return fd;
        }
      denied |= r == -EACCES;
      dir = end;
      if (*dir == '\0')
        break;
    }
  if (denied)
    return silo_fail (err, EACCES, "exec `%s`: found in PATH `%s` but not executable", name,
                      search);
  return silo_fail (err, ENOENT, "exec `%s`: not found in PATH `%s`", name, search);
}

static int
check_not_silo (int fd, const char *path, const char *name, const struct stat *silo_exe,
                struct stat *st, struct silo_error **err)
{
  if (fstat (fd, st) < 0)
    return silo_fail (err, errno, "exec `%s`: fstat `%s`", name, path);
  if (st->st_dev == silo_exe->st_dev && st->st_ino == silo_exe->st_ino)
    return silo_fail (err, EACCES, "exec `%s`: `%s` is silo's own binary, which a container "
                      "may never run (CVE-2019-5736)", name, path);
  return 0;
}

/* 1 and the interpreter of a "#!" file, 0 for any other file.  A file the process cannot
 * read is let through: it is executed through its close-on-exec O_PATH fd, and for that
 * the kernel refuses a script (ENOENT) instead of running its interpreter.  */
static int
read_interpreter (const struct stat *checked, const char *path, char *interpreter,
                  struct silo_error **err)
{
  _cleanup_close_ int rfd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  char buffer[SHEBANG_BUFFER_SIZE];
  struct stat opened;
  ssize_t n;
  size_t start = 2, end;

  if (rfd < 0)
    return 0;
  if (fstat (rfd, &opened) < 0)
    return silo_fail (err, errno, "fstat `%s`", path);
  if (checked->st_dev != opened.st_dev || checked->st_ino != opened.st_ino)
    return silo_fail (err, EAGAIN, "`%s` was replaced while being checked", path);
  n = read_all (rfd, buffer, sizeof buffer - 1);
  if (n < 2 || buffer[0] != '#' || buffer[1] != '!')
    return 0;
  buffer[n] = '\0';
  while (buffer[start] == ' ' || buffer[start] == '\t')
    start++;
  end = start + strcspn (buffer + start, " \t\n");
  if (end == start)
    return 0;   /* the kernel fails it with ENOEXEC */
  memcpy (interpreter, buffer + start, end - start);
  interpreter[end - start] = '\0';
  return 1;
}

static int
check_program_chain (struct silo_exec_target *t, const struct stat *silo_exe,
                     struct silo_error **err)
{
  char interpreters[2][SHEBANG_BUFFER_SIZE];
  _cleanup_close_ int interpreter_fd = -1;
  const char *current = t->path;
  int fd = t->fd, r;

  for (int depth = 0;; depth++)
    {
      char *next = interpreters[depth % 2];
      struct stat st;

      if (check_not_silo (fd, current, t->name, silo_exe, &st, err) < 0)
        return -1;
      r = read_interpreter (&st, current, next, err);
      if (r <= 0)
        return r < 0 ? silo_wrap (err, "exec `%s`", t->name) : 0;
      t->script = true;
      if (depth == SHEBANG_MAX_DEPTH)
        return silo_fail (err, ELOOP, "exec `%s`: more than %d levels of #! interpreters",
                          t->name, SHEBANG_MAX_DEPTH);
      silo_closep (&interpreter_fd);
      interpreter_fd = open (next, O_PATH | O_CLOEXEC);
      if (interpreter_fd < 0)
        return silo_fail (err, errno, "exec `%s`: interpreter `%s` from the #! line of `%s`",
                          t->name, next, current);
      fd = interpreter_fd;
      current = next;
    }
}

static char **
strv_view (char **items, size_t n)
{
  char **v = xmalloc0 ((n + 1) * sizeof (char *));

  if (n > 0)
    memcpy (v, items, n * sizeof (char *));
  return v;
}

void
silo_exec_target_release (struct silo_exec_target *t)
{
  silo_closep (&t->fd);
  free (t->path);
  free (t->argv);
  free (t->envp);
  t->path = NULL;
  t->argv = t->envp = NULL;
}

int
silo_process_exec_prepare (const oci_process *p, const struct stat *silo_exe,
                           struct silo_exec_target *t, struct silo_error **err)
{
  *t = (struct silo_exec_target) { .fd = -1, .name = p->args[0] };
  t->fd = find_program (p->args[0], env_path (p), &t->path, err);
  if (t->fd < 0 || check_program_chain (t, silo_exe, err) < 0)
    {
      silo_exec_target_release (t);
      return -1;
    }
  t->argv = strv_view (p->args, p->n_args);
  t->envp = strv_view (p->env, p->n_env);
  return 0;
}

int
silo_process_exec_target (struct silo_exec_target *t, struct silo_error **err)
{
  /* A script goes by path: through a close-on-exec fd the kernel would refuse it, and a
   * non-close-on-exec one would show up in the container as the script's /dev/fd/N.  */
  if (t->script)
    execve (t->path, t->argv, t->envp);
  else
    {
      /* Before Linux 6.14, comm becomes the fd number after an AT_EMPTY_PATH exec.  */
      execveat (t->fd, "", t->argv, t->envp, AT_EMPTY_PATH);
      if (errno == EPERM || errno == ENOSYS)
        {
          /* A seccomp profile written for runtimes that exec by path may allow execve
           * alone; the magic link still names the checked file, not a path to re-resolve. */
          int saved = errno;
          char proc_path[64];

          snprintf (proc_path, sizeof proc_path, "/proc/self/fd/%d", t->fd);
          execve (proc_path, t->argv, t->envp);
          errno = saved;
        }
    }
  return exec_error (t->name, errno, true, err);
}

int
silo_process_exec (const oci_process *p, const struct stat *silo_exe, struct silo_error **err)
{
  struct silo_exec_target target;

  if (silo_process_exec_prepare (p, silo_exe, &target, err) < 0)
    return -1;
  silo_process_exec_target (&target, err);
  silo_exec_target_release (&target);
  return -1;
}
