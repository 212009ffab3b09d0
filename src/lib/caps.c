/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "caps.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

/* Capabilities are numbered below 64 for as long as the kernel's ABI carries two 32-bit
 * words; a name above that is treated like one the kernel does not know.  */
#define CAPS_MAX 64

struct caps_list
{
  const char *set;    /* JSON name under process.capabilities */
  char ***names;
  size_t *n;
};

static uint64_t
caps_mask (char *const *names, size_t n)
{
  uint64_t mask = 0;

  for (size_t i = 0; i < n; i++)
    {
      int cap = oci_capability_from_name (names[i]);
      if (cap >= 0 && cap < CAPS_MAX)
        mask |= UINT64_C (1) << cap;
    }
  return mask;
}

static void
caps_list_remove (const struct caps_list *l, size_t i)
{
  free ((*l->names)[i]);
  memmove (&(*l->names)[i], &(*l->names)[i + 1], (*l->n - i - 1) * sizeof (char *));
  (*l->n)--;
}

static bool
cap_known (int cap)
{
  return prctl (PR_CAPBSET_READ, (unsigned long) cap, 0, 0, 0) >= 0;
}

int
silo_caps_last (void)
{
  static int last = -1;
  int low = 0, high = CAPS_MAX - 1;

  if (last >= 0)
    return last;
  /* PR_CAPBSET_READ fails with EINVAL past the kernel's last capability: that gives
   * /proc/sys/kernel/cap_last_cap without procfs, which the child may no longer see.
   * Most kernels know exactly the capabilities of the headers silo was built with: two
   * calls confirm it; otherwise a binary search (six calls) on the side it lies.
   * CAP_CHOWN (0) always exists.  */
  if (CAP_LAST_CAP < CAPS_MAX - 1 && cap_known (CAP_LAST_CAP))
    {
      if (!cap_known (CAP_LAST_CAP + 1))
        return last = CAP_LAST_CAP;
      low = CAP_LAST_CAP + 1;
    }
  else
    high = CAP_LAST_CAP < CAPS_MAX - 1 ? CAP_LAST_CAP - 1 : high;
  while (low < high)
    {
      int middle = (low + high + 1) / 2;
      if (cap_known (middle))
        low = middle;
      else
        high = middle - 1;
    }
  last = low;
  return last;
}

/* Whether silo's own bounding set holds CAP; asked of the kernel once per capability, as
 * the lists repeat the same names (bounding, effective, permitted).  */
static bool
caps_in_own_bounding_set (int cap)
{
  static uint64_t asked, held;
  uint64_t bit = UINT64_C (1) << cap;

  if ((asked & bit) == 0)
    {
      asked |= bit;
      if (prctl (PR_CAPBSET_READ, (unsigned long) cap, 0, 0, 0) != 0)
        held |= bit;
    }
  return (held & bit) != 0;
}

static int
caps_validate_list (const struct caps_list *l, bool user_namespace, struct silo_error **err)
{
  int last = silo_caps_last ();
  for (size_t i = 0; i < *l->n;)
    {
      const char *name = (*l->names)[i];
      int cap = oci_capability_from_name (name);

      if (cap < 0)
        return silo_fail (err, 0, "process.capabilities.%s: unknown capability `%s`", l->set, name);
      if (cap > last)
        {
          silo_log_warning ("process.capabilities.%s: %s is not known to this kernel "
                            "(the last is number %d), ignored", l->set, name, last);
          caps_list_remove (l, i);
          continue;
        }
      if (!user_namespace && !caps_in_own_bounding_set (cap))
        return silo_fail (err, 0, "process.capabilities.%s: %s is not in silo's own bounding "
                          "set, so no process silo starts can have it", l->set, name);
      i++;
    }
  return 0;
}

/* Ambient capabilities outside permitted & inheritable cannot be raised: the kernel
 * refuses them.  `crun spec` and `runc spec` write such a config (ambient without
 * inheritable), so saying it on every create would be noise: for a root process the
 * result is what was asked (root's program gets its permitted set back at exec), and it
 * is a debug line; for another user the program would lose them at exec, which the user
 * can fix, and it is one warning.  */
static void
caps_drop_unraisable_ambient (oci_capabilities *caps, const struct caps_list *ambient,
                              bool root_user)
{
  uint64_t raisable = caps_mask (caps->permitted, caps->n_permitted)
                      & caps_mask (caps->inheritable, caps->n_inheritable);
  _cleanup_free_ char *dropped = NULL;
  size_t n = 0;

  for (size_t i = 0; i < caps->n_ambient;)
    {
      if ((caps_mask (&caps->ambient[i], 1) & ~raisable) == 0)
        {
          i++;
          continue;
        }
      char *more = xasprintf ("%s%s%s", dropped ? dropped : "", dropped ? ", " : "",
                              caps->ambient[i]);
      free (dropped);
      dropped = more;
      n++;
      caps_list_remove (ambient, i);
    }
  if (dropped == NULL)
    return;
  if (root_user)
    silo_log_debug ("process.capabilities.ambient: %s not in both permitted and inheritable: "
                    "not raised (a root process keeps its permitted set across exec)", dropped);
  else
    silo_log_warning ("process.capabilities.ambient: %s not in both permitted and "
                      "inheritable, so the kernel cannot raise %s and the program loses %s "
                      "at exec; add %s to process.capabilities.inheritable", dropped,
                      n > 1 ? "them" : "it", n > 1 ? "them" : "it", n > 1 ? "them" : "it");
}

