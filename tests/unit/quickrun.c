/* Unit tests for quick-run's pure parts: the --memory, --cpus, --cpu and --pids flags, the
 * name generator, the config it synthesizes from `silo spec`'s, and the removal of a
 * state directory's trees (an overlay upper layer: deep, with symlinks out).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/cmd/cmd.h"
#include "oci.h"
#include "pathsafe.h"
#include "quickrun.h"
#include "tap.h"
#include "util.h"

static void
test_cpus (void)
{
  static const struct { const char *text; int64_t quota; } good[] = {
    { "0.25", 25000 }, { "1", 100000 }, { "2", 200000 }, { "0.01", 1000 }, { "1.5", 150000 },
    { "0.00001000", -1 }, { "0.12345", 12345 },
  };
  static const char *const bad[] = {
    "", "0", "0.001", "-1", "abc", "1.", ".5", "0.5x", "3", "1e2", "0.123456", "0,5", " 1",
  };
  _cleanup_error_ struct silo_error *err = NULL;

  for (size_t i = 0; i < SILO_ARRAY_SIZE (good); i++)
    {
      int64_t quota = 0;
      int ret = silo_cmd_parse_cpus ("cpus", good[i].text, 2, &quota, NULL);
      if (good[i].quota < 0)
        ok (ret < 0, "--cpus `%s` (more than 5 decimals) is refused", good[i].text);
      else
        ok (ret == 0 && quota == good[i].quota, "--cpus `%s` is %" PRId64 " µs (got %" PRId64 ")",
            good[i].text, good[i].quota, quota);
    }
  for (size_t i = 0; i < SILO_ARRAY_SIZE (bad); i++)
    ok (silo_cmd_parse_cpus ("cpus", bad[i], 2, &(int64_t) { 0 }, NULL) < 0, "--cpus `%s` is refused", bad[i]);
  silo_cmd_parse_cpus ("cpus", "3", 2, &(int64_t) { 0 }, &err);
  is_str (err->msg, "--cpus: `3` is more than the 2 CPUs online", "its message names the CPUs online");
  silo_error_freep (&err);
  silo_cmd_parse_cpus ("cpus", "0.001", 2, &(int64_t) { 0 }, &err);
  ok (err != NULL && strstr (err->msg, "below 0.01") != NULL, "a quota under 1 ms says so");
}

static void
test_cpu_percent_and_count (void)
{
  static const char *const bad[] = { "", "0", "-5", "201", "25%", "2.5", "abc", "1e2" };
  _cleanup_error_ struct silo_error *err = NULL;
  int64_t value = 0;

  ok (silo_cmd_parse_cpu_percent ("cpu", "25", 2, &value, NULL) == 0 && value == 25000,
      "--cpu 25 is 25000 µs per 100 ms");
  ok (silo_cmd_parse_cpu_percent ("cpu", "200", 2, &value, NULL) == 0 && value == 200000,
      "--cpu 200 with 2 CPUs is both");
  for (size_t i = 0; i < SILO_ARRAY_SIZE (bad); i++)
    ok (silo_cmd_parse_cpu_percent ("cpu", bad[i], 2, &value, NULL) < 0, "--cpu `%s` is refused", bad[i]);
  silo_cmd_parse_cpu_percent ("cpu", "0", 2, &value, &err);
  is_str (err->msg, "--cpu: `0` is not a whole percentage of one CPU from 1 to 200 (2 CPUs online)",
          "its message");
  silo_error_freep (&err);
  ok (silo_cmd_parse_count ("pids", "10", &value, NULL) == 0 && value == 10, "--pids 10");
  ok (silo_cmd_parse_count ("pids", "0", &value, NULL) < 0 && silo_cmd_parse_count ("pids", "x", &value, NULL) < 0
      && silo_cmd_parse_count ("pids", "-1", &value, NULL) < 0, "--pids 0, x and -1 are refused");
  silo_cmd_parse_count ("pids", "ten", &value, &err);
  is_str (err->msg, "--pids: `ten` is not a whole number from 1", "its message");
}

/* The flags through the shared callback: --memory's parser is update's.  */
static void
test_quick_option (void)
{
  struct silo_quickrun_options q = { 0 };
  _cleanup_error_ struct silo_error *err = NULL;

  ok (silo_cmd_quick_option (&q, SILO_QUICK_OPTION_MEMORY, "50M", NULL) == 0 && q.memory == 50 << 20,
      "--memory 50M");
  ok (silo_cmd_quick_option (&q, SILO_QUICK_OPTION_MEMORY, "512k", NULL) == 0 && q.memory == 512 << 10,
      "--memory 512k");
  ok (silo_cmd_quick_option (&q, SILO_QUICK_OPTION_MEMORY, "1g", NULL) == 0 && q.memory == 1 << 30,
      "--memory 1g");
  silo_cmd_quick_option (&q, SILO_QUICK_OPTION_MEMORY, "50Q", &err);
  ok (err != NULL && strstr (err->msg, "--memory: invalid size `50Q`") != NULL, "--memory 50Q: %s",
      err ? err->msg : "accepted");
  silo_error_freep (&err);
  silo_cmd_quick_option (&q, SILO_QUICK_OPTION_MEMORY, "0", &err);
  ok (err != NULL && strstr (err->msg, "--memory: 0") != NULL, "--memory 0 is refused");
  silo_error_freep (&err);
  ok (silo_cmd_quick_option (&q, SILO_QUICK_OPTION_CPU, "25", NULL) == 0 && q.cpu_quota == 25000, "--cpu 25");
  silo_cmd_quick_option (&q, SILO_QUICK_OPTION_CPUS, "0.5", &err);
  ok (err != NULL && strstr (err->msg, "give one") != NULL, "--cpu then --cpus is refused");
  silo_cmd_quick_option (&q, SILO_QUICK_OPTION_ENV, "A=1", NULL);
  silo_cmd_quick_option (&q, SILO_QUICK_OPTION_ENV, "B=2", NULL);
  ok (q.env != NULL && strcmp (q.env[0], "A=1") == 0 && strcmp (q.env[1], "B=2") == 0 && q.env[2] == NULL,
      "-e appends");
  silo_cmd_quick_release (&q);
}

