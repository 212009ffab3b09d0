/* Unit tests for the cgroup code's pure parts: layout detection from mountinfo text for
 * pure v1, pure v2 and hybrid hosts, cgroupsPath handling, v1 device rules, validation,
 * the state-file round trip (load opens nothing), the resources' layout checks and write
 * flags, the cgroup2 eBPF device program (run by a small interpreter), and the statistics
 * parsers and JSON.  The conversions themselves are in cgroup-table.c.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup/cgroup-internal.h"
#include "oci.h"
#include "tap.h"
#include "util.h"

/* This test machine: separate v1 mounts, cgroup2 at unified holding hugetlb.  */
static const char hybrid_flat[] =
  "22 1 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
  "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
  "31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
  "32 30 0:29 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
  "33 30 0:30 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
  "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
  "35 30 0:32 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices\n"
  "36 30 0:33 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"
  "37 30 0:34 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio\n"
  "38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
  "39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
  "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

/* systemd's hybrid mode: optional fields, xattr, release_agent, co-mounted controllers.  */
static const char hybrid_systemd[] =
  "25 24 0:23 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755\n"
  "26 25 0:24 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate\n"
  "27 25 0:25 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup "
  "rw,xattr,release_agent=/lib/systemd/systemd-cgroups-agent,name=systemd\n"
  "30 25 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,cpu,cpuacct\n"
  "31 25 0:29 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,net_cls,net_prio\n"
  "32 25 0:30 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup rw,memory\n";

/* Pure v1 (no cgroup2 mount), a hierarchy bind-mounted twice, a cpuset with options.  */
static const char pure_v1[] =
  "30 22 0:27 / /sys/fs/cgroup rw - tmpfs tmpfs rw,mode=755\n"
  "31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
  "32 30 0:29 / /sys/fs/cgroup/cpuset rw - cgroup cgroup rw,cpuset,noprefix,clone_children\n"
  "33 30 0:30 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,name=systemd\n"
  "34 30 0:31 / /sys/fs/cgroup/devices rw - cgroup cgroup rw,devices\n"
  "90 60 0:31 /docker /var/lib/docker/cg rw - cgroup cgroup rw,devices\n";

/* Pure v2, plus an escaped space in an unrelated mount.  */
static const char pure_v2[] =
  "21 26 0:20 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n"
  "28 22 0:25 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 "
  "rw,nsdelegate,memory_recursiveprot\n"
  "50 21 0:40 / /mnt/my\\040disk rw - ext4 /dev/sda1 rw\n";

static const char escaped[] = "40 30 0:37 / /run/my\\040cg rw - cgroup2 none rw\n"
                              "41 30 0:38 / /run/weird\\134name rw - cgroup cgroup rw,pids\n";

static void
check_layout (const char *text, const char *label, size_t want_n, const char *const *want_controllers,
              const char *const *want_points)
{
  struct cgroup_mount *m = NULL;
  size_t n = 0;
  bool same = true;

  ok (cgroup_layout_parse (text, &m, &n, NULL) == 0, "%s: parses", label);
  ok (n == want_n, "%s: %zu hierarchies (got %zu)", label, want_n, n);
  for (size_t i = 0; i < n && i < want_n; i++)
    if (strcmp (m[i].controllers, want_controllers[i]) != 0 || strcmp (m[i].mount_point, want_points[i]) != 0)
      {
        printf ("#   [%zu] got %s at %s\n", i, m[i].controllers, m[i].mount_point);
        same = false;
      }
  ok (same, "%s: controllers and mount points in mountinfo order", label);
  cgroup_mounts_free (m, n);
}

