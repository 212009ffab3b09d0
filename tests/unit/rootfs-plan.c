/* Unit tests: the mount plan the parent makes from config.json (rootfs-plan.h), without
 * root and without mounting anything: kinds, cleaned destinations, sources resolved
 * against the bundle, parsed options, the read-only-tmpfs rule, /dev, and errors that
 * name mounts[N] and the field before anything exists.  */
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "oci.h"
#include "rootfs-plan.h"
#include "tap.h"
#include "util.h"

static oci_config *
config_with_mounts (const char *mounts)
{
  _cleanup_free_ char *json = xasprintf ("{\"ociVersion\": \"1.3.0\", \"root\": {\"path\": \"rootfs\"}, "
                                         "\"process\": {\"cwd\": \"/\", \"args\": [\"sh\"], "
                                         "\"user\": {\"uid\": 0, \"gid\": 0}}, \"mounts\": %s}", mounts);
  oci_config *c = NULL;
  struct silo_error *err = NULL;

  if (oci_config_parse (json, strlen (json), &c, &err) < 0)
    {
      printf ("# config does not parse: %s\n", err->msg);
      silo_error_free (err);
    }
  return c;
}

/* The plan of `mounts`, or NULL with *msg set to the error.  */
static struct silo_rootfs_plan *
plan_of (const char *mounts, char **msg)
{
  oci_config *c = config_with_mounts (mounts);
  struct silo_rootfs_plan *p = xmalloc0 (sizeof (*p));
  struct silo_error *err = NULL;

  *msg = NULL;
  if (c == NULL || silo_rootfs_plan_make (c, "/bundle", p, &err) < 0)
    {
      *msg = xstrdup (err != NULL ? err->msg : "no config");
      silo_error_free (err);
      free (p);
      p = NULL;
    }
  oci_config_free (c);
  return p;
}

static void
plan_free (struct silo_rootfs_plan *p)
{
  if (p != NULL)
    silo_rootfs_plan_release (p);
  free (p);
}

static void
test_default_mounts (void)
{
  char *msg;
  struct silo_rootfs_plan *p = plan_of (
    "[{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},"
    " {\"destination\": \"/dev//\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [\"nosuid\", \"mode=755\"]},"
    " {\"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": \"cgroup\", \"options\": [\"ro\"]},"
    " {\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"vol\", \"options\": [\"rbind\", \"ro\"]},"
    " {\"destination\": \"/etc/hosts\", \"source\": \"/host/hosts\", \"options\": [\"bind\"]},"
    " {\"destination\": \"/data\", \"options\": [\"bind\", \"remount\", \"ro\"]}]", &msg);

  ok (p != NULL && p->n_steps == 6, "six mounts, six steps%s%s", msg ? ": " : "", msg ? msg : "");
  if (p == NULL || p->n_steps != 6)
    return;
  ok (p->steps[0].kind == SILO_STEP_FILESYSTEM, "proc is a new filesystem");
  is_str (p->steps[1].destination, "/dev", "destinations are cleaned");
  ok (p->steps[2].kind == SILO_STEP_CGROUP && (p->steps[2].options.flags & MS_RDONLY), "cgroup, read-only");
  ok (p->steps[3].kind == SILO_STEP_BIND && (p->steps[3].options.flags & MS_REC), "rbind is a recursive bind");
  is_str (p->steps[3].source, "/bundle/vol", "a relative bind source is under the bundle");
  ok (p->steps[4].kind == SILO_STEP_BIND, "the bind option without a type is a bind");
  is_str (p->steps[4].source, "/host/hosts", "an absolute source stays");
  ok (p->steps[5].kind == SILO_STEP_REMOUNT, "bind + remount changes flags in place");
  ok (p->populate_dev, "a tmpfs /dev is filled by silo");
  ok (p->steps[3].index == 3 && !p->steps[3].idmapped, "steps keep their index; no idmap asked");
  plan_free (p);
}

static void
test_readonly_tmpfs_and_host_dev (void)
{
  char *msg;
  struct silo_rootfs_plan *p = plan_of (
    "[{\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [\"ro\"]}]", &msg);

  ok (p != NULL && p->steps[0].readonly_later && !(p->steps[0].options.flags & MS_RDONLY),
      "a read-only tmpfs is mounted writable and made read-only later");
  plan_free (p);
  p = plan_of ("[{\"destination\": \"/dev\", \"type\": \"bind\", \"source\": \"/dev\", \"options\": [\"rbind\"]}]", &msg);
  ok (p != NULL && !p->populate_dev, "a bind of the host's /dev is not filled by silo");
  plan_free (p);
  p = plan_of ("[{\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"/d\", \"options\": [\"bind\", \"idmap\"]}]", &msg);
  ok (p != NULL && p->steps[0].idmapped, "an idmap bind is marked for a tree the parent makes");
  plan_free (p);
}

static void
check_error (const char *mounts, const char *want, const char *what)
{
  char *msg;
  struct silo_rootfs_plan *p = plan_of (mounts, &msg);

  ok (p == NULL && msg != NULL && strstr (msg, want) != NULL, "%s", what);
  if (msg != NULL && strstr (msg, want) == NULL)
    printf ("#   got:  %s\n#   want: ...%s...\n", msg, want);
  plan_free (p);
  free (msg);
}

static void
test_errors (void)
{
  check_error ("[{\"destination\": \"/x\", \"options\": [\"bind\"]}]",
               "mounts[0] (/x): source: required for a bind mount", "a bind without a source");
  check_error ("[{\"destination\": \"/p\", \"type\": \"proc\"}, {\"destination\": \"/y\", \"source\": \"tmpfs\"}]",
               "mounts[1] (/y): type: required unless the mount is a bind", "a mount without a type");
  check_error ("[{\"destination\": \"/a\", \"type\": \"bind\", \"source\": \"\", \"options\": [\"rbind\"]}]",
               "mounts[0] (/a): source: required", "an empty bind source");
}

int
main (void)
{
  test_default_mounts ();
  test_readonly_tmpfs_and_host_dev ();
  test_errors ();
  return tap_done ();
}
