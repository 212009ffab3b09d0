/* Unit tests: `silo state` output (byte for byte what runc prints), silo's state file
 * round trip, features.json and the CLI's JSON writer.  */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oci.h"
#include "tap.h"
#include "util.h"

static void
test_oci_state (void)
{
  char *keys[] = { "z.last", "a.url", "m.ctl" };
  char *values[] = { "zz", "https://x.test/?a=1&b=<2>", "tab\there \x01\x1f \xe2\x80\xa8 \xff" };
  oci_state s = {
    .oci_version = "1.3.0", .id = "redis", .pid = 4422, .status = "running",
    .bundle = "/containers/redis", .rootfs = "/containers/redis/rootfs",
    .created = "2024-01-02T03:04:05.123456789Z", .owner = NULL,
    .annotations = { .keys = keys, .values = values, .len = 3 },
  };
  _cleanup_free_ char *text = NULL, *bare = NULL;
  size_t len = 0;

  ok (oci_state_generate (&s, &text, &len, NULL) == 0 && strlen (text) == len, "state generates");
  is_str (text,
          "{\n"
          "  \"ociVersion\": \"1.3.0\",\n"
          "  \"id\": \"redis\",\n"
          "  \"pid\": 4422,\n"
          "  \"status\": \"running\",\n"
          "  \"bundle\": \"/containers/redis\",\n"
          "  \"rootfs\": \"/containers/redis/rootfs\",\n"
          "  \"created\": \"2024-01-02T03:04:05.123456789Z\",\n"
          "  \"annotations\": {\n"
          "    \"a.url\": \"https://x.test/?a=1\\u0026b=\\u003c2\\u003e\",\n"
          "    \"m.ctl\": \"tab\\there \\u0001\\u001f \\u2028 \\ufffd\",\n"
          "    \"z.last\": \"zz\"\n"
          "  },\n"
          "  \"owner\": \"\"\n"
          "}",
          "runc's layout: field order, sorted annotations, Go escaping, no final newline");

  s.annotations.len = 0;
  s.pid = 0;
  s.status = "stopped";
  s.owner = "root";
  ok (oci_state_generate (&s, &bare, &len, NULL) == 0, "state without annotations");
  is_str (bare,
          "{\n"
          "  \"ociVersion\": \"1.3.0\",\n"
          "  \"id\": \"redis\",\n"
          "  \"pid\": 0,\n"
          "  \"status\": \"stopped\",\n"
          "  \"bundle\": \"/containers/redis\",\n"
          "  \"rootfs\": \"/containers/redis/rootfs\",\n"
          "  \"created\": \"2024-01-02T03:04:05.123456789Z\",\n"
          "  \"owner\": \"root\"\n"
          "}",
          "no annotations: the property is left out");
}

#define STATE_FIELDS                                                                       \
  "\"id\":\"ctr\",\"bundle\":\"/b\",\"rootfs\":\"/b/rootfs\","               \
  "\"created\":\"2024-01-02T03:04:05Z\",\"owner\":\"root\",\"status\":\"created\","        \
  "\"pid\":1234,\"start_time\":18446744073709551615,\"started\":true,"                     \
  "\"init_exe_dev\":2049,\"init_exe_ino\":18446744073709551614,"                          \
  "\"cgroups\":[{\"controller\":\"memory\",\"path\":\"/silo/ctr\"},"                        \
  "{\"controller\":\"unified\",\"path\":\"/silo/ctr\"}],"                                  \
  "\"namespace_paths\":[\"network:/var/run/netns/x\"]"
#define CONFIG_TEXT                                                                        \
  "{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":\"/b/rootfs\"},"                 \
  "\"process\":{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"sh\"],\"cwd\":\"/\"},"          \
  "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\",\"path\":"          \
  "\"/var/run/netns/x\"}],\"resources\":{\"memory\":{\"limit\":-1}}}}"
/* Schema 1 embedded the config; schema 2 (written now) keeps it in config.json.  */
#define STATE_TEXT_V1 "{\"schema\":1," STATE_FIELDS ",\"config\":" CONFIG_TEXT "}"
#define STATE_TEXT "{\"schema\":2," STATE_FIELDS "}"

