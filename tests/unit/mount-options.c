/* Unit tests: OCI mount options -> flags, propagation, recursive attributes, data.  */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mount.h>

#include "mount.h"
#include "pathsafe.h"
#include "tap.h"

#define N(a) (sizeof (a) / sizeof ((a)[0]))

static struct silo_mount_options
parse (char **options, size_t n)
{
  struct silo_mount_options o;
  struct silo_error *err = NULL;

  ok (silo_mount_options_parse (options, n, &o, &err) == 0 && err == NULL, "parse succeeds");
  silo_error_free (err);
  return o;
}

static void
test_default_spec_options (void)
{
  char *dev[] = { "nosuid", "strictatime", "mode=755", "size=65536k" };
  char *pts[] = { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5" };
  char *sys[] = { "nosuid", "noexec", "nodev", "ro" };
  struct silo_mount_options o;

  o = parse (dev, N (dev));
  ok (o.flags == (MS_NOSUID | MS_STRICTATIME), "/dev: nosuid|strictatime");
  is_str (o.data, "mode=755,size=65536k", "/dev: unknown options become data, in order");
  silo_mount_options_release (&o);

  o = parse (pts, N (pts));
  ok (o.flags == (MS_NOSUID | MS_NOEXEC), "devpts: nosuid|noexec");
  is_str (o.data, "newinstance,ptmxmode=0666,mode=0620,gid=5", "devpts data");
  silo_mount_options_release (&o);

  o = parse (sys, N (sys));
  ok (o.flags == (MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY), "sysfs: ro and the no* flags");
  ok (o.data == NULL, "sysfs: no data");
  ok (o.cleared == 0 && o.propagation == 0 && o.attr_set == 0 && o.attr_clear == 0,
      "sysfs: nothing else");
  silo_mount_options_release (&o);
}

static void
test_set_and_clear (void)
{
  char *flip[] = { "ro", "rw", "nosuid", "suid", "nodev", "dev", "noexec", "exec", "sync",
                   "async", "mand", "nomand", "noatime", "atime", "nodiratime", "diratime",
                   "relatime", "norelatime", "strictatime", "nostrictatime", "lazytime",
                   "nolazytime", "silent", "loud", "nosymfollow", "symfollow" };
  char *last[] = { "rw", "ro", "dirsync", "remount", "nosymfollow", "defaults" };
  struct silo_mount_options o;

  o = parse (flip, N (flip));
  ok (o.flags == 0, "every flag set then cleared: nothing set");
  ok (o.cleared == (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_SYNCHRONOUS | MS_MANDLOCK
                    | MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME | MS_LAZYTIME
                    | MS_SILENT | MS_NOSYMFOLLOW),
      "... and every one of them recorded as cleared");
  ok (o.data == NULL, "no data");
  silo_mount_options_release (&o);

  o = parse (last, N (last));
  ok (o.flags == (MS_RDONLY | MS_DIRSYNC | MS_REMOUNT | MS_NOSYMFOLLOW), "the later option wins");
  ok (o.cleared == 0, "ro after rw: rw no longer cleared");
  silo_mount_options_release (&o);
}

static void
test_bind_and_propagation (void)
{
  char *bind[] = { "bind", "ro" };
  char *rbind[] = { "rbind", "rprivate" };
  char *prop[] = { "shared", "rslave" };
  struct silo_mount_options o;
  unsigned long p = 0;

  o = parse (bind, N (bind));
  ok (o.flags == (MS_BIND | MS_RDONLY), "bind,ro");
  silo_mount_options_release (&o);
  o = parse (rbind, N (rbind));
  ok (o.flags == (MS_BIND | MS_REC), "rbind: MS_BIND|MS_REC");
  ok (o.propagation == (MS_PRIVATE | MS_REC), "rprivate: MS_PRIVATE|MS_REC");
  silo_mount_options_release (&o);
  o = parse (prop, N (prop));
  ok (o.propagation == (MS_SLAVE | MS_REC), "the last propagation wins");
  ok (o.flags == 0, "propagation is not a flag");
  silo_mount_options_release (&o);

  ok (silo_mount_propagation_parse ("runbindable", &p) == 0 && p == (MS_UNBINDABLE | MS_REC),
      "runbindable");
  ok (silo_mount_propagation_parse ("unbindable", &p) == 0 && p == MS_UNBINDABLE, "unbindable");
  ok (silo_mount_propagation_parse ("shared", &p) == 0 && p == MS_SHARED, "shared");
  ok (silo_mount_propagation_parse ("ro", &p) < 0, "ro is not a propagation");
  ok (silo_mount_propagation_parse ("bogus", &p) < 0, "unknown propagation refused");
}

static void
test_recursive_attributes (void)
{
  char *all[] = { "rro", "rnosuid", "rnodev", "rnoexec", "rnodiratime", "rnosymfollow" };
  char *undo[] = { "rro", "rrw", "rnosuid", "rsuid", "rdev", "rexec", "rdiratime", "rsymfollow" };
  char *noatime[] = { "rnoatime" };
  char *atime_last[] = { "rnoatime", "rstrictatime" };
  char *relatime[] = { "rstrictatime", "rrelatime" };
  char *ratime[] = { "ratime" };
  char *norelatime[] = { "rnorelatime" };
  struct silo_mount_options o;

  o = parse (all, N (all));
  ok (o.attr_set == (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC
                     | MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOSYMFOLLOW), "r* options set attributes");
  ok (o.attr_clear == 0 && o.flags == 0, "... and touch nothing else");
  silo_mount_options_release (&o);

  o = parse (undo, N (undo));
  ok (o.attr_set == 0, "rrw after rro: nothing set");
  ok (o.attr_clear == (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC
                       | MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOSYMFOLLOW), "rrw, rsuid… clear");
  silo_mount_options_release (&o);

  o = parse (noatime, 1);
  ok (o.attr_set == MOUNT_ATTR_NOATIME && o.attr_clear == MOUNT_ATTR__ATIME,
      "rnoatime: clear the whole atime field, set noatime");
  silo_mount_options_release (&o);
  o = parse (atime_last, 2);
  ok (o.attr_set == MOUNT_ATTR_STRICTATIME && o.attr_clear == MOUNT_ATTR__ATIME,
      "the last atime mode wins, the atime field stays whole in attr_clear");
  silo_mount_options_release (&o);
  o = parse (relatime, 2);
  ok (o.attr_set == MOUNT_ATTR_RELATIME && o.attr_clear == MOUNT_ATTR__ATIME, "rrelatime");
  silo_mount_options_release (&o);
  o = parse (ratime, 1);
  ok (o.attr_set == MOUNT_ATTR_RELATIME && o.attr_clear == MOUNT_ATTR__ATIME, "ratime: relatime");
  silo_mount_options_release (&o);
  o = parse (norelatime, 1);
  ok (o.attr_set == MOUNT_ATTR_STRICTATIME && o.attr_clear == MOUNT_ATTR__ATIME,
      "rnorelatime: strictatime");
  silo_mount_options_release (&o);
}

static void
test_special_options (void)
{
  char *tmp[] = { "tmpcopyup", "mode=1777", "", "size=1m" };
  char *idmap[] = { "rbind", "idmap" };
  char *ridmap[] = { "ridmap" };
  char *ridmap_idmap[] = { "ridmap", "idmap" };
  struct silo_mount_options o;
  size_t known = 0;

  o = parse (tmp, N (tmp));
  ok (o.tmpcopyup && !o.idmap, "tmpcopyup recorded");
  is_str (o.data, "mode=1777,size=1m", "tmpcopyup is not data; empty options are skipped");
  silo_mount_options_release (&o);
  o = parse (idmap, N (idmap));
  ok (o.idmap && !o.idmap_recursive && o.flags == (MS_BIND | MS_REC), "idmap recorded, not recursive");
  ok (o.data == NULL, "idmap is not data");
  silo_mount_options_release (&o);
  o = parse (ridmap, 1);
  ok (o.idmap && o.idmap_recursive, "ridmap recorded, recursive");
  silo_mount_options_release (&o);
  o = parse (ridmap_idmap, N (ridmap_idmap));
  ok (o.idmap && !o.idmap_recursive, "the later of ridmap and idmap wins");
  silo_mount_options_release (&o);
  o = parse (NULL, 0);
  ok (o.flags == 0 && o.data == NULL, "no options");
  silo_mount_options_release (&o);

  while (silo_mount_option_name (known) != NULL)
    known++;
  ok (known > 60, "the option table lists %zu names", known);
}

static void
test_paths (void)
{
  static const char *const cases[][2] = {
    { "/proc", "/proc" }, { "proc", "/proc" }, { "//dev///pts/", "/dev/pts" },
    { "/a/./b/../c", "/a/c" }, { "/../../etc", "/etc" }, { "/", "/" }, { "", "/" },
    { "/a/..", "/" }, { "/tmp/../proc/./sys", "/proc/sys" }, { "/..a/b..", "/..a/b.." },
  };

  for (size_t i = 0; i < N (cases); i++)
    {
      char *clean = silo_path_clean (cases[i][0]);
      is_str (clean, cases[i][1], "clean `%s`", cases[i][0]);
      free (clean);
    }
  ok (silo_path_is_under ("/dev", "/dev") && silo_path_is_under ("/dev/pts", "/dev"),
      "/dev and /dev/pts are under /dev");
  ok (!silo_path_is_under ("/device", "/dev") && !silo_path_is_under ("/", "/dev"),
      "/device is not under /dev");
}

int
main (void)
{
  test_default_spec_options ();
  test_set_and_clear ();
  test_bind_and_propagation ();
  test_recursive_attributes ();
  test_special_options ();
  test_paths ();
  return tap_done ();
}
