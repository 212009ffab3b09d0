/* Live tests of linux.resources on this kernel's real hierarchies (root only; skipped
 * otherwise): every row of tests/cgroup-resources.tsv this host can hold is created and
 * read back; the layout refusals (net_cls, rdma, a huge page size the host lacks, unified
 * keys of v1 controllers); `update` in the order the kernel needs (memory and memsw raised
 * and lowered), checkBeforeUpdate and a kernel refusal naming field and file; freezing on
 * v1 and on cgroup2; refusal of a frozen leaf; statistics (the JSON parses, the keys are
 * there) and the OOM kill count; hugetlb enabled in cgroup2 by an update; and the eBPF
 * device filter on a cgroup2 test cgroup, a process in it denied by it.
 *
 * Block I/O rows use a loop device over an unlinked 16 MiB file, switched to the bfq
 * scheduler (per-device weights need it) and back.  Everything made is named
 * silo-unit-res-<pid>[-suffix]; the end of main kills what it started, thaws and removes
 * those cgroups (cgroup-fixture.h), then restores cgroup2's subtree_control and detaches
 * the loop device.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/loop.h>

#include "cgroup-fixture.h"
#include "cgroup/cgroup-internal.h"
#include "cgroup-tsv.h"
#include "json.h"
#include "oci.h"
#include "tap.h"
#include "util.h"

static struct fixture fixture;
static const char *unified_root;          /* cgroup2 mount point, or NULL */
static char *unified_available;           /* its cgroup.controllers */
static bool hugetlb_was_enabled;

static struct
{
  int fd;
  unsigned major, minor, number;
  char scheduler[32];   /* the one to restore */
  bool bfq;
} loop = { .fd = -1 };

/* ---- helpers ------------------------------------------------------------------------------ */

/* The whole text (less its newline) or one of its lines is `want`.  */
static bool
has_line (const char *text, const char *want)
{
  size_t len = strlen (want);

  for (const char *line = text; line != NULL && *line != '\0';)
    {
      if (strncmp (line, want, len) == 0 && (line[len] == '\n' || line[len] == '\0'))
        return true;
      line = strchr (line, '\n');
      line = line != NULL ? line + 1 : NULL;
    }
  return false;
}

/* silo_cgroup_create for <fixture id>-<suffix> with linux.resources from JSON ("" or NULL:
 * none).  */
static int
create (const char *suffix, const char *json, struct silo_cgroup **cg, struct silo_error **err)
{
  _cleanup_free_ char *id = xasprintf ("%s-%s", fixture.id, suffix);
  oci_resources *r = NULL;
  oci_linux l;
  oci_config c;
  int ret;

  memset (&c, 0, sizeof (c));
  memset (&l, 0, sizeof (l));
  c.linux_ = &l;
  if (json != NULL && json[0] != '\0' && oci_resources_parse (json, strlen (json), &r, err) < 0)
    return -1;
  l.resources = r;
  ret = silo_cgroup_validate (&c, err) < 0 ? -1 : silo_cgroup_create (id, &c, cg, err);
  oci_resources_free (r);
  return ret;
}

static int
update (const struct silo_cgroup *cg, const char *json, struct silo_error **err)
{
  oci_resources *r = NULL;
  int ret;

  if (oci_resources_parse (json, strlen (json), &r, err) < 0)
    return -1;
  ret = silo_cgroup_update (cg, r, err);
  oci_resources_free (r);
  return ret;
}

static void
destroy (struct silo_cgroup *cg)
{
  struct silo_error *err = NULL;

  if (cg == NULL)
    return;
  if (silo_cgroup_destroy (cg, &err) < 0)
    printf ("#   destroy: %s\n", err->msg);
  silo_error_free (err);
  silo_cgroup_free (cg);
}

/* The container's directory of the hierarchy holding controller (v1 name), or cgroup2's. */
static const char *
hierarchy_path (const struct silo_cgroup *cg, const char *controller, enum cgroup_version v)
{
  if (v == CGROUP_V2)
    return cg->unified != NULL ? cg->unified->path : NULL;
  for (size_t i = 0; i < cg->n_hierarchies; i++)
    if (cg->hierarchies[i].driver->version == CGROUP_V1
        && cgroup_has_controller (cg->hierarchies[i].controllers, controller))
      return cg->hierarchies[i].path;
  return NULL;
}

