/* libocispec: features.json (runtime-spec features.md and features-linux.md), what
 * `silo features` prints.  The content comes from the caller; this file only gives it the
 * spec's shape.  A NULL list leaves its property out.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "json.h"

#include <stdlib.h>

#include "oci.h"
#include "util.h"

static void
generate_list (yajl_gen g, const char *key, const char *const *list)
{
  if (list == NULL)
    return;
  json_gen_key (g, key);
  yajl_gen_array_open (g);
  for (size_t i = 0; list[i] != NULL; i++)
    json_gen_text (g, list[i]);
  yajl_gen_array_close (g);
}

static void
generate_bool (yajl_gen g, const char *key, bool value)
{
  json_gen_key (g, key);
  yajl_gen_bool (g, value);
}

static void
generate_enabled (yajl_gen g, const char *key, bool enabled)
{
  json_gen_key (g, key);
  yajl_gen_map_open (g);
  generate_bool (g, "enabled", enabled);
  yajl_gen_map_close (g);
}

static void
generate_linux (const oci_features *f, yajl_gen g)
{
  json_gen_key (g, "linux");
  yajl_gen_map_open (g);
  generate_list (g, "namespaces", f->namespaces);
  generate_list (g, "capabilities", f->capabilities);
  json_gen_key (g, "cgroup");
  yajl_gen_map_open (g);
  generate_bool (g, "v1", f->cgroup_v1);
  generate_bool (g, "v2", f->cgroup_v2);
  generate_bool (g, "systemd", f->cgroup_systemd);
  generate_bool (g, "systemdUser", f->cgroup_systemd_user);
  generate_bool (g, "rdma", f->cgroup_rdma);
  yajl_gen_map_close (g);
  json_gen_key (g, "seccomp");
  yajl_gen_map_open (g);
  generate_bool (g, "enabled", f->seccomp_enabled);
  generate_list (g, "actions", f->seccomp_actions);
  generate_list (g, "operators", f->seccomp_operators);
  generate_list (g, "archs", f->seccomp_archs);
  generate_list (g, "knownFlags", f->seccomp_known_flags);
  generate_list (g, "supportedFlags", f->seccomp_supported_flags);
  yajl_gen_map_close (g);
  generate_enabled (g, "apparmor", f->apparmor_enabled);
  generate_enabled (g, "selinux", f->selinux_enabled);
  generate_enabled (g, "intelRdt", f->intel_rdt_enabled);
  json_gen_key (g, "mountExtensions");
  yajl_gen_map_open (g);
  generate_enabled (g, "idmap", f->idmap_enabled);
  yajl_gen_map_close (g);
  generate_enabled (g, "netDevices", f->net_devices_enabled);
  yajl_gen_map_close (g);
}

/* Indented with two spaces, no final newline (as oci_state_generate).  */
int
oci_features_generate (const oci_features *f, char **json, size_t *len, struct silo_error **err)
{
  yajl_gen g = json_gen_new ();
  _cleanup_free_ char *compact = NULL;
  size_t compact_len = 0;

  yajl_gen_map_open (g);
  json_gen_key (g, "ociVersionMin");
  json_gen_text (g, f->oci_version_min);
  json_gen_key (g, "ociVersionMax");
  json_gen_text (g, f->oci_version_max);
  generate_list (g, "hooks", f->hooks);
  generate_list (g, "mountOptions", f->mount_options);
  generate_linux (f, g);
  if (f->annotation_keys != NULL && f->annotation_values != NULL)
    {
      json_gen_key (g, "annotations");
      yajl_gen_map_open (g);
      for (size_t i = 0; f->annotation_keys[i] != NULL && f->annotation_values[i] != NULL; i++)
        {
          json_gen_text (g, f->annotation_keys[i]);
          json_gen_text (g, f->annotation_values[i]);
        }
      yajl_gen_map_close (g);
    }
  generate_list (g, "potentiallyUnsafeConfigAnnotations", f->potentially_unsafe_annotations);
  yajl_gen_map_close (g);
  compact = json_gen_finish (g, &compact_len);
  *json = json_indent (compact, compact_len, false, len);
  return 0;
}
