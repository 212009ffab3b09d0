/* silo: fold an `update` into the stored linux.resources (see resources-merge.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "resources-merge.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define MERGE_SCALAR(into, from, field)                                                        \
  do                                                                                           \
    {                                                                                          \
      if ((from)->has_##field)                                                                 \
        {                                                                                      \
          (into)->has_##field = true;                                                          \
          (into)->field = (from)->field;                                                       \
        }                                                                                      \
    }                                                                                          \
  while (0)

/* Two shapes of list element share this code: the device ones start with the int64_t
 * pair major, minor (their key) and hold no pointer; the named ones start with their
 * key, a string, and hold no other pointer.  */
enum element_key { KEY_DEVICE_NUMBER, KEY_LEADING_STRING };

static bool
same_key (const void *a, const void *b, enum element_key key)
{
  if (key == KEY_DEVICE_NUMBER)
    return memcmp (a, b, 2 * sizeof (int64_t)) == 0;
  return strcmp (*(char *const *) a, *(char *const *) b) == 0;
}

static void
copy_element (void *to, const void *from, size_t size, enum element_key key)
{
  memcpy (to, from, size);
  if (key == KEY_LEADING_STRING)
    *(char **) to = xstrdup (*(char *const *) from);
}

/* Returns the list, moved when it grew.  */
static void *
merge_list (void *list, size_t *n, const void *from, size_t n_from, size_t size,
            enum element_key key)
{
  char *items = list;

  for (size_t i = 0; i < n_from; i++)
    {
      const char *element = (const char *) from + i * size;
      char *slot = NULL;

      for (size_t j = 0; j < *n && slot == NULL; j++)
        if (same_key (items + j * size, element, key))
          slot = items + j * size;
      if (slot == NULL)
        {
          items = xrealloc (items, (*n + 1) * size);
          slot = items + (*n)++ * size;
        }
      else if (key == KEY_LEADING_STRING)
        free (*(char **) slot);
      copy_element (slot, element, size, key);
    }
  return items;
}

#define MERGE_LIST(into, from, list, n, key)                                                   \
  ((into)->list = merge_list ((into)->list, &(into)->n, (from)->list, (from)->n,               \
                              sizeof (*(from)->list), key))

static void
merge_map (oci_map *into, const oci_map *from)
{
  for (size_t i = 0; i < from->len; i++)
    {
      size_t j = 0;

      while (j < into->len && strcmp (into->keys[j], from->keys[i]) != 0)
        j++;
      if (j == into->len)
        {
          /* libocispec keeps both arrays NULL-terminated, as it keeps string lists.  */
          into->keys = xrealloc (into->keys, (into->len + 2) * sizeof (char *));
          into->values = xrealloc (into->values, (into->len + 2) * sizeof (char *));
          into->keys[j] = xstrdup (from->keys[i]);
          into->values[j] = NULL;
          into->keys[j + 1] = into->values[j + 1] = NULL;
          into->len++;
        }
      free (into->values[j]);
      into->values[j] = xstrdup (from->values[i]);
    }
}

/* The member object, made empty when it is absent.  */
#define ENSURE(member) ((member) != NULL ? (member) : ((member) = xmalloc0 (sizeof (*(member)))))

static void
merge_memory (oci_memory *into, const oci_memory *from)
{
  MERGE_SCALAR (into, from, limit);
  MERGE_SCALAR (into, from, reservation);
  MERGE_SCALAR (into, from, swap);
  MERGE_SCALAR (into, from, kernel);
  MERGE_SCALAR (into, from, kernel_tcp);
  MERGE_SCALAR (into, from, swappiness);
  MERGE_SCALAR (into, from, disable_oom_killer);
  MERGE_SCALAR (into, from, use_hierarchy);
  MERGE_SCALAR (into, from, check_before_update);
}

static void
merge_string (char **into, const char *from)
{
  if (from == NULL)
    return;
  free (*into);
  *into = xstrdup (from);
}

static void
merge_cpu (oci_cpu *into, const oci_cpu *from)
{
  MERGE_SCALAR (into, from, shares);
  MERGE_SCALAR (into, from, quota);
  MERGE_SCALAR (into, from, burst);
  MERGE_SCALAR (into, from, period);
  MERGE_SCALAR (into, from, realtime_runtime);
  MERGE_SCALAR (into, from, realtime_period);
  MERGE_SCALAR (into, from, idle);
  merge_string (&into->cpus, from->cpus);
  merge_string (&into->mems, from->mems);
}

static void
merge_block_io (oci_block_io *into, const oci_block_io *from)
{
  MERGE_SCALAR (into, from, weight);
  MERGE_SCALAR (into, from, leaf_weight);
  MERGE_LIST (into, from, weight_device, n_weight_device, KEY_DEVICE_NUMBER);
  MERGE_LIST (into, from, throttle_read_bps, n_throttle_read_bps, KEY_DEVICE_NUMBER);
  MERGE_LIST (into, from, throttle_write_bps, n_throttle_write_bps, KEY_DEVICE_NUMBER);
  MERGE_LIST (into, from, throttle_read_iops, n_throttle_read_iops, KEY_DEVICE_NUMBER);
  MERGE_LIST (into, from, throttle_write_iops, n_throttle_write_iops, KEY_DEVICE_NUMBER);
}

/* Device rules are an ordered list in which a later rule overrides an earlier one: an
 * update that has rules replaces them all.  */
static void
replace_devices (oci_resources *into, const oci_resources *from)
{
  for (size_t i = 0; i < into->n_devices; i++)
    {
      free (into->devices[i].type);
      free (into->devices[i].access);
    }
  free (into->devices);
  into->devices = xmalloc0 (from->n_devices * sizeof (*into->devices));
  into->n_devices = from->n_devices;
  for (size_t i = 0; i < from->n_devices; i++)
    {
      into->devices[i] = from->devices[i];
      into->devices[i].type = xstrdup (from->devices[i].type);
      into->devices[i].access = xstrdup (from->devices[i].access);
    }
}

void
silo_resources_merge (oci_resources *into, const oci_resources *from)
{
  if (from->n_devices > 0)
    replace_devices (into, from);
  if (from->memory != NULL)
    merge_memory (ENSURE (into->memory), from->memory);
  if (from->cpu != NULL)
    merge_cpu (ENSURE (into->cpu), from->cpu);
  if (from->pids != NULL)
    {
      oci_pids *pids = ENSURE (into->pids);
      MERGE_SCALAR (pids, from->pids, limit);
    }
  if (from->block_io != NULL)
    merge_block_io (ENSURE (into->block_io), from->block_io);
  MERGE_LIST (into, from, hugepage_limits, n_hugepage_limits, KEY_LEADING_STRING);
  if (from->network != NULL)
    {
      oci_network *network = ENSURE (into->network);
      MERGE_SCALAR (network, from->network, class_id);
      MERGE_LIST (network, from->network, priorities, n_priorities, KEY_LEADING_STRING);
    }
  MERGE_LIST (into, from, rdma, n_rdma, KEY_LEADING_STRING);
  if (from->has_unified)
    {
      into->has_unified = true;
      merge_map (&into->unified, &from->unified);
    }
}