static bool
v1_mounted (const char *controller)
{
  for (size_t i = 0; i < fixture.n_mounts; i++)
    if (fixture.mounts[i].version == CGROUP_V1 && cgroup_has_controller (fixture.mounts[i].controllers, controller))
      return true;
  return false;
}

enum child_mode { CHILD_SLEEP, CHILD_MLOCK, CHILD_COUNT, CHILD_HOG };

/* A child that waits for a byte on go (sent once it is in the cgroup), then does its part
 * and reports a byte.  */
static _Noreturn void
child_main (enum child_mode mode, int go, int report, volatile uint64_t *counter)
{
  char c = 'x';

  if (read (go, &c, 1) != 1)
    _exit (1);
  if (mode == CHILD_MLOCK)
    {
      size_t size = 8 << 20;
      char *p = mmap (NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p == MAP_FAILED || mlock (p, size) < 0)
        _exit (2);
      memset (p, 1, size);
    }
  if (mode == CHILD_HOG)
    for (size_t i = 0; i < 512; i++)
      {
        char *p = mmap (NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p != MAP_FAILED)
          memset (p, 1, 1 << 20);
      }
  if (write (report, &c, 1) != 1)
    _exit (3);
  for (;;)
    if (mode == CHILD_COUNT)
      (*counter)++;
    else
      pause ();
}

/* Fork a child into cg; returns its pid once it reported (or died: *died).  */
static pid_t
spawn_in (struct silo_cgroup *cg, enum child_mode mode, volatile uint64_t *counter, bool *died)
{
  int go[2], report[2];
  struct silo_error *err = NULL;
  pid_t pid;
  char c = 'g';

  if (pipe2 (go, O_CLOEXEC) < 0 || pipe2 (report, O_CLOEXEC) < 0)
    return -1;
  fflush (stdout);
  pid = fork ();
  if (pid == 0)
    child_main (mode, go[0], report[1], counter);
  fixture_track (&fixture, pid);
  close (go[0]);
  close (report[1]);
  if (pid > 0 && silo_cgroup_enter (cg, pid, false, &err) < 0)
    printf ("#   enter: %s\n", err->msg);
  silo_error_free (err);
  if (write (go[1], &c, 1) != 1 || read (report[0], &c, 1) != 1)
    *died = true;
  close (go[1]);
  close (report[0]);
  return pid;
}

static void
stop_child (pid_t pid)
{
  if (pid <= 0)
    return;
  kill (pid, SIGKILL);
  waitpid (pid, NULL, 0);
}

/* ---- the loop device ---------------------------------------------------------------------- */

static void
loop_scheduler_restore (void)
{
  if (loop.bfq)
    {
      _cleanup_free_ char *path = xasprintf ("/sys/block/loop%u/queue/scheduler", loop.number);
      fixture_write_text (path, loop.scheduler);
    }
}

/* A loop device over an unlinked file: nothing is left in /tmp even if the test dies, and
 * autoclear detaches the device when its last fd closes.  */
