/* silo: the process `exec` runs.  From --process: that runtime-spec object as it is.
 * Otherwise the container's own process with args replaced and the flags applied, as
 * runc does it: --cwd, -e (appended, a later KEY replaces an earlier one), -t, -c (added
 * to bounding, effective and permitted), --no-new-privs, -u UID[:GID], -g, --apparmor,
 * --process-label.  Then, as runc and crun set them when missing: PATH (silo's default)
 * and, with a terminal, TERM=xterm; HOME comes from the container's /etc/passwd at exec
 * (program.h).  Checked like a config's process, and --user ids against the container's
 * user namespace mappings.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "container-internal.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "lsm.h"
#include "process.h"
#include "program.h"
#include "scheduling.h"
#include "util.h"

static char **
strv_copy (char *const *v, size_t *n)
{
  size_t count = strv_len (v);
  char **copy = xmalloc0 ((count + 1) * sizeof (char *));

  for (size_t i = 0; i < count; i++)
    copy[i] = xstrdup (v[i]);
  *n = count;
  return copy;
}

static int
parse_id (const char *text, const char *what, uint32_t *out, struct silo_error **err)
{
  long long v;

  if (parse_long (text, &v) < 0 || v < 0 || v > INT32_MAX)
    return silo_fail (err, EINVAL, "%s: `%s` is not a number from 0 to 2147483647", what, text);
  *out = (uint32_t) v;
  return 0;
}

/* KEY=VALUE replaces the entry with the same KEY, or is appended.  */
static void
set_env (oci_process *p, const char *entry)
{
  size_t key = strcspn (entry, "=");

  for (size_t i = 0; i < p->n_env; i++)
    if (strncmp (p->env[i], entry, key) == 0 && p->env[i][key] == '=')
      {
        free (p->env[i]);
        p->env[i] = xstrdup (entry);
        return;
      }
  p->env = xrealloc (p->env, (p->n_env + 2) * sizeof (char *));
  p->env[p->n_env++] = xstrdup (entry);
  p->env[p->n_env] = NULL;
}

static bool
has_env (const oci_process *p, const char *key)
{
  size_t len = strlen (key);

  for (size_t i = 0; i < p->n_env; i++)
    if (strncmp (p->env[i], key, len) == 0 && p->env[i][len] == '=')
      return true;
  return false;
}

static void
add_name (char ***set, size_t *n, const char *name)
{
  for (size_t i = 0; i < *n; i++)
    if (strcmp ((*set)[i], name) == 0)
      return;
  *set = xrealloc (*set, (*n + 2) * sizeof (char *));
  (*set)[(*n)++] = xstrdup (name);
  (*set)[*n] = NULL;
}

static void
add_caps (oci_process *p, char *const *caps)
{
  if (caps == NULL || caps[0] == NULL)
    return;
  if (p->capabilities == NULL)
    p->capabilities = xmalloc0 (sizeof (oci_capabilities));
  for (size_t i = 0; caps[i] != NULL; i++)
    {
      add_name (&p->capabilities->bounding, &p->capabilities->n_bounding, caps[i]);
      add_name (&p->capabilities->effective, &p->capabilities->n_effective, caps[i]);
      add_name (&p->capabilities->permitted, &p->capabilities->n_permitted, caps[i]);
    }
}

static int
apply_user (oci_process *p, const struct silo_exec_options *o, struct silo_error **err)
{
  if (o->user != NULL)
    {
      _cleanup_free_ char *copy = xstrdup (o->user);
      char *colon = strchr (copy, ':');

      if (colon != NULL)
        *colon = '\0';
      if (parse_id (copy, "--user", &p->user.uid, err) < 0
          || (colon != NULL && parse_id (colon + 1, "--user", &p->user.gid, err) < 0))
        return -1;
    }
  if (o->additional_gids != NULL && o->additional_gids[0] != NULL)
    {
      size_t n = strv_len (o->additional_gids);

      free (p->user.additional_gids);
      p->user.additional_gids = xmalloc0 (n * sizeof (uint32_t));
      p->user.n_additional_gids = n;
      for (size_t i = 0; i < n; i++)
        if (parse_id (o->additional_gids[i], "--additional-gids", &p->user.additional_gids[i], err) < 0)
          return -1;
    }
  return 0;
}