static void
test_silo_state (void)
{
  _cleanup_error_ struct silo_error *err = NULL;
  _cleanup_silo_state_ silo_state *s = NULL, *back = NULL;
  _cleanup_free_ char *text = NULL, *odd_text = NULL, *config_text = NULL;
  oci_config *config = NULL;
  size_t len = 0;

  ok (silo_state_parse (STATE_TEXT_V1, strlen (STATE_TEXT_V1), &s, &err) == 0,
      "a schema-1 state file parses: %s", err ? err->msg : "ok");
  if (s == NULL)
    return;
  ok (s->schema == SILO_STATE_SCHEMA_EMBEDDED_CONFIG && s->pid == 1234 && s->start_time == UINT64_MAX && s->started
      && s->init_exe_dev == 2049 && s->init_exe_ino == UINT64_MAX - 1
      && !s->systemd_cgroup && s->n_cgroups == 2 && strcmp (s->cgroups[1].controller, "unified") == 0
      && s->n_namespace_paths == 1, "state fields");
  ok (s->config != NULL && s->config->linux_->n_namespaces == 2
      && s->config->linux_->resources->memory->limit == -1, "the embedded config");
  ok (silo_state_generate (s, &text, &len, NULL) == 0 && strlen (text) == len, "state generates");
  is_str (text, STATE_TEXT, "schema 1 -> generate gives schema 2, without the config");
  config_text = silo_stored_config_generate (s->config, &len);
  is_str (config_text, CONFIG_TEXT, "the config generates on its own");
  ok (silo_stored_config_parse (config_text, len, &config, &err) == 0
      && config->linux_->n_namespaces == 2, "and parses back");
  oci_config_free (config);
  silo_state_freep (&back);
  ok (silo_state_parse (text, strlen (text), &back, &err) == 0 && back->config == NULL
      && back->schema == SILO_STATE_SCHEMA && back->pid == 1234, "a schema-2 state parses, no config");
  silo_state_freep (&back);

  /* Host paths need not be UTF-8: they must come back byte for byte.  */
  free (s->bundle);
  s->bundle = xstrdup ("/srv/\xff\xfe-bundle");
  ok (silo_state_generate (s, &odd_text, &len, NULL) == 0
      && silo_state_parse (odd_text, len, &back, &err) == 0
      && strcmp (back->bundle, "/srv/\xff\xfe-bundle") == 0, "a non-UTF-8 bundle path round-trips");
}

static void
test_silo_state_errors (void)
{
  const char *newer = "{\"schema\":3,\"id\":\"x\",\"status\":\"created\",\"config\":{\"linux\":7}}";
  const char *none = "{\"id\":\"x\"}";
  const char *bad_config = "{\"schema\":1,\"id\":\"x\",\"status\":\"created\",\"config\":"
                           "{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":\"r\"},\"linux\":"
                           "{\"namespaces\":[{\"type\":\"net\"}]}}}";
  _cleanup_error_ struct silo_error *e1 = NULL, *e2 = NULL, *e3 = NULL, *e4 = NULL;
  silo_state *s = NULL;

  ok (silo_state_parse (newer, strlen (newer), &s, &e1) < 0 && s == NULL, "another schema fails");
  is_str (e1 ? e1->msg : NULL, "state file has schema 3, this silo reads schemas 1 to 2: use the "
          "silo that created the container", "schema message");
  ok (silo_state_parse (none, strlen (none), &s, &e2) < 0, "no schema fails");
  is_str (e2 ? e2->msg : NULL, "not a silo state file (no schema number)", "no-schema message");
  ok (silo_state_parse (bad_config, strlen (bad_config), &s, &e3) < 0, "a bad embedded config fails");
  ok (e3 != NULL && strncmp (e3->msg, "config.linux.namespaces[0].type: unknown namespace type `net`",
                             61) == 0, "its path starts at config");
  ok (silo_state_parse ("{\"schema\":1,", 12, &s, &e4) < 0 && s == NULL, "a truncated state fails");
  silo_state_free (NULL);
}

static const char *const hooks[] = { "prestart", "poststop", NULL };
static const char *const none[] = { NULL };
static const char *const namespaces[] = { "pid", "network", NULL };
static const char *const caps[] = { "CAP_CHOWN", NULL };
static const char *const actions[] = { "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", NULL };
static const char *const keys[] = { "org.silo.version", NULL };
static const char *const values[] = { "0.1", NULL };
static const char *const unsafe[] = { "run.oci.", NULL };