static void
loop_setup (void)
{
  _cleanup_close_ int control = open ("/dev/loop-control", O_RDWR | O_CLOEXEC);
  _cleanup_free_ char *backing = xasprintf ("/tmp/%s.img", fixture.id), *scheduler = NULL, *path = NULL;
  _cleanup_close_ int file = open (backing, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  struct loop_info64 info = { .lo_flags = LO_FLAGS_AUTOCLEAR };
  struct stat st;

  if (file >= 0)
    unlink (backing);
  if (control < 0 || file < 0 || ftruncate (file, 16 << 20) < 0)
    return;
  for (int tries = 0; tries < 5 && loop.fd < 0; tries++)
    {
      long n = ioctl (control, LOOP_CTL_GET_FREE);
      _cleanup_free_ char *dev = xasprintf ("/dev/loop%ld", n);
      int fd = n >= 0 ? open (dev, O_RDWR | O_CLOEXEC) : -1;
      if (fd >= 0 && ioctl (fd, LOOP_SET_FD, file) == 0 && ioctl (fd, LOOP_SET_STATUS64, &info) == 0)
        loop.fd = fd, loop.number = (unsigned) n;
      else if (fd >= 0)
        close (fd);
    }
  if (loop.fd < 0 || fstat (loop.fd, &st) < 0)
    return;
  loop.major = major (st.st_rdev);
  loop.minor = minor (st.st_rdev);
  path = xasprintf ("/sys/block/loop%u/queue/scheduler", loop.number);
  if (read_file_at (AT_FDCWD, path, &scheduler, NULL, NULL) == 0 && strchr (scheduler, '[') != NULL)
    {
      sscanf (strchr (scheduler, '[') + 1, "%31[^]]", loop.scheduler);
      loop.bfq = write_file_at (AT_FDCWD, path, "bfq", 3, NULL) == 0;
    }
}

static void
loop_teardown (void)
{
  if (loop.fd < 0)
    return;
  loop_scheduler_restore ();
  ioctl (loop.fd, LOOP_CLR_FD, 0);
  silo_closep (&loop.fd);
}

/* ---- the table, live ---------------------------------------------------------------------- */

/* NULL when this host can take the row (its controller in the row's layout, the device
 * and scheduler it needs), else why not: the row is then skipped with that reason.  */
static char *
row_unavailable (const struct tsv_row *row)
{
  _cleanup_free_ char *controller = xasprintf ("%.*s", (int) strcspn (row->file, "."), row->file);

  if (strstr (row->file, "bfq") != NULL && !loop.bfq)
    return xstrdup ("no bfq I/O scheduler here (the only one with weights since Linux 5.0)");
  if ((strstr (row->json, "Device") != NULL) && loop.fd < 0)
    return xstrdup ("no loop device to point the rule at");
  if (strcmp (row->layout, "v1") == 0)
    return v1_mounted (controller) ? NULL : xasprintf ("no v1 %s hierarchy here", controller);
  if (unified_root != NULL && (strcmp (controller, "cgroup") == 0 || cgroup_list_has (unified_available, controller)))
    return NULL;
  return xasprintf ("cgroup2 here has no %s controller", controller);
}

static void
check_live_row (const struct tsv_row *row, size_t *checked)
{
  enum cgroup_version v = strcmp (row->layout, "v1") == 0 ? CGROUP_V1 : CGROUP_V2;
  _cleanup_free_ char *suffix = xasprintf ("row%u", row->line), *controller = NULL, *text = NULL;
  struct silo_cgroup *cg = NULL;
  struct silo_error *err = NULL;
  const char *dir;

  _cleanup_free_ char *why = row_unavailable (row);

  if (why != NULL)
    {
      skip ("line %u: %s %s: %s", row->line, row->layout, row->key, why);
      return;
    }
  (*checked)++;
  controller = xasprintf ("%.*s", (int) strcspn (row->file, "."), row->file);
  if (create (suffix, row->json, &cg, &err) < 0)
    {
      ok (false, "line %u: %s %s: create: %s", row->line, row->layout, row->key, err->msg);
      silo_error_free (err);
      return;
    }
  dir = hierarchy_path (cg, controller, v);
  text = dir != NULL ? fixture_read_text (dir, row->file) : NULL;
  ok (text != NULL && has_line (text, row->expected), "line %u: %s %s: %s reads `%s`", row->line, row->layout,
      row->key, row->file, row->expected);
  if (text != NULL && !has_line (text, row->expected))
    printf ("#   got: %s", text);
  destroy (cg);
}

static void
test_table_live (void)
{
  size_t n = 0, checked = 0;
  struct tsv_row *rows = tsv_read (loop.major, loop.minor, &n);

  ok (rows != NULL, "tests/cgroup-resources.tsv read");
  for (size_t i = 0; i < n; i++)
    check_live_row (&rows[i], &checked);
  ok (checked >= 20, "%zu of %zu rows checked on this host (loop device: %s, bfq: %s)", checked, n,
      loop.fd >= 0 ? "yes" : "no", loop.bfq ? "yes" : "no");
  tsv_rows_free (rows, n);
}

/* ---- refusals ------------------------------------------------------------------------------ */

static void
check_refused (const char *suffix, const char *json, const char *want)
{
  _cleanup_free_ char *id = xasprintf ("%s-%s", fixture.id, suffix);
  struct silo_cgroup *cg = NULL;
  struct silo_error *err = NULL;

  ok (create (suffix, json, &cg, &err) < 0 && err != NULL && strstr (err->msg, want) != NULL,
      "%s refused: %s", suffix, err != NULL ? err->msg : "accepted");
  ok (!fixture_left_anywhere (&fixture, id), "%s: nothing left behind", suffix);
  if (cg != NULL)
    destroy (cg);
  silo_error_free (err);
}

static void
test_refusals (void)
{
  if (!v1_mounted ("net_cls"))
    check_refused ("classid", "{\"network\":{\"classID\":1048577}}",
                   "linux.resources.network.classID: needs the cgroup v1 net_cls controller");
  if (!v1_mounted ("rdma") && !cgroup_list_has (unified_available, "rdma"))
    check_refused ("rdma", "{\"rdma\":{\"mlx5_1\":{\"hcaHandles\":3}}}", "linux.resources.rdma: this host has no "
                   "rdma cgroup controller");
  if (v1_mounted ("memory"))
    {
      check_refused ("hierarchy", "{\"memory\":{\"useHierarchy\":false}}",
                     "linux.resources.memory.useHierarchy: write 0 to memory.use_hierarchy: Invalid argument "
                     "(memory cgroups are always hierarchical");
      if (unified_root != NULL)
        check_refused ("unified-memory", "{\"unified\":{\"memory.high\":\"1048576\"}}",
                       "linux.resources.unified.memory.high: the memory controller is not in cgroup2");
    }
  if (cgroup_list_has (unified_available, "hugetlb") || v1_mounted ("hugetlb"))
    check_refused ("pagesize", "{\"hugepageLimits\":[{\"pageSize\":\"64KB\",\"limit\":0}]}",
                   "linux.resources.hugepageLimits[0]: write 0 to hugetlb.64KB.");
  check_refused ("leaf", "{\"blockIO\":{\"leafWeight\":100}}", "linux.resources.blockIO.leafWeight: not supported");
}

/* ---- update ------------------------------------------------------------------------------- */

static void
check_memory (const struct silo_cgroup *cg, const char *limit, const char *memsw, const char *label)
{
  const char *dir = hierarchy_path (cg, "memory", CGROUP_V1);
  _cleanup_free_ char *l = dir != NULL ? fixture_read_text (dir, "memory.limit_in_bytes") : NULL;
  _cleanup_free_ char *s = dir != NULL ? fixture_read_text (dir, "memory.memsw.limit_in_bytes") : NULL;

  ok (l != NULL && s != NULL && has_line (l, limit) && has_line (s, memsw), "%s: limit %s, memsw %s", label,
      limit, memsw);
}

static void
check_update (const struct silo_cgroup *cg, const char *json, const char *want_error, const char *label)
{
  struct silo_error *err = NULL;
  int r = update (cg, json, &err);

  if (want_error == NULL)
    ok (r == 0, "%s: updated%s%s", label, err ? ": " : "", err ? err->msg : "");
  else
    ok (r < 0 && err != NULL && strstr (err->msg, want_error) != NULL, "%s: refused (%s)", label,
        err != NULL ? err->msg : "accepted");
  silo_error_free (err);
}

static void
test_memory_update (void)
{
  struct silo_cgroup *cg = NULL;
  struct silo_error *err = NULL;
  bool died = false;
  pid_t pid;

  if (!v1_mounted ("memory"))
    return;
  ok (create ("memory", "{\"memory\":{\"limit\":67108864,\"swap\":134217728}}", &cg, &err) == 0, "memory created%s%s",
      err ? ": " : "", err ? err->msg : "");
  if (cg == NULL)
    return;
  check_memory (cg, "67108864", "134217728", "created");
  check_update (cg, "{\"memory\":{\"limit\":268435456,\"swap\":536870912}}", NULL, "raise both (memsw first)");
  check_memory (cg, "268435456", "536870912", "raised");
  check_update (cg, "{\"memory\":{\"limit\":33554432,\"swap\":50331648}}", NULL, "lower both (limit first)");
  check_memory (cg, "33554432", "50331648", "lowered");
  check_update (cg, "{\"memory\":{\"limit\":1073741824}}", "linux.resources.memory.limit: write 1073741824 to "
                "memory.limit_in_bytes: Invalid argument", "limit alone above memsw");
  check_update (cg, "{\"memory\":{\"limit\":-1,\"swap\":-1}}", NULL, "unlimit both");
  check_memory (cg, "9223372036854771712", "9223372036854771712", "unlimited");
  pid = spawn_in (cg, CHILD_MLOCK, NULL, &died);
  ok (!died, "a child with 8 MiB locked runs in it");
  check_update (cg, "{\"memory\":{\"limit\":1048576,\"checkBeforeUpdate\":true}}",
                "is below the current usage", "checkBeforeUpdate refuses a limit below the usage");
  check_update (cg, "{\"memory\":{\"limit\":1048576}}", "linux.resources.memory.limit: write 1048576 to "
                "memory.limit_in_bytes: Device or resource busy", "the kernel refuses it: field and file named");
  stop_child (pid);
  destroy (cg);
}

static void
test_cpu_update (void)
{
  struct silo_cgroup *cg = NULL;
  struct silo_error *err = NULL;
  const char *dir;
  _cleanup_free_ char *quota = NULL, *period = NULL, *shares = NULL;

  if (!v1_mounted ("cpu") || create ("cpu", "{\"cpu\":{\"shares\":512,\"quota\":50000,\"period\":100000}}", &cg, &err) < 0)
    {
      silo_error_free (err);
      return;
    }
  check_update (cg, "{\"cpu\":{\"quota\":5000,\"period\":10000}}", NULL, "cpu period and quota lowered");
  dir = hierarchy_path (cg, "cpu", CGROUP_V1);
  quota = fixture_read_text (dir, "cpu.cfs_quota_us");
  period = fixture_read_text (dir, "cpu.cfs_period_us");
  shares = fixture_read_text (dir, "cpu.shares");
  ok (quota != NULL && period != NULL && has_line (quota, "5000") && has_line (period, "10000"), "quota 5000 period 10000");
  ok (shares != NULL && has_line (shares, "512"), "an update leaves what it does not name (shares 512)");
  destroy (cg);
}

/* ---- freezing ------------------------------------------------------------------------------ */

static bool
counter_moves (volatile uint64_t *counter)
{
  uint64_t before = *counter;

  usleep (30000);
  return *counter != before;
}

/* The thawed child gets a CPU when the scheduler gives it one: on a loaded machine (CI runs
 * this beside two emulated guests) 30 ms may pass without its turn.  Up to 10 s of tries.  */
static bool
counter_resumes (volatile uint64_t *counter)
{
  for (int tries = 0; tries < 330; tries++)
    if (counter_moves (counter))
      return true;
  return false;
}

static void
check_freeze (struct silo_cgroup *cg, const struct cgroup_hierarchy *h, volatile uint64_t *counter, const char *label)
{
  struct silo_error *err = NULL;
  _cleanup_close_ int tmp = -1;
  int dir = cgroup_hierarchy_dir (h, &tmp, NULL);

  ok (dir >= 0 && h->driver->set_frozen (h, dir, true, &err) == 0, "%s: frozen%s%s", label, err ? ": " : "",
      err ? err->msg : "");
  ok (h->driver->is_frozen (h, dir) == 1 && !counter_moves (counter), "%s: reads frozen, the child stopped", label);
  ok (h->driver->set_frozen (h, dir, true, &err) == 0, "%s: freezing twice is fine", label);
  ok (h->driver->set_frozen (h, dir, false, &err) == 0 && h->driver->is_frozen (h, dir) == 0, "%s: thawed", label);
  ok (counter_resumes (counter), "%s: the child runs again", label);
  silo_error_free (err);
  (void) cg;
}

static void
test_freeze (void)
{
  volatile uint64_t *counter = mmap (NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  struct silo_cgroup *cg = NULL;
  struct silo_error *err = NULL;
  bool died = false;
  pid_t pid;

  if (counter == MAP_FAILED || create ("freeze", NULL, &cg, &err) < 0)
    {
      ok (false, "freeze: create: %s", err != NULL ? err->msg : strerror (errno));
      silo_error_free (err);
      return;
    }
  pid = spawn_in (cg, CHILD_COUNT, counter, &died);
  ok (!died && counter_resumes (counter), "a counting child runs in the cgroup");
  ok (silo_cgroup_set_frozen (cg, true, &err) == 0 && silo_cgroup_is_frozen (cg), "silo_cgroup_set_frozen: paused");
  ok (!counter_moves (counter), "paused: the child does not count");
  ok (silo_cgroup_set_frozen (cg, false, &err) == 0 && !silo_cgroup_is_frozen (cg), "resumed");
  ok (counter_resumes (counter), "resumed: the child counts again");
  if (cg->freezer != NULL && cg->freezer->driver->version == CGROUP_V1)
    check_freeze (cg, cg->freezer, counter, "v1 freezer");
  if (cg->unified != NULL)
    check_freeze (cg, cg->unified, counter, "cgroup2 cgroup.freeze");
  silo_error_free (err);
  stop_child (pid);
  destroy (cg);
  munmap ((void *) counter, 4096);
}

/* A leaf someone left frozen: a container there would never start.  */
static void
check_frozen_leaf (const char *mount_point, const char *file, const char *value, const char *want)
{
  _cleanup_free_ char *id = xasprintf ("%s-frozen", fixture.id), *dir = xasprintf ("%s/%s", mount_point, id);
  _cleanup_free_ char *knob = xasprintf ("%s/%s", dir, file);
  struct silo_cgroup *cg = NULL;
  struct silo_error *err = NULL;

  if (mkdir (dir, 0755) < 0)
    return;
  fixture_write_text (knob, value);
  ok (create ("frozen", NULL, &cg, &err) < 0 && err != NULL && strstr (err->msg, want) != NULL,
      "frozen leaf refused: %s", err != NULL ? err->msg : "accepted");
  fixture_write_text (knob, strcmp (file, "freezer.state") == 0 ? "THAWED" : "0");
  rmdir (dir);
  ok (!fixture_left_anywhere (&fixture, id), "frozen leaf: nothing else left behind");
  silo_error_free (err);
  if (cg != NULL)
    destroy (cg);
}

static void
test_frozen_leaf (void)
{
  for (size_t i = 0; i < fixture.n_mounts; i++)
    if (fixture.mounts[i].version == CGROUP_V1 && cgroup_has_controller (fixture.mounts[i].controllers, "freezer"))
      check_frozen_leaf (fixture.mounts[i].mount_point, "freezer.state", "FROZEN", "is frozen (freezer.state)");
  if (unified_root != NULL)
    check_frozen_leaf (unified_root, "cgroup.freeze", "1", "is frozen (cgroup.freeze)");
}

/* ---- statistics ---------------------------------------------------------------------------- */

static const struct json_value *
json_path (const struct json_value *v, const char *a, const char *b, const char *c)
{
  const char *keys[] = { a, b, c };

  for (size_t i = 0; i < 3 && v != NULL && keys[i] != NULL; i++)
    v = v->type == JSON_OBJECT ? json_object_get (v, keys[i]) : NULL;
  return v;
}

static bool
json_number_is (const struct json_value *v, const char *text)
{
  return v != NULL && v->type == JSON_NUMBER && v->len == strlen (text) && memcmp (v->text, text, v->len) == 0;
}

static void
check_stats_json (const char *json)
{
  struct json_document *doc = NULL;
  struct silo_error *err = NULL;
  const struct json_value *root;

  ok (json_parse (json, strlen (json), true, &doc, &err) == 0, "stats JSON parses%s%s", err ? ": " : "",
      err ? err->msg : "");
  silo_error_free (err);
  if (doc == NULL)
    return;
  root = json_document_root (doc);
  ok (json_path (root, "cpu", "usage", "kernel") != NULL && json_path (root, "cpu", "throttling", NULL) != NULL,
      "cpu.usage.kernel and cpu.throttling");
  ok (json_path (root, "cpu", "usage", "total") != NULL && json_path (root, "cpu", "usage", "percpu") != NULL,
      "cpu.usage.total and percpu");
  ok (json_number_is (json_path (root, "memory", "usage", "limit"), "268435456"), "memory.usage.limit");
  ok (json_path (root, "memory", "swap", "limit") != NULL && json_path (root, "memory", "kernelTCP", "failcnt") != NULL,
      "memory.swap and memory.kernelTCP");
  ok (json_path (root, "memory", "raw", "cache") != NULL, "memory.raw.cache");
  ok (json_number_is (json_path (root, "pids", "current", NULL), "1")
      && json_number_is (json_path (root, "pids", "limit", NULL), "32"), "pids.current 1, pids.limit 32");
  ok (json_path (root, "blkio", NULL, NULL) != NULL, "blkio");
  ok (json_path (root, "hugetlb", NULL, NULL) != NULL
      && (!cgroup_list_has (unified_available, "hugetlb") || json_path (root, "hugetlb", "2MB", "failcnt") != NULL),
      "hugetlb (\"2MB\" where the controller is)");
  json_document_free (doc);
}

static void
test_stats (void)
{
  struct silo_cgroup *cg = NULL;
  struct silo_error *err = NULL;
  _cleanup_free_ char *json = NULL;
  bool died = false;
  uint64_t kills = 99;
  pid_t pid;

  if (create ("stats", "{\"pids\":{\"limit\":32},\"memory\":{\"limit\":268435456},\"hugepageLimits\":[{\"pageSize\":"
              "\"2MB\",\"limit\":4194304}]}", &cg, &err) < 0)
    {
      ok (false, "stats: create: %s", err->msg);
      silo_error_free (err);
      return;
    }
  pid = spawn_in (cg, CHILD_SLEEP, NULL, &died);
  ok (silo_cgroup_stats_json (cg, &json, &err) == 0, "stats read%s%s", err ? ": " : "", err ? err->msg : "");
  if (json != NULL)
    {
      printf ("#   %.300s...\n", json);
      check_stats_json (json);
    }
  ok (silo_cgroup_oom_kills (cg, &kills, &err) == 0 && kills == 0, "no OOM kill yet (%llu)", (unsigned long long) kills);
  silo_error_free (err);
  stop_child (pid);
  destroy (cg);
}

static void
test_oom_kill (void)
{
  struct silo_cgroup *cg = NULL;
  struct silo_error *err = NULL;
  bool died = false;
  uint64_t kills = 0;
  int status = 0;
  pid_t pid;

  if (!v1_mounted ("memory") || create ("oom", "{\"memory\":{\"limit\":16777216,\"swap\":16777216}}", &cg, &err) < 0)
    {
      silo_error_free (err);
      return;
    }
  pid = spawn_in (cg, CHILD_HOG, NULL, &died);
  ok (died && waitpid (pid, &status, 0) == pid && WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL,
      "a child over its 16 MiB limit is OOM-killed");
  ok (silo_cgroup_oom_kills (cg, &kills, &err) == 0 && kills == 1, "the OOM kill is counted (%llu)",
      (unsigned long long) kills);
  silo_error_free (err);
  destroy (cg);
}

/* ---- cgroup2: hugetlb enabled by an update, and the eBPF device filter ------------------- */

static void
test_hugetlb_update (void)
{
  _cleanup_free_ char *control = NULL, *value = NULL, *before = NULL;
  bool disabled;
  struct silo_cgroup *cg = NULL;
  struct silo_error *err = NULL;

  if (unified_root == NULL || !cgroup_list_has (unified_available, "hugetlb") || v1_mounted ("hugetlb"))
    return;
  control = xasprintf ("%s/cgroup.subtree_control", unified_root);
  /* Busy elsewhere (another cgroup passes hugetlb on): then there is nothing to enable.  */
  disabled = write_file_at (AT_FDCWD, control, "-hugetlb", 8, NULL) == 0;
  if (create ("huge", NULL, &cg, &err) < 0)
    {
      ok (false, "huge: create: %s", err->msg);
      silo_error_free (err);
      return;
    }
  before = xasprintf ("%s/hugetlb.2MB.max", cg->unified->path);
  if (disabled)
    ok (access (before, F_OK) < 0, "created without hugepageLimits: no hugetlb files in the leaf");
  check_update (cg, "{\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":2097152}]}", NULL,
                "hugepageLimits on a cgroup created without: hugetlb enabled above it");
  value = fixture_read_text (cg->unified->path, "hugetlb.2MB.max");
  ok (value != NULL && has_line (value, "2097152"), "hugetlb.2MB.max 2097152");
  destroy (cg);
}

