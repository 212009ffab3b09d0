/* Unit tests for the cgroup commands' pure parts: `update` sizes and flags (-r first,
 * flags on top), Go durations for `events --interval`, `ps` output filtering, and the
 * fold of an update into the stored linux.resources.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/cmd/cmd.h"
#include "oci.h"
#include "resources-merge.h"
#include "tap.h"
#include "util.h"

static void
test_sizes (void)
{
  static const struct { const char *text; int64_t bytes; } good[] = {
    { "0", 0 }, { "1024", 1024 }, { "1k", 1024 }, { "1K", 1024 }, { "1kb", 1024 },
    { "1KiB", 1024 }, { "512m", 536870912 }, { "1.5g", 1610612736 }, { "100 kb", 102400 },
    { "2T", 2199023255552LL }, { "1p", 1125899906842624LL }, { "1.5", 1 }, { "10b", 10 },
    { "7i", 7 }, { "0.5k", 512 }, { "9223372036854775807", INT64_MAX },
  };
  static const char *const bad[] = {
    "", "abc", "1x", "-5", "1.2.3", "1kk", "k", ".5k", "1.k", "1  k", "1k ", "8192p",
    "99999999999999999999", "1e3",
  };
  _cleanup_error_ struct silo_error *err = NULL;

  for (size_t i = 0; i < SILO_ARRAY_SIZE (good); i++)
    {
      int64_t bytes = -2;
      ok (silo_cmd_parse_size ("memory", good[i].text, &bytes, NULL) == 0 && bytes == good[i].bytes,
          "size `%s` is %" PRId64 " (got %" PRId64 ")", good[i].text, good[i].bytes, bytes);
    }
  for (size_t i = 0; i < SILO_ARRAY_SIZE (bad); i++)
    {
      int64_t bytes;
      ok (silo_cmd_parse_size ("memory", bad[i], &bytes, NULL) < 0, "size `%s` is refused", bad[i]);
    }
  silo_cmd_parse_size ("memory-swap", "1x", &(int64_t) { 0 }, &err);
  is_str (err->msg, "--memory-swap: invalid size `1x`: use bytes, or a number with a k, m, g, t "
          "or p suffix (1024-based)", "its message");
}

static void
test_durations (void)
{
  static const struct { const char *text; unsigned ms; } good[] = {
    { "5s", 5000 }, { "100ms", 100 }, { "1m", 60000 }, { "1m30s", 90000 }, { "1.5h", 5400000 },
    { "250us", 1 }, { "1ns", 1 }, { ".5s", 500 }, { "2.s", 2000 }, { "+1s", 1000 },
    { "1500000us", 1500 }, { "0.1s", 100 }, { "1\u00b5s", 1 }, { "1h1m1s1ms", 3661001 },
  };
  static const char *const bad[] = { "", "0", "-1s", "5", "1d", "s", ".s", "1.5", "1 s", "0s", "5S" };
  _cleanup_error_ struct silo_error *err = NULL;

  for (size_t i = 0; i < SILO_ARRAY_SIZE (good); i++)
    {
      unsigned ms = 0;
      ok (silo_cmd_parse_duration_ms ("interval", good[i].text, &ms, NULL) == 0 && ms == good[i].ms,
          "duration `%s` is %u ms (got %u)", good[i].text, good[i].ms, ms);
    }
  for (size_t i = 0; i < SILO_ARRAY_SIZE (bad); i++)
    {
      unsigned ms;
      ok (silo_cmd_parse_duration_ms ("interval", bad[i], &ms, NULL) < 0, "duration `%s` is refused",
          bad[i]);
    }
  silo_cmd_parse_duration_ms ("interval", "-2s", &(unsigned) { 0 }, &err);
  is_str (err->msg, "--interval: `-2s`: the duration must be greater than 0", "its message");
}

/* Parse an update command line; *msg gets the error text.  */
static oci_resources *
update (char **msg, const char *expected_id, const char **argv)
{
  _cleanup_error_ struct silo_error *err = NULL;
  oci_resources *r = NULL;
  char *id = NULL;
  int argc = 0;

  while (argv[argc] != NULL)
    argc++;
  *msg = NULL;
  if (silo_cmd_update_parse (argc, (char **) argv, &r, &id, &err) < 0)
    *msg = xstrdup (err->msg);
  else if (expected_id != NULL && (id == NULL || strcmp (id, expected_id) != 0))
    *msg = xstrdup ("wrong id");
  return r;
}