static void
test_features (void)
{
  oci_features f = {
    .oci_version_min = "1.0.0", .oci_version_max = "1.3.0", .hooks = hooks,
    .mount_options = none, .namespaces = namespaces, .capabilities = caps,
    .cgroup_v1 = true, .cgroup_v2 = true, .seccomp_enabled = true, .seccomp_actions = actions,
    .idmap_enabled = true, .net_devices_enabled = true, .annotation_keys = keys,
    .annotation_values = values, .potentially_unsafe_annotations = unsafe,
  };
  _cleanup_free_ char *text = NULL;
  size_t len = 0;

  ok (oci_features_generate (&f, &text, &len, NULL) == 0 && strlen (text) == len,
      "features generate");
  is_str (text,
          "{\n"
          "  \"ociVersionMin\": \"1.0.0\",\n"
          "  \"ociVersionMax\": \"1.3.0\",\n"
          "  \"hooks\": [\n    \"prestart\",\n    \"poststop\"\n  ],\n"
          "  \"mountOptions\": [],\n"
          "  \"linux\": {\n"
          "    \"namespaces\": [\n      \"pid\",\n      \"network\"\n    ],\n"
          "    \"capabilities\": [\n      \"CAP_CHOWN\"\n    ],\n"
          "    \"cgroup\": {\n      \"v1\": true,\n      \"v2\": true,\n      \"systemd\": false,\n"
          "      \"systemdUser\": false,\n      \"rdma\": false\n    },\n"
          "    \"seccomp\": {\n      \"enabled\": true,\n"
          "      \"actions\": [\n        \"SCMP_ACT_ALLOW\",\n        \"SCMP_ACT_ERRNO\"\n      ]\n"
          "    },\n"
          "    \"apparmor\": {\n      \"enabled\": false\n    },\n"
          "    \"selinux\": {\n      \"enabled\": false\n    },\n"
          "    \"intelRdt\": {\n      \"enabled\": false\n    },\n"
          "    \"mountExtensions\": {\n      \"idmap\": {\n        \"enabled\": true\n      }\n    },\n"
          "    \"netDevices\": {\n      \"enabled\": true\n    }\n"
          "  },\n"
          "  \"annotations\": {\n    \"org.silo.version\": \"0.1\"\n  },\n"
          "  \"potentiallyUnsafeConfigAnnotations\": [\n    \"run.oci.\"\n  ]\n"
          "}",
          "features.md shape; NULL lists left out, empty ones kept");
}

static char *
write_sample (bool pretty)
{
  oci_json_writer *w = oci_json_writer_new (pretty);

  oci_json_begin_object (w);
  oci_json_key (w, "id");
  oci_json_string (w, "a\xff" "b\"");
  oci_json_key (w, "pid");
  oci_json_int (w, -42);
  oci_json_key (w, "ok");
  oci_json_bool (w, true);
  oci_json_key (w, "none");
  oci_json_string (w, NULL);
  oci_json_key (w, "list");
  oci_json_begin_array (w);
  oci_json_int (w, 1);
  oci_json_begin_object (w);
  oci_json_end_object (w);
  oci_json_end_array (w);
  oci_json_end_object (w);
  return oci_json_writer_finish (w, NULL);
}

static void
test_writer (void)
{
  _cleanup_free_ char *line = write_sample (false), *pretty = write_sample (true);

  is_str (line, "{\"id\":\"a\xef\xbf\xbd" "b\\\"\",\"pid\":-42,\"ok\":true,\"none\":null,"
          "\"list\":[1,{}]}", "compact: one line, bad UTF-8 replaced, NULL as null");
  is_str (pretty, "{\n  \"id\": \"a\xef\xbf\xbd" "b\\\"\",\n  \"pid\": -42,\n  \"ok\": true,\n"
          "  \"none\": null,\n  \"list\": [\n    1,\n    {}\n  ]\n}", "pretty: indented");
}

int
main (void)
{
  test_oci_state ();
  test_silo_state ();
  test_silo_state_errors ();
  test_features ();
  test_writer ();
  return tap_done ();
}