static void
test_layouts (void)
{
  struct cgroup_mount *m = NULL;
  size_t n = 9;

  {
    const char *c[] = { "cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids",
                        "name=systemd", "unified" };
    const char *p[] = { "/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpuacct", "/sys/fs/cgroup/cpuset",
                        "/sys/fs/cgroup/memory", "/sys/fs/cgroup/devices", "/sys/fs/cgroup/freezer",
                        "/sys/fs/cgroup/blkio", "/sys/fs/cgroup/pids", "/sys/fs/cgroup/systemd",
                        "/sys/fs/cgroup/unified" };
    check_layout (hybrid_flat, "hybrid (separate mounts)", 10, c, p);
  }
  {
    const char *c[] = { "unified", "name=systemd", "cpu,cpuacct", "net_cls,net_prio", "memory" };
    const char *p[] = { "/sys/fs/cgroup/unified", "/sys/fs/cgroup/systemd", "/sys/fs/cgroup/cpu,cpuacct",
                        "/sys/fs/cgroup/net_cls,net_prio", "/sys/fs/cgroup/memory" };
    check_layout (hybrid_systemd, "hybrid (systemd)", 5, c, p);
  }
  {
    const char *c[] = { "cpu,cpuacct", "cpuset", "name=systemd", "devices" };
    const char *p[] = { "/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup/cpuset", "/sys/fs/cgroup/systemd",
                        "/sys/fs/cgroup/devices" };
    check_layout (pure_v1, "pure v1 (second mount of devices ignored)", 4, c, p);
  }
  {
    const char *c[] = { "unified" };
    const char *p[] = { "/sys/fs/cgroup" };
    check_layout (pure_v2, "pure v2", 1, c, p);
  }
  {
    const char *c[] = { "unified", "pids" };
    const char *p[] = { "/run/my cg", "/run/weird\\name" };
    check_layout (escaped, "escaped mount points", 2, c, p);
  }
  ok (cgroup_layout_parse ("garbage\n\n1 2 3\n", &m, &n, NULL) == 0 && n == 0,
      "no cgroup mount: zero hierarchies");
  cgroup_mounts_free (m, n);
}

static void
test_controller_lists (void)
{
  ok (cgroup_has_controller ("cpu,cpuacct", "cpu"), "cpu in cpu,cpuacct");
  ok (cgroup_has_controller ("cpu,cpuacct", "cpuacct"), "cpuacct in cpu,cpuacct");
  ok (!cgroup_has_controller ("cpuacct", "cpu"), "cpu not in cpuacct (no prefix match)");
  ok (!cgroup_has_controller ("unified", "freezer"), "freezer not in unified");
  ok (cgroup_has_controller ("name=systemd", "name=systemd"), "name=systemd listed");
}

static void
check_relative (const char *cgroups_path, const char *want)
{
  _cleanup_free_ char *got = NULL;
  struct silo_error *err = NULL;

  cgroup_relative_path (cgroups_path, "c1", &got, &err);
  is_str (got, want, "cgroupsPath %s%s%s -> %s", cgroups_path ? "`" : "", cgroups_path ? cgroups_path : "absent",
          cgroups_path ? "`" : "", want);
  silo_error_free (err);
}

static void
check_relative_refused (const char *cgroups_path, const char *want_in_message)
{
  _cleanup_free_ char *got = NULL;
  struct silo_error *err = NULL;

  ok (cgroup_relative_path (cgroups_path, "c1", &got, &err) < 0 && err != NULL
      && strstr (err->msg, want_in_message) != NULL, "cgroupsPath `%s` refused (%s)", cgroups_path,
      err != NULL ? err->msg : "accepted");
  silo_error_free (err);
}

static void
test_relative_paths (void)
{
  check_relative (NULL, "c1");
  check_relative ("", "c1");
  check_relative ("/a/b", "a/b");
  check_relative ("a/b", "a/b");
  check_relative ("//a/./b//", "a/b");
  check_relative ("/machine.slice/..x", "machine.slice/..x");
  check_relative_refused ("/a/../b", "`..` is not allowed");
  check_relative_refused ("..", "`..` is not allowed");
  check_relative_refused ("/", "names the root cgroup");
  check_relative_refused ("/./", "names the root cgroup");
}

static void
check_rule (const char *type, bool has_major, int64_t major, bool has_minor, int64_t minor,
            const char *access, const char *want)
{
  oci_device_cgroup d = { .allow = true, .type = (char *) type, .has_major = has_major, .major = major,
                          .has_minor = has_minor, .minor = minor, .access = (char *) access };
  _cleanup_free_ char *got = cgroup_v1_device_rule (&d);
  is_str (got, want, "device rule -> `%s`", want);
}

static void
test_device_rules (void)
{
  size_t n = 0;
  bool has_null = false, has_pts = false, has_tun = false, has_console = false;

  check_rule (NULL, false, 0, false, 0, "rwm", "a");
  check_rule ("a", true, 1, true, 3, "rw", "a");
  check_rule ("c", true, 1, true, 3, "rw", "c 1:3 rw");
  check_rule ("b", false, 0, false, 0, "m", "b *:* m");
  check_rule ("c", true, 136, true, -1, "rwm", "c 136:* rwm");
  check_rule ("c", true, 0, true, 0, "r", "c 0:0 r");
  for (; cgroup_default_device_rules[n] != NULL; n++)
    {
      has_null |= strcmp (cgroup_default_device_rules[n], "c 1:3 rwm") == 0;
      has_pts |= strcmp (cgroup_default_device_rules[n], "c 136:* rwm") == 0;
      has_tun |= strcmp (cgroup_default_device_rules[n], "c 10:200 rwm") == 0;
      has_console |= strncmp (cgroup_default_device_rules[n], "c 5:1 ", 6) == 0;
    }
  ok (n == 11, "11 default device rules (got %zu)", n);
  ok (has_null && has_pts && has_tun, "defaults hold /dev/null, the pty slaves and /dev/net/tun");
  ok (!has_console, "no blanket /dev/console (5:1) rule");
}

