/* Tests of path safety and of the rootfs setup, for real (root only): a busybox rootfs in a
 * temporary directory, set up by silo_rootfs_prepare/pivot/finalize in a child that has its
 * own mount and pid namespaces (and, in one run, a user namespace), checked from inside.
 * The namespaces die with the child: nothing stays mounted on the host, which the test
 * checks at the end; the temporary directory is removed.  */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/magic.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "oci.h"
#include "pathsafe.h"
#include "rootfs.h"
#include "rootfs-plan.h"
#include "tap.h"
#include "util.h"

#ifndef MQUEUE_MAGIC
# define MQUEUE_MAGIC 0x19800202
#endif

static char tmpdir[] = "/tmp/silo-rootfs-test.XXXXXX";

/* ---- fixtures ----------------------------------------------------------------- */

static char *at (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

static char *
at (const char *fmt, ...)
{
  static char buf[4][4096];
  static int next;
  char *b = buf[next++ % 4];
  int n = snprintf (b, sizeof (buf[0]), "%s/", tmpdir);
  va_list ap;

  va_start (ap, fmt);
  vsnprintf (b + n, sizeof (buf[0]) - (size_t) n, fmt, ap);
  va_end (ap);
  return b;
}

static void
write_text (const char *path, const char *text)
{
  FILE *f = fopen (path, "w");
  if (f == NULL || fputs (text, f) < 0 || fclose (f) != 0)
    {
      perror (path);
      exit (1);
    }
}

static char *
read_text (const char *path)
{
  char *text = NULL;
  struct silo_error *err = NULL;

  if (read_file_at (AT_FDCWD, path, &text, NULL, &err) < 0)
    silo_error_free (err);
  return text;
}

static void
copy_busybox (const char *dest)
{
  char *data = NULL;
  size_t len = 0;
  struct silo_error *err = NULL;
  int fd;

  if (read_file_at (AT_FDCWD, "/bin/busybox", &data, &len, &err) < 0)
    {
      printf ("Bail out! %s (install busybox-static)\n", err->msg);
      exit (1);
    }
  fd = open (dest, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
  if (fd < 0 || write_all (fd, data, len) < 0 || close (fd) < 0)
    {
      perror (dest);
      exit (1);
    }
  free (data);
}

static void
make_rootfs (const char *name)
{
  static const char *const dirs[] = { "", "bin", "proc", "sys", "dev", "tmp", "secret", "seed" };
  static const char *const tools[] = { "sh", "ls", "cat", "test" };

  for (size_t i = 0; i < SILO_ARRAY_SIZE (dirs); i++)
    mkdir (at ("%s/%s", name, dirs[i]), 0755);
  copy_busybox (at ("%s/bin/busybox", name));
  for (size_t i = 0; i < SILO_ARRAY_SIZE (tools); i++)
    symlink ("busybox", at ("%s/bin/%s", name, tools[i]));
  write_text (at ("%s/secret/file", name), "top secret\n");
  write_text (at ("%s/seed/seed.txt", name), "seed\n");
  mkdir (at ("%s/seed/sub", name), 0750);
  symlink ("../seed.txt", at ("%s/seed/sub/inner", name));
}

static void
make_fixtures (void)
{
  if (mkdtemp (tmpdir) == NULL)
    {
      perror ("mkdtemp");
      exit (1);
    }
  make_rootfs ("rootfs");
  mkdir (at ("host"), 0755);
  write_text (at ("host/file.txt"), "hello\n");
  /* A rootfs whose /proc leads elsewhere.  */
  mkdir (at ("evil"), 0755);
  mkdir (at ("evil/tmp"), 0755);
  symlink ("/tmp", at ("evil/proc"));
  /* For the path-safety tests: symlinks that try to leave the root.  */
  mkdir (at ("jail"), 0755);
  symlink ("/etc", at ("jail/abs"));
  symlink ("../../../../../../..", at ("jail/up"));
}

static int
remove_entry (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  (void) st, (void) flag, (void) ftw;
  if (remove (path) < 0 && errno != ENOENT)
    printf ("# cleanup: remove %s: %s\n", path, strerror (errno));
  return 0;   /* go on: one entry in the way must not keep the rest */
}

/* ---- path safety (no namespaces needed) ---------------------------------------- */

static void
test_pathsafe (void)
{
  struct silo_error *err = NULL;
  int root = open (at ("jail"), O_PATH | O_DIRECTORY | O_CLOEXEC), fd;
  char name[64];
  struct stat st;

  fd = silo_open_in_root (root, "/abs/passwd", O_RDONLY, 0, &err);
  ok (fd < 0 && err != NULL && err->errnum == ENOENT, "an absolute symlink stays in the root: no host /etc/passwd");
  silo_error_freep (&err);
  fd = silo_open_in_root (root, "up/etc/passwd", O_RDONLY, 0, &err);
  ok (fd < 0 && err != NULL && err->errnum == ENOENT, "a ../.. symlink stays in the root");
  silo_error_freep (&err);

  snprintf (name, sizeof (name), "/abs/silo-test-%d/sub", (int) getpid ());
  fd = silo_mkdirs_in_root (root, name, 0755, &err);
  ok (fd >= 0, "mkdirs through a dangling symlink makes its target: %s", err ? err->msg : "ok");
  ok (stat (at ("jail/etc/silo-test-%d/sub", (int) getpid ()), &st) == 0 && S_ISDIR (st.st_mode),
      "... created inside the root");
  snprintf (name, sizeof (name), "/etc/silo-test-%d", (int) getpid ());
  ok (access (name, F_OK) < 0, "... not on the host");
  if (fd >= 0)
    close (fd);
  silo_error_freep (&err);
  symlink ("loop-b", at ("jail/loop-a"));
  symlink ("loop-a", at ("jail/loop-b"));
  fd = silo_mkdirs_in_root (root, "/loop-a/x", 0755, &err);
  ok (fd < 0 && err != NULL && err->errnum == ELOOP, "a symlink loop is an error: %s",
      err ? err->msg : "accepted");
  silo_error_freep (&err);

  fd = silo_mkfile_in_root (root, "up/a/b/newfile", 0644, &err);
  ok (fd >= 0 && stat (at ("jail/a/b/newfile"), &st) == 0 && S_ISREG (st.st_mode),
      "mkfile through ../.. lands in the root");
  if (fd >= 0)
    close (fd);
  silo_error_freep (&err);
  close (root);
}

static void
test_procfs (void)
{
  struct silo_error *err = NULL;
  int procfd = silo_procfs_open (&err);
  char *current = read_text ("/proc/self/oom_score_adj");
  struct statfs sfs;

  ok (procfd >= 0 && fstatfs (procfd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC,
      "silo_procfs_open: a procfs fd (%s)", err ? err->msg : "ok");
  silo_error_freep (&err);
  ok (current != NULL && silo_procfs_write (procfd, "self/oom_score_adj", current, strlen (current), &err) == 0,
      "write self/oom_score_adj (%s)", err ? err->msg : "ok");
  silo_error_freep (&err);
  ok (silo_procfs_write (procfd, "self/fd/1", "x", 1, &err) < 0 && err->errnum == ELOOP,
      "a magic link is refused: %s", err ? err->msg : "(none)");
  silo_error_freep (&err);
  ok (silo_procfs_write (procfd, "../etc/hostname", "x", 1, &err) < 0 && err->errnum == EXDEV,
      "a path out of procfs is refused: %s", err ? err->msg : "(none)");
  silo_error_freep (&err);
  ok (silo_procfs_write (procfd, "mounts", "x", 1, &err) < 0 && err->errnum == ELOOP,
      "a symlink (/proc/mounts) is refused: %s", err ? err->msg : "(none)");
  silo_error_freep (&err);
  free (current);
  close (procfd);
}

/* ---- running a scenario in its own namespaces ----------------------------------- */

struct scenario
{
  const char *name;
  const char *json;
  bool userns;
  bool no_pivot;
  const char *want_error;   /* NULL: must succeed, and the checks run */
  const char *want_error2;
};

static oci_config *
parse_config (const char *json)
{
  oci_config *config = NULL;
  struct silo_error *err = NULL;

  if (oci_config_parse (json, strlen (json), &config, &err) < 0)
    {
      printf ("Bail out! config: %s\n", err->msg);
      exit (1);
    }
  return config;
}

/* Every check from inside the container, after finalize.  */
static void check_inside (const struct scenario *s);

/* The scenario's JSON with @HOST@ replaced by the host directory to bind.  */
static char *
expand (const char *json)
{
  const char *host = at ("host"), *hit;
  size_t len = 0, cap = strlen (json) * 2 + 4096;
  char *out = xmalloc0 (cap);

  while ((hit = strstr (json, "@HOST@")) != NULL)
    {
      memcpy (out + len, json, (size_t) (hit - json));
      len += (size_t) (hit - json);
      memcpy (out + len, host, strlen (host));
      len += strlen (host);
      json = hit + strlen ("@HOST@");
    }
  memcpy (out + len, json, strlen (json) + 1);
  return out;
}

static int
count_fds (void)
{
  int n = 0;
  DIR *dir = opendir ("/proc/self/fd");

  while (dir != NULL && readdir (dir) != NULL)
    n++;
  if (dir != NULL)
    closedir (dir);
  return n;
}

static int fds_before_setup;

/* A pty of the container's own devpts, reached by fd only, onto /dev/console.  */
static int
bind_console (int rootfd, struct silo_error **err)
{
  int master = -1, slave = -1, unlock = 0, r = -1;

  master = silo_open_in_root (rootfd, "/dev/pts/ptmx", O_RDWR | O_NOCTTY, 0, err);
  if (master < 0)
    return -1;
  if (ioctl (master, TIOCSPTLCK, &unlock) < 0
      || (slave = ioctl (master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
    silo_fail (err, errno, "open the pty peer");
  else
    r = silo_rootfs_bind_console (rootfd, slave, err);
  if (slave >= 0)
    close (slave);
  close (master);
  return r;
}

static int
run_setup (const struct scenario *s, struct silo_error **err)
{
  _cleanup_free_ char *json = expand (s->json);
  oci_config *config = parse_config (json);
  struct silo_rootfs_plan plan = { 0 };
  struct silo_rootfs_ctx ctx = { .config = config, .bundle = tmpdir, .userns = s->userns,
                                 .procfd = -1, .mount_ns = true, .plan = &plan };
  int procfd = silo_procfs_open (err), rootfd = -1;

  if (silo_rootfs_plan_make (config, tmpdir, &plan, err) < 0)
    return -1;

  if (procfd < 0 || silo_procfs_write (procfd, "self/oom_score_adj", "500", 3, err) < 0
      || silo_procfs_write (procfd, "thread-self/comm", "silo-test", 9, err) < 0)
    return -1;
  if (silo_rootfs_prepare (&ctx, &rootfd, err) < 0 || bind_console (rootfd, err) < 0
      || silo_rootfs_pivot (&ctx, rootfd, s->no_pivot, err) < 0 || silo_rootfs_finalize (&ctx, err) < 0)
    return -1;
  close (rootfd);
  close (procfd);
  silo_rootfs_plan_release (&plan);
  oci_config_free (config);
  return 0;
}

static void
container_main (const struct scenario *s, int report)
{
  struct silo_error *err = NULL;
  int counts[2];

  fds_before_setup = count_fds ();
  if (run_setup (s, &err) < 0)
    {
      if (s->want_error == NULL)
        ok (0, "setup succeeds: %s", err->msg);
      else
        {
          ok (strstr (err->msg, s->want_error) != NULL
              && (s->want_error2 == NULL || strstr (err->msg, s->want_error2) != NULL),
              "refused as expected: %s", err->msg);
        }
    }
  else if (s->want_error != NULL)
    ok (0, "setup should fail with `%s`", s->want_error);
  else
    check_inside (s);
  counts[0] = tap_count;
  counts[1] = tap_failed;
  fflush (stdout);
  (void) write_all (report, counts, sizeof (counts));
  _exit (0);
}

/* The test's own safety net comes first: the namespace's mounts become slaves before any
 * code under test runs, so that even a bug cannot propagate a mount to the host.  */
static int
enter_namespaces (bool userns, int mapped)
{
  char c;

  if (userns)
    {
      if (unshare (CLONE_NEWUSER) < 0)
        return -1;
      (void) write_all (mapped, "u", 1);
      if (read_all (mapped, &c, 1) != 1 || setresgid (0, 0, 0) < 0 || setresuid (0, 0, 0) < 0)
        return -1;
      if (unshare (CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC) < 0)
        return -1;
    }
  else if (unshare (CLONE_NEWNS | CLONE_NEWPID) < 0)
    return -1;
  return mount (NULL, "/", NULL, MS_REC | MS_SLAVE, NULL);
}

/* The parent maps the child's user namespace: 0..65535 onto the host's 0..65535.  */
static void
map_user_namespace (pid_t pid, int channel)
{
  char c, path[64];
  static const char map[] = "0 0 65536";

  if (read_all (channel, &c, 1) != 1)
    return;
  snprintf (path, sizeof (path), "/proc/%d/uid_map", (int) pid);
  write_text (path, map);
  snprintf (path, sizeof (path), "/proc/%d/gid_map", (int) pid);
  write_text (path, map);
  (void) write_all (channel, "m", 1);
}

static void
run_scenario (const struct scenario *s)
{
  int report[2], channel[2], counts[2], status;
  pid_t pid;

  if (pipe2 (report, O_CLOEXEC) < 0 || socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, channel) < 0)
    exit (1);
  fflush (stdout);
  pid = fork ();
  if (pid == 0)
    {
      close (report[0]);
      if (enter_namespaces (s->userns, channel[1]) < 0)
        {
          printf ("not ok - enter namespaces: %s\n", strerror (errno));
          _exit (1);
        }
      pid = fork ();   /* pid 1 of the new pid namespace */
      if (pid == 0)
        container_main (s, report[1]);
      _exit (pid > 0 && waitpid (pid, &status, 0) == pid && WIFEXITED (status) ? WEXITSTATUS (status) : 1);
    }
  close (report[1]);
  if (s->userns)
    map_user_namespace (pid, channel[0]);
  close (channel[0]);
  close (channel[1]);
  if (read_all (report[0], counts, sizeof (counts)) == sizeof (counts))
    {
      tap_count = counts[0];
      tap_failed = counts[1];
    }
  else
    ok (0, "the container child reported its results");
  close (report[0]);
  ok (waitpid (pid, &status, 0) == pid && WIFEXITED (status) && WEXITSTATUS (status) == 0,
      "the container child exited cleanly");
}

/* ---- checks from inside --------------------------------------------------------- */

static bool
is_fs (const char *path, long magic)
{
  struct statfs sfs;
  return statfs (path, &sfs) == 0 && (long) sfs.f_type == magic;
}

static bool
has_flags (const char *path, unsigned long flags)
{
  struct statvfs sv;
  return statvfs (path, &sv) == 0 && (sv.f_flag & flags) == flags;
}

static bool
link_is (const char *path, const char *target)
{
  char buf[256];
  ssize_t n = readlink (path, buf, sizeof (buf) - 1);

  if (n < 0)
    return false;
  buf[n] = '\0';
  return strcmp (buf, target) == 0;
}

static bool
text_is (const char *path, const char *text)
{
  char *got = read_text (path);
  bool same = got != NULL && strcmp (got, text) == 0;

  free (got);
  return same;
}

static bool
node_is (const char *path, mode_t type, unsigned maj, unsigned min, mode_t mode)
{
  struct stat st;
  return lstat (path, &st) == 0 && (st.st_mode & S_IFMT) == type && (st.st_mode & 07777) == mode
         && (type == S_IFIFO || st.st_rdev == makedev (maj, min));
}

static bool
refuses_write (const char *path)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd >= 0)
    close (fd);
  return fd < 0 && errno == EROFS;
}

/* The "/" line of mountinfo has no "shared:N" or "master:N" tag: rootfsPropagation
 * "private" was applied.  */
static bool
root_is_private (void)
{
  _cleanup_free_ char *info = read_text ("/proc/self/mountinfo");

  for (char *line = info; line != NULL && *line != '\0';)
    {
      char *end = strchr (line, '\n'), *dash;
      char mountpoint[256] = "";

      if (end != NULL)
        *end = '\0';
      if (sscanf (line, "%*s %*s %*s %*s %255s", mountpoint) == 1 && strcmp (mountpoint, "/") == 0)
        {
          dash = strstr (line, " - ");
          if (dash != NULL)
            *dash = '\0';
          return strstr (line, "shared:") == NULL && strstr (line, "master:") == NULL;
        }
      line = end != NULL ? end + 1 : NULL;
    }
  return false;
}

static bool
shell_works (void)
{
  int status;
  pid_t pid = fork ();

  if (pid == 0)
    {
      execl ("/bin/sh", "sh", "-c", "test -c /dev/null && test -L /dev/ptmx && cat /hostfile >/dev/null",
             (char *) NULL);
      _exit (127);
    }
  return pid > 0 && waitpid (pid, &status, 0) == pid && WIFEXITED (status) && WEXITSTATUS (status) == 0;
}

static void
check_mounts (const struct scenario *s)
{
  const char *n = s->name;
  struct stat st;
  int fd;

  ok (is_fs ("/proc", PROC_SUPER_MAGIC) && link_is ("/proc/self", "1"), "%s: /proc of the new pid namespace", n);
  ok (text_is ("/proc/self/oom_score_adj", "500\n"), "%s: procfs_write self/oom_score_adj", n);
  ok (text_is ("/proc/self/comm", "silo-test\n"), "%s: procfs_write thread-self/comm", n);
  ok (is_fs ("/dev", TMPFS_MAGIC) && has_flags ("/dev", ST_NOSUID), "%s: /dev tmpfs nosuid", n);
  ok (is_fs ("/dev/pts", DEVPTS_SUPER_MAGIC), "%s: /dev/pts devpts", n);
  ok (is_fs ("/dev/shm", TMPFS_MAGIC) && has_flags ("/dev/shm", ST_NOSUID | ST_NOEXEC | ST_NODEV),
      "%s: /dev/shm tmpfs nosuid,noexec,nodev", n);
  ok (is_fs ("/dev/mqueue", MQUEUE_MAGIC), "%s: /dev/mqueue", n);
  ok (is_fs ("/sys", SYSFS_MAGIC) && has_flags ("/sys", ST_RDONLY), "%s: /sys sysfs ro", n);
  ok (text_is ("/hostro/file.txt", "hello\n") && has_flags ("/hostro", ST_RDONLY | ST_NOSUID),
      "%s: rbind,ro,nosuid of a host dir", n);
  ok (refuses_write ("/hostro/new"), "%s: ... not writable", n);
  ok (lstat ("/hostfile", &st) == 0 && S_ISREG (st.st_mode) && text_is ("/hostfile", "hello\n")
      && has_flags ("/hostfile", ST_RDONLY), "%s: bind of a file onto a file, ro", n);
  ok (has_flags ("/rro", ST_RDONLY), "%s: rro", n);
  ok (has_flags ("/hostro2", ST_RDONLY), "%s: bind,remount,ro", n);
  ok (has_flags ("/remounted", ST_RDONLY | ST_NOSUID), "%s: remount,ro keeps nosuid", n);
  ok (is_fs ("/seed", TMPFS_MAGIC) && text_is ("/seed/seed.txt", "seed\n")
      && link_is ("/seed/sub/inner", "../seed.txt"), "%s: tmpcopyup copied the content", n);
  ok (stat ("/seed/sub", &st) == 0 && (st.st_mode & 07777) == 0750, "%s: ... and the modes", n);
  fd = open ("/seed/new", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  ok (fd >= 0, "%s: ... into a writable tmpfs", n);
  if (fd >= 0)
    close (fd);
}

static void
check_devices (const struct scenario *s)
{
  static const struct { const char *path; unsigned maj, min; } nodes[] = {
    { "/dev/null", 1, 3 }, { "/dev/zero", 1, 5 }, { "/dev/full", 1, 7 },
    { "/dev/random", 1, 8 }, { "/dev/urandom", 1, 9 }, { "/dev/tty", 5, 0 },
  };
  const char *n = s->name;
  struct stat st;

  for (size_t i = 0; i < SILO_ARRAY_SIZE (nodes); i++)
    ok (node_is (nodes[i].path, S_IFCHR, nodes[i].maj, nodes[i].min, 0666), "%s: %s", n, nodes[i].path);
  if (!s->userns)
    ok (node_is ("/dev/mydev", S_IFCHR, 1, 3, 0600) && stat ("/dev/mydev", &st) == 0
        && st.st_uid == 1000 && st.st_gid == 1000, "%s: linux.devices entry, mode and owner", n);
  ok (node_is ("/dev/sub/fifo", S_IFIFO, 0, 0, 0640), "%s: a fifo in a new directory", n);
  ok (stat ("/dev/console", &st) == 0 && S_ISCHR (st.st_mode) && major (st.st_rdev) >= 136
      && major (st.st_rdev) <= 143 && is_fs ("/dev/console", DEVPTS_SUPER_MAGIC),
      "%s: /dev/console is the pty slave", n);
  ok (link_is ("/dev/ptmx", "pts/ptmx") && link_is ("/dev/fd", "/proc/self/fd")
      && link_is ("/dev/stdin", "/proc/self/fd/0") && link_is ("/dev/stdout", "/proc/self/fd/1")
      && link_is ("/dev/stderr", "/proc/self/fd/2"), "%s: /dev symlinks", n);
}

static void
check_inside (const struct scenario *s)
{
  const char *n = s->name;
  _cleanup_free_ char *info = NULL;
  struct stat st;

  check_mounts (s);
  check_devices (s);
  ok (stat ("/proc/keys", &st) == 0 && S_ISCHR (st.st_mode) && st.st_rdev == makedev (1, 3)
      && stat ("/proc/timer_list", &st) == 0 && st.st_rdev == makedev (1, 3),
      "%s: masked files are /dev/null", n);
  ok (access ("/secret/file", F_OK) < 0 && is_fs ("/secret", TMPFS_MAGIC) && has_flags ("/secret", ST_RDONLY),
      "%s: a masked directory is an empty read-only tmpfs", n);
  ok (access ("/proc/acpi", F_OK) < 0
      || (is_fs ("/proc/acpi", TMPFS_MAGIC) && has_flags ("/proc/acpi", ST_RDONLY)),
      "%s: ... and so is a second one (a clone of the first)", n);
  ok (has_flags ("/proc/sys", ST_RDONLY) && has_flags ("/proc/sys/kernel", ST_RDONLY),
      "%s: readonlyPaths /proc/sys", n);
  ok (!s->userns ? refuses_write ("/proc/sys/kernel/domainname") : true, "%s: ... refuses writes", n);
  ok (has_flags ("/", ST_RDONLY) && mkdir ("/newdir", 0755) < 0 && errno == EROFS, "%s: root.readonly", n);
  ok (root_is_private (), "%s: rootfsPropagation private", n);
  info = read_text ("/proc/self/mountinfo");
  ok (info != NULL && strstr (info, " /sys/fs/cgroup ") == NULL, "%s: the host's mounts are gone", n);
  ok (shell_works (), "%s: busybox sh runs in the container", n);
  ok (count_fds () == fds_before_setup, "%s: no fd left open by the setup", n);
}

/* ---- scenarios ------------------------------------------------------------------ */

#define MAIN_CONFIG(DEVICES)                                                                      \
  "{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":\"rootfs\",\"readonly\":true},\"mounts\":["        \
  "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"                             \
  "{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","                             \
  " \"options\":[\"nosuid\",\"strictatime\",\"mode=755\",\"size=65536k\"]},"                       \
  "{\"destination\":\"/dev/pts\",\"type\":\"devpts\",\"source\":\"devpts\",\"options\":[\"nosuid\"," \
  " \"noexec\",\"newinstance\",\"ptmxmode=0666\",\"mode=0620\",\"gid=5\"]},"                        \
  "{\"destination\":\"/dev/shm\",\"type\":\"tmpfs\",\"source\":\"shm\","                           \
  " \"options\":[\"nosuid\",\"noexec\",\"nodev\",\"mode=1777\",\"size=65536k\"]},"                 \
  "{\"destination\":\"/dev/mqueue\",\"type\":\"mqueue\",\"source\":\"mqueue\","                    \
  " \"options\":[\"nosuid\",\"noexec\",\"nodev\"]},"                                               \
  "{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\","                             \
  " \"options\":[\"nosuid\",\"noexec\",\"nodev\",\"ro\"]},"                                        \
  "{\"destination\":\"/hostro\",\"type\":\"bind\",\"source\":\"@HOST@\",\"options\":[\"rbind\",\"ro\",\"nosuid\"]}," \
  "{\"destination\":\"/hostfile\",\"source\":\"host/file.txt\",\"options\":[\"bind\",\"ro\"]},"   \
  "{\"destination\":\"/rro\",\"source\":\"@HOST@\",\"options\":[\"rbind\",\"rro\",\"rprivate\"]}," \
  "{\"destination\":\"/hostro2\",\"source\":\"@HOST@\",\"options\":[\"rbind\"]},"                   \
  "{\"destination\":\"/hostro2\",\"options\":[\"bind\",\"remount\",\"ro\"]},"                       \
  "{\"destination\":\"/remounted\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"nosuid\"]}," \
  "{\"destination\":\"/remounted\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"remount\",\"ro\"]}," \
  "{\"destination\":\"/seed\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"tmpcopyup\",\"mode=755\"]}" \
  "],\"linux\":{\"devices\":[" DEVICES "{\"path\":\"/dev/sub/fifo\",\"type\":\"p\",\"fileMode\":416}]," \
  "\"maskedPaths\":[\"/proc/kcore\",\"/proc/keys\",\"/proc/timer_list\",\"/secret\","      \
  "\"/proc/acpi\",\"/does/not/exist\"],"                               \
  "\"readonlyPaths\":[\"/proc/sys\",\"/missing/ro\"],\"rootfsPropagation\":\"private\"}}"

#define MYDEV "{\"path\":\"/dev/mydev\",\"type\":\"c\",\"major\":1,\"minor\":3,\"fileMode\":384,\"uid\":1000,\"gid\":1000},"

#define FAILING(ROOT, MOUNTS, LINUX) \
  "{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":\"" ROOT "\"},\"mounts\":[" MOUNTS "],\"linux\":{" LINUX "}}"

static const struct scenario scenarios[] = {
  { "pivot", MAIN_CONFIG (MYDEV), false, false, NULL, NULL },
  { "no-pivot", MAIN_CONFIG (MYDEV), false, true, NULL, NULL },
  { "userns", MAIN_CONFIG (""), true, false, NULL, NULL },
  { "symlinked /proc", FAILING ("evil", "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"}", ""),
    false, false, "mounts[0] (/proc): `/proc` or a directory above it is a symlink", NULL },
  { "bad tmpfs option", FAILING ("evil", "{\"destination\":\"/bad\",\"type\":\"tmpfs\",\"options\":[\"size=bogus\"]}", ""),
    false, false, "mounts[0] (/bad): mount tmpfs: Invalid argument", NULL },
  { "idmap", FAILING ("evil", "{\"destination\":\"/i\",\"source\":\"@HOST@\",\"options\":[\"rbind\",\"idmap\"]}", ""),
    false, false, "mounts[0] (/i): ID-mapped mount", "no tree was made for it before the clone" },
  { "cgroup without cgroups", FAILING ("evil", "{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup\",\"source\":\"cgroup\"}", ""),
    false, false, "mounts[0] (/sys/fs/cgroup): a cgroup mount needs cgroups", NULL },
  { "device over a directory", FAILING ("evil", "", "\"devices\":[{\"path\":\"/tmp\",\"type\":\"c\",\"major\":1,\"minor\":3}]"),
    false, false, "linux.devices[0] (/tmp): `/tmp` exists and is not the requested device 1:3", NULL },
};

static pid_t main_pid;

static void
cleanup (void)
{
  if (getpid () == main_pid && tmpdir[strlen (tmpdir) - 1] != 'X'
      && nftw (tmpdir, remove_entry, 8, FTW_DEPTH | FTW_PHYS) < 0 && errno != ENOENT)
    printf ("# cleanup: walk %s: %s\n", tmpdir, strerror (errno));   /* CI once left it whole */
}

int
main (void)
{
  _cleanup_free_ char *info = NULL;

  if (geteuid () != 0)
    {
      printf ("1..0 # SKIP needs root (mounts, namespaces)\n");
      return 0;
    }
  main_pid = getpid ();
  atexit (cleanup);
  make_fixtures ();
  test_pathsafe ();
  test_procfs ();
  for (size_t i = 0; i < SILO_ARRAY_SIZE (scenarios); i++)
    run_scenario (&scenarios[i]);

  ok (access (at ("rootfs/seed/new"), F_OK) < 0, "tmpcopyup: writes stay in the tmpfs");
  ok (access (at ("rootfs/dev/null"), F_OK) < 0, "/dev nodes went to the tmpfs, not the rootfs");
  info = read_text ("/proc/self/mountinfo");
  ok (info != NULL && strstr (info, tmpdir) == NULL, "no mount left on the host");
  /* A child of a scenario may still be on its way out (slowly on a loaded machine): up to
   * 10 s of tries.  */
  for (int tries = 0; tries < 100 && access (tmpdir, F_OK) == 0; tries++)
    {
      cleanup ();
      if (access (tmpdir, F_OK) == 0)
        usleep (100 * 1000);
    }
  ok (access (tmpdir, F_OK) < 0, "temporary directory removed");
  return tap_done ();
}
