/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "process.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "pathsafe.h"
#include "util.h"

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

/* setresuid (-1) means "leave it": 4294967295 would keep the process root.  runc's range.  */
static int
validate_ids (const oci_user *u, struct silo_error **err)
{
  const uint32_t max = INT32_MAX;

  if (u->uid > max)
    return silo_fail (err, 0, "process.user.uid: %u is out of range: uids and gids must be in "
                      "range 0-2147483647", u->uid);
  if (u->gid > max)
    return silo_fail (err, 0, "process.user.gid: %u is out of range: uids and gids must be in "
                      "range 0-2147483647", u->gid);
  for (size_t i = 0; i < u->n_additional_gids; i++)
    if (u->additional_gids[i] > max)
      return silo_fail (err, 0, "process.user.additionalGids[%zu]: %u is out of range: uids and "
                        "gids must be in range 0-2147483647", i, u->additional_gids[i]);
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
  if (validate_ids (&p->user, err) < 0)
    return -1;
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
      if (resource == RLIMIT_NOFILE)
        silo_nofile_keep ();
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
silo_process_set_identity (const oci_process *p, bool unmapped, struct silo_error **err)
{
  const oci_user *u = &p->user;

  if (unmapped)
    {
      if (u->uid != 0 || u->gid != 0 || u->n_additional_gids > 0)
        return silo_fail (err, EINVAL, "process.user: the user namespace has no uidMappings "
                          "and gidMappings, so no id can be set in it (every process there "
                          "is nobody); map the ids or leave process.user at 0");
      umask (u->has_umask ? (mode_t) u->umask : 0022);
      return 0;
    }

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