/* ---- validation ------------------------------------------------------------------------ */

static void
check_validate (oci_config *c, const char *want_in_message, const char *label)
{
  struct silo_error *err = NULL;
  int r = silo_cgroup_validate (c, &err);

  if (want_in_message == NULL)
    ok (r == 0 && err == NULL, "%s: accepted%s%s", label, err ? ": " : "", err ? err->msg : "");
  else
    ok (r < 0 && err != NULL && strstr (err->msg, want_in_message) != NULL, "%s: refused (%s)", label,
        err != NULL ? err->msg : "accepted");
  silo_error_free (err);
}

/* Validate linux.resources given as JSON (through libocispec, as a config would be).  */
static void
check_resources_json (const char *json, const char *want_in_message, const char *label)
{
  struct silo_error *err = NULL;
  oci_resources *r = NULL;
  oci_linux l;
  oci_config c;

  memset (&c, 0, sizeof (c));
  memset (&l, 0, sizeof (l));
  if (oci_resources_parse (json, strlen (json), &r, &err) < 0)
    {
      ok (false, "%s: parses: %s", label, err->msg);
      silo_error_free (err);
      return;
    }
  c.linux_ = &l;
  l.resources = r;
  check_validate (&c, want_in_message, label);
  oci_resources_free (r);
}

static void
test_validate (void)
{
  oci_resources r;
  oci_linux l;
  oci_config c;
  oci_memory mem;
  oci_pids pids;
  oci_hugepage_limit huge = { .page_size = (char *) "2MB", .limit = 1 };
  oci_device_cgroup dev[2] = {
    { .allow = false, .access = (char *) "rwm" },
    { .allow = true, .type = (char *) "c", .has_major = true, .major = 1, .has_minor = true, .minor = 3,
      .access = (char *) "rw" },
  };

  memset (&c, 0, sizeof (c));
  memset (&l, 0, sizeof (l));
  memset (&r, 0, sizeof (r));
  memset (&mem, 0, sizeof (mem));
  memset (&pids, 0, sizeof (pids));
  check_validate (&c, NULL, "no linux section");
  c.linux_ = &l;
  check_validate (&c, NULL, "no resources");
  l.cgroups_path = (char *) "/a/../../etc";
  check_validate (&c, "linux.cgroupsPath `/a/../../etc`: `..` is not allowed", "cgroupsPath with ..");
  l.cgroups_path = (char *) "/";
  check_validate (&c, "names the root cgroup", "cgroupsPath /");
  l.cgroups_path = (char *) "/silo/c1";
  l.resources = &r;
  r.devices = dev;
  r.n_devices = 2;
  check_validate (&c, NULL, "devices rules");
  r.memory = &mem;
  check_validate (&c, NULL, "empty memory object");
  mem.has_limit = true;
  mem.limit = 1 << 20;
  r.pids = &pids;
  pids.has_limit = true;
  r.hugepage_limits = &huge;
  r.n_hugepage_limits = 1;
  check_validate (&c, NULL, "memory, pids and hugepageLimits accepted");
  r.n_hugepage_limits = 0;
  dev[1].access = (char *) "rwx";
  check_validate (&c, "linux.resources.devices[1].access: `rwx` holds `x`", "access rwx");
  dev[1].access = NULL;
  check_validate (&c, "linux.resources.devices[1].access: required", "access missing");
  dev[1].access = (char *) "r";
  dev[1].type = (char *) "p";
  check_validate (&c, "linux.resources.devices[1].type: `p`", "type p");
  dev[1].type = (char *) "c";
  dev[1].major = -2;
  check_validate (&c, "linux.resources.devices[1].major: must be 0 to 4294967295", "major -2");
  dev[1].major = 1;
  dev[1].minor = (int64_t) 1 << 32;
  check_validate (&c, "linux.resources.devices[1].minor: must be", "minor 2^32");
}