/* Fork a child into the cgroup2 directory; it opens path and reports the errno (0: ok). */
static int
open_in_cgroup (const char *dir, const char *path)
{
  _cleanup_free_ char *procs = xasprintf ("%s/cgroup.procs", dir);
  int sync_pipe[2], report[2], result = -1;
  char pid_text[32], c = 'g';
  pid_t pid;

  if (pipe2 (sync_pipe, O_CLOEXEC) < 0 || pipe2 (report, O_CLOEXEC) < 0)
    return -1;
  fflush (stdout);
  pid = fork ();
  if (pid == 0)
    {
      int fd, e;
      if (read (sync_pipe[0], &c, 1) != 1)
        _exit (1);
      fd = open (path, O_RDONLY | O_CLOEXEC);
      e = fd < 0 ? errno : 0;
      _exit (write (report[1], &e, sizeof (e)) == sizeof (e) ? 0 : 1);
    }
  close (sync_pipe[0]);
  close (report[1]);
  snprintf (pid_text, sizeof (pid_text), "%d", (int) pid);
  if (pid > 0 && write_file_at (AT_FDCWD, procs, pid_text, strlen (pid_text), NULL) == 0
      && write (sync_pipe[1], &c, 1) == 1 && read (report[0], &result, sizeof (result)) != sizeof (result))
    result = -1;
  close (sync_pipe[1]);
  close (report[0]);
  if (pid > 0)
    waitpid (pid, NULL, 0);
  return result;
}

