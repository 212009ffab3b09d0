/* silo: the default config.json that `silo spec` writes: a starting point for a busybox
 * style bundle, with the same contents as runc's, so guides written for `runc spec` work.
 * The rootless variant drops what an unprivileged user cannot have (network namespace,
 * device cgroup rules, sysfs mount, gid= options) and maps the caller to root in a new
 * user namespace.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "silo-spec.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "container.h"
#include "oci.h"
#include "util.h"

struct default_mount
{
  const char *destination, *type, *source;
  const char *options[7];   /* NULL-terminated */
};

static const struct default_mount default_mounts[] = {
  { "/proc", "proc", "proc", { NULL } },
  { "/dev", "tmpfs", "tmpfs", { "nosuid", "strictatime", "mode=755", "size=65536k", NULL } },
  { "/dev/pts", "devpts", "devpts",
    { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL } },
  { "/dev/shm", "tmpfs", "shm", { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL } },
  { "/dev/mqueue", "mqueue", "mqueue", { "nosuid", "noexec", "nodev", NULL } },
  { "/sys", "sysfs", "sysfs", { "nosuid", "noexec", "nodev", "ro", NULL } },
  { "/sys/fs/cgroup", "cgroup", "cgroup", { "nosuid", "noexec", "nodev", "relatime", "ro", NULL } },
};

/* A new sysfs needs a network namespace the user owns; rootless bind-mounts the host's.  */
static const struct default_mount rootless_sys_mount = {
  "/sys", "none", "/sys", { "rbind", "nosuid", "noexec", "nodev", "ro", NULL }
};

static const char *const default_capabilities[] = {
  "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL
};

static const char *const default_env[] = {
  "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm", NULL
};

static const char *const masked_paths[] = {
  "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
  "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
  "/sys/devices/virtual/tpm", NULL
};

static const char *const readonly_paths[] = {
  "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL
};

static void
write_strings (oci_json_writer *w, const char *key, const char *const *values,
               bool drop_id_options)
{
  oci_json_key (w, key);
  oci_json_begin_array (w);
  for (size_t i = 0; values[i] != NULL; i++)
    {
      /* A user namespace maps only the caller's ids: gid=5 (tty) does not exist there.  */
      if (drop_id_options
          && (strncmp (values[i], "gid=", 4) == 0 || strncmp (values[i], "uid=", 4) == 0))
        continue;
      oci_json_string (w, values[i]);
    }
  oci_json_end_array (w);
}

static void
write_process (oci_json_writer *w)
{
  oci_json_key (w, "process");
  oci_json_begin_object (w);
  oci_json_key (w, "terminal");
  oci_json_bool (w, true);
  oci_json_key (w, "user");
  oci_json_begin_object (w);
  oci_json_key (w, "uid");
  oci_json_int (w, 0);
  oci_json_key (w, "gid");
  oci_json_int (w, 0);
  oci_json_end_object (w);
  write_strings (w, "args", (const char *const[]) { "sh", NULL }, false);
  write_strings (w, "env", default_env, false);
  oci_json_key (w, "cwd");
  oci_json_string (w, "/");
  oci_json_key (w, "capabilities");
  oci_json_begin_object (w);
  write_strings (w, "bounding", default_capabilities, false);
  write_strings (w, "effective", default_capabilities, false);
  write_strings (w, "permitted", default_capabilities, false);
  oci_json_end_object (w);
  oci_json_key (w, "rlimits");
  oci_json_begin_array (w);
  oci_json_begin_object (w);
  oci_json_key (w, "type");
  oci_json_string (w, "RLIMIT_NOFILE");
  oci_json_key (w, "hard");
  oci_json_int (w, 1024);
  oci_json_key (w, "soft");
  oci_json_int (w, 1024);
  oci_json_end_object (w);
  oci_json_end_array (w);
  oci_json_key (w, "noNewPrivileges");
  oci_json_bool (w, true);
  oci_json_end_object (w);
}

static void
write_mounts (oci_json_writer *w, bool rootless)
{
  oci_json_key (w, "mounts");
  oci_json_begin_array (w);
  for (size_t i = 0; i < SILO_ARRAY_SIZE (default_mounts); i++)
    {
      const struct default_mount *m = &default_mounts[i];
      if (rootless && strcmp (m->destination, "/sys") == 0)
        m = &rootless_sys_mount;
      oci_json_begin_object (w);
      oci_json_key (w, "destination");
      oci_json_string (w, m->destination);
      oci_json_key (w, "type");
      oci_json_string (w, m->type);
      oci_json_key (w, "source");
      oci_json_string (w, m->source);
      if (m->options[0] != NULL)
        write_strings (w, "options", m->options, rootless);
      oci_json_end_object (w);
    }
  oci_json_end_array (w);
}