static void
test_validate_resources (void)
{
  check_resources_json ("{\"blockIO\":{\"leafWeight\":500}}",
                        "linux.resources.blockIO.leafWeight: not supported", "leafWeight");
  check_resources_json ("{\"blockIO\":{\"weightDevice\":[{\"major\":8,\"minor\":0,\"leafWeight\":20}]}}",
                        "linux.resources.blockIO.weightDevice[0].leafWeight", "weightDevice leafWeight");
  check_resources_json ("{\"cpu\":{\"shares\":1}}", "linux.resources.cpu.shares: 1 is outside 2..262144",
                        "shares 1");
  check_resources_json ("{\"cpu\":{\"shares\":0,\"idle\":1}}", NULL, "shares 0 (unset), idle 1");
  check_resources_json ("{\"cpu\":{\"idle\":2}}", "linux.resources.cpu.idle: must be 0 or 1", "idle 2");
  check_resources_json ("{\"memory\":{\"swap\":1048576}}", "linux.resources.memory.swap: needs memory.limit",
                        "swap without limit");
  check_resources_json ("{\"unified\":{\"../memory.max\":\"1\"}}", "key `../memory.max` is not a file",
                        "unified key with a path");
  check_resources_json ("{\"unified\":{\"..\":\"1\"}}", "key `..` is not a file", "unified key ..");
  check_resources_json ("{\"unified\":{\"memoryhigh\":\"1\"}}", "linux.resources.unified.memoryhigh: not a "
                        "cgroup2 file name", "unified key without a dot");
  check_resources_json ("{\"network\":{\"priorities\":[{\"name\":\"eth0 1\",\"priority\":1}]}}",
                        "priorities[0].name", "interface name with a space");
  check_resources_json ("{\"memory\":{\"limit\":1048576,\"swap\":2097152,\"kernel\":1,\"swappiness\":5},"
                        "\"cpu\":{\"shares\":1024,\"quota\":-1,\"realtimeRuntime\":1},\"pids\":{\"limit\":-1},"
                        "\"network\":{\"classID\":1},\"rdma\":{\"mlx5_1\":{\"hcaHandles\":3}},"
                        "\"unified\":{\"memory.high\":\"max\"},\"hugepageLimits\":[{\"pageSize\":\"2MB\","
                        "\"limit\":0}]}", NULL, "every member accepted (the layout is checked at plan)");
}

/* ---- state-file round trip -------------------------------------------------------------- */

static void
test_load_paths (void)
{
  silo_cgroup_path in[] = {
    { (char *) "cpu,cpuacct", (char *) "/sys/fs/cgroup/cpu,cpuacct/silo-unit-x" },
    { (char *) "freezer", (char *) "/sys/fs/cgroup/freezer/silo-unit-x" },
    { (char *) "unified", (char *) "/sys/fs/cgroup/unified/silo-unit-x" },
  };
  silo_cgroup_path bad[] = { { (char *) "memory", (char *) "/sys/fs/cgroup/memory/../../etc" } };
  silo_cgroup_path *out = NULL;
  struct silo_cgroup *cg = NULL;
  struct silo_error *err = NULL;
  size_t n = 0;
  bool same = true;

  ok (silo_cgroup_load (in, 3, &cg, &err) == 0, "load three hierarchies");
  ok (silo_cgroup_v2_fd (cg) == -1, "load opens nothing");
  ok (cg->unified == &cg->hierarchies[2] && cg->freezer == &cg->hierarchies[1],
      "unified is the v2 one, the v1 freezer freezes");
  silo_cgroup_paths (cg, &out, &n);
  for (size_t i = 0; i < n; i++)
    {
      same &= n == 3 && strcmp (out[i].controller, in[i].controller) == 0 && strcmp (out[i].path, in[i].path) == 0;
      free (out[i].controller);
      free (out[i].path);
    }
  free (out);
  ok (same && n == 3, "paths give back what load took");
  silo_cgroup_free (cg);
  cg = NULL;
  ok (silo_cgroup_load (in + 2, 1, &cg, &err) == 0 && cg->freezer == cg->unified,
      "pure v2: cgroup.freeze freezes");
  silo_cgroup_free (cg);
  cg = NULL;
  ok (silo_cgroup_load (bad, 1, &cg, &err) < 0 && cg == NULL, "a state path with `..` is refused");
  silo_error_free (err);
  silo_cgroup_free (NULL);
}

/* ---- layout checks (what silo_cgroup_plan and update refuse before writing) ----------- */

