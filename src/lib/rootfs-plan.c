/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "rootfs-plan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "idmap.h"
#include "lsm.h"
#include "pathsafe.h"
#include "util.h"

static void
step_release (struct silo_mount_step *s)
{
  free (s->destination);
  free (s->source);
  free (s->type);
  silo_mount_options_release (&s->options);
}

void
silo_rootfs_plan_release (struct silo_rootfs_plan *plan)
{
  for (size_t i = 0; i < plan->n_steps; i++)
    step_release (&plan->steps[i]);
  free (plan->steps);
  plan->steps = NULL;
  plan->n_steps = 0;
}

static bool
is_type (const struct silo_mount_step *s, const char *type)
{
  return strcmp (s->type, type) == 0;
}

/* linux.mountLabel: the SELinux context of what silo mounts (not of a bind).  */
static void
add_mount_label (const oci_config *config, struct silo_mount_step *s)
{
  const char *label = config->linux_ != NULL ? config->linux_->mount_label : NULL;
  char *labelled = silo_lsm_mount_data (label, s->type, s->options.data);

  if (labelled != NULL)
    {
      free (s->options.data);
      s->options.data = labelled;
    }
}

static int
classify (const oci_mount *m, const char *bundle, struct silo_mount_step *s, struct silo_error **err)
{
  bool bind = (s->options.flags & MS_BIND) || is_type (s, "bind");

  if (is_type (s, "cgroup") || is_type (s, "cgroup2"))
    s->kind = SILO_STEP_CGROUP;
  else if (bind && (s->options.flags & MS_REMOUNT))
    s->kind = SILO_STEP_REMOUNT;
  else if (bind)
    {
      if (m->source == NULL || m->source[0] == '\0')
        return silo_fail (err, EINVAL, "source: required for a bind mount");
      s->kind = SILO_STEP_BIND;
      /* A relative source is relative to the bundle (runtime-spec, config.md).  */
      s->source = m->source[0] == '/' ? xstrdup (m->source) : xasprintf ("%s/%s", bundle, m->source);
    }
  else if (s->type[0] == '\0' && !(s->options.flags & MS_REMOUNT))
    return silo_fail (err, EINVAL, "type: required unless the mount is a bind (options bind or rbind)");
  else
    s->kind = SILO_STEP_FILESYSTEM;
  if (s->kind != SILO_STEP_BIND && m->source != NULL)
    s->source = xstrdup (m->source);
  return 0;
}

static int
make_step (const oci_config *config, const char *bundle, size_t i, struct silo_mount_step *s,
           struct silo_error **err)
{
  const oci_mount *m = &config->mounts[i];

  s->index = i;
  if (m->destination == NULL || m->destination[0] == '\0')
    return silo_fail (err, EINVAL, "mounts[%zu]: destination: required", i);
  s->destination = silo_path_clean (m->destination);
  s->type = xstrdup (m->type != NULL ? m->type : "");
  if (silo_mount_options_parse (m->options, m->n_options, &s->options, err) < 0
      || classify (m, bundle, s, err) < 0)
    return silo_wrap (err, "mounts[%zu] (%s)", i, m->destination);
  s->idmapped = silo_idmap_wanted (m, &s->options);
  if (s->kind == SILO_STEP_FILESYSTEM)
    add_mount_label (config, s);
  /* A read-only tmpfs (/dev, say) still gets nodes and mount points: read-only last.  */
  if (s->kind == SILO_STEP_FILESYSTEM && is_type (s, "tmpfs") && (s->options.flags & MS_RDONLY))
    {
      s->options.flags &= ~MS_RDONLY;
      s->readonly_later = true;
    }
  return 0;
}

int
silo_rootfs_plan_make (const oci_config *config, const char *bundle, struct silo_rootfs_plan *out,
                       struct silo_error **err)
{
  *out = (struct silo_rootfs_plan) { .populate_dev = true };
  out->steps = config->n_mounts > 0 ? xmalloc0 (config->n_mounts * sizeof (*out->steps)) : NULL;
  for (size_t i = 0; i < config->n_mounts; i++)
    {
      struct silo_mount_step *s = &out->steps[i];

      out->n_steps = i + 1;
      if (make_step (config, bundle, i, s, err) < 0)
        {
          silo_rootfs_plan_release (out);
          return -1;
        }
      /* The host's /dev, bound in: its nodes are the host's business, not ours.  */
      if (strcmp (s->destination, "/dev") == 0)
        out->populate_dev = s->kind != SILO_STEP_BIND && s->kind != SILO_STEP_REMOUNT;
    }
  return 0;
}
