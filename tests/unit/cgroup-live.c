/* Live tests of the cgroup code on this kernel's real hierarchies (root only; skipped
 * otherwise): create with device rules, clone3 into the cgroup2 leaf, enter, pids over a
 * subtree, kill_all with and without freezing, destroy (twice), refusal of a busy cgroup,
 * undo of a failed create, and the in-container cgroup mount (bind and cgroupns).
 *
 * Every cgroup it makes is named silo-unit-cgroup-<pid>[-suffix]; whatever happens, the
 * end of main kills the processes it started and removes those cgroups everywhere
 * (cgroup-fixture.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/sched.h>

#include "cgroup-fixture.h"
#include "cgroup/cgroup-internal.h"
#include "pathsafe.h"
#include "tap.h"
#include "util.h"

#ifndef CLONE_INTO_CGROUP
# define CLONE_INTO_CGROUP 0x200000000ULL
#endif

static struct fixture fixture;

/* ---- helpers ------------------------------------------------------------------------------ */

/* A process that waits for a byte on `go`, then forks a grandchild (its pid written to
 * `report`), and both sleep until killed.  */
static _Noreturn void
child_main (int go, int report)
{
  char c;
  pid_t g;

  if (read (go, &c, 1) == 1)
    {
      g = fork ();
      if (g == 0)
        for (;;)
          pause ();
      if (write (report, &g, sizeof (g)) < 0)
        _exit (1);
    }
  for (;;)
    pause ();
}

/* clone3 into cgroup_fd when >= 0 (what silo does; *placed tells whether it took), else
 * fork (also where clone3 is missing, e.g. under valgrind).  */
static pid_t
spawn_child (int cgroup_fd, int go, int report, bool *placed)
{
  struct clone_args args;
  pid_t pid;

  memset (&args, 0, sizeof (args));
  args.exit_signal = SIGCHLD;
  if (cgroup_fd >= 0)
    {
      args.flags = CLONE_INTO_CGROUP;
      args.cgroup = (uint64_t) cgroup_fd;
    }
  fflush (stdout);
  pid = (pid_t) syscall (SYS_clone3, &args, sizeof (args));
  *placed = pid >= 0 && cgroup_fd >= 0;
  if (pid < 0)
    pid = fork ();
  if (pid == 0)
    child_main (go, report);
  fixture_track (&fixture, pid);
  return pid;
}

static char
process_state (pid_t pid)
{
  char path[64], buf[512];
  _cleanup_close_ int fd = -1;
  ssize_t n;
  char *paren;

  snprintf (path, sizeof (path), "/proc/%d/stat", (int) pid);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 || (n = read (fd, buf, sizeof (buf) - 1)) <= 0)
    return '?';
  buf[n] = '\0';
  paren = strrchr (buf, ')');
  return paren != NULL && paren[1] == ' ' ? paren[2] : '?';
}

static bool
wait_state (pid_t pid, char want)
{
  for (int i = 0; i < 200; i++)
    {
      if (process_state (pid) == want)
        return true;
      usleep (5000);
    }
  return false;
}

static bool
file_contains (const char *path, const char *needle)
{
  _cleanup_free_ char *text = NULL;
  return read_file_at (AT_FDCWD, path, &text, NULL, NULL) == 0 && strstr (text, needle) != NULL;
}

static bool
exists (const char *path)
{
  struct stat st;
  return stat (path, &st) == 0;
}

static oci_config *
config_with_devices (oci_config *c, oci_linux *l, oci_resources *r, oci_device_cgroup *rules, size_t n,
                     const char *cgroups_path)
{
  memset (c, 0, sizeof (*c));
  memset (l, 0, sizeof (*l));
  memset (r, 0, sizeof (*r));
  c->linux_ = l;
  l->resources = r;
  l->cgroups_path = (char *) cgroups_path;
  r->devices = rules;
  r->n_devices = n;
  return c;
}

/* ---- the tests ---------------------------------------------------------------------------- */

static void
check_devices (const struct silo_cgroup *cg)
{
  for (size_t i = 0; i < cg->n_hierarchies; i++)
    if (strcmp (cg->hierarchies[i].controllers, "devices") == 0)
      {
        _cleanup_free_ char *list = xasprintf ("%s/devices.list", cg->hierarchies[i].path);
        ok (file_contains (list, "c 4:1 r\n"), "devices.list has the config's rule c 4:1 r");
        ok (file_contains (list, "c 1:3 rwm\n") && file_contains (list, "c 136:* rwm\n")
            && file_contains (list, "b *:* m\n"), "devices.list has the defaults");
        ok (!file_contains (list, "a *:* rwm"), "devices.list no longer allows everything");
        ok (!file_contains (list, "c 4:2 "), "the config's deny rule holds (c 4:2 absent)");
      }
}