/* The caller (euid, egid) becomes root of the container's user namespace.  */
static void
write_id_mapping (oci_json_writer *w, const char *key, unsigned int host_id)
{
  oci_json_key (w, key);
  oci_json_begin_array (w);
  oci_json_begin_object (w);
  oci_json_key (w, "containerID");
  oci_json_int (w, 0);
  oci_json_key (w, "hostID");
  oci_json_int (w, host_id);
  oci_json_key (w, "size");
  oci_json_int (w, 1);
  oci_json_end_object (w);
  oci_json_end_array (w);
}

static void
write_namespaces (oci_json_writer *w, bool rootless)
{
  /* runc spec's list, field for field: a config that appends a cgroup namespace to it
   * must not list that type twice (an error).  */
  static const char *const types[] = { "pid", "network", "ipc", "uts", "mount" };

  oci_json_key (w, "namespaces");
  oci_json_begin_array (w);
  for (size_t i = 0; i < SILO_ARRAY_SIZE (types) + rootless; i++)
    {
      const char *type = i < SILO_ARRAY_SIZE (types) ? types[i] : "user";
      /* A network namespace the user owns has no way out: rootless keeps the host's.  */
      if (rootless && strcmp (type, "network") == 0)
        continue;
      oci_json_begin_object (w);
      oci_json_key (w, "type");
      oci_json_string (w, type);
      oci_json_end_object (w);
    }
  oci_json_end_array (w);
}

static void
write_linux (oci_json_writer *w, bool rootless)
{
  oci_json_key (w, "linux");
  oci_json_begin_object (w);
  if (rootless)
    {
      write_id_mapping (w, "uidMappings", geteuid ());
      write_id_mapping (w, "gidMappings", getegid ());
    }
  else
    {
      /* Deny every device; the runtime adds the default ones (null, zero, tty, ...).  */
      oci_json_key (w, "resources");
      oci_json_begin_object (w);
      oci_json_key (w, "devices");
      oci_json_begin_array (w);
      oci_json_begin_object (w);
      oci_json_key (w, "allow");
      oci_json_bool (w, false);
      oci_json_key (w, "access");
      oci_json_string (w, "rwm");
      oci_json_end_object (w);
      oci_json_end_array (w);
      oci_json_end_object (w);
    }
  write_namespaces (w, rootless);
  write_strings (w, "maskedPaths", masked_paths, false);
  write_strings (w, "readonlyPaths", readonly_paths, false);
  oci_json_end_object (w);
}

int
silo_spec_generate (bool rootless, char **json, struct silo_error **err)
{
  oci_json_writer *w = oci_json_writer_new (true);

  oci_json_begin_object (w);
  oci_json_key (w, "ociVersion");
  oci_json_string (w, OCI_SPEC_VERSION);
  write_process (w);
  oci_json_key (w, "root");
  oci_json_begin_object (w);
  oci_json_key (w, "path");
  oci_json_string (w, "rootfs");
  oci_json_key (w, "readonly");
  oci_json_bool (w, true);
  oci_json_end_object (w);
  oci_json_key (w, "hostname");
  oci_json_string (w, "silo");
  write_mounts (w, rootless);
  write_linux (w, rootless);
  oci_json_end_object (w);
  *json = oci_json_writer_finish (w, NULL);
  return 0;
}

int
silo_spec_write_text (const char *bundle, const char *text, struct silo_error **err)
{
  _cleanup_close_ int dirfd = -1, fd = -1;

  dirfd = open (bundle, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0)
    return silo_fail (err, errno, "open bundle directory `%s`", bundle);
  /* O_EXCL: never replace a config the user edited, nor follow a planted symlink.  */
  fd = openat (dirfd, "config.json", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0 && errno == EEXIST)
    return silo_fail (err, 0, "`%s/config.json` exists: remove it first", bundle);
  if (fd < 0)
    return silo_fail (err, errno, "create `%s/config.json`", bundle);
  if (write_all (fd, text, strlen (text)) < 0)
    {
      int saved = errno;
      (void) unlinkat (dirfd, "config.json", 0);
      return silo_fail (err, saved, "write `%s/config.json`", bundle);
    }
  return 0;
}

int
silo_spec_write (const char *bundle, bool rootless, struct silo_error **err)
{
  _cleanup_free_ char *json = NULL, *text = NULL;

  if (silo_spec_generate (rootless, &json, err) < 0)
    return -1;
  text = xasprintf ("%s\n", json);
  return silo_spec_write_text (bundle, text, err);
}
