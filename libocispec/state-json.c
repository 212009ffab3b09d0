/* libocispec: the runtime state `silo state` prints (oci_state, in runc's exact layout) and
 * silo's own per-container state file (silo_state, which embeds the resolved config so
 * that later commands never re-read the bundle).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "spec.h"

#include <stdlib.h>
#include <string.h>

/* ---- oci_state ------------------------------------------------------------------ */

static int
compare_keys (const void *a, const void *b)
{
  return strcmp (**(char **const *) a, **(char **const *) b);
}

/* Go's encoding/json writes map keys sorted.  */
static void
generate_sorted_map (const oci_map *map, yajl_gen g)
{
  _cleanup_free_ char ***order = xmalloc0 (map->len * sizeof (char **));

  for (size_t i = 0; i < map->len; i++)
    order[i] = &map->keys[i];
  qsort (order, map->len, sizeof (*order), compare_keys);
  yajl_gen_map_open (g);
  for (size_t i = 0; i < map->len; i++)
    {
      json_gen_text (g, *order[i]);
      json_gen_text (g, map->values[order[i] - map->keys]);
    }
  yajl_gen_map_close (g);
}

static void
generate_member (yajl_gen g, const char *key, const char *value)
{
  json_gen_key (g, key);
  json_gen_text (g, value != NULL ? value : "");   /* Go prints "" for an empty string */
}

/* What runc's `state` prints: json.MarshalIndent (2 spaces, no final newline) of a struct
 * whose fields come in this order; annotations only when there are some.  */
int
oci_state_generate (const oci_state *s, char **json, size_t *len, struct silo_error **err)
{
  yajl_gen g = json_gen_new ();
  _cleanup_free_ char *compact = NULL;
  size_t compact_len = 0;

  yajl_gen_map_open (g);
  generate_member (g, "ociVersion", s->oci_version);
  generate_member (g, "id", s->id);
  json_gen_key (g, "pid");
  json_gen_i64 (g, s->pid);
  generate_member (g, "status", s->status);
  generate_member (g, "bundle", s->bundle);
  generate_member (g, "rootfs", s->rootfs);
  generate_member (g, "created", s->created);
  if (s->annotations.len > 0)
    {
      json_gen_key (g, "annotations");
      generate_sorted_map (&s->annotations, g);
    }
  generate_member (g, "owner", s->owner);
  yajl_gen_map_close (g);
  compact = json_gen_finish (g, &compact_len);
  *json = json_indent (compact, compact_len, true, len);
  return 0;
}

/* runtime-spec's ContainerProcessState (config-linux.md, seccomp): what the seccomp
 * agent at listenerPath receives with the listener fd.  Compact, one line.  */
int
oci_process_state_generate (const oci_state *s, const char *metadata, char **json, size_t *len,
                            struct silo_error **err)
{
  yajl_gen g = json_gen_new ();

  (void) err;
  yajl_gen_map_open (g);
  generate_member (g, "ociVersion", s->oci_version);
  json_gen_key (g, "fds");
  yajl_gen_array_open (g);
  json_gen_text (g, "seccompFd");
  yajl_gen_array_close (g);
  json_gen_key (g, "pid");
  json_gen_i64 (g, s->pid);
  if (metadata != NULL)
    generate_member (g, "metadata", metadata);
  json_gen_key (g, "state");
  yajl_gen_map_open (g);
  generate_member (g, "ociVersion", s->oci_version);
  generate_member (g, "id", s->id);
  generate_member (g, "status", s->status);
  json_gen_key (g, "pid");
  json_gen_i64 (g, s->pid);
  generate_member (g, "bundle", s->bundle);
  if (s->annotations.len > 0)
    {
      json_gen_key (g, "annotations");
      generate_sorted_map (&s->annotations, g);
    }
  yajl_gen_map_close (g);
  yajl_gen_map_close (g);
  *json = json_gen_finish (g, len);
  return 0;
}

/* ---- silo_state ----------------------------------------------------------------- */

static const struct oci_field cgroup_path_fields[] = {
  OCI_FIELD (silo_cgroup_path, "controller", OCI_STRING, controller, OCI_REQUIRED),
  OCI_FIELD (silo_cgroup_path, "path", OCI_STRING, path, OCI_REQUIRED),
};
static const struct oci_spec cgroup_path_spec = OCI_SPEC (silo_cgroup_path, cgroup_path_fields);

_Static_assert (sizeof (int) == sizeof (int32_t), "OCI_I32 stores schema and pid");