static void
check_proc_cgroup (pid_t pid, const struct silo_cgroup *cg)
{
  _cleanup_free_ char *path = xasprintf ("/proc/%d/cgroup", (int) pid);
  _cleanup_free_ char *text = NULL, *want = xasprintf (":/%s", fixture.id);
  size_t lines = 0, matching = 0;
  char *save = NULL;

  read_file_at (AT_FDCWD, path, &text, NULL, NULL);
  for (char *l = text ? strtok_r (text, "\n", &save) : NULL; l != NULL; l = strtok_r (NULL, "\n", &save))
    {
      lines++;
      if (strlen (l) > strlen (want) && strcmp (l + strlen (l) - strlen (want), want) == 0)
        matching++;
      else
        printf ("#   %s\n", l);
    }
  ok (lines == cg->n_hierarchies && matching == lines, "/proc/%d/cgroup: all %zu hierarchies at /%s",
      (int) pid, lines, fixture.id);
}

static void
check_pids (const struct silo_cgroup *cg, pid_t a, pid_t b)
{
  _cleanup_free_ pid_t *pids = NULL;
  struct silo_error *err = NULL;
  size_t n = 0;
  bool seen_a = false, seen_b = false;

  ok (silo_cgroup_pids (cg, &pids, &n, &err) == 0, "pids");
  for (size_t i = 0; i < n; i++)
    {
      seen_a |= pids[i] == a;
      seen_b |= pids[i] == b;
    }
  ok (n == 2 && seen_a && seen_b, "pids: the child and the grandchild in a sub-cgroup (%zu)", n);
  silo_error_free (err);
}

/* Move the grandchild into <reference>/sub: the subtree must be walked and removed.  */
static void
make_sub_cgroup (const struct silo_cgroup *cg, pid_t grandchild)
{
  const struct cgroup_hierarchy *h = cg->unified != NULL ? cg->unified : cg->freezer;
  _cleanup_free_ char *sub = xasprintf ("%s/sub", h->path);
  _cleanup_free_ char *procs = xasprintf ("%s/cgroup.procs", sub);
  _cleanup_free_ char *value = xasprintf ("%d", (int) grandchild);

  ok (mkdir (sub, 0755) == 0 && write_file_at (AT_FDCWD, procs, value, strlen (value), NULL) == 0,
      "grandchild moved into %s", sub);
}

static void
check_kill_all (struct silo_cgroup *cg, pid_t child, pid_t grandchild)
{
  struct silo_error *err = NULL;
  struct cgroup_hierarchy *f = cg->freezer;
  int status = 0;

  ok (silo_cgroup_kill_all (cg, SIGSTOP, &err) == 0, "kill_all SIGSTOP");
  ok (wait_state (child, 'T') && wait_state (grandchild, 'T'), "both stopped");
  ok (!silo_cgroup_is_frozen (cg), "thawed after signalling");
  ok (silo_cgroup_kill_all (cg, SIGCONT, &err) == 0 && wait_state (child, 'S') && wait_state (grandchild, 'S'),
      "kill_all SIGCONT: both running");
  ok (f != NULL && f->driver->set_frozen (f, f->dir_fd, true, &err) == 0, "freeze");
  ok (silo_cgroup_is_frozen (cg), "is_frozen");
  ok (silo_cgroup_kill_all (cg, SIGSTOP, &err) == 0 && silo_cgroup_is_frozen (cg),
      "kill_all on a paused container leaves it paused");
  ok (silo_cgroup_kill_all (cg, SIGKILL, &err) == 0, "kill_all SIGKILL%s%s", err ? ": " : "", err ? err->msg : "");
  ok (waitpid (child, &status, 0) == child && WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL,
      "child killed by SIGKILL although it was frozen");
  ok (waitpid (grandchild, &status, 0) == grandchild && WIFSIGNALED (status), "grandchild killed");
  ok (!silo_cgroup_is_frozen (cg), "not frozen after SIGKILL");
  silo_error_free (err);
}