static void
test_names (void)
{
  _cleanup_free_ char *first = silo_quickrun_name (0, 0), *again = silo_quickrun_name (0, 0);
  _cleanup_free_ char *retry = silo_quickrun_name (123456789, 1);
  size_t distinct = 0, valid = 0;
  char **seen = xmalloc0 (1600 * sizeof (*seen));

  for (uint64_t r = 0; r < 1600; r++)
    {
      char *name = silo_quickrun_name (r, 0);
      bool dup = false;
      if (silo_validate_id (name, NULL) == 0 && strchr (name, '_') != NULL)
        valid++;
      for (size_t i = 0; i < distinct && !dup; i++)
        dup = strcmp (seen[i], name) == 0;
      if (dup)
        free (name);
      else
        seen[distinct++] = name;
    }
  ok (valid == 1600, "every generated name is a valid id, adjective_noun (%zu of 1600)", valid);
  ok (distinct == 1600, "1600 random numbers give 1600 names (got %zu)", distinct);
  is_str (first, again, "the same number gives the same name");
  ok (silo_validate_id (retry, NULL) == 0 && strncmp (retry, "", 0) == 0
      && strchr (strchr (retry, '_') + 1, '_') != NULL, "a retry adds a number: %s", retry);
  for (size_t i = 0; i < distinct; i++)
    free (seen[i]);
  free (seen);
}

static oci_config *
synthesize (const struct silo_quickrun_options *q, const char *name, struct silo_error **err)
{
  _cleanup_free_ char *json = NULL;
  oci_config *cfg = NULL;

  if (silo_quickrun_config (q, name, "/state/web/rootfs", &json, err) < 0
      || oci_config_parse (json, strlen (json), &cfg, err) < 0)
    return NULL;
  return cfg;
}

static bool
has_namespace (const oci_config *cfg, oci_namespace_type type)
{
  for (size_t i = 0; i < cfg->linux_->n_namespaces; i++)
    if (cfg->linux_->namespaces[i].type == type)
      return true;
  return false;
}

static void
test_config (void)
{
  char *args[] = { (char *) "sh", (char *) "-c", (char *) "echo hi", NULL };
  char *env[] = { (char *) "PATH=/bin", (char *) "FOO=bar", NULL };
  char *volumes[] = { (char *) "/srv/data:/data:ro", (char *) "/tmp:/scratch", NULL };
  struct silo_quickrun_options q = {
    .rootfs = "/r", .args = args, .env = env, .volumes = volumes, .cwd = "/work", .user = "1000:100",
    .memory = 50 << 20, .cpu_quota = 25000, .pids = 10, .network = "host",
  };
  _cleanup_error_ struct silo_error *err = NULL;
  oci_config *cfg = synthesize (&q, "web", &err);
  const oci_process *p;

  if (cfg == NULL)
    {
      ok (false, "synthesize: %s", err->msg);
      return;
    }
  p = cfg->process;
  ok (p->n_args == 3 && strcmp (p->args[2], "echo hi") == 0 && !p->terminal, "args, no terminal");
  ok (p->n_env == 3 && strcmp (p->env[0], "PATH=/bin") == 0 && strcmp (p->env[1], "TERM=xterm") == 0
      && strcmp (p->env[2], "FOO=bar") == 0, "-e replaces PATH, keeps TERM, adds FOO");
  ok (strcmp (p->cwd, "/work") == 0 && p->user.uid == 1000 && p->user.gid == 100, "cwd and user");
  is_str (cfg->root->path, "/state/web/rootfs", "root.path");
  ok (!cfg->root->readonly, "root writable (the overlay takes the writes)");
  is_str (cfg->hostname, "web", "hostname defaults to the name");
  ok (!has_namespace (cfg, OCI_NS_NETWORK) && has_namespace (cfg, OCI_NS_PID)
      && has_namespace (cfg, OCI_NS_MOUNT), "--network host drops the network namespace only");
  ok (cfg->linux_->resources->memory->limit == 50 << 20 && cfg->linux_->resources->cpu->quota == 25000
      && cfg->linux_->resources->cpu->period == SILO_QUICKRUN_CPU_PERIOD
      && cfg->linux_->resources->pids->limit == 10 && cfg->linux_->resources->n_devices == 1,
      "limits, with spec's device rule kept");
  oci_mount *m = &cfg->mounts[cfg->n_mounts - 2];
  ok (strcmp (m->destination, "/data") == 0 && strcmp (m->source, "/srv/data") == 0 && m->n_options == 2
      && strcmp (m->options[1], "rro") == 0, "-v SRC:DST:ro is a recursive read-only bind");
  m = &cfg->mounts[cfg->n_mounts - 1];
  ok (strcmp (m->destination, "/scratch") == 0 && m->n_options == 1, "-v SRC:DST is a writable bind");
  oci_config_free (cfg);

  struct silo_quickrun_options plain = { .rootfs = "/r", .read_only = true, .tty = true };
  cfg = synthesize (&plain, NULL, &err);
  ok (cfg != NULL && cfg->root->readonly && cfg->process->terminal && has_namespace (cfg, OCI_NS_NETWORK)
      && strcmp (cfg->process->args[0], "sh") == 0 && strcmp (cfg->hostname, "silo") == 0
      && cfg->linux_->resources->memory == NULL, "no flags: spec's config, --read-only and -t applied");
  oci_config_free (cfg);
}