static void
test_update_flags (void)
{
  char *msg;
  oci_resources *r;

  r = update (&msg, "ctr", (const char *[]) {
    "update", "--memory", "512m", "--memory-reservation=1g", "--memory-swap", "-1",
    "--cpu-share", "512", "--cpu-quota", "-1", "--cpu-period", "100000", "--cpu-burst", "10",
    "--cpu-idle", "1", "--cpu-rt-runtime", "950", "--cpu-rt-period", "1000",
    "--cpuset-cpus", "0-1", "--cpuset-mems", "0", "--pids-limit", "100", "--blkio-weight", "500",
    "ctr", NULL });
  ok (r != NULL && msg == NULL, "every flag parses: %s", msg ? msg : "ok");
  ok (r && r->memory && r->memory->has_limit && r->memory->limit == 536870912
      && r->memory->reservation == 1073741824 && r->memory->has_swap && r->memory->swap == -1
      && !r->memory->has_kernel, "memory flags");
  ok (r && r->cpu && r->cpu->shares == 512 && r->cpu->has_quota && r->cpu->quota == -1
      && r->cpu->period == 100000 && r->cpu->burst == 10 && r->cpu->idle == 1
      && r->cpu->realtime_runtime == 950 && r->cpu->realtime_period == 1000
      && strcmp (r->cpu->cpus, "0-1") == 0 && strcmp (r->cpu->mems, "0") == 0, "cpu flags");
  ok (r && r->pids && r->pids->limit == 100 && r->block_io && r->block_io->weight == 500,
      "pids and blkio flags");
  oci_resources_free (r);

  r = update (&msg, "c", (const char *[]) { "update", "--pids-limit", "0", "--blkio-weight=0",
                                             "--memory=", "--kernel-memory", "1m", "c", NULL });
  ok (r != NULL && msg == NULL && r->pids == NULL && r->block_io == NULL && r->memory == NULL,
      "0 pids/blkio, an empty value and --kernel-memory change nothing");
  oci_resources_free (r);

  static const struct { const char *flag, *value, *msg; } bad[] = {
    { "--memory", "1x", NULL },
    { "--cpu-share", "-1", "--cpu-share: `-1` is not a number from 0 to 18446744073709551615" },
    { "--cpu-quota", "1.5", "--cpu-quota: `1.5` is not an integer" },
    { "--cpu-period", "99999999999999999999", NULL },
    { "--blkio-weight", "5", "--blkio-weight: `5` is out of range (10 to 1000)" },
    { "--pids-limit", "many", NULL },
  };
  for (size_t i = 0; i < SILO_ARRAY_SIZE (bad); i++)
    {
      r = update (&msg, NULL, (const char *[]) { "update", bad[i].flag, bad[i].value, "c", NULL });
      ok (r == NULL && msg != NULL, "%s %s is refused", bad[i].flag, bad[i].value);
      if (bad[i].msg != NULL)
        is_str (msg, bad[i].msg, "its message");
      free (msg);
    }
  r = update (&msg, NULL, (const char *[]) { "update", "c", NULL });
  ok (r != NULL && r->memory == NULL && r->cpu == NULL, "no flag: nothing to change");
  oci_resources_free (r);
}

/* -h after the id is the help, as before it (found by tests/fuzz/cli.c: the parse of the
 * options after the id read its unset results on -h).  The help goes to /dev/null.  */
static void
test_update_help_after_id (void)
{
  const char *argv[] = { "update", "c", "--memory", "1m", "-h", NULL };
  _cleanup_error_ struct silo_error *err = NULL;
  oci_resources *r = NULL;
  char *id = NULL;
  int saved = dup (STDOUT_FILENO), null = open ("/dev/null", O_WRONLY | O_CLOEXEC), ret;

  fflush (stdout);
  dup2 (null, STDOUT_FILENO);
  ret = silo_cmd_update_parse (5, (char **) argv, &r, &id, &err);
  fflush (stdout);
  dup2 (saved, STDOUT_FILENO);
  close (saved);
  close (null);
  ok (ret == 1 && r == NULL && err == NULL, "update ID -h prints the help (got %d)", ret);
}

static void
test_update_resources_file (void)
{
  char path[] = "/tmp/silo-update-XXXXXX";
  const char *json = "{\"memory\":{\"limit\":1000,\"reservation\":7},\"cpu\":{\"shares\":2},"
                     "\"unified\":{\"memory.high\":\"max\"}}";
  int fd = mkstemp (path);
  char *msg;
  oci_resources *r;

  ok (fd >= 0 && write_all (fd, json, strlen (json)) == 0, "write a resources file");
  close (fd);
  r = update (&msg, "c", (const char *[]) { "update", "--memory", "2k", "-r", path, "c", NULL });
  ok (r != NULL && msg == NULL, "-r FILE parses: %s", msg ? msg : "ok");
  ok (r && r->memory->limit == 2048 && r->memory->reservation == 7 && r->cpu->shares == 2
      && r->has_unified && r->unified.len == 1, "a flag overrides -r, the rest of -r stays");
  oci_resources_free (r);
  unlink (path);
  r = update (&msg, NULL, (const char *[]) { "update", "--resources", path, "c", NULL });
  ok (r == NULL && msg != NULL && strstr (msg, path) != NULL, "a missing -r file: %s", msg);
  free (msg);
}