static void
check_destroy (struct silo_cgroup *cg)
{
  struct silo_error *err = NULL;
  silo_cgroup_path *paths = NULL;
  struct silo_cgroup *loaded = NULL;
  size_t n = 0;

  silo_cgroup_paths (cg, &paths, &n);
  ok (silo_cgroup_destroy (cg, &err) == 0, "destroy%s%s", err ? ": " : "", err ? err->msg : "");
  ok (!fixture_left_anywhere (&fixture, fixture.id), "nothing left in any hierarchy");
  ok (silo_cgroup_destroy (cg, &err) == 0, "destroy again: already gone is fine");
  ok (silo_cgroup_load (paths, n, &loaded, &err) == 0 && silo_cgroup_destroy (loaded, &err) == 0,
      "load from the state paths + destroy of a gone cgroup");
  ok (!silo_cgroup_is_frozen (loaded), "is_frozen of a gone cgroup: false");
  silo_cgroup_free (loaded);
  for (size_t i = 0; i < n; i++)
    {
      free (paths[i].controller);
      free (paths[i].path);
    }
  free (paths);
  silo_error_free (err);
}

static void
test_lifecycle (void)
{
  oci_device_cgroup rules[] = {
    { .allow = false, .access = (char *) "rwm" },
    { .allow = true, .type = (char *) "c", .has_major = true, .major = 4, .has_minor = true, .minor = -1,
      .access = (char *) "r" },
    { .allow = false, .type = (char *) "c", .has_major = true, .major = 4, .has_minor = true, .minor = 2,
      .access = (char *) "r" },
    { .allow = true, .type = (char *) "c", .has_major = true, .major = 4, .has_minor = true, .minor = 1,
      .access = (char *) "r" },
  };
  oci_config c;
  oci_linux l;
  oci_resources r;
  struct silo_cgroup *cg = NULL;
  struct silo_error *err = NULL;
  int go[2], report[2];
  pid_t child, grandchild = 0;
  bool placed = false;

  config_with_devices (&c, &l, &r, rules, 4, NULL);
  ok (silo_cgroup_validate (&c, &err) == 0, "the config validates");
  ok (silo_cgroup_create (fixture.id, &c, &cg, &err) == 0, "create%s%s", err ? ": " : "", err ? err->msg : "");
  if (cg == NULL)
    return;
  ok (cg->n_hierarchies == fixture.n_mounts, "a cgroup in each of the %zu hierarchies", fixture.n_mounts);
  check_devices (cg);
  for (size_t i = 0; i < cg->n_hierarchies; i++)
    if (strcmp (cg->hierarchies[i].controllers, "cpuset") == 0)
      {
        _cleanup_free_ char *cpus = xasprintf ("%s/cpuset.cpus", cg->hierarchies[i].path);
        _cleanup_free_ char *mems = xasprintf ("%s/cpuset.mems", cg->hierarchies[i].path);
        ok (file_contains (cpus, "0") && file_contains (mems, "0"), "cpuset.cpus and .mems copied from the parent");
      }
  if (pipe2 (go, O_CLOEXEC) < 0 || pipe2 (report, O_CLOEXEC) < 0)
    return;
  child = spawn_child (silo_cgroup_v2_fd (cg), go[0], report[1], &placed);
  ok (child > 0 && (placed || silo_cgroup_v2_fd (cg) < 0), "clone3 into the cgroup2 leaf (fd %d)",
      silo_cgroup_v2_fd (cg));
  ok (silo_cgroup_enter (cg, child, placed, &err) == 0, "enter%s%s", err ? ": " : "", err ? err->msg : "");
  check_proc_cgroup (child, cg);
  ok (write (go[1], "g", 1) == 1 && read (report[0], &grandchild, sizeof (grandchild)) == sizeof (grandchild),
      "grandchild %d forked inside", (int) grandchild);
  fixture_track (&fixture, grandchild);
  make_sub_cgroup (cg, grandchild);
  check_pids (cg, child, grandchild);
  check_kill_all (cg, child, grandchild);
  check_destroy (cg);
  silo_cgroup_free (cg);
  close (go[0]), close (go[1]), close (report[0]), close (report[1]);
  silo_error_free (err);
}

/* destroy of a cgroup that still runs a process: SIGKILL, wait, remove, although the
 * process stays an unreaped zombie of ours meanwhile.  */