static const struct oci_field silo_state_fields[] = {
  OCI_FIELD (silo_state, "schema", OCI_I32, schema, OCI_REQUIRED),
  OCI_FIELD (silo_state, "id", OCI_STRING, id, OCI_REQUIRED),
  OCI_FIELD (silo_state, "bundle", OCI_STRING, bundle),
  OCI_FIELD (silo_state, "rootfs", OCI_STRING, rootfs),
  OCI_FIELD (silo_state, "created", OCI_STRING, created),
  OCI_FIELD (silo_state, "owner", OCI_STRING, owner),
  OCI_FIELD (silo_state, "status", OCI_STRING, status, OCI_REQUIRED),
  OCI_FIELD (silo_state, "command", OCI_STRING, command),
  OCI_FIELD (silo_state, "pid", OCI_I32, pid, OCI_RANGE (0, INT32_MAX)),
  OCI_FIELD (silo_state, "start_time", OCI_U64, start_time),
  OCI_FIELD (silo_state, "started", OCI_BOOL, started),
  OCI_FIELD (silo_state, "init_exe_dev", OCI_U64, init_exe_dev),
  OCI_FIELD (silo_state, "init_exe_ino", OCI_U64, init_exe_ino),
  OCI_FIELD (silo_state, "systemd_cgroup", OCI_BOOL, systemd_cgroup),
  OCI_FIELD (silo_state, "cgroups", OCI_OBJECTS, cgroups, OCI_COUNT (silo_state, n_cgroups),
             .spec = &cgroup_path_spec),
  OCI_FIELD (silo_state, "namespace_paths", OCI_STRINGS, namespace_paths,
             OCI_COUNT (silo_state, n_namespace_paths)),
  OCI_FIELD (silo_state, "config", OCI_OBJECT, config, .spec = &oci_config_spec),
};
static const struct oci_spec silo_state_spec = OCI_SPEC (silo_state, silo_state_fields);

/* Refuse a file of another schema before reading the rest with the wrong tables.  */
static int
check_schema (const struct json_value *root, struct silo_error **err)
{
  const struct json_value *v = root->type == JSON_OBJECT ? json_object_get (root, "schema") : NULL;
  long long schema = 0;

  if (v == NULL || v->type != JSON_NUMBER || parse_long (v->text, &schema) < 0)
    return silo_fail (err, 0, "not a silo state file (no schema number)");
  if (schema < SILO_STATE_SCHEMA_EMBEDDED_CONFIG || schema > SILO_STATE_SCHEMA)
    return silo_fail (err, 0, "state file has schema %lld, this silo reads schemas %d to %d: "
                      "use the silo that created the container", schema,
                      SILO_STATE_SCHEMA_EMBEDDED_CONFIG, SILO_STATE_SCHEMA);
  return 0;
}

int
silo_state_parse (const char *json, size_t len, silo_state **out, struct silo_error **err)
{
  struct json_document *doc = NULL;
  struct oci_path path = { .depth = 0 };
  silo_state *state;
  int ret;

  *out = NULL;
  /* Host paths need not be UTF-8: the file is read back as it was written.  */
  if (json_parse (json, len, false, &doc, err) < 0)
    return -1;
  if (check_schema (json_document_root (doc), err) < 0)
    {
      json_document_free (doc);
      return -1;
    }
  state = xmalloc0 (sizeof (*state));
  ret = oci_spec_parse_object (&silo_state_spec, json_document_root (doc), state, &path, err);
  json_document_free (doc);
  if (ret < 0)
    {
      silo_state_free (state);
      return -1;
    }
  *out = state;
  return 0;
}

int
silo_state_generate (const silo_state *s, char **json, size_t *len, struct silo_error **err)
{
  silo_state current = *s;

  current.schema = SILO_STATE_SCHEMA;
  current.config = NULL;   /* in its own file */
  *json = oci_spec_generate_document (&silo_state_spec, &current, len);
  return 0;
}

int
silo_stored_config_parse (const char *json, size_t len, oci_config **out, struct silo_error **err)
{
  void *config = NULL;

  /* Host paths need not be UTF-8, as in the state.  */
  if (oci_spec_parse_document (&oci_config_spec, json, len, false, &config, err) < 0)
    return -1;
  *out = config;
  return 0;
}

char *
silo_stored_config_generate (const oci_config *config, size_t *len)
{
  return oci_spec_generate_document (&oci_config_spec, config, len);
}

void
silo_state_free (silo_state *s)
{
  oci_spec_free_document (&silo_state_spec, s);
}

void
silo_state_freep (silo_state **s)
{
  silo_state_free (*s);
  *s = NULL;
}