static void
replace_string (char **field, const char *value)
{
  if (value == NULL)
    return;
  free (*field);
  *field = xstrdup (value);
}

static int
apply_flags (oci_process *p, const struct silo_exec_options *o, struct silo_error **err)
{
  if (o->args == NULL || o->args[0] == NULL)
    return silo_fail (err, EINVAL, "exec: give the command to run, or --process FILE");
  silo_strv_free (p->args);
  p->args = strv_copy (o->args, &p->n_args);
  replace_string (&p->cwd, o->cwd);
  replace_string (&p->apparmor_profile, o->apparmor);
  replace_string (&p->selinux_label, o->process_label);
  for (size_t i = 0; o->env != NULL && o->env[i] != NULL; i++)
    {
      if (strchr (o->env[i], '=') == NULL || o->env[i][0] == '=')
        return silo_fail (err, EINVAL, "--env: `%s` is not of the form KEY=value", o->env[i]);
      set_env (p, o->env[i]);
    }
  p->terminal = o->tty == 1;
  add_caps (p, o->caps);
  if (o->no_new_privs)
    p->no_new_privileges = true;
  return apply_user (p, o, err);
}

/* An id the container's user namespace does not map cannot be anyone in there.  */
static int
check_mapped (const oci_id_mapping *maps, size_t n, uint32_t id, const char *what,
              struct silo_error **err)
{
  if (n == 0)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (id >= maps[i].container_id && id - maps[i].container_id < maps[i].size)
      return 0;
  return silo_fail (err, EINVAL, "%s %u is not mapped in the container's user namespace", what, id);
}

static int
check_ids (const oci_config *c, const oci_process *p, struct silo_error **err)
{
  const oci_linux *l = c->linux_;

  if (l == NULL)
    return 0;
  if (check_mapped (l->uid_mappings, l->n_uid_mappings, p->user.uid, "uid", err) < 0
      || check_mapped (l->gid_mappings, l->n_gid_mappings, p->user.gid, "gid", err) < 0)
    return -1;
  for (size_t i = 0; i < p->user.n_additional_gids; i++)
    if (check_mapped (l->gid_mappings, l->n_gid_mappings, p->user.additional_gids[i],
                      "additional gid", err) < 0)
      return -1;
  return 0;
}

static int
check_process (const silo_state *s, oci_process *p, bool userns, struct silo_error **err)
{
  oci_config view = *s->config;

  view.process = p;
  if (silo_process_validate (&view, err) < 0 || silo_sched_validate (p, NULL, err) < 0
      || silo_lsm_validate (p, NULL, err) < 0)
    return -1;
  if (p->capabilities != NULL && silo_caps_validate (p->capabilities, userns, p->user.uid == 0, err) < 0)
    return -1;
  return check_ids (s->config, p, err);
}

int
silo_exec_process (const silo_state *s, const struct silo_exec_options *o, bool userns,
                   oci_process **out, struct silo_error **err)
{
  oci_process *p = NULL;

  *out = NULL;
  if (o->process_path != NULL)
    {
      if (oci_process_parse_file (o->process_path, &p, err) < 0)
        return silo_wrap (err, "--process");
    }
  else
    {
      p = oci_process_copy (s->config->process);
      if (apply_flags (p, o, err) < 0)
        {
          oci_process_free (p);
          return -1;
        }
    }
  if (!has_env (p, "PATH"))
    set_env (p, "PATH=" SILO_DEFAULT_PATH);
  if (p->terminal && !has_env (p, "TERM"))
    set_env (p, "TERM=xterm");
  if (check_process (s, p, userns, err) < 0)
    {
      oci_process_free (p);
      return -1;
    }
  *out = p;
  return 0;
}
