/* Unit tests: config.json parse -> generate -> parse round trips, the model's values, the
 * canonical output of small configs, oci_resources_parse and the name helpers.  */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oci.h"
#include "tap.h"
#include "util.h"

#ifndef SRCDIR
# define SRCDIR "."
#endif

static char *
generate (const oci_config *c)
{
  char *text = NULL;
  size_t len = 0;
  if (oci_config_generate (c, &text, &len, NULL) < 0 || text == NULL || strlen (text) != len)
    return xstrdup ("(generate failed)");
  return text;
}

/* Parse, generate and return the text; NULL (and a diagnostic) when parsing fails.  */
static char *
canonical (const char *json)
{
  _cleanup_error_ struct silo_error *err = NULL;
  _cleanup_oci_config_ oci_config *c = NULL;

  if (oci_config_parse (json, strlen (json), &c, &err) < 0)
    {
      printf ("# parse failed: %s\n", err->msg);
      return NULL;
    }
  return generate (c);
}

static void
check_process (const oci_process *p)
{
  ok (p->terminal && p->has_console_size && p->console_height == 25 && p->console_width == 80,
      "process.terminal and consoleSize");
  ok (p->user.uid == 1000 && p->user.has_umask && p->user.umask == 18
      && p->user.n_additional_gids == 3 && p->user.additional_gids[2] == UINT32_MAX,
      "process.user, additionalGids up to 2^32-1");
  is_str (p->args[2], "echo \"hi\"\n", "escapes in strings are decoded");
  ok (p->n_args == 3 && p->args[3] == NULL, "string arrays are NULL-terminated too");
  ok (p->n_env == 3 && strcmp (p->env[2], "EMPTY=") == 0, "process.env");
  ok (p->capabilities->n_bounding == 4 && p->capabilities->n_inheritable == 0
      && strcmp (p->capabilities->ambient[0], "CAP_NET_BIND_SERVICE") == 0, "capabilities");
  ok (p->n_rlimits == 2 && p->rlimits[1].hard == UINT64_MAX && p->rlimits[1].soft == 0,
      "rlimits keep the full uint64 range");
  ok (p->no_new_privileges && p->has_oom_score_adj && p->oom_score_adj == -1000,
      "noNewPrivileges, oomScoreAdj");
  ok (strcmp (p->scheduler->policy, "SCHED_DEADLINE") == 0 && p->scheduler->has_nice
      && p->scheduler->nice == -20 && p->scheduler->has_priority && p->scheduler->priority == 0
      && p->scheduler->period == UINT64_MAX && p->scheduler->n_flags == 2, "scheduler");
  ok (strcmp (p->io_priority->class_, "IOPRIO_CLASS_IDLE") == 0 && p->io_priority->priority == 4,
      "ioPriority");
  is_str (p->exec_cpu_affinity->final, "0-3,7", "execCPUAffinity");
}