static struct silo_cgroup *
cgroup_for (const char *mountinfo)
{
  struct cgroup_mount *m = NULL;
  size_t n = 0;
  struct silo_cgroup *cg;

  cgroup_layout_parse (mountinfo, &m, &n, NULL);
  cg = cgroup_from_mounts (m, n, "silo/c1");
  cgroup_mounts_free (m, n);
  return cg;
}

static void
check_layout_json (const char *mountinfo, const char *available, const char *json, const char *want,
                   unsigned want_mask, const char *label)
{
  struct silo_cgroup *cg = cgroup_for (mountinfo);
  struct silo_error *err = NULL;
  oci_resources *r = NULL;
  _cleanup_free_ char *extra = NULL;
  unsigned mask = 0;
  int ret;

  if (oci_resources_parse (json, strlen (json), &r, &err) < 0)
    ret = -1;
  else
    ret = cgroup_resources_check (cg, r, available, false, &mask, &extra, &err);
  if (want == NULL)
    ok (ret == 0 && mask == want_mask, "%s: accepted, cgroup2 mask %#x (got %#x)%s%s", label, want_mask, mask,
        err ? ": " : "", err ? err->msg : "");
  else
    ok (ret < 0 && err != NULL && strstr (err->msg, want) != NULL, "%s: refused (%s)", label,
        err != NULL ? err->msg : "accepted");
  silo_error_free (err);
  oci_resources_free (r);
  silo_cgroup_free (cg);
}

static void
test_layout_checks (void)
{
  const unsigned huge = CGROUP_MASK (CGROUP_HUGETLB), mem = CGROUP_MASK (CGROUP_MEMORY);
  _cleanup_free_ char *text = cgroup_v2_enable_text (huge | mem | CGROUP_MASK (CGROUP_CPU), " dmem");

  check_layout_json (hybrid_flat, NULL, "{\"memory\":{\"limit\":1048576},\"pids\":{\"limit\":5}}", NULL, 0,
                     "hybrid: memory and pids go to v1");
  check_layout_json (hybrid_flat, "hugetlb", "{\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":0}]}", NULL,
                     huge, "hybrid: hugepageLimits go to cgroup2");
  check_layout_json (hybrid_flat, "", "{\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":0}]}",
                     "linux.resources.hugepageLimits[0]: this host has no hugetlb controller", 0,
                     "hybrid without hugetlb anywhere");
  check_layout_json (hybrid_flat, "hugetlb", "{\"network\":{\"classID\":1}}",
                     "linux.resources.network.classID: needs the cgroup v1 net_cls controller", 0,
                     "classID without net_cls");
  check_layout_json (hybrid_systemd, NULL, "{\"network\":{\"classID\":1,\"priorities\":[{\"name\":\"lo\","
                     "\"priority\":1}]}}", NULL, 0, "classID and priorities with net_cls,net_prio mounted");
  check_layout_json (hybrid_flat, "hugetlb", "{\"rdma\":{\"mlx5_1\":{\"hcaHandles\":3}}}",
                     "linux.resources.rdma: this host has no rdma cgroup controller", 0, "rdma");
  check_layout_json (pure_v2, "cpu memory pids", "{\"cpu\":{\"realtimeRuntime\":1000}}",
                     "linux.resources.cpu.realtimeRuntime: cgroup v2 has no real-time", 0, "real-time on v2");
  check_layout_json (hybrid_flat, "hugetlb", "{\"cpu\":{\"realtimeRuntime\":1000,\"realtimePeriod\":100000}}",
                     NULL, 0, "real-time on v1");
  check_layout_json (pure_v2, "cpu memory", "{\"memory\":{\"swap\":2097152}}",
                     "linux.resources.memory.swap: needs memory.limit on cgroup v2", 0, "v2 swap alone");
  check_layout_json (pure_v2, "cpu memory", "{\"memory\":{\"useHierarchy\":false}}",
                     "useHierarchy: false cannot be set", 0, "v2 useHierarchy false");
  check_layout_json (pure_v1, NULL, "{\"unified\":{\"cgroup.max.depth\":\"2\"}}",
                     "linux.resources.unified: needs cgroup v2", 0, "unified on pure v1");
  check_layout_json (hybrid_flat, "hugetlb", "{\"unified\":{\"memory.high\":\"1\"}}",
                     "the memory controller is not in cgroup2 on this host (it is a cgroup v1 hierarchy", 0,
                     "unified memory key on hybrid");
  check_layout_json (hybrid_flat, "hugetlb", "{\"unified\":{\"hugetlb.2MB.max\":\"0\",\"cgroup.max.depth\":"
                     "\"3\"}}", NULL, huge, "unified hugetlb and core keys on hybrid");
  check_layout_json (pure_v2, "cpu memory pids", "{\"memory\":{\"limit\":1,\"swappiness\":3}}", NULL, mem,
                     "v2 memory (swappiness warned about)");
  is_str (text, "+cpu +memory +hugetlb +dmem", "subtree_control text: known names, then the others");
}

