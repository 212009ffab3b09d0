/* Unit tests for the cgroup code's pure parts: layout detection from mountinfo text for
 * pure v1, pure v2 and hybrid hosts, cgroupsPath handling, v1 device rules, validation,
 * and the state-file round trip (load opens nothing).
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
  check_validate (&c, "linux.resources.memory: not supported by silo yet", "memory.limit");
  r.memory = NULL;
  r.pids = &pids;
  pids.has_limit = true;
  check_validate (&c, "linux.resources.pids: not supported", "pids.limit");
  r.pids = NULL;
  r.hugepage_limits = &huge;
  r.n_hugepage_limits = 1;
  check_validate (&c, "linux.resources.hugepageLimits: not supported", "hugepageLimits");
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

int
main (void)
{
  test_layouts ();
  test_controller_lists ();
  test_relative_paths ();
  test_device_rules ();
  test_validate ();
  test_load_paths ();
  return tap_done ();
}