static void
test_destroy_live (void)
{
  _cleanup_free_ char *id = xasprintf ("%s-live", fixture.id);
  struct silo_cgroup *cg = NULL;
  struct silo_error *err = NULL;
  int go[2], status = 0;
  bool placed = false;
  pid_t pid;

  if (pipe2 (go, O_CLOEXEC) < 0 || silo_cgroup_create (id, NULL, &cg, &err) < 0)
    {
      ok (0, "setup: %s", err ? err->msg : strerror (errno));
      silo_error_free (err);
      return;
    }
  pid = spawn_child (silo_cgroup_v2_fd (cg), go[0], go[1], &placed);
  ok (silo_cgroup_enter (cg, pid, placed, &err) == 0, "a process in the cgroup");
  ok (silo_cgroup_destroy (cg, &err) == 0, "destroy kills it and removes the cgroup%s%s", err ? ": " : "",
      err ? err->msg : "");
  ok (!fixture_left_anywhere (&fixture, id), "nothing left although the process is still a zombie");
  ok (waitpid (pid, &status, 0) == pid && WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL,
      "the process was SIGKILLed");
  silo_cgroup_free (cg);
  close (go[0]), close (go[1]);
  silo_error_free (err);
}

/* A cgroup that exists and holds a process is refused; what create made is removed,
 * what it found stays.  */
static void
test_busy_refused (void)
{
  _cleanup_free_ char *id = xasprintf ("%s-busy", fixture.id);
  _cleanup_free_ char *dir = xasprintf ("%s/%s", fixture.mounts[fixture.n_mounts - 1].mount_point, id);
  _cleanup_free_ char *procs = xasprintf ("%s/cgroup.procs", dir);
  struct silo_cgroup *cg = NULL;
  struct silo_error *err = NULL;
  int go[2];
  pid_t pid;
  bool others_left = false, placed;

  if (pipe2 (go, O_CLOEXEC) < 0 || mkdir (dir, 0755) < 0)
    return;
  pid = spawn_child (-1, go[0], go[1], &placed);
  {
    _cleanup_free_ char *value = xasprintf ("%d", (int) pid);
    write_file_at (AT_FDCWD, procs, value, strlen (value), NULL);
  }
  ok (silo_cgroup_create (id, NULL, &cg, &err) < 0 && err != NULL
      && strstr (err->msg, "already exists and holds processes") != NULL,
      "busy cgroup refused (%s)", err != NULL ? err->msg : "accepted");
  for (size_t i = 0; i + 1 < fixture.n_mounts; i++)
    {
      _cleanup_free_ char *p = xasprintf ("%s/%s", fixture.mounts[i].mount_point, id);
      others_left |= exists (p);
    }
  ok (!others_left, "the cgroups create made were removed");
  ok (exists (dir), "the busy cgroup it found is left alone");
  kill (pid, SIGKILL);
  waitpid (pid, NULL, 0);
  usleep (10000);
  rmdir (dir);
  close (go[0]), close (go[1]);
  silo_error_free (err);
}

/* A failure after every directory exists (the kernel refuses a device rule): nested
 * levels it made are all removed.  */
static void
test_undo (void)
{
  _cleanup_free_ char *top = xasprintf ("%s-undo", fixture.id);
  _cleanup_free_ char *path = xasprintf ("/%s/a/b", top);
  oci_device_cgroup rules[] = {
    { .allow = true, .type = (char *) "c", .has_major = true, .major = (int64_t) 1 << 40, .access = (char *) "r" },
  };
  oci_config c;
  oci_linux l;
  oci_resources r;
  struct silo_cgroup *cg = NULL;
  struct silo_error *err = NULL;

  config_with_devices (&c, &l, &r, rules, 1, path);
  ok (silo_cgroup_create (fixture.id, &c, &cg, &err) < 0 && cg == NULL,
      "create fails on a rule the kernel refuses (%s)", err != NULL ? err->msg : "accepted");
  ok (!fixture_left_anywhere (&fixture, top), "every level it made is removed");
  silo_error_free (err);
}

/* In a new mount namespace: the cgroup mount as a bind of the leaves (read-only), then
 * with a cgroup namespace (fresh mounts whose root is the container's cgroup).  Returns
 * a bit per failed check.  */