/* ---- write lists: flags that need the live cgroup ---------------------------------------- */

static struct cgroup_write *
first_write (struct cgroup_writes *w, const char *file)
{
  for (size_t i = 0; i < w->n; i++)
    if (strcmp (w->items[i].file, file) == 0)
      return &w->items[i];
  return NULL;
}

static void
writes_for (const char *json, enum cgroup_controller c, enum cgroup_version v, bool update,
            struct cgroup_writes *w, int *ret)
{
  oci_resources *r = NULL;
  struct silo_error *err = NULL;

  *ret = oci_resources_parse (json, strlen (json), &r, &err) < 0 ? -1
         : cgroup_resource_writes (c, v, r, update, w, &err);
  silo_error_free (err);
  oci_resources_free (r);
}

static void
test_write_flags (void)
{
  struct cgroup_writes w = { NULL, 0 };
  struct cgroup_write *x;
  int ret;

  writes_for ("{\"memory\":{\"limit\":2,\"swap\":4}}", CGROUP_MEMORY, CGROUP_V1, false, &w, &ret);
  ok (ret == 0 && w.n == 2 && strcmp (w.items[0].file, "memory.limit_in_bytes") == 0
      && (w.items[0].flags & CGROUP_WRITE_RETRY_AFTER_NEXT), "v1: limit first, memsw first on EINVAL");
  cgroup_writes_clear (&w);
  writes_for ("{\"memory\":{\"limit\":2,\"checkBeforeUpdate\":true}}", CGROUP_MEMORY, CGROUP_V1, true, &w, &ret);
  ok (ret == 0 && w.n == 1 && (w.items[0].flags & CGROUP_WRITE_CHECK_USAGE)
      && strcmp (w.items[0].usage, "memory.usage_in_bytes") == 0, "v1 update: checkBeforeUpdate reads usage");
  cgroup_writes_clear (&w);
  writes_for ("{\"memory\":{\"limit\":2,\"checkBeforeUpdate\":true}}", CGROUP_MEMORY, CGROUP_V2, false, &w, &ret);
  ok (ret == 0 && w.n == 1 && !(w.items[0].flags & CGROUP_WRITE_CHECK_USAGE), "create: no usage check");
  cgroup_writes_clear (&w);
  writes_for ("{\"memory\":{\"swap\":4194304}}", CGROUP_MEMORY, CGROUP_V2, true, &w, &ret);
  ok (ret == 0 && w.n == 1 && (w.items[0].flags & CGROUP_WRITE_SWAP_MINUS_LIMIT),
      "v2 update of swap alone: the limit in place is subtracted");
  cgroup_writes_clear (&w);
  writes_for ("{\"cpu\":{\"period\":50000}}", CGROUP_CPU, CGROUP_V2, true, &w, &ret);
  x = first_write (&w, "cpu.max");
  ok (ret == 0 && x != NULL && (x->flags & CGROUP_WRITE_KEEP_QUOTA) && strcmp (x->value, " 50000") == 0,
      "v2 update of the period alone keeps the quota in place");
  cgroup_writes_clear (&w);
  writes_for ("{\"cpu\":{\"period\":50000,\"quota\":20000}}", CGROUP_CPU, CGROUP_V1, false, &w, &ret);
  x = first_write (&w, "cpu.cfs_period_us");
  ok (ret == 0 && x != NULL && (x->flags & CGROUP_WRITE_RETRY_AFTER_NEXT) && x + 1 == first_write (&w, "cpu.cfs_quota_us"),
      "v1: period then quota, quota first on EINVAL");
  cgroup_writes_clear (&w);
  writes_for ("{\"blockIO\":{\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":0}]}}", CGROUP_IO,
              CGROUP_V2, false, &w, &ret);
  ok (ret == 0 && w.n == 1 && strcmp (w.items[0].value, "8:0 rbps=max") == 0, "v2: rate 0 is no limit: max");
  cgroup_writes_clear (&w);
  writes_for ("{\"blockIO\":{\"weight\":500}}", CGROUP_IO, CGROUP_V1, false, &w, &ret);
  ok (ret == 0 && w.n == 2 && (w.items[0].flags & CGROUP_WRITE_OR_NEXT), "v1 weight: bfq, else blkio.weight");
  cgroup_writes_clear (&w);
  writes_for ("{\"network\":{\"classID\":5}}", CGROUP_NET_CLS, CGROUP_V2, false, &w, &ret);
  ok (ret == 0 && w.n == 0, "no net_cls on v2: nothing written");
  cgroup_writes_clear (&w);
}