static void
test_ps_filter (void)
{
  static const char output[] =
    "UID          PID    PPID  C STIME TTY          TIME CMD\n"
    "root           1       0  0 10:00 ?        00:00:01 /sbin/init\n"
    "\n"
    "root          42       1  0 10:00 ?        00:00:00 sleep 100\n"
    "root          43      42  0 10:00 pts/0    00:00:00 sh -c 1 42\n";
  const int pids[] = { 43, 42 };
  _cleanup_error_ struct silo_error *err = NULL;
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&text, &len);

  ok (silo_cmd_ps_filter (output, pids, 2, f, NULL) == 0, "ps -ef output filters");
  fclose (f);
  is_str (text,
          "UID          PID    PPID  C STIME TTY          TIME CMD\n"
          "root          42       1  0 10:00 ?        00:00:00 sleep 100\n"
          "root          43      42  0 10:00 pts/0    00:00:00 sh -c 1 42\n",
          "header and the container's lines only");
  free (text);

  f = open_memstream (&text, &len);
  ok (silo_cmd_ps_filter ("USER PID %CPU\nroot 7 0.0\nroot 8 0.0", (const int[]) { 8 }, 1, f, NULL)
      == 0, "PID found in any column, last line without newline");
  fclose (f);
  is_str (text, "USER PID %CPU\nroot 8 0.0\n", "ps aux style");
  free (text);

  f = open_memstream (&text, &len);
  ok (silo_cmd_ps_filter ("USER COMMAND\nroot sh\n", pids, 2, f, &err) < 0, "no PID column");
  ok (silo_cmd_ps_filter ("PID CMD\nx sh\n", pids, 2, f, NULL) < 0, "a line without a pid");
  fclose (f);
  free (text);
}

static oci_resources *
resources (const char *json)
{
  _cleanup_error_ struct silo_error *err = NULL;
  oci_resources *r = NULL;

  if (oci_resources_parse (json, strlen (json), &r, &err) < 0)
    ok (false, "parse %s: %s", json, err->msg);
  return r;
}

static void
test_merge (void)
{
  oci_resources *into = resources (
    "{\"memory\":{\"limit\":100,\"swap\":200},\"cpu\":{\"cpus\":\"0\",\"shares\":5},"
    "\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":1},{\"pageSize\":\"1GB\",\"limit\":2}],"
    "\"blockIO\":{\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":10}]},"
    "\"unified\":{\"a\":\"1\"},\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]}");
  oci_resources *from = resources (
    "{\"memory\":{\"limit\":300},\"cpu\":{\"cpus\":\"1-2\"},\"pids\":{\"limit\":9},"
    "\"hugepageLimits\":[{\"pageSize\":\"1GB\",\"limit\":3},{\"pageSize\":\"64KB\",\"limit\":4}],"
    "\"blockIO\":{\"weight\":100,\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":20},"
    "{\"major\":8,\"minor\":16,\"rate\":30}]},\"rdma\":{\"mlx5_1\":{\"hcaHandles\":3}},"
    "\"network\":{\"classID\":7,\"priorities\":[{\"name\":\"eth0\",\"priority\":1}]},"
    "\"unified\":{\"a\":\"2\",\"b\":\"3\"},\"devices\":[{\"allow\":true,\"access\":\"r\"}]}");
  oci_resources empty = { 0 };

  if (into == NULL || from == NULL)
    return;
  silo_resources_merge (into, from);
  ok (into->memory->limit == 300 && into->memory->has_swap && into->memory->swap == 200,
      "memory: the given value replaced, the other kept");
  ok (strcmp (into->cpu->cpus, "1-2") == 0 && into->cpu->shares == 5, "cpu");
  ok (into->pids != NULL && into->pids->has_limit && into->pids->limit == 9, "pids made");
  ok (into->n_hugepage_limits == 3 && into->hugepage_limits[0].limit == 1
      && into->hugepage_limits[1].limit == 3
      && strcmp (into->hugepage_limits[2].page_size, "64KB") == 0, "hugepages merged by size");
  ok (into->block_io->weight == 100 && into->block_io->n_throttle_read_bps == 2
      && into->block_io->throttle_read_bps[0].rate == 20
      && into->block_io->throttle_read_bps[1].minor == 16, "block IO merged by device");
  ok (into->n_rdma == 1 && strcmp (into->rdma[0].device, "mlx5_1") == 0, "rdma");
  ok (into->network && into->network->class_id == 7 && into->network->n_priorities == 1, "network");
  ok (into->unified.len == 2 && strcmp (into->unified.values[0], "2") == 0
      && strcmp (into->unified.keys[1], "b") == 0 && into->unified.keys[2] == NULL, "unified");
  ok (into->n_devices == 1 && into->devices[0].allow && strcmp (into->devices[0].access, "r") == 0,
      "devices: the update's rules replace the list");
  silo_resources_merge (into, &empty);
  ok (into->memory->limit == 300 && into->n_hugepage_limits == 3 && into->n_devices == 1,
      "an empty update changes nothing");
  oci_resources_free (from);
  oci_resources_free (into);
}

int
main (void)
{
  test_sizes ();
  test_durations ();
  test_update_flags ();
  test_update_help_after_id ();
  test_update_resources_file ();
  test_ps_filter ();
  test_merge ();
  return tap_done ();
}