static void
test_config_errors (void)
{
  const struct { struct silo_quickrun_options q; const char *message; } cases[] = {
    { { .env = (char *[]) { (char *) "NOEQUALS", NULL } }, "--env `NOEQUALS`: give KEY=VALUE" },
    { { .env = (char *[]) { (char *) "=v", NULL } }, "--env `=v`: give KEY=VALUE" },
    { { .volumes = (char *[]) { (char *) "/a", NULL } }, "--volume `/a`: give SRC:DST[:ro]" },
    { { .volumes = (char *[]) { (char *) "rel:/b", NULL } }, "--volume `rel:/b`: give SRC:DST[:ro]" },
    { { .volumes = (char *[]) { (char *) "/a:/b:rx", NULL } }, "--volume `/a:/b:rx`: unknown mode `rx`" },
    { { .user = "web" }, "--user: uid `web` is not a number" },
    { { .user = "1:grp" }, "--user: gid `grp` is not a number" },
    { { .network = "bridge" }, "--network `bridge`: use none or host" },
    { { .cwd = "work" }, "--workdir `work`: must be an absolute path" },
    { { .hostname = "" }, "--hostname ``: 1 to 64 bytes" },
  };

  for (size_t i = 0; i < SILO_ARRAY_SIZE (cases); i++)
    {
      _cleanup_error_ struct silo_error *err = NULL;
      oci_config *cfg = synthesize (&cases[i].q, "web", &err);
      ok (cfg == NULL && err != NULL && strncmp (err->msg, cases[i].message, strlen (cases[i].message)) == 0,
          "refused: %s (got: %s)", cases[i].message, err != NULL ? err->msg : "accepted");
      oci_config_free (cfg);
    }
}

/* A tree as a container could leave in its upper layer: deeper than the fd limit, with a
 * symlink to a directory outside; only the tree goes.  */
static void
test_remove_tree (void)
{
  char dir[] = "/tmp/silo-quickrun-test.XXXXXX";
  _cleanup_error_ struct silo_error *err = NULL;
  _cleanup_close_ int top = -1, cur = -1;
  struct stat st;

  if (mkdtemp (dir) == NULL || (top = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
    {
      ok (false, "make %s", dir);
      return;
    }
  mkdirat (top, "outside", 0700);
  close (openat (top, "outside/keep", O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
  mkdirat (top, "upper", 0700);
  cur = openat (top, "upper", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  for (int depth = 0; depth < 2000 && cur >= 0; depth++)
    {
      int next;
      symlinkat ("../../../../outside", cur, "link");
      close (openat (cur, "file", O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
      mkdirat (cur, "d", 0700);
      next = openat (cur, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      close (cur);
      cur = next;
    }
  ok (silo_remove_tree_at (top, "upper", &err) == 0, "a tree 2000 deep is removed: %s", err ? err->msg : "ok");
  ok (fstatat (top, "upper", &st, AT_SYMLINK_NOFOLLOW) < 0, "nothing of it is left");
  ok (fstatat (top, "outside/keep", &st, 0) == 0, "the symlinks' target is untouched");
  ok (silo_remove_tree_at (top, "upper", NULL) == 0, "a missing tree is no error");
  symlinkat ("outside", top, "alias");
  ok (silo_remove_tree_at (top, "alias", NULL) == 0 && fstatat (top, "outside/keep", &st, 0) == 0
      && fstatat (top, "alias", &st, AT_SYMLINK_NOFOLLOW) < 0, "a symlink is removed, not followed");
  silo_remove_tree_at (top, "outside", NULL);
  rmdir (dir);
}

int
main (void)
{
  test_cpus ();
  test_cpu_percent_and_count ();
  test_quick_option ();
  test_names ();
  test_config ();
  test_config_errors ();
  test_remove_tree ();
  return tap_done ();
}