/* ---- the eBPF device program, run by a tiny interpreter of what it emits ----------------- */

#include <linux/bpf.h>

static int
run_program (const struct bpf_insn *p, size_t n, char type, unsigned access, uint32_t major, uint32_t minor)
{
  uint32_t ctx[3] = { ((uint32_t) access << 16) | (type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR),
                      major, minor };
  uint64_t reg[11] = { 0 };

  for (size_t pc = 0; pc < n; pc++)
    {
      const struct bpf_insn *i = &p[pc];
      uint64_t src = (i->code & BPF_X) ? reg[i->src_reg] : (uint64_t) (uint32_t) i->imm;
      switch (i->code)
        {
        case BPF_LDX | BPF_MEM | BPF_W: reg[i->dst_reg] = ctx[i->off / 4]; break;
        case BPF_ALU | BPF_AND | BPF_K: reg[i->dst_reg] = (uint32_t) (reg[i->dst_reg] & src); break;
        case BPF_ALU | BPF_RSH | BPF_K: reg[i->dst_reg] = (uint32_t) reg[i->dst_reg] >> src; break;
        case BPF_ALU | BPF_MOV | BPF_K: case BPF_ALU | BPF_MOV | BPF_X: reg[i->dst_reg] = (uint32_t) src; break;
        case BPF_JMP32 | BPF_JNE | BPF_K: if ((uint32_t) reg[i->dst_reg] != (uint32_t) src) pc += i->off; break;
        case BPF_JMP32 | BPF_JEQ | BPF_K: if ((uint32_t) reg[i->dst_reg] == (uint32_t) src) pc += i->off; break;
        case BPF_JMP | BPF_EXIT: return (int) reg[0];
        default: return -1;   /* an instruction the generator should not use */
        }
    }
  return -2;   /* fell off the end */
}

#define R BPF_DEVCG_ACC_READ
#define W BPF_DEVCG_ACC_WRITE
#define M BPF_DEVCG_ACC_MKNOD

static void
check_program (const oci_device_cgroup *rules, size_t n, bool defaults, size_t want_count, const char *label)
{
  struct bpf_insn *p = NULL;
  size_t count = 0;

  cgroup_device_program (rules, n, defaults, &p, &count, NULL);
  ok (count == want_count, "%s: %zu instructions (got %zu)", label, want_count, count);
  ok (count >= 2 && p[count - 1].code == (BPF_JMP | BPF_EXIT), "%s: ends with exit", label);
  free (p);
}