static int
mount_checks (struct silo_cgroup *cg, const char *root)
{
  _cleanup_close_ int rootfd = -1;
  int target = -1;
  struct silo_error *err = NULL;
  int failed = 0;
  char *p, *self;
  struct statvfs sv;
  const char *ref = cg->unified != NULL ? "unified" : "freezer";

  if (unshare (CLONE_NEWNS) < 0 || mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    return 0xff;
  /* Opened in the new namespace, as silo's child does: a mount can only go on its own.  */
  rootfd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  target = silo_mkdirs_in_root (rootfd, "/sys/fs/cgroup", 0755, &err);
  if (target < 0
      || silo_cgroup_mount_in_container (cg, target, "/sys/fs/cgroup", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                                         false, &err) < 0)
    printf ("#   %s\n", err->msg), failed |= 1;
  p = xasprintf ("%s/sys/fs/cgroup/devices/devices.list", root);
  failed |= exists (p) ? 0 : 2;
  free (p);
  p = xasprintf ("%s/sys/fs/cgroup/x", root);
  failed |= mkdir (p, 0755) < 0 && errno == EROFS ? 0 : 4;
  free (p);
  p = xasprintf ("%s/sys/fs/cgroup/%s", root, ref);
  failed |= statvfs (p, &sv) == 0 && (sv.f_flag & ST_RDONLY) && (sv.f_flag & ST_NOSUID) ? 0 : 8;
  free (p);
  silo_error_freep (&err);
  if (target >= 0)
    close (target);
  if (silo_cgroup_enter (cg, getpid (), false, &err) < 0 || unshare (CLONE_NEWCGROUP) < 0
      || (target = silo_mkdirs_in_root (rootfd, "/cg", 0755, &err)) < 0
      || silo_cgroup_mount_in_container (cg, target, "/cg", 0, true, &err) < 0)
    printf ("#   %s\n", err ? err->msg : strerror (errno)), failed |= 16;
  self = xasprintf ("%d\n", (int) getpid ());
  p = xasprintf ("%s/cg/%s/cgroup.procs", root, ref);
  failed |= file_contains (p, self) ? 0 : 32;
  free (p);
  p = xasprintf ("%s/cg/devices/cgroup.procs", root);
  failed |= file_contains (p, self) ? 0 : 64;
  free (p);
  free (self);
  silo_error_free (err);
  return failed;
}

static void
test_mount (void)
{
  _cleanup_free_ char *id = xasprintf ("%s-mnt", fixture.id);
  char root[] = "/tmp/silo-unit-cgroup-root-XXXXXX";
  struct silo_cgroup *cg = NULL;
  struct silo_error *err = NULL;
  int status = 0;
  pid_t pid;

  if (mkdtemp (root) == NULL || silo_cgroup_create (id, NULL, &cg, &err) < 0)
    {
      ok (0, "setup for the mount test: %s", err ? err->msg : strerror (errno));
      silo_error_free (err);
      rmdir (root);
      return;
    }
  fflush (stdout);
  pid = fork ();
  if (pid == 0)
    {
      int failed = mount_checks (cg, root);
      printf ("# mount checks: %#x\n", failed);
      fflush (stdout);
      _exit (failed);
    }
  fixture_track (&fixture, pid);
  waitpid (pid, &status, 0);
  ok (WIFEXITED (status) && (WEXITSTATUS (status) & 1) == 0, "bind mount of the leaves: done");
  ok (WIFEXITED (status) && (WEXITSTATUS (status) & 2) == 0, "bind mount: devices/devices.list visible");
  ok (WIFEXITED (status) && (WEXITSTATUS (status) & 4) == 0, "bind mount: the tmpfs is read-only");
  ok (WIFEXITED (status) && (WEXITSTATUS (status) & 8) == 0, "bind mount: ro,nosuid applied to the leaves");
  ok (WIFEXITED (status) && (WEXITSTATUS (status) & 16) == 0, "cgroupns mount: done");
  ok (WIFEXITED (status) && (WEXITSTATUS (status) & 96) == 0, "cgroupns mount: its root is the container's cgroup");
  ok (silo_cgroup_destroy (cg, &err) == 0 && !fixture_left_anywhere (&fixture, id), "destroy after the mount test");
  silo_cgroup_free (cg);
  silo_error_free (err);
  fixture_remove_tree (root);   /* only the directories the mounts needed */
}

int
main (void)
{
  if (!fixture_setup (&fixture, "silo-unit-cgroup"))
    return 0;
  prctl (PR_SET_CHILD_SUBREAPER, 1);   /* the grandchildren come back to us */
  test_lifecycle ();
  test_destroy_live ();
  test_busy_refused ();
  test_undo ();
  test_mount ();
  fixture_cleanup (&fixture);
  ok (!fixture_any_left (&fixture), "cleanup: no cgroup named %s* left", fixture.id);
  fixture_free (&fixture);
  return tap_done ();
}