static int
caps_check_sets (oci_capabilities *caps, const struct caps_list *ambient, bool root_user,
                 struct silo_error **err)
{
  uint64_t permitted = caps_mask (caps->permitted, caps->n_permitted);

  for (size_t i = 0; i < caps->n_effective; i++)
    if ((caps_mask (&caps->effective[i], 1) & ~permitted) != 0)
      return silo_fail (err, 0, "process.capabilities.effective: %s is not in "
                        "process.capabilities.permitted; the kernel allows only permitted "
                        "capabilities to be effective", caps->effective[i]);
  caps_drop_unraisable_ambient (caps, ambient, root_user);
  return 0;
}

int
silo_caps_validate (oci_capabilities *caps, bool user_namespace, bool root_user,
                    struct silo_error **err)
{
  if (caps == NULL)
    return 0;

  const struct caps_list lists[] = {
    { "bounding", &caps->bounding, &caps->n_bounding },
    { "effective", &caps->effective, &caps->n_effective },
    { "inheritable", &caps->inheritable, &caps->n_inheritable },
    { "permitted", &caps->permitted, &caps->n_permitted },
    { "ambient", &caps->ambient, &caps->n_ambient },
  };
  for (size_t i = 0; i < SILO_ARRAY_SIZE (lists); i++)
    if (caps_validate_list (&lists[i], user_namespace, err) < 0)
      return -1;
  return caps_check_sets (caps, &lists[4], root_user, err);
}

int
silo_caps_drop_bounding (const oci_capabilities *caps, struct silo_error **err)
{
  uint64_t keep = caps != NULL ? caps_mask (caps->bounding, caps->n_bounding) : 0;
  int last = silo_caps_last ();

  for (int cap = 0; cap <= last; cap++)
    {
      if ((keep & (UINT64_C (1) << cap)) != 0)
        continue;
      if (prctl (PR_CAPBSET_DROP, (unsigned long) cap, 0, 0, 0) < 0)
        {
          const char *name = oci_capability_name (cap);
          if (name != NULL)
            return silo_fail (err, errno, "drop %s from the bounding set", name);
          return silo_fail (err, errno, "drop capability %d from the bounding set", cap);
        }
    }
  return 0;
}

static int
caps_raise_ambient (const oci_capabilities *caps, struct silo_error **err)
{
  /* capset already cleared every ambient capability outside the new inheritable set; with
   * an empty one nothing that silo itself inherited can be left over.  */
  if (caps->n_inheritable > 0 && prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
    return silo_fail (err, errno, "process.capabilities.ambient: clear the ambient set");
  for (size_t i = 0; i < caps->n_ambient; i++)
    {
      int cap = oci_capability_from_name (caps->ambient[i]);

      if (cap < 0)
        continue;
      if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long) cap, 0, 0) < 0)
        return silo_fail (err, errno, "process.capabilities.ambient: raise %s", caps->ambient[i]);
    }
  return 0;
}

int
silo_caps_apply (const oci_capabilities *caps, struct silo_error **err)
{
  struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
  struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = { { 0 } };
  uint64_t effective = 0, permitted = 0, inheritable = 0;

  if (caps != NULL)
    {
      effective = caps_mask (caps->effective, caps->n_effective);
      permitted = caps_mask (caps->permitted, caps->n_permitted);
      inheritable = caps_mask (caps->inheritable, caps->n_inheritable);
    }
  /* Version 3: capability N is bit N % 32 of word N / 32.  */
  for (int word = 0; word < _LINUX_CAPABILITY_U32S_3; word++)
    {
      data[word].effective = (uint32_t) (effective >> (32 * word));
      data[word].permitted = (uint32_t) (permitted >> (32 * word));
      data[word].inheritable = (uint32_t) (inheritable >> (32 * word));
    }
  /* One capset for the three sets: the kernel checks effective against the new permitted
   * set, and dropping a capability from permitted or inheritable also clears it from the
   * ambient set, which is why ambient comes last.  */
  if (syscall (SYS_capset, &header, data) < 0)
    return silo_fail (err, errno, "process.capabilities: set the effective, permitted and "
                      "inheritable sets");
  if (caps == NULL)
    return 0;
  return caps_raise_ambient (caps, err);
}
