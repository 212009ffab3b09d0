/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sysctl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pathsafe.h"
#include "util.h"

/* The System V IPC knobs that an ipc namespace gives its own copy of (ipc/ipc_sysctl.c).  */
static const char *const ipc_namespace_keys[] = {
  "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
  "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
};

static const oci_namespace *
find_namespace (const oci_config *c, oci_namespace_type type)
{
  if (c->linux_ == NULL)
    return NULL;
  for (size_t i = 0; i < c->linux_->n_namespaces; i++)
    if (c->linux_->namespaces[i].type == type)
      return &c->linux_->namespaces[i];
  return NULL;
}

static bool
key_is_well_formed (const char *key)
{
  const char *p;

  if (*key == '\0' || *key == '.' || strchr (key, '/') != NULL)
    return false;
  for (p = key; *p != '\0'; p++)
    if (p[0] == '.' && (p[1] == '.' || p[1] == '\0'))
      return false;
  return true;
}

/* The namespace a key needs, or OCI_NS__COUNT for a key no namespace isolates.  */
static oci_namespace_type
namespace_for_key (const char *key)
{
  for (size_t i = 0; i < SILO_ARRAY_SIZE (ipc_namespace_keys); i++)
    if (strcmp (key, ipc_namespace_keys[i]) == 0)
      return OCI_NS_IPC;
  if (strncmp (key, "fs.mqueue.", 10) == 0)
    return OCI_NS_IPC;
  if (strncmp (key, "net.", 4) == 0)
    return OCI_NS_NETWORK;
  if (strcmp (key, "kernel.hostname") == 0 || strcmp (key, "kernel.domainname") == 0)
    return OCI_NS_UTS;
  return OCI_NS__COUNT;
}

static bool
is_own_network_namespace (const char *path)
{
  struct stat joined, own;

  /* A path that cannot be stat'ed is reported by the namespace code, with its field.  */
  if (stat (path, &joined) < 0 || stat ("/proc/self/ns/net", &own) < 0)
    return false;
  return joined.st_dev == own.st_dev && joined.st_ino == own.st_ino;
}

static int
validate_key (const oci_config *c, const char *key, struct silo_error **err)
{
  oci_namespace_type needed;
  const oci_namespace *ns;

  if (!key_is_well_formed (key))
    return silo_fail (err, 0, "linux.sysctl.%s: a key is dotted (net.ipv4.ip_forward), "
                      "without '/' or empty components", key);
  needed = namespace_for_key (key);
  if (needed == OCI_NS__COUNT)
    return silo_fail (err, 0, "linux.sysctl.%s: not isolated by any of the container's "
                      "namespaces, so setting it would change the host; allowed: the ipc ones "
                      "(kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.*), net.* and "
                      "kernel.hostname/domainname", key);
  ns = find_namespace (c, needed);
  if (ns == NULL)
    return silo_fail (err, 0, "linux.sysctl.%s: needs a%s %s namespace in linux.namespaces",
                      key, needed == OCI_NS_IPC ? "n" : "", oci_namespace_type_name (needed));
  if (needed == OCI_NS_NETWORK && ns->path != NULL && is_own_network_namespace (ns->path))
    return silo_fail (err, 0, "linux.sysctl.%s: the network namespace `%s` is the host's "
                      "(silo's own), so setting it would change the host", key, ns->path);
  return 0;
}

int
silo_sysctl_validate (const oci_config *c, struct silo_error **err)
{
  if (c->linux_ == NULL)
    return 0;
  for (size_t i = 0; i < c->linux_->sysctl.len; i++)
    if (validate_key (c, c->linux_->sysctl.keys[i], err) < 0)
      return -1;
  return 0;
}

int
silo_sysctl_apply (const oci_config *c, int procfd, struct silo_error **err)
{
  if (c->linux_ == NULL)
    return 0;
  for (size_t i = 0; i < c->linux_->sysctl.len; i++)
    {
      const char *key = c->linux_->sysctl.keys[i], *value = c->linux_->sysctl.values[i];
      _cleanup_free_ char *path = xasprintf ("sys/%s", key);

      for (char *p = path + 4; *p != '\0'; p++)
        if (*p == '.')
          *p = '/';
      if (silo_procfs_write (procfd, path, value, strlen (value), err) < 0)
        return silo_wrap (err, "linux.sysctl.%s", key);
    }
  return 0;
}
