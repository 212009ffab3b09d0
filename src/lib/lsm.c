/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "lsm.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "pathsafe.h"
#include "util.h"

#define SELINUX_MAGIC 0xf97cff8c

bool
silo_apparmor_enabled (void)
{
  char value[4] = "";
  _cleanup_close_ int fd = open ("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC);

  return fd >= 0 && read (fd, value, sizeof value - 1) > 0 && value[0] == 'Y'
         && access ("/sys/kernel/security/apparmor", F_OK) == 0;
}

bool
silo_selinux_enabled (void)
{
  struct statfs sfs;

  return statfs ("/sys/fs/selinux", &sfs) == 0 && (unsigned long) sfs.f_type == SELINUX_MAGIC;
}

int
silo_lsm_validate (const oci_process *p, const oci_linux *l, struct silo_error **err)
{
  if (p->apparmor_profile != NULL && p->apparmor_profile[0] != '\0' && !silo_apparmor_enabled ())
    return silo_fail (err, ENOTSUP, "process.apparmorProfile: AppArmor is not enabled on this "
                      "host; remove the field or run where it is");
  if (p->selinux_label != NULL && p->selinux_label[0] != '\0' && !silo_selinux_enabled ())
    return silo_fail (err, ENOTSUP, "process.selinuxLabel: SELinux is not enabled on this host; "
                      "remove the field or run where it is");
  if (l != NULL && l->mount_label != NULL && l->mount_label[0] != '\0' && !silo_selinux_enabled ())
    return silo_fail (err, ENOTSUP, "linux.mountLabel: SELinux is not enabled on this host; "
                      "remove the field or run where it is");
  return 0;
}

int
silo_lsm_apply_exec_labels (const oci_process *p, struct silo_error **err)
{
  bool apparmor = p->apparmor_profile != NULL && p->apparmor_profile[0] != '\0';
  bool selinux = p->selinux_label != NULL && p->selinux_label[0] != '\0';
  _cleanup_close_ int procfd = -1;
  _cleanup_free_ char *profile = NULL;

  if (!apparmor && !selinux)
    return 0;
  procfd = silo_procfs_open (err);
  if (procfd < 0)
    return -1;
  if (apparmor)
    {
      profile = xasprintf ("exec %s", p->apparmor_profile);
      /* Linux 5.8 gave each module its own attr directory; older kernels share one.  */
      if (silo_procfs_write (procfd, "thread-self/attr/apparmor/exec", profile, strlen (profile), NULL) < 0
          && silo_procfs_write (procfd, "thread-self/attr/exec", profile, strlen (profile), err) < 0)
        return silo_wrap (err, "process.apparmorProfile");
    }
  if (selinux && silo_procfs_write (procfd, "thread-self/attr/exec", p->selinux_label,
                                    strlen (p->selinux_label), err) < 0)
    return silo_wrap (err, "process.selinuxLabel");
  return 0;
}

char *
silo_lsm_mount_data (const char *mount_label, const char *type, const char *data)
{
  static const char *const no_context[] = { "proc", "sysfs", "cgroup", "cgroup2", "bind" };

  if (mount_label == NULL || mount_label[0] == '\0' || type == NULL)
    return NULL;
  for (size_t i = 0; i < SILO_ARRAY_SIZE (no_context); i++)
    if (strcmp (type, no_context[i]) == 0)
      return NULL;
  if (data == NULL || data[0] == '\0')
    return xasprintf ("context=\"%s\"", mount_label);
  return xasprintf ("%s,context=\"%s\"", data, mount_label);
}