static void
check_linux (const oci_linux *l)
{
  const oci_resources *r = l->resources;

  ok (l->n_namespaces == 8 && l->namespaces[7].type == OCI_NS_TIME
      && strcmp (l->namespaces[1].path, "/var/run/netns/neta") == 0, "namespaces");
  ok (l->has_time_offsets && l->monotonic.secs == INT64_MIN && l->monotonic.nanosecs == 999999999
      && l->boottime.secs == INT64_MAX && !l->boottime.has_nanosecs, "timeOffsets");
  ok (l->n_devices == 3 && l->devices[0].major == 10 && l->devices[0].file_mode == 0666
      && strcmp (l->devices[2].type, "p") == 0 && !l->devices[2].has_file_mode, "devices");
  ok (l->n_net_devices == 2 && strcmp (l->net_devices[1].key, "ens4") == 0
      && l->net_devices[1].name == NULL, "netDevices keyed by host name");
  ok (r->memory->limit == 536870912 && r->memory->swap == -1 && r->memory->kernel_tcp == INT64_MAX
      && r->memory->has_disable_oom_killer && !r->memory->disable_oom_killer, "memory");
  ok (r->cpu->has_idle && r->cpu->idle == 0 && strcmp (r->cpu->cpus, "2-3") == 0, "cpu");
  ok (r->pids->has_limit && r->pids->limit == -1, "pids");
  ok (r->block_io->weight == 10 && r->block_io->n_weight_device == 2
      && !r->block_io->weight_device[1].has_leaf_weight
      && r->block_io->throttle_write_bps[0].rate == UINT64_MAX, "blockIO");
  ok (r->n_rdma == 2 && strcmp (r->rdma[1].device, "mlx4_0") == 0 && !r->rdma[1].has_hca_handles,
      "rdma keyed by device");
  ok (r->has_unified && r->unified.len == 2 && strcmp (r->unified.keys[1], "memory.high") == 0,
      "unified");
  ok (r->n_devices == 2 && !r->devices[0].allow && r->devices[0].type == NULL
      && r->devices[1].has_major && r->devices[1].minor == 229, "device cgroup rules");
  ok (l->seccomp->n_syscalls == 3 && l->seccomp->syscalls[2].args[0].value == UINT64_MAX
      && l->seccomp->syscalls[2].args[0].has_value_two
      && !l->seccomp->syscalls[2].args[1].has_value_two
      && l->seccomp->syscalls[2].errno_ret == 38, "seccomp");
  ok (l->has_masked_paths && l->n_masked_paths == 2 && l->has_readonly_paths
      && l->n_readonly_paths == 0, "an empty readonlyPaths differs from an absent one");
  ok (l->intel_rdt->enable_monitoring && strcmp (l->intel_rdt->schemata[0], "L2:0=ff;1=ff") == 0,
      "intelRdt");
  ok (strcmp (l->personality->domain, "LINUX32") == 0
      && strcmp (l->memory_policy->flags[0], "MPOL_F_STATIC_NODES") == 0,
      "personality, memoryPolicy");
  is_str (l->rootfs_propagation, "rslave", "rootfsPropagation");
}

static void
test_full_config (void)
{
  _cleanup_free_ char *path = xasprintf ("%s/tests/unit/data/oci-full-config.json", SRCDIR);
  _cleanup_error_ struct silo_error *err = NULL;
  _cleanup_oci_config_ oci_config *c = NULL, *again = NULL;
  _cleanup_free_ char *first = NULL, *second = NULL;

  ok (oci_config_parse_file (path, &c, &err) == 0, "the full config parses: %s",
      err ? err->msg : "ok");
  if (c == NULL)
    return;
  check_process (c->process);
  check_linux (c->linux_);
  ok (c->root->readonly && strcmp (c->root->path, "rootfs") == 0, "root");
  ok (c->n_mounts == 2 && c->mounts[1].n_uid_mappings == 1 && c->mounts[1].uid_mappings[0].host_id == 100000
      && c->mounts[0].options == NULL, "mounts");
  ok (c->hooks->n_poststop == 1 && c->hooks->create_container[0].has_timeout
      && c->hooks->create_container[0].timeout == 5 && !c->hooks->prestart[0].has_timeout, "hooks");
  ok (c->annotations.len == 3 && strcmp (c->annotations.values[2], "caf\xc3\xa9 \xe2\x98\x83") == 0,
      "annotations, unicode escapes decoded to UTF-8");

  first = generate (c);
  ok (oci_config_parse (first, strlen (first), &again, &err) == 0, "generated text parses");
  second = again ? generate (again) : NULL;
  is_str (second, first, "parse -> generate -> parse -> generate is stable");
  ok (strstr (first, "commandLine") == NULL && strstr (first, "windows") == NULL
      && strstr (first, "someFutureProperty") == NULL, "unknown properties are not carried");
  ok (strstr (first, "\"period\":18446744073709551615") != NULL
      && strstr (first, "\"secs\":-9223372036854775808") != NULL, "extreme integers written exactly");
  ok (strstr (first, "\"readonlyPaths\":[]") != NULL && strstr (first, "\"inheritable\"") == NULL,
      "empty arrays: kept where presence matters, left out elsewhere");
}