static uint32_t
attached_count (int dir_fd)
{
  union bpf_attr attr;
  uint32_t ids[8];

  memset (&attr, 0, sizeof (attr));
  attr.query.target_fd = (uint32_t) dir_fd;
  attr.query.attach_type = BPF_CGROUP_DEVICE;
  attr.query.prog_ids = (uint64_t) (uintptr_t) ids;
  attr.query.prog_cnt = 8;
  if (syscall (SYS_bpf, BPF_PROG_QUERY, &attr, sizeof (attr)) < 0)
    return 99;
  return attr.query.prog_cnt;
}

static void
test_ebpf (void)
{
  _cleanup_free_ char *dir = NULL;
  _cleanup_close_ int fd = -1;
  struct silo_error *err = NULL;
  oci_device_cgroup deny_all = { .allow = false, .access = (char *) "rwm" };

  if (unified_root == NULL)
    return;
  dir = xasprintf ("%s/%s-ebpf", unified_root, fixture.id);
  if (mkdir (dir, 0755) < 0 || (fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
    {
      ok (false, "make %s: %s", dir, strerror (errno));
      return;
    }
  ok (cgroup_v2_apply_devices (fd, &deny_all, 1, true, false, &err) == 0, "device filter attached%s%s",
      err ? ": " : "", err ? err->msg : "");
  ok (open_in_cgroup (dir, "/dev/null") == 0, "defaults: /dev/null opens");
  ok (open_in_cgroup (dir, "/dev/kmsg") == EPERM, "deny all: /dev/kmsg refused with EPERM");
  ok (cgroup_v2_apply_devices (fd, &deny_all, 1, false, true, &err) == 0, "replaced by a filter without defaults%s%s",
      err ? ": " : "", err ? err->msg : "");
  ok (attached_count (fd) == 1, "the old filter was detached (%u attached)", attached_count (fd));
  ok (open_in_cgroup (dir, "/dev/null") == EPERM, "now /dev/null is refused too");
  ok (open_in_cgroup (unified_root, "/dev/kmsg") == 0, "outside the cgroup nothing changed");
  silo_error_free (err);
  silo_closep (&fd);
  ok (rmdir (dir) == 0, "the test cgroup goes, and its filter with it");
}

/* ---- main ---------------------------------------------------------------------------------- */

/* What this test changes beyond its cgroups; after fixture_cleanup: cgroup2 refuses to
 * take hugetlb back from subtree_control while a test cgroup below still uses it.  */
static void
restore_host (void)
{
  if (unified_root != NULL && !hugetlb_was_enabled)
    {
      _cleanup_free_ char *control = xasprintf ("%s/cgroup.subtree_control", unified_root);
      fixture_write_text (control, "-hugetlb");
    }
  loop_teardown ();
}

static void
find_unified (void)
{
  _cleanup_free_ char *control = NULL;

  for (size_t i = 0; i < fixture.n_mounts; i++)
    if (fixture.mounts[i].version == CGROUP_V2)
      unified_root = fixture.mounts[i].mount_point;
  if (unified_root == NULL)
    return;
  unified_available = fixture_read_text (unified_root, "cgroup.controllers");
  control = fixture_read_text (unified_root, "cgroup.subtree_control");
  hugetlb_was_enabled = control != NULL && cgroup_list_has (control, "hugetlb");
}

int
main (void)
{
  if (!fixture_setup (&fixture, "silo-unit-res"))
    return 0;
  find_unified ();
  loop_setup ();
  test_table_live ();
  test_refusals ();
  test_memory_update ();
  test_cpu_update ();
  test_freeze ();
  test_frozen_leaf ();
  test_stats ();
  test_oom_kill ();
  test_hugetlb_update ();
  test_ebpf ();
  fixture_cleanup (&fixture);
  restore_host ();
  ok (!fixture_any_left (&fixture), "cleanup: no cgroup named %s* left", fixture.id);
  free (unified_available);
  fixture_free (&fixture);
  return tap_done ();
}