static void
test_device_program (void)
{
  oci_device_cgroup deny_all = { .allow = false, .access = (char *) "rwm" };
  oci_device_cgroup allow_all = { .allow = true, .type = (char *) "a", .access = (char *) "rwm" };
  oci_device_cgroup rules[] = {
    deny_all,
    { .allow = true, .type = (char *) "c", .has_major = true, .major = 1, .has_minor = true, .minor = 11,
      .access = (char *) "rw" },
    { .allow = false, .type = (char *) "c", .has_major = true, .major = 1, .has_minor = true, .minor = 11,
      .access = (char *) "w" },
    { .allow = true, .type = (char *) "b", .has_major = true, .major = 8, .access = (char *) "r" },
  };
  struct bpf_insn *p = NULL;
  size_t n = 0;

  check_program (NULL, 0, false, 8, "no rules, no defaults: prologue and deny");
  check_program (NULL, 0, true, 64, "the default set");
  check_program (&deny_all, 1, true, 64, "deny all then the defaults: no unreachable epilogue");
  check_program (&allow_all, 1, false, 8, "allow all: prologue and allow");
  check_program (rules, 4, false, 6 + 7 + 8 + 8 + 2, "four rules");
  cgroup_device_program (rules, 4, false, &p, &n, NULL);
  ok (run_program (p, n, 'c', R, 1, 11) == 1, "c 1:11 r allowed (rw allowed, w denied later)");
  ok (run_program (p, n, 'c', R | W, 1, 11) == 0, "c 1:11 rw denied: the later deny names w");
  ok (run_program (p, n, 'c', W, 1, 11) == 0, "c 1:11 w denied");
  ok (run_program (p, n, 'c', M, 1, 11) == 0, "c 1:11 m denied: rw does not grant m");
  ok (run_program (p, n, 'b', R, 8, 3) == 1, "b 8:* r allowed");
  ok (run_program (p, n, 'b', W, 8, 3) == 0, "b 8:3 w denied");
  ok (run_program (p, n, 'c', R, 8, 3) == 0, "c 8:3 r denied: wrong type");
  ok (run_program (p, n, 'c', R, 1, 3) == 0, "c 1:3 denied without the defaults");
  free (p);
  cgroup_device_program (&deny_all, 1, true, &p, &n, NULL);
  ok (run_program (p, n, 'c', R | W, 1, 3) == 1, "defaults: /dev/null rw");
  ok (run_program (p, n, 'c', R | W, 136, 7) == 1, "defaults: /dev/pts/7");
  ok (run_program (p, n, 'b', M, 8, 0) == 1, "defaults: mknod of a block device");
  ok (run_program (p, n, 'b', R, 8, 0) == 0, "defaults: reading a block device denied");
  ok (run_program (p, n, 'c', R, 1, 11) == 0, "defaults: /dev/kmsg denied");
  free (p);
}

/* ---- statistics parsers and their JSON -------------------------------------------------- */

static void
test_stats (void)
{
  struct cgroup_stats s;
  _cleanup_free_ char *json = NULL;

  memset (&s, 0, sizeof (s));
  cgroup_parse_blkio_v1 ("8:0 Read 4096\n8:0 Write 0\n8:0 Total 4096\nTotal 4096\n", &s.service_bytes,
                         &s.n_service_bytes);
  ok (s.n_service_bytes == 3 && strcmp (s.service_bytes[0].op, "Read") == 0 && s.service_bytes[0].value == 4096,
      "v1 blkio lines parsed, the device-less Total skipped");
  cgroup_parse_io_stat ("7:0 rbytes=512 wbytes=1024 rios=1 wios=2 dbytes=0 dios=0\n", &s);
  ok (s.n_service_bytes == 5 && s.n_serviced == 2 && s.serviced[1].value == 2
      && strcmp (s.service_bytes[4].op, "Write") == 0, "io.stat mapped to v1's tables");
  cgroup_parse_raw ("cache 100\nrss 200\nbad\n", &s.memory_raw, &s.n_memory_raw);
  ok (s.n_memory_raw == 2 && s.memory_raw[1].value == 200, "memory.stat parsed");
  cgroup_parse_u64_list ("10 20 30 \n", &s.percpu, &s.n_percpu);
  ok (s.n_percpu == 3 && s.percpu[2] == 30, "per-CPU list parsed");
  s.memory_usage.limit = UINT64_MAX;
  s.pids_current = 3;
  s.hugetlb = xmalloc0 (sizeof (*s.hugetlb));
  s.hugetlb[0].size = xstrdup ("2MB");
  s.n_hugetlb = 1;
  json = cgroup_stats_json (&s);
  ok (strstr (json, "\"cpu\":{\"usage\":{\"percpu\":[10,20,30],\"kernel\":0,\"user\":0},\"throttling\":{}}") != NULL,
      "cpu: zero total and throttling omitted, kernel and user kept");
  ok (strstr (json, "\"usage\":{\"limit\":9223372036854775807,\"failcnt\":0}") != NULL, "memory usage entry");
  ok (strstr (json, "\"raw\":{\"cache\":100,\"rss\":200}") != NULL, "memory raw");
  ok (strstr (json, "\"pids\":{\"current\":3}") != NULL, "pids: zero limit omitted");
  ok (strstr (json, "{\"major\":8,\"op\":\"Write\"}") != NULL, "blkio entry: zero minor and value omitted");
  ok (strstr (json, "\"hugetlb\":{\"2MB\":{\"failcnt\":0}}") != NULL, "hugetlb by size");
  cgroup_stats_clear (&s);
}

int
main (void)
{
  test_layouts ();
  test_controller_lists ();
  test_relative_paths ();
  test_device_rules ();
  test_validate ();
  test_validate_resources ();
  test_load_paths ();
  test_layout_checks ();
  test_write_flags ();
  test_device_program ();
  test_stats ();
  return tap_done ();
}