static void
test_canonical_output (void)
{
  _cleanup_free_ char *minimal = canonical ("{\"root\":{\"path\":\"r\",\"readonly\":false},"
                                            "\"ociVersion\":\"1.3.0\",\"annotations\":{},"
                                            "\"mounts\":[],\"hostname\":null}");
  _cleanup_free_ char *process = canonical ("{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":\"r\"},"
                                            "\"process\":{\"cwd\":\"/\",\"args\":[\"sh\"]}}");
  _cleanup_free_ char *relative = canonical ("{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":\"r\"},"
                                             "\"mounts\":[{\"destination\":\"data/x\"}]}");
  _cleanup_free_ char *offsets = canonical ("{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":\"r\"},"
                                            "\"linux\":{\"timeOffsets\":{\"boottime\":{\"secs\":1}}}}");

  is_str (minimal, "{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":\"r\"}}",
          "absent, empty, false and null properties are left out");
  is_str (process, "{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":\"r\"},\"process\":{\"user\":"
          "{\"uid\":0,\"gid\":0},\"args\":[\"sh\"],\"cwd\":\"/\"}}", "process defaults");
  is_str (relative, "{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":\"r\"},\"mounts\":"
          "[{\"destination\":\"/data/x\"}]}", "a relative mount destination is made absolute");
  is_str (offsets, "{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"timeOffsets\":"
          "{\"boottime\":{\"secs\":1}}}}", "an unset clock is not written");
}

static void
test_resources (void)
{
  const char *json = "{\"memory\":{\"limit\":-1,\"swap\":0},\"pids\":{\"limit\":0},"
                     "\"unified\":{}}";
  _cleanup_error_ struct silo_error *err = NULL, *err2 = NULL;
  oci_resources *r = NULL;

  ok (oci_resources_parse (json, strlen (json), &r, &err) == 0 && r != NULL
      && r->memory->limit == -1 && r->memory->has_swap && r->pids->limit == 0 && r->has_unified
      && r->unified.len == 0, "oci_resources_parse reads an update file");
  oci_resources_free (r);
  r = NULL;
  json = "{\"memory\":{\"limit\":\"1g\"}}";
  ok (oci_resources_parse (json, strlen (json), &r, &err2) < 0 && r == NULL, "bad resources fail");
  is_str (err2 ? err2->msg : NULL, "memory.limit: expected an integer, got a string",
          "paths are relative to the resources object");
  oci_resources_free (NULL);
}

static void
test_names (void)
{
  _cleanup_error_ struct silo_error *err = NULL;
  oci_config *c = NULL;

  is_str (oci_namespace_type_name (OCI_NS_PID), "pid", "namespace name: pid");
  is_str (oci_namespace_type_name (OCI_NS_NETWORK), "network", "namespace name: network");
  is_str (oci_namespace_type_name (OCI_NS_TIME), "time", "namespace name: time");
  ok (oci_namespace_type_name (OCI_NS__COUNT) == NULL, "no name past the last type");
  ok (oci_capability_from_name ("CAP_CHOWN") == 0, "CAP_CHOWN is 0");
  ok (oci_capability_from_name ("CAP_SYS_ADMIN") == 21, "CAP_SYS_ADMIN is 21");
  ok (oci_capability_from_name ("CAP_CHECKPOINT_RESTORE") == 40, "CAP_CHECKPOINT_RESTORE is 40");
  ok (oci_capability_from_name ("cap_chown") < 0 && oci_capability_from_name ("CHOWN") < 0
      && oci_capability_from_name ("CAP_CHOWN,") < 0 && oci_capability_from_name ("CAP_CHOWN ") < 0
      && oci_capability_from_name ("CAP_") < 0 && oci_capability_from_name ("12") < 0,
      "only canonical capability names are accepted");
  ok (oci_config_parse_file ("/nonexistent/config.json", &c, &err) < 0 && c == NULL
      && strstr (err->msg, "/nonexistent/config.json") != NULL, "a missing file names its path");
  oci_config_free (NULL);
}

int
main (void)
{
  test_full_config ();
  test_canonical_output ();
  test_resources ();
  test_names ();
  return tap_done ();
}
